package event

import (
	"bytes"
	"encoding/json"
	"testing"
)

// checkSplit: splitObject and splitArray accept exactly what encoding/json accepts as an
// object or an array, and give the same members and elements, byte for byte.
func checkSplit(t *testing.T, b []byte) {
	t.Helper()
	var wantObj map[string]json.RawMessage
	objOK := json.Unmarshal(b, &wantObj) == nil && wantObj != nil
	gotObj, ok := splitObject(b)
	if ok != objOK {
		t.Fatalf("%q: splitObject ok %v, encoding/json ok %v", b, ok, objOK)
	}
	if len(gotObj) != len(wantObj) {
		t.Fatalf("%q: %d members, encoding/json %d", b, len(gotObj), len(wantObj))
	}
	for k, v := range wantObj {
		if !bytes.Equal(gotObj[k], v) {
			t.Fatalf("%q: member %q is %q, encoding/json %q", b, k, gotObj[k], v)
		}
	}

	var wantArr []json.RawMessage
	arrOK := json.Unmarshal(b, &wantArr) == nil && wantArr != nil
	gotArr, ok := splitArray(b)
	if ok != arrOK {
		t.Fatalf("%q: splitArray ok %v, encoding/json ok %v", b, ok, arrOK)
	}
	if len(gotArr) != len(wantArr) {
		t.Fatalf("%q: %d elements, encoding/json %d", b, len(gotArr), len(wantArr))
	}
	for i, v := range wantArr {
		if !bytes.Equal(gotArr[i], v) {
			t.Fatalf("%q: element %d is %q, encoding/json %q", b, i, gotArr[i], v)
		}
	}
}

var splitSeeds = []string{
	`[{"id":"a"} , {"id":"b"},[1, 2 ],"s",null]`, ` [ ] `, `[1,[2,[3]]]`, `[{"a":1}`, `[{"a":1}] x`,
	`null`, `{"a": {"b" : [1 , 2]} ,"c":"d e"}`, `{"a\u0062":1,"ab":2}`,
}

func TestSplitMatchesEncodingJSON(t *testing.T) {
	for _, s := range append(jsonSeeds, splitSeeds...) {
		checkSplit(t, []byte(s))
	}
}

func FuzzSplit(f *testing.F) {
	for _, s := range append(jsonSeeds, splitSeeds...) {
		f.Add([]byte(s))
	}
	f.Fuzz(checkSplit)
}

// appendCompact removes the whitespace between tokens and keeps what is inside strings.
func TestAppendCompact(t *testing.T) {
	for in, want := range map[string]string{
		`{"a" : [ 1 , 2 ] ,` + "\n\t" + `"b c":"d \" e\\"}`: `{"a":[1,2],"b c":"d \" e\\"}`,
		`{"x":"\\"}`: `{"x":"\\"}`,
		`[ ]`:        `[]`,
	} {
		if got := string(appendCompact(nil, []byte(in))); got != want {
			t.Errorf("appendCompact(%s) = %s, want %s", in, got, want)
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, []byte(in)); err != nil || buf.String() != want {
			t.Errorf("json.Compact(%s) = %s (%v): the test's want is wrong", in, buf.String(), err)
		}
	}
}
