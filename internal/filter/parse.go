package filter

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

type op uint8

const (
	opEq op = iota
	opNe
	opGt
	opGe
	opLt
	opLe
	opIn
	opOut
)

var opNames = [...]string{opEq: "eq", opNe: "ne", opGt: "gt", opGe: "ge", opLt: "lt", opLe: "le", opIn: "in", opOut: "=out="}

// parser is a recursive-descent parser working directly on the source. There
// is no separate lexer because RSQL's bare values make tokens depend on
// context: after == the text "a,b" is a value and an or, after eq it is an
// error.
type parser struct {
	src    string
	pos    int // byte offset of the next unread byte
	depth  int // open parentheses
	fields []string
	seen   map[string]bool
}

func (p *parser) fail(off int, format string, args ...any) error {
	return &SyntaxError{
		Pos:  p.position(off),
		Msg:  fmt.Sprintf(format, args...),
		near: clip(p.src[off:], 20),
	}
}

// position is the 1-based rune position of byte offset off, for messages that
// point back at an earlier token.
func (p *parser) position(off int) int { return utf8.RuneCountInString(p.src[:off]) + 1 }

// clip shortens s to at most n runes, marking the cut.
func clip(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i] + "…"
		}
		n--
	}
	return s
}

func (p *parser) eof() bool { return p.pos >= len(p.src) }

func (p *parser) skipSpace() {
	for p.pos < len(p.src) {
		r, n := utf8.DecodeRuneInString(p.src[p.pos:])
		if !unicode.IsSpace(r) {
			return
		}
		p.pos += n
	}
}

func isIdentRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' ||
			r == '_' || r == '.' || r == '-' || r == '$' || r == '@'
	}
	// An invalid byte decodes as utf8.RuneError, which is not a letter.
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// peekWord returns the identifier starting at the current position, or "".
func (p *parser) peekWord() string {
	s := p.src[p.pos:]
	i := 0
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !isIdentRune(r) {
			break
		}
		i += n
	}
	return s[:i]
}

