package filter

import (
	"slices"
)

// RequiredText returns the texts that a field must equal for the filter to match, when
// the filter says so through eq and in comparisons with text (not timestamps) joined by
// and and or: "type eq 'Payment'" requires Payment, "type in ('A', 'B') and x gt 1"
// requires A or B. isField tells which names read the field (a caller folding letter
// case accepts each spelling). ok is false when the filter does not restrict the field
// that way (a nil filter, a not, ne, a wildcard, an or with an unrestricted side). The
// field is taken to hold a single text, not an array: a backend may then read only the
// values listed, and the filter still decides.
func (f *Filter) RequiredText(isField func(name string) bool) (texts []string, ok bool) {
	if f == nil || f.root == nil {
		return nil, false
	}
	set, ok := required(f.root, isField)
	if !ok {
		return nil, false
	}
	slices.Sort(set)
	return slices.Compact(set), true
}

// required is RequiredText of one node.
func required(n node, isField func(string) bool) ([]string, bool) {
	switch n := n.(type) {
	case *cmpNode:
		if n.op == opEq && isField(n.field) && plainText(&n.lit) {
			return []string{n.lit.str}, true
		}
	case *inNode:
		if !isField(n.field) {
			return nil, false
		}
		out := make([]string, 0, len(n.lits))
		for i := range n.lits {
			if !plainText(&n.lits[i]) {
				return nil, false
			}
			out = append(out, n.lits[i].str)
		}
		return out, true
	case andNode:
		// Every restricting side holds: the texts they all allow.
		var out []string
		found := false
		for _, c := range n {
			set, ok := required(c, isField)
			switch {
			case !ok:
			case !found:
				out, found = set, true
			default:
				out = slices.DeleteFunc(out, func(s string) bool { return !slices.Contains(set, s) })
			}
		}
		return out, found
	case orNode:
		// One side holds: the texts any allows, if every side restricts.
		var out []string
		for _, c := range n {
			set, ok := required(c, isField)
			if !ok {
				return nil, false
			}
			out = append(out, set...)
		}
		return out, true
	}
	return nil, false
}

// plainText reports whether a literal compares with a text by exact equality: text
// that is not a timestamp (which compares by instant).
func plainText(l *literal) bool { return l.kind == litString && !l.isTime }
