package rules

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/filter"
)

// op is a comparison operator of the rule grammar.
type op uint8

const (
	opEQ op = iota + 1
	opNEQ
	opGT
	opGTE
	opLT
	opLTE
	opHAS
)

var opNames = [...]string{"", "EQ", "NEQ", "GT", "GTE", "LT", "LTE", "HAS"}

func (o op) String() string { return opNames[o] }

// opSymbols are accepted as spellings of the operators too.
var opSymbols = map[string]op{"==": opEQ, "=": opEQ, "!=": opNEQ, "<>": opNEQ, ">": opGT, ">=": opGTE, "<": opLT, "<=": opLTE}

// condition is one parsed "<event>,<metaData>,<type>,<Mode> <OP> <value>".
type condition struct {
	Event    string
	MetaData string
	Type     string // canonical
	Mode     string // canonical
	Op       op
	Value    string // the constant, unquoted

	modeAt, valueAt int // 1-based columns, for errors found after parsing
}

// condError is a problem in a condition string at a 1-based column (in runes).
type condError struct {
	col int
	msg string
}

func (e *condError) Error() string { return fmt.Sprintf("column %d: %s", e.col, e.msg) }

const grammar = "<event>,<metaData>,<type>,<Mode> <OP> <value>"

// parseCondition parses the JDS condition grammar. Event and metaData cannot hold
// commas; the value may (everything after the operator is the value). A value in
// double quotes is unquoted, which is how to write an empty string or keep spaces at
// its ends.
func parseCondition(s string) (*condition, *condError) {
	col := func(byteAt int) int { return utf8.RuneCountInString(s[:byteAt]) + 1 }
	fail := func(at int, format string, args ...any) (*condition, *condError) {
		return nil, &condError{col: col(at), msg: fmt.Sprintf(format, args...)}
	}
	var commas []int
	for i := 0; i < len(s) && len(commas) < 3; i++ {
		if s[i] == ',' {
			commas = append(commas, i)
		}
	}
	if len(commas) < 3 {
		return fail(len(s), "expected %s, found %d of the 3 commas", grammar, len(commas))
	}
	c := &condition{
		Event:    strings.TrimSpace(s[:commas[0]]),
		MetaData: strings.TrimSpace(s[commas[0]+1 : commas[1]]),
	}
	if c.Event == "" {
		return fail(0, "the event is empty; expected %s", grammar)
	}
	typ := strings.TrimSpace(s[commas[1]+1 : commas[2]])
	t, ok := canonical(typ, types)
	if !ok {
		return fail(skipSpace(s, commas[1]+1), "type must be one of %s, got %q", strings.Join(types, ", "), typ)
	}
	c.Type = t

	i := skipSpace(s, commas[2]+1)
	c.modeAt = col(i)
	word := func() (string, int) {
		start := i
		for i < len(s) && s[i] != ' ' && s[i] != '\t' {
			i++
		}
		w := s[start:i]
		i = skipSpace(s, i)
		return w, start
	}
	mode, at := word()
	if mode == "" {
		return fail(at, "the mode is missing; expected %s", grammar)
	}
	if c.Mode, ok = canonical(mode, modes); !ok {
		return fail(at, "mode must be one of %s, got %q", strings.Join(modes, ", "), mode)
	}
	name, at := word()
	if name == "" {
		return fail(at, "the operator is missing; expected one of %s", strings.Join(opNames[1:], " "))
	}
	if c.Op = opSymbols[name]; c.Op == 0 {
		if o, ok := canonical(name, opNames[1:]); ok {
			for k, n := range opNames {
				if n == o {
					c.Op = op(k)
				}
			}
		}
	}
	if c.Op == 0 {
		return fail(at, "operator must be one of %s, got %q", strings.Join(opNames[1:], " "), name)
	}
	c.valueAt = col(i)
	v := strings.TrimSpace(s[i:])
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		u, err := strconv.Unquote(v)
		if err != nil {
			return fail(i, "bad quoted value %s", v)
		}
		c.Value = u
		return c, nil
	}
	if v == "" {
		return fail(i, "the value is missing after %s (write \"\" for an empty string)", c.Op)
	}
	c.Value = v
	return c, nil
}

func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

// comparator compares operands of one kind with a constant, once parsed.
type comparator struct {
	op   op
	kind valueKind
	list bool // the operand is a Distinct list ([]any); HAS is membership
	s    string
	i    int64
	f    float64
	t    time.Time
}

// newComparator parses the constant of a condition for operands of kind k.
func newComparator(o op, k valueKind, list bool, text string) (*comparator, error) {
	c := &comparator{op: o, kind: k, list: list, s: text}
	if o == opHAS && !list && k != vString {
		return nil, fmt.Errorf("HAS applies to string values and to Distinct, not to %s", k)
	}
	if list && o != opHAS && o != opEQ && o != opNEQ {
		return nil, fmt.Errorf("the Distinct aggregation supports HAS, EQ and NEQ, not %s", o)
	}
	if list && o != opHAS {
		return c, nil // EQ/NEQ compare the joined result text
	}
	switch k {
	case vInt:
		i, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("expected an integer, got %q", text)
		}
		c.i = i
	case vFloat:
		f, err := strconv.ParseFloat(text, 64)
		if err != nil || !filter.IsNumber(text) {
			return nil, fmt.Errorf("expected a number, got %q", text)
		}
		c.f = f
	case vTime:
		t, err := time.Parse(time.RFC3339Nano, text)
		if err != nil {
			return nil, fmt.Errorf("expected an RFC 3339 time like 2023-03-31T00:39:46.917Z, got %q", text)
		}
		c.t = t.UTC()
		c.s = c.t.Format(event.TimeLayout) // how times appear in Distinct lists
	}
	return c, nil
}

