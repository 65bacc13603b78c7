package event

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// referenceDecode is what DecodeJSON must equal: encoding/json with UseNumber, numbers
// then made int64 when whole and in range, float64 otherwise.
func referenceDecode(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if len(bytes.TrimLeft(b[dec.InputOffset():], " \t\r\n")) > 0 {
		return nil, ErrJSON // encoding/json's Unmarshal refuses data after the value too
	}
	var norm func(v any) any
	norm = func(v any) any {
		switch x := v.(type) {
		case json.Number:
			if i, err := strconv.ParseInt(string(x), 10, 64); err == nil {
				return i
			}
			f, _ := strconv.ParseFloat(string(x), 64)
			return f
		case map[string]any:
			for k, e := range x {
				x[k] = norm(e)
			}
		case []any:
			for i, e := range x {
				x[i] = norm(e)
			}
		}
		return v
	}
	return norm(v), nil
}

var jsonSeeds = []string{
	`{"a":"b","n":1,"f":1.5,"neg":-0,"big":123456789012345678901234567890,"e":1e3,"t":true,"x":false,"z":null}`,
	`{"nested":{"list":[1,"two",{"three":[3.0]}],"empty":{},"none":[]}}`,
	`{"esc":"a\"b\\c\/d\u00e9\ud83d\ude00\n\t","key with spaces":"v","dup":1,"dup":2}`,
	` { "spaced" : [ 1 , 2 ] , "s" : "x" } `,
	`{"bad utf8":"` + "\xff\xfe" + `"}`,
	`"just a string"`, `42`, `-9223372036854775808`, `9223372036854775808`, `1E-7`, `[]`,
	`{"a":01}`, `{"a":1.}`, `{"a":.5}`, `{"a":-}`, `{"a":+1}`, `{"a":"x}`, `{"a" 1}`, `{"a":1,}`,
	`[1,]`, `{"a":tru}`, `{"a":nul}`, `{"a":"` + "\x01" + `"}`, `{} x`, ``, `{`, `{"a":[`,
}

func TestDecodeJSONMatchesEncodingJSON(t *testing.T) {
	for _, s := range jsonSeeds {
		checkDecode(t, []byte(s))
		checkMembersIn(t, []byte(s))
	}
}

func FuzzDecodeJSON(f *testing.F) {
	for _, s := range jsonSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkDecode(t, b)
		checkMembersIn(t, b)
	})
}

// checkMembersIn: DecodeMembersIn with b as the data of an object gives what
// DecodeMembers gives, data cut down to the kept keys, and fails where it fails.
func checkMembersIn(t *testing.T, b []byte) {
	keep := []string{"a", "dup", "nested", "esc", "key with spaces", "s"}
	obj := append(append([]byte(`{"id":"x","data":`), b...), `,"n":[1]}`...)
	var want, got []any
	werr := DecodeMembers(obj, func(k string, v any) {
		if m, ok := v.(map[string]any); ok && k == "data" {
			for name := range m {
				if !slices.Contains(keep, name) {
					delete(m, name)
				}
			}
		}
		want = append(want, k, v)
	})
	gerr := DecodeMembersIn(obj, "data", keep, func(k string, v any) { got = append(got, k, v) })
	if (werr != nil) != (gerr != nil) {
		t.Fatalf("%q: error %v, DecodeMembers's %v", obj, gerr, werr)
	}
	if werr == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("%q:\n got %#v\nwant %#v", obj, got, want)
	}
}

func checkDecode(t *testing.T, b []byte) {
	want, werr := referenceDecode(b)
	got, gerr := DecodeJSON(b)
	if (werr != nil) != (gerr != nil) {
		t.Fatalf("%q: error %v, encoding/json's %v", b, gerr, werr)
	}
	if werr == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("%q:\n got %#v\nwant %#v", b, got, want)
	}
}

// DecodeMembers hands over every member in order, values decoded as DecodeJSON decodes
// them, and refuses what is not one JSON object.
func TestDecodeMembers(t *testing.T) {
	var got []string
	err := DecodeMembers([]byte(` {"a": 1, "b": {"c": [true, null]}, "a": "x"} `), func(k string, v any) {
		got = append(got, fmt.Sprintf("%s=%v", k, v))
	})
	if err != nil || strings.Join(got, " ") != "a=1 b=map[c:[true <nil>]] a=x" {
		t.Fatalf("members %q, err %v", got, err)
	}
	for _, bad := range []string{`[1]`, `{"a":1} 2`, `{"a":}`, ``} {
		if err := DecodeMembers([]byte(bad), func(string, any) {}); !errors.Is(err, ErrJSON) {
			t.Errorf("DecodeMembers(%q): %v, want ErrJSON", bad, err)
		}
	}
}
