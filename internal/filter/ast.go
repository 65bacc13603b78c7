package filter

import (
	"strings"
)

// node is a compiled condition. match must not allocate: it runs once per
// event per query.
type node interface {
	match(get Getter) bool
	write(b *strings.Builder) // canonical form
}

type andNode []node

func (n andNode) match(get Getter) bool {
	for _, c := range n {
		if !c.match(get) {
			return false
		}
	}
	return true
}

func (n andNode) write(b *strings.Builder) {
	for i, c := range n {
		if i > 0 {
			b.WriteString(" and ")
		}
		writeOperand(b, c)
	}
}

type orNode []node

func (n orNode) match(get Getter) bool {
	for _, c := range n {
		if c.match(get) {
			return true
		}
	}
	return false
}

func (n orNode) write(b *strings.Builder) {
	for i, c := range n {
		if i > 0 {
			b.WriteString(" or ")
		}
		c.write(b) // and binds tighter, and nested ors were flattened
	}
}

type notNode struct{ x node }

func (n notNode) match(get Getter) bool { return !n.x.match(get) }

func (n notNode) write(b *strings.Builder) {
	b.WriteString("not ")
	writeOperand(b, n.x)
}

// writeOperand parenthesizes only and/or lists: every other node is a single
// condition, and parentheses the source did not need would count against the
// nesting limit when the canonical form is compiled again.
func writeOperand(b *strings.Builder, n node) {
	switch n.(type) {
	case andNode, orNode:
		b.WriteByte('(')
		n.write(b)
		b.WriteByte(')')
	default:
		n.write(b)
	}
}

// cmpNode is a comparison with eq, ne, gt, ge, lt or le.
type cmpNode struct {
	field string
	op    op
	lit   literal
}

func (n *cmpNode) match(get Getter) bool {
	v, ok := get(n.field)
	if !ok {
		return n.op == opNe
	}
	if arr, ok := v.([]any); ok {
		if n.op == opNe {
			for _, e := range arr {
				if n.lit.equal(e) {
					return false
				}
			}
			return true
		}
		for _, e := range arr {
			if n.test(e) {
				return true
			}
		}
		return false
	}
	return n.test(v)
}

func (n *cmpNode) test(v any) bool {
	c, ok := compare(v, &n.lit)
	switch n.op {
	case opEq:
		return ok && c == 0
	case opNe:
		return !ok || c != 0
	case opGt:
		return ok && c > 0
	case opGe:
		return ok && c >= 0
	case opLt:
		return ok && c < 0
	case opLe:
		return ok && c <= 0
	}
	return false
}

func (n *cmpNode) write(b *strings.Builder) {
	writeField(b, n.field)
	b.WriteByte(' ')
	b.WriteString(opNames[n.op])
	b.WriteByte(' ')
	n.lit.write(b)
}

// patNode is == or != with a wildcard value.
type patNode struct {
	field string
	neg   bool
	pat   pattern
}

func (n *patNode) match(get Getter) bool {
	v, ok := get(n.field)
	if !ok {
		return n.neg
	}
	if arr, ok := v.([]any); ok {
		for _, e := range arr {
			if n.test(e) {
				return !n.neg
			}
		}
		return n.neg
	}
	return n.test(v) != n.neg
}

func (n *patNode) test(v any) bool {
	if s, ok := v.(string); ok {
		return n.pat.match(s)
	}
	if f, isNum, ok := number(v); isNum && ok {
		var buf [32]byte
		return n.pat.match(string(appendNum(buf[:0], f)))
	}
	return false
}

func (n *patNode) write(b *strings.Builder) {
	writeField(b, n.field)
	if n.neg {
		b.WriteString(" != ")
	} else {
		b.WriteString(" == ")
	}
	n.pat.write(b)
}

// inNode is in and =in=; =out= compiles to its negation.
type inNode struct {
	field string
	lits  []literal
}

func (n *inNode) match(get Getter) bool {
	v, ok := get(n.field)
	if !ok {
		return false
	}
	if arr, ok := v.([]any); ok {
		for _, e := range arr {
			if n.test(e) {
				return true
			}
		}
		return false
	}
	return n.test(v)
}

func (n *inNode) test(v any) bool {
	for i := range n.lits {
		if n.lits[i].equal(v) {
			return true
		}
	}
	return false
}

func (n *inNode) write(b *strings.Builder) {
	writeField(b, n.field)
	b.WriteString(" in (")
	for i := range n.lits {
		if i > 0 {
			b.WriteString(", ")
		}
		n.lits[i].write(b)
	}
	b.WriteByte(')')
}

// funcNode is contains, startswith or endswith.
type funcNode struct {
	fn    fnKind
	field string
	lit   literal // a string or number; lit.str holds its text
}

func (n *funcNode) match(get Getter) bool {
	v, ok := get(n.field)
	if !ok {
		return false
	}
	if arr, ok := v.([]any); ok {
		for _, e := range arr {
			if n.fn == fnContains && n.lit.equal(e) || n.fn != fnContains && n.test(e) {
				return true
			}
		}
		return false
	}
	return n.test(v)
}

func (n *funcNode) test(v any) bool {
	if s, ok := v.(string); ok {
		return n.text(s)
	}
	if f, isNum, ok := number(v); isNum && ok {
		var buf [32]byte
		return n.text(string(appendNum(buf[:0], f)))
	}
	return false
}

func (n *funcNode) text(s string) bool {
	switch n.fn {
	case fnContains:
		return strings.Contains(s, n.lit.str)
	case fnStartsWith:
		return strings.HasPrefix(s, n.lit.str)
	default:
		return strings.HasSuffix(s, n.lit.str)
	}
}

func (n *funcNode) write(b *strings.Builder) {
	b.WriteString(fnNames[n.fn])
	b.WriteByte('(')
	writeField(b, n.field)
	b.WriteString(", ")
	n.lit.write(b)
	b.WriteByte(')')
}

// reserved words are quoted when they name a field. The parser would read
// them as fields anyway (an operator follows), but quoting spares a reader
// the doubt.
var reserved = [...]string{
	"and", "or", "not", "eq", "ne", "gt", "ge", "lt", "le", "in",
	"true", "false", "null", "contains", "startswith", "endswith",
}

func writeField(b *strings.Builder, name string) {
	plain := name != ""
	for _, r := range name {
		if !isIdentRune(r) {
			plain = false
			break
		}
	}
	for _, w := range reserved {
		if isKeyword(name, w) {
			plain = false
		}
	}
	if plain {
		b.WriteString(name)
		return
	}
	writeQuoted(b, name, false)
}

// writeQuoted writes s single-quoted, escaping so that scanQuoted reads back
// exactly s; star escapes "*" for wildcard values.
func writeQuoted(b *strings.Builder, s string, star bool) {
	b.WriteByte('\'')
	writeEscaped(b, s, star)
	b.WriteByte('\'')
}

func writeEscaped(b *strings.Builder, s string, star bool) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\'':
			b.WriteString("''")
		case c == '\\':
			b.WriteString(`\\`)
		case c == '*' && star:
			b.WriteString(`\*`)
		default:
			b.WriteByte(c)
		}
	}
}