func decide(o op, c int) bool {
	switch o {
	case opEQ, opHAS:
		return c == 0
	case opNEQ:
		return c != 0
	case opGT:
		return c > 0
	case opGTE:
		return c >= 0
	case opLT:
		return c < 0
	case opLTE:
		return c <= 0
	}
	return false
}

// test compares a value of the comparator's kind (a []any for a list) with the constant.
func (c *comparator) test(v Value) bool {
	if c.list {
		l, ok := v.([]any)
		if !ok {
			return false
		}
		if c.op != opHAS {
			return decide(c.op, strings.Compare(joinValues(l), c.s))
		}
		for _, e := range l {
			if c.member(e) {
				return true
			}
		}
		return false
	}
	switch c.kind {
	case vString:
		s, ok := v.(string)
		if !ok {
			return false
		}
		if c.op == opHAS {
			return strings.Contains(s, c.s)
		}
		return decide(c.op, strings.Compare(s, c.s))
	case vInt:
		switch x := v.(type) {
		case int64:
			return decide(c.op, cmp.Compare(x, c.i))
		case float64: // an integer Sum that overflowed
			return decide(c.op, cmp.Compare(x, float64(c.i)))
		}
	case vFloat:
		switch x := v.(type) {
		case float64:
			return decide(c.op, cmp.Compare(x, c.f))
		case int64:
			return decide(c.op, cmp.Compare(float64(x), c.f))
		}
	case vTime:
		t, ok := v.(time.Time)
		return ok && decide(c.op, t.Compare(c.t))
	}
	return false
}

// member reports whether a Distinct element (JSON-ready: string, int64, float64) equals
// the constant.
func (c *comparator) member(e any) bool {
	switch x := e.(type) {
	case string:
		return (c.kind == vString || c.kind == vTime) && x == c.s
	case int64:
		return c.kind == vInt && x == c.i
	case float64:
		return c.kind == vFloat && x == c.f
	}
	return false
}

// pred is a compiled rule block over T: an event for attribute rules, the aggregate
// results for action rules.
type pred[T any] func(T) (bool, error)

const maxRuleDepth = 32

// compileBlock checks and normalises a rule block in place, and compiles it with leaf
// for each condition string. Problems go to errs with their paths.
func compileBlock[T any](b *RuleBlock, path string, depth int, errs *problems,
	leaf func(s, path string) pred[T]) pred[T] {
	if depth > maxRuleDepth {
		errs.add(path, "rule blocks nested deeper than %d", maxRuleDepth)
		return nil
	}
	logic, ok := canonical(strings.TrimSpace(b.Logic), []string{LogicSingle, LogicAnd, LogicOr})
	switch {
	case b.Logic == "" && b.Condition != "" && len(b.Args) == 0:
		logic, ok = LogicSingle, true // {"condition": "..."} alone is plainly SINGLE
	case b.Logic == "":
		errs.add(join(path, "logic"), "required: SINGLE, AND or OR")
		return nil
	case !ok:
		errs.add(join(path, "logic"), "must be SINGLE, AND or OR, got %q", b.Logic)
		return nil
	}
	b.Logic = logic
	if logic == LogicSingle {
		if len(b.Args) > 0 {
			errs.add(join(path, "args"), "a SINGLE block has a condition, not args (use AND or OR)")
			return nil
		}
		if strings.TrimSpace(b.Condition) == "" {
			errs.add(join(path, "condition"), "required in a SINGLE block")
			return nil
		}
		return leaf(b.Condition, join(path, "condition"))
	}
	if b.Condition != "" {
		errs.add(join(path, "condition"), "an %s block has args, not a condition", logic)
		return nil
	}
	if len(b.Args) == 0 {
		errs.add(join(path, "args"), "an %s block needs at least one argument", logic)
		return nil
	}
	parts := make([]pred[T], 0, len(b.Args))
	bad := false
	for i := range b.Args {
		arg := &b.Args[i]
		p := index(join(path, "args"), i)
		var f pred[T]
		if arg.Block != nil {
			f = compileBlock(arg.Block, p, depth+1, errs, leaf)
		} else {
			f = leaf(arg.Condition, p)
		}
		if f == nil {
			bad = true
		}
		parts = append(parts, f)
	}
	if bad {
		return nil
	}
	and := logic == LogicAnd
	return func(x T) (bool, error) {
		for _, f := range parts {
			ok, err := f(x)
			if err != nil {
				return false, err
			}
			if ok != and {
				return ok, nil // AND: first false decides; OR: first true does
			}
		}
		return and, nil
	}
}