// isKeyword compares ASCII case-insensitively; Unicode folding would let
// "ſtartswith" (long s) pass for a keyword.
func isKeyword(w, kw string) bool {
	if len(w) != len(kw) {
		return false
	}
	for i := 0; i < len(w); i++ {
		c := w[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != kw[i] {
			return false
		}
	}
	return true
}

// describe names the token at the current position for "found ..." messages.
func (p *parser) describe() string {
	if p.eof() {
		return "end of filter"
	}
	if w := p.peekWord(); w != "" {
		return strconv.Quote(clip(w, 24))
	}
	_, n := utf8.DecodeRuneInString(p.src[p.pos:])
	return strconv.Quote(p.src[p.pos : p.pos+n])
}

func (p *parser) addField(name string) {
	if p.seen[name] {
		return
	}
	if p.seen == nil {
		p.seen = make(map[string]bool)
	}
	p.seen[name] = true
	p.fields = append(p.fields, name)
}

func (p *parser) parseFilter() (node, error) {
	n, err := p.parseOr("")
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if !p.eof() {
		if p.src[p.pos] == ')' {
			return nil, p.fail(p.pos, `unexpected ")"`)
		}
		return nil, p.fail(p.pos, `unexpected %s; expected "and", "or" or the end of the filter`, p.describe())
	}
	return n, nil
}

// acceptJoiner consumes sym or the keyword word and returns it as written.
func (p *parser) acceptJoiner(sym byte, word string) (string, bool) {
	p.skipSpace()
	if p.eof() {
		return "", false
	}
	if p.src[p.pos] == sym {
		p.pos++
		return string(sym), true
	}
	if w := p.peekWord(); isKeyword(w, word) {
		p.pos += len(w)
		return w, true
	}
	return "", false
}

// parseOr and parseAnd loop rather than recurse, so long chains cost no
// stack, and flatten nested groups of the same kind so that the canonical
// form does not depend on redundant parentheses.
func (p *parser) parseOr(after string) (node, error) {
	n, err := p.parseAnd(after)
	if err != nil {
		return nil, err
	}
	var list orNode
	for {
		tok, ok := p.acceptJoiner(',', "or")
		if !ok {
			break
		}
		m, err := p.parseAnd(strconv.Quote(tok))
		if err != nil {
			return nil, err
		}
		if list == nil {
			list = appendOr(list, n)
		}
		list = appendOr(list, m)
	}
	if list == nil {
		return n, nil
	}
	return list, nil
}

func appendOr(list orNode, n node) orNode {
	if o, ok := n.(orNode); ok {
		return append(list, o...)
	}
	return append(list, n)
}

func (p *parser) parseAnd(after string) (node, error) {
	n, err := p.parseUnary(after)
	if err != nil {
		return nil, err
	}
	var list andNode
	for {
		tok, ok := p.acceptJoiner(';', "and")
		if !ok {
			break
		}
		m, err := p.parseUnary(strconv.Quote(tok))
		if err != nil {
			return nil, err
		}
		if list == nil {
			list = appendAnd(list, n)
		}
		list = appendAnd(list, m)
	}
	if list == nil {
		return n, nil
	}
	return list, nil
}

func appendAnd(list andNode, n node) andNode {
	if a, ok := n.(andNode); ok {
		return append(list, a...)
	}
	return append(list, n)
}

// parseUnary reads a run of nots iteratively and keeps only their parity: a
// thousand nots cost neither stack nor evaluation time.
func (p *parser) parseUnary(after string) (node, error) {
	neg := false
	for {
		p.skipSpace()
		start := p.pos
		w := p.peekWord()
		if !isKeyword(w, "not") {
			break
		}
		p.pos += len(w)
		p.skipSpace()
		if p.atOperator() {
			// "not eq 1": a field that happens to be called not.
			p.pos = start
			break
		}
		neg = !neg
		after = strconv.Quote(w)
	}
	n, err := p.parsePrimary(after)
	if err != nil {
		return nil, err
	}
	if neg {
		return negate(n), nil
	}
	return n, nil
}

func negate(n node) node {
	if x, ok := n.(notNode); ok {
		return x.x
	}
	return notNode{n}
}

// atOperator reports whether a comparison operator starts here, which is what
// tells a field named like a keyword from the keyword.
func (p *parser) atOperator() bool {
	if p.eof() {
		return false
	}
	switch p.src[p.pos] {
	case '=', '!', '<', '>':
		return true
	}
	_, ok := odataOp(p.peekWord())
	return ok
}

func odataOp(w string) (op, bool) {
	for _, o := range [...]op{opEq, opNe, opGt, opGe, opLt, opLe, opIn} {
		if isKeyword(w, opNames[o]) {
			return o, true
		}
	}
	return 0, false
}

type fnKind uint8

const (
	fnContains fnKind = iota
	fnStartsWith
	fnEndsWith
)

var fnNames = [...]string{fnContains: "contains", fnStartsWith: "startswith", fnEndsWith: "endswith"}

func function(w string) (fnKind, bool) {
	for k, name := range fnNames {
		if isKeyword(w, name) {
			return fnKind(k), true
		}
	}
	return 0, false
}

func (p *parser) parsePrimary(after string) (node, error) {
	p.skipSpace()
	if p.eof() {
		if after == "" {
			return nil, p.fail(p.pos, "expected a condition")
		}
		return nil, p.fail(p.pos, "expected a condition after %s", after)
	}
	start := p.pos
	switch c := p.src[p.pos]; {
	case c == '(':
		p.depth++
		if p.depth > maxDepth {
			return nil, p.fail(start, "filter is nested deeper than %d levels", maxDepth)
		}
		p.pos++
		n, err := p.parseOr(`"("`)
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.eof() {
			return nil, p.fail(p.pos, `missing ")" to close "(" at position %d`, p.position(start))
		}
		if p.src[p.pos] != ')' {
			return nil, p.fail(p.pos, `expected ")", found %s`, p.describe())
		}
		p.pos++
		p.depth--
		return n, nil
	case c == '\'' || c == '"':
		parts, err := p.scanQuoted()
		if err != nil {
			return nil, err
		}
		return p.parseComparison(strings.Join(parts, "*"), start)
	}
	w := p.peekWord()
	if w == "" {
		if after == "" {
			return nil, p.fail(p.pos, "unexpected %s", p.describe())
		}
		return nil, p.fail(p.pos, "expected a condition after %s, found %s", after, p.describe())
	}
	p.pos += len(w)
	if isKeyword(w, "and") || isKeyword(w, "or") {
		// "a eq 1 and or b eq 2": a joiner where a condition should start
		// reads better as that than as a field named "or".
		p.skipSpace()
		if !p.atOperator() {
			p.pos = start
			if after == "" {
				return nil, p.fail(start, "unexpected %s", p.describe())
			}
			return nil, p.fail(start, "expected a condition after %s, found %s", after, p.describe())
		}
		p.pos = start + len(w)
	}
	if fn, ok := function(w); ok {
		p.skipSpace()
		if !p.eof() && p.src[p.pos] == '(' {
			return p.parseFunction(fn, w)
		}
		p.pos = start + len(w)
	}
	return p.parseComparison(w, start)
}

func (p *parser) parseComparison(field string, start int) (node, error) {
	if field == "" {
		return nil, p.fail(start, "empty field name")
	}
	p.addField(field)
	p.skipSpace()
	o, tok, rsql, err := p.scanOperator(field)
	if err != nil {
		return nil, err
	}
	if o == opIn || o == opOut {
		lits, err := p.parseList(tok, rsql)
		if err != nil {
			return nil, err
		}
		var n node = &inNode{field: field, lits: lits}
		if o == opOut {
			n = notNode{n}
		}
		return n, nil
	}
	lit, pat, err := p.parseValue(strconv.Quote(tok), rsql, rsql && (o == opEq || o == opNe))
	if err != nil {
		return nil, err
	}
	if pat != nil {
		return &patNode{field: field, neg: o == opNe, pat: pat}, nil
	}
	return &cmpNode{field: field, op: o, lit: lit}, nil
}

// scanOperator returns the operator, its text as written (for messages) and
// whether it is RSQL's, which decides whether bare words may follow.
func (p *parser) scanOperator(field string) (op, string, bool, error) {
	if p.eof() {
		return 0, "", false, p.fail(p.pos, "expected an operator after %q", field)
	}
	s := p.src[p.pos:]
	take := func(o op, tok string) (op, string, bool, error) {
		p.pos += len(tok)
		return o, tok, true, nil
	}
	switch s[0] {
	case '=':
		if strings.HasPrefix(s, "==") {
			return take(opEq, "==")
		}
		i := 1
		for i < len(s) && ('a' <= s[i] && s[i] <= 'z' || 'A' <= s[i] && s[i] <= 'Z') {
			i++
		}
		if i == 1 {
			return 0, "", false, p.fail(p.pos, `unknown operator "="; use "==" or "eq"`)
		}
		if i < len(s) && s[i] == '=' {
			tok := s[:i+1]
			for _, o := range [...]op{opGt, opGe, opLt, opLe, opIn, opOut} {
				if isKeyword(tok[1:i], strings.Trim(opNames[o], "=")) {
					return take(o, tok)
				}
			}
			return 0, "", false, p.fail(p.pos, "unknown operator %q", tok)
		}
		return 0, "", false, p.fail(p.pos, "unknown operator %q", s[:i])
	case '!':
		if strings.HasPrefix(s, "!=") {
			return take(opNe, "!=")
		}
		return 0, "", false, p.fail(p.pos, `unknown operator "!"; use "!=" or "ne"`)
	case '<':
		if strings.HasPrefix(s, "<=") {
			return take(opLe, "<=")
		}
		return take(opLt, "<")
	case '>':
		if strings.HasPrefix(s, ">=") {
			return take(opGe, ">=")
		}
		return take(opGt, ">")
	}
	w := p.peekWord()
	if w == "" {
		return 0, "", false, p.fail(p.pos, "expected an operator after %q, found %s", field, p.describe())
	}
	o, ok := odataOp(w)
	if !ok {
		return 0, "", false, p.fail(p.pos, "unknown operator %q", clip(w, 24))
	}
	p.pos += len(w)
	return o, w, false, nil
}

// parseList reads the values of in, =in= or =out=.
func (p *parser) parseList(tok string, rsql bool) ([]literal, error) {
	after := strconv.Quote(tok)
	p.skipSpace()
	if p.eof() || p.src[p.pos] != '(' {
		if rsql {
			// RSQL lets a single argument go without parentheses.
			lit, _, err := p.parseValue(after, true, false)
			if err != nil {
				return nil, err
			}
			return []literal{lit}, nil
		}
		return nil, p.fail(p.pos, `expected "(" after %s`, after)
	}
	open := p.pos
	p.pos++
	p.skipSpace()
	if !p.eof() && p.src[p.pos] == ')' {
		return nil, p.fail(p.pos, "empty list after %s", after)
	}
	var lits []literal
	after = `"("`
	for {
		lit, _, err := p.parseValue(after, rsql, false)
		if err != nil {
			return nil, err
		}
		lits = append(lits, lit)
		p.skipSpace()
		if p.eof() {
			return nil, p.fail(p.pos, `missing ")" to close the list at position %d`, p.position(open))
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
			after = `","`
			continue
		case ')':
			p.pos++
			return lits, nil
		}
		return nil, p.fail(p.pos, `expected "," or ")" in the list, found %s`, p.describe())
	}
}

// parseFunction reads the arguments of contains, startswith or endswith; the
// current position is at the opening parenthesis.
func (p *parser) parseFunction(fn fnKind, name string) (node, error) {
	p.pos++
	p.skipSpace()
	start := p.pos
	var field string
	switch {
	case !p.eof() && (p.src[p.pos] == '\'' || p.src[p.pos] == '"'):
		parts, err := p.scanQuoted()
		if err != nil {
			return nil, err
		}
		field = strings.Join(parts, "*")
	default:
		field = p.peekWord()
		if field == "" {
			return nil, p.fail(p.pos, "expected a field name as the first argument of %q, found %s", name, p.describe())
		}
		p.pos += len(field)
	}
	if field == "" {
		return nil, p.fail(start, "empty field name")
	}
	p.addField(field)
	p.skipSpace()
	if p.eof() || p.src[p.pos] != ',' {
		return nil, p.fail(p.pos, `expected "," after the field name in %q, found %s`, name, p.describe())
	}
	p.pos++
	p.skipSpace()
	vstart := p.pos
	lit, _, err := p.parseValue(`","`, false, false)
	if err != nil {
		return nil, err
	}
	if lit.kind != litString && lit.kind != litNumber {
		return nil, p.fail(vstart, "expected text as the second argument of %q", name)
	}
	p.skipSpace()
	if p.eof() || p.src[p.pos] != ')' {
		return nil, p.fail(p.pos, `expected ")" to close %q, found %s`, name+"(", p.describe())
	}
	p.pos++
	return &funcNode{fn: fn, field: field, lit: lit}, nil
}

// parseValue reads a value. rsql allows bare words; wild makes "*" a wildcard,
// in which case a value containing one comes back as a pattern instead.
func (p *parser) parseValue(after string, rsql, wild bool) (literal, pattern, error) {
	p.skipSpace()
	if p.eof() {
		return literal{}, nil, p.fail(p.pos, "expected a value after %s", after)
	}
	start := p.pos
	switch p.src[p.pos] {
	case '\'', '"':
		parts, err := p.scanQuoted()
		if err != nil {
			return literal{}, nil, err
		}
		if wild && len(parts) > 1 {
			return literal{}, newPattern(parts), nil
		}
		return stringLit(strings.Join(parts, "*")), nil, nil
	case ';', ',', ')', '(':
		return literal{}, nil, p.fail(p.pos, "expected a value after %s, found %s", after, p.describe())
	}
	raw, parts := p.scanBare()
	if IsNumber(raw) {
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return literal{}, nil, p.fail(start, "number %s is out of range", clip(raw, 24))
		}
		return numberLit(f), nil, nil
	}
	switch {
	case isKeyword(raw, "true"):
		return literal{kind: litBool, b: true}, nil, nil
	case isKeyword(raw, "false"):
		return literal{kind: litBool}, nil, nil
	case isKeyword(raw, "null"):
		return literal{kind: litNull}, nil, nil
	}
	if _, _, ok := parseTime(raw); ok {
		return stringLit(raw), nil, nil
	}
	if !rsql {
		p.pos = start
		if c := raw[0]; '0' <= c && c <= '9' || c == '-' || c == '.' {
			return literal{}, nil, p.fail(start, "invalid number %q", clip(raw, 24))
		}
		return literal{}, nil, p.fail(start, "expected a value after %s, found %q; quote text values", after, clip(raw, 24))
	}
	if wild && len(parts) > 1 {
		return literal{}, newPattern(parts), nil
	}
	return stringLit(strings.Join(parts, "*")), nil, nil
}

