package filter

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzValues are served by fuzzGetter: every kind of value a Getter returns,
// so that fuzzed filters exercise every comparison.
var fuzzValues = []any{
	"Payment", "1", "12.5", "true", "", "a*b", "2023-03-31T00:39:46.917Z",
	1.0, 0.0, -2.5, json.Number("3"), json.Number("1e3"), true, false, nil,
	[]any{"vip", 5.0, json.Number("7"), nil, []any{"nested"}},
	[]any{},
	map[string]any{"total": 12.5},
}

// fuzzGetter serves a fixed value for a few well-known names and derives one
// from the name for the rest, leaving some names missing.
func fuzzGetter(name string) (any, bool) {
	switch name {
	case "type":
		return "Payment", true
	case "time":
		return "2023-03-31T00:39:46.917Z", true
	case "missing":
		return nil, false
	}
	h := 0
	for i := 0; i < len(name); i++ {
		h = h*31 + int(name[i])
	}
	if h < 0 {
		h = -h
	}
	i := h % (len(fuzzValues) + 2)
	if i >= len(fuzzValues) {
		return nil, false
	}
	return fuzzValues[i], true
}

func emptyGetter(string) (any, bool) { return nil, false }

func FuzzCompile(f *testing.F) {
	// The checked-in corpus is in testdata/fuzz/FuzzCompile; these add the
	// table tests' filters.
	for _, tc := range eventCases {
		f.Add(tc.filter)
	}
	for _, tc := range dataCases {
		f.Add(tc.filter)
	}
	f.Fuzz(func(t *testing.T, src string) {
		flt, err := Compile(src)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Compile(%q): error %T %v is not a *SyntaxError", src, err, err)
			}
			if se.Pos < 1 || se.Pos > utf8.RuneCountInString(src)+1 || se.Msg == "" {
				t.Fatalf("Compile(%q): bad error %+v", src, se)
			}
			return
		}
		if flt == nil {
			if strings.TrimSpace(src) != "" {
				t.Fatalf("Compile(%q) = nil filter for non-blank input", src)
			}
			return
		}
		canon := flt.String()
		m1, m2 := flt.Match(fuzzGetter), flt.Match(emptyGetter)
		if len(canon) > maxLen {
			// The canonical form can be longer than a terse source (RSQL's
			// ";" becomes " and "), and then it is over the length limit.
			return
		}
		again, err := Compile(canon)
		if err != nil {
			t.Fatalf("Compile(%q) gave canonical form %q, which does not compile: %v", src, canon, err)
		}
		if got := again.String(); got != canon {
			t.Fatalf("Compile(%q): canonical form is not stable:\n%q\n%q", src, canon, got)
		}
		if strings.Join(again.Fields(), "\x00") != strings.Join(flt.Fields(), "\x00") {
			t.Fatalf("Compile(%q): fields %q, canonical form's %q", src, flt.Fields(), again.Fields())
		}
		if again.Match(fuzzGetter) != m1 || again.Match(emptyGetter) != m2 {
			t.Fatalf("Compile(%q): canonical form %q matches differently", src, canon)
		}
	})
}
