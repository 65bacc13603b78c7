package filter

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The limits bound the parser's memory and stack whatever the input; real
// filters stay far below both.
const (
	maxLen   = 4096
	maxDepth = 64
)

// Getter returns the value of a field by its name as written in the filter
// (e.g. "type", "order.total", "Past Due Amount"); ok is false when the field is missing.
type Getter func(name string) (value any, ok bool)

// Filter is a compiled filter. It is immutable and safe for concurrent use.
type Filter struct {
	root   node
	fields []string
	text   string // canonical form, rendered once since filters are logged often
}

// Compile parses src once; the result is evaluated many times. An empty or all-space
// src returns (nil, nil): a nil *Filter matches everything.
func Compile(src string) (*Filter, error) {
	if len(src) > maxLen {
		k := maxLen
		for k > 0 && !utf8.RuneStart(src[k]) {
			k--
		}
		return nil, &SyntaxError{
			Pos: utf8.RuneCountInString(src[:k]) + 1,
			Msg: "filter is longer than " + strconv.Itoa(maxLen) + " bytes",
		}
	}
	if strings.TrimSpace(src) == "" {
		return nil, nil
	}
	p := parser{src: src}
	root, err := p.parseFilter()
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	root.write(&b)
	return &Filter{root: root, fields: p.fields, text: b.String()}, nil
}

// Match reports whether the fields served by get satisfy the filter. Safe on a nil *Filter (true).
// A nil get serves no fields.
func (f *Filter) Match(get Getter) bool {
	if f == nil || f.root == nil {
		return true
	}
	if get == nil {
		get = noFields
	}
	return f.root.match(get)
}

func noFields(string) (any, bool) { return nil, false }

// Fields lists the distinct field names the filter reads, in first-use order (callers use it
// to decode only what is needed). The slice is the caller's to keep or change.
func (f *Filter) Fields() []string {
	if f == nil {
		return nil
	}
	return slices.Clone(f.fields)
}

// String returns a canonical form of the filter (for logs and tests): OData
// spelling, single-quoted text, numbers in shortest form, parentheses only
// where needed, double negations removed and =out= written as "not ... in".
// Only wildcard comparisons keep RSQL's == and !=, which OData lacks.
// Compiling the canonical form gives a filter with the same canonical form.
// A nil *Filter, which matches everything, is "".
func (f *Filter) String() string {
	if f == nil {
		return ""
	}
	return f.text
}

// SyntaxError is what Compile returns for malformed input.
type SyntaxError struct {
	Pos int    // 1-based character (rune) position in src where the problem is
	Msg string // what was expected / found, e.g. `expected a value after "eq"`, `unclosed string`, `unknown operator "=foo="`, `unexpected ")"`

	near string // the input from Pos on, shortened, so a user can find the spot in a long filter
}

// Error formats as `at position 12: expected a value after "eq"`, followed by
// a quote of the input at that position when there is any.
func (e *SyntaxError) Error() string {
	s := "at position " + strconv.Itoa(e.Pos) + ": " + e.Msg
	if e.near != "" {
		s += " (near " + strconv.Quote(e.near) + ")"
	}
	return s
}