// isEscapable lists what a backslash escapes. Other backslashes stand for
// themselves, so Windows paths and regex-like text need no doubling.
func isEscapable(c byte) bool { return c == '\'' || c == '"' || c == '\\' || c == '*' }

// scanQuoted reads a quoted string. It returns the text split at unescaped
// stars, so wildcard values get their pattern and everything else joins the
// parts back with "*".
func (p *parser) scanQuoted() ([]string, error) {
	start := p.pos
	q := p.src[p.pos]
	p.pos++
	var parts []string
	var b []byte
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == q:
			if p.pos+1 < len(p.src) && p.src[p.pos+1] == q {
				b = append(b, q)
				p.pos += 2
				continue
			}
			p.pos++
			return append(parts, string(b)), nil
		case c == '\\' && p.pos+1 < len(p.src) && isEscapable(p.src[p.pos+1]):
			b = append(b, p.src[p.pos+1])
			p.pos += 2
		case c == '*':
			parts = append(parts, string(b))
			b = b[:0]
			p.pos++
		default:
			b = append(b, c)
			p.pos++
		}
	}
	return nil, p.fail(start, "unclosed string")
}

// scanBare reads an RSQL bare word: everything up to whitespace, ";", ","
// or ")". It returns the word as written, for recognizing numbers and
// keywords, and its text split at unescaped stars as scanQuoted does.
func (p *parser) scanBare() (string, []string) {
	start := p.pos
	var parts []string
	var b []byte
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if c == ';' || c == ',' || c == ')' {
			break
		}
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(p.src[p.pos:])
			if unicode.IsSpace(r) {
				break
			}
			b = append(b, p.src[p.pos:p.pos+n]...)
			p.pos += n
			continue
		}
		switch {
		case unicode.IsSpace(rune(c)):
			return p.src[start:p.pos], append(parts, string(b))
		case c == '\\' && p.pos+1 < len(p.src) && isEscapable(p.src[p.pos+1]):
			b = append(b, p.src[p.pos+1])
			p.pos += 2
		case c == '*':
			parts = append(parts, string(b))
			b = b[:0]
			p.pos++
		default:
			b = append(b, c)
			p.pos++
		}
	}
	return p.src[start:p.pos], append(parts, string(b))
}
