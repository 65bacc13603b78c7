package event

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
)

// checkSplit: splitObject and splitArray accept exactly what encoding/json accepts as an
// object or an array, and give the same members and elements, byte for byte.
func checkSplit(t *testing.T, b []byte) {
	t.Helper()
	var wantObj map[string]json.RawMessage
	wantObjOK := json.Unmarshal(b, &wantObj) == nil && wantObj != nil
	gotObj, ok := splitObject(b)
	sameSplit(t, b, "splitObject", gotObj, ok, wantObj, wantObjOK)

	var wantArr []json.RawMessage
	wantArrOK := json.Unmarshal(b, &wantArr) == nil && wantArr != nil
	gotArr, ok := splitArray(b)
	sameSplit(t, b, "splitArray", gotArr, ok, wantArr, wantArrOK)
}

func sameSplit(t *testing.T, b []byte, name string, got any, ok bool, want any, wantOK bool) {
	t.Helper()
	if ok != wantOK {
		t.Fatalf("%q: %s ok %v, encoding/json ok %v", b, name, ok, wantOK)
	}
	// %q prints a map's keys in order, and each raw value as its bytes.
	if g, w := fmt.Sprintf("%q", got), fmt.Sprintf("%q", want); ok && g != w {
		t.Fatalf("%q: %s gives %s, encoding/json %s", b, name, g, w)
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
