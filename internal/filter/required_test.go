package filter

import (
	"fmt"
	"slices"
	"testing"
)

// RequiredText names the types a filter lets through, when it names them, so that a
// store may read only those; whenever it answers, an event of another type fails the
// filter.
func TestRequiredText(t *testing.T) {
	isType := func(name string) bool { return name == "type" || name == "Type" }
	for src, want := range map[string]string{
		"type eq 'Payment'": "[Payment] true",
		"Type eq 'Payment'": "[Payment] true",
		"type eq 'Payment' and data.category eq 'Water'": "[Payment] true",
		"type in ('B', 'A', 'B')":                        "[A B] true",
		"type==Call,type==Payment":                       "[Call Payment] true",
		"type eq 'A' or type eq 'B'":                     "[A B] true",
		"type in ('A', 'B') and type eq 'B'":             "[B] true",
		"type eq 'A' and type eq 'B'":                    "[] true",
		"type eq 'A' or source eq 'x'":                   "[] false",
		"not type eq 'A'":                                "[] false",
		"type ne 'A'":                                    "[] false",
		"type == 'Pay*'":                                 "[] false",
		"type eq 5":                                      "[] false",
		"type eq '2026-01-02T03:04:05Z'":                 "[] false",
		"source eq 'x'":                                  "[] false",
		"":                                               "[] false",
	} {
		f, err := Compile(src)
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		texts, ok := f.RequiredText(isType)
		if got := fmt.Sprintf("%v %v", append([]string{}, texts...), ok); got != want {
			t.Errorf("%q: %s, want %s", src, got, want)
		}
		for _, typ := range []string{"A", "B", "Call", "Payment", "Other"} {
			ev := func(name string) (any, bool) {
				if isType(name) {
					return typ, true
				}
				return "x", true
			}
			if ok && f.Match(ev) && !slices.Contains(texts, typ) {
				t.Errorf("%q matches type %s, which RequiredText leaves out: %v", src, typ, texts)
			}
		}
	}
}
