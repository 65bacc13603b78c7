package exprbudget

import (
	"fmt"
	"reflect"
	"regexp"
	"regexp/syntax"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/builtin"
	"github.com/expr-lang/expr/file"
)

// The two builtins the patcher inserts. Each returns its argument as it is, with the
// same type for expr's checker, and reports its cost to the VM.
const (
	costName = "jdsCost__"
	eachName = "jdsEach__"
	loopName = "jdsLoop__"
	// matchName replaces the matches operator: its work is the length of the text
	// times the size of the pattern's program.
	matchName = "jdsMatches__"
)

// RegexpUnits is what matching one byte of text costs per instruction of the
// pattern's program (Go's regexp runs every live instruction at each byte: about 2 to
// 10 ns a byte-instruction, measured).
const RegexpUnits = 24

// pattern is a regular expression and the size of its program.
type pattern struct {
	re    *regexp.Regexp
	insts int
}

func compilePattern(src string) (*pattern, error) {
	re, err := regexp.Compile(src)
	if err != nil {
		return nil, err
	}
	n := len(src)
	if p, err := syntax.Parse(src, syntax.Perl); err == nil {
		if prog, err := syntax.Compile(p.Simplify()); err == nil {
			n = len(prog.Inst)
		}
	}
	return &pattern{re: re, insts: max(n, 1)}, nil
}

var patternType = reflect.TypeOf((*pattern)(nil))

func matches(args ...any) (any, uint, error) {
	s, ok := args[0].(string)
	if !ok {
		return nil, 0, fmt.Errorf("matches: the text is %T, not a string", args[0])
	}
	var p *pattern
	compiled := 0
	switch x := args[1].(type) {
	case *pattern:
		p = x
	case string:
		var err error
		if p, err = compilePattern(x); err != nil {
			return nil, 0, err
		}
		compiled = len(x) * StepUnits
	default:
		return nil, 0, fmt.Errorf("matches: the pattern is %T, not a string", args[1])
	}
	c := len(s)*p.insts*RegexpUnits + compiled
	if c > Units || c < 0 {
		return nil, 0, over("matches would cost more than %d units of work (%d bytes of text, a pattern of %d instructions)", Units, len(s), p.insts)
	}
	return p.re.MatchString(s), uint(c), nil
}

func validateMatches(args []reflect.Type) (reflect.Type, error) {
	if len(args) != 2 {
		return nil, fmt.Errorf("expects two arguments")
	}
	name := func(t reflect.Type) string {
		if t == patternType {
			return "string"
		}
		return fmt.Sprint(t)
	}
	for _, t := range args {
		if t != nil && t.Kind() != reflect.Interface && t.Kind() != reflect.String && t != patternType {
			return nil, fmt.Errorf("invalid operation: matches (mismatched types %s and %s)", name(args[0]), name(args[1]))
		}
	}
	return reflect.TypeOf(true), nil
}

var internals = []*builtin.Function{
	// cost counts a value an operator reads: both sides of a comparison, a
	// concatenation, contains, matches, in ...
	{Name: costName, Safe: func(args ...any) (any, uint, error) {
		return args[0], uint(Size(args[0], Units+1)), nil
	}, Validate: same, Deref: never},
	// loop counts the items a predicate walks (all, count, reduce, ...): its second
	// argument is what one item costs, by the size of the predicate.
	{Name: loopName, Safe: func(args ...any) (any, uint, error) {
		if len(args) != 2 {
			return nil, 0, fmt.Errorf("%s: not for expressions", loopName)
		}
		step, ok := args[1].(int)
		if !ok || step < 0 {
			return nil, 0, fmt.Errorf("%s: not for expressions", loopName)
		}
		return args[0], uint(items(args[0]) * step), nil
	}, Validate: same, Deref: never},
	{Name: matchName, Safe: matches, Validate: validateMatches, Deref: never},
	// each counts the items a builtin without a predicate walks (sum, count of a list).
	{Name: eachName, Safe: func(args ...any) (any, uint, error) {
		return args[0], uint(items(args[0])), nil
	}, Validate: same, Deref: never},
}

func same(args []reflect.Type) (reflect.Type, error) {
	if len(args) == 0 {
		return nil, fmt.Errorf("expects an argument")
	}
	return args[0], nil
}

func never(int, reflect.Type) bool { return false }

// items is the length of a list or map, 1 for anything else.
func items(v any) int {
	switch x := v.(type) {
	case []any:
		return len(x)
	case map[string]any:
		return len(x)
	case nil:
		return 1
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array, reflect.Map, reflect.String:
		return rv.Len()
	}
	return 1
}

// costly are the binary operators whose work grows with the size of their operands.
var costly = map[string]bool{
	"+": true, "==": true, "!=": true, "<": true, ">": true, "<=": true, ">=": true,
	"contains": true, "startsWith": true, "endsWith": true, "in": true, "not in": true,
}

// predicates are expr's builtins that walk their first argument.
var predicates = map[string]bool{
	"all": true, "none": true, "any": true, "one": true, "filter": true, "map": true,
	"find": true, "findIndex": true, "findLast": true, "findLastIndex": true, "count": true,
	"sum": true, "groupBy": true, "sortBy": true, "reduce": true,
}

// nodes counts the nodes of a predicate: each is at least one instruction of the VM at
// every item it walks.
func nodes(n ast.Node) int {
	c := 0
	ast.Find(n, func(ast.Node) bool { c++; return false })
	return c
}

// makes are the predicates that make a list of what they walk.
var makes = map[string]bool{"map": true, "filter": true, "groupBy": true, "sortBy": true}

// costPatcher wraps the operands of costly operators in cost, and the list a predicate
// walks in loop or make (or each, without a predicate), so that their work is counted;
// it replaces matches by a counted version. It leaves literals alone (their size is
// bounded by the expression's, and expr checks them for what they are) and numbers,
// booleans and times, which cost the same whatever their value.
type costPatcher struct{}

func (costPatcher) Visit(node *ast.Node) {
	switch n := (*node).(type) {
	case *ast.BinaryNode:
		if n.Operator == "matches" {
			right := n.Right
			if lit, ok := right.(*ast.StringNode); ok {
				p, err := compilePattern(lit.Value)
				if err != nil {
					return // expr reports the bad pattern
				}
				c := &ast.ConstantNode{Value: p}
				c.SetLocation(lit.Location())
				right = c
			}
			m := &ast.BuiltinNode{Name: matchName, Arguments: []ast.Node{n.Left, right}}
			m.SetLocation(n.Location())
			ast.Patch(node, m)
			return
		}
		if !costly[n.Operator] {
			return
		}
		switch n.Operator {
		case "==", "!=", "<", ">", "<=", ">=", "startsWith", "endsWith":
			// Comparing with a literal reads no more than the literal.
			if literal(n.Left) || literal(n.Right) {
				return
			}
		case "in", "not in":
			if literal(n.Right) { // a literal list or map: as long as the expression
				return
			}
		}
		wrap(&n.Left, costName)
		wrap(&n.Right, costName)
	case *ast.BuiltinNode:
		if predicates[n.Name] && len(n.Arguments) > 0 {
			step := 0
			for _, a := range n.Arguments[1:] {
				if _, ok := a.(*ast.PredicateNode); ok {
					step = StepUnits + nodes(a)*NodeUnits
					if makes[n.Name] {
						step += MakeUnits
					}
				}
			}
			if step == 0 {
				wrap(&n.Arguments[0], eachName)
				return
			}
			w := &ast.BuiltinNode{Name: loopName, Arguments: []ast.Node{n.Arguments[0], &ast.IntegerNode{Value: step}}}
			w.SetLocation(n.Arguments[0].Location())
			n.Arguments[0] = w
		}
	}
}

// literal reports whether a node is written out in the expression: its size is bounded
// by the expression's, and expr checks it for what it is.
func literal(n ast.Node) bool {
	switch n.(type) {
	case *ast.StringNode, *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.NilNode, *ast.ConstantNode,
		*ast.ArrayNode, *ast.MapNode: // the VM counts the lists it makes
		return true
	}
	return false
}

func wrap(n *ast.Node, name string) {
	if literal(*n) {
		return
	}
	if t := (*n).Type(); t != nil {
		switch t.Kind() {
		case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
			reflect.Float32, reflect.Float64:
			return
		case reflect.Struct:
			if t.PkgPath() == "time" {
				return
			}
		}
	}
	w := &ast.BuiltinNode{Name: name, Arguments: []ast.Node{*n}}
	w.SetLocation((*n).Location())
	*n = w
}

// constSizes refuses a string built from constants alone over MaxString: repeat,
// replace, toBase64, case mapping and + of constants (and of such strings) are sized without being
// made. It returns the first such node's error, not bound to the source.
func constSizes(root ast.Node) *file.Error {
	var bad *file.Error
	ast.Find(root, func(n ast.Node) bool {
		if bad != nil {
			return false
		}
		if sz, ok := constSize(n); ok && sz > MaxString {
			what := "this string"
			if b, ok := n.(*ast.BuiltinNode); ok {
				what = b.Name + "(...)"
			}
			bad = &file.Error{Location: n.Location(), Message: fmt.Sprintf("expression budget: %s makes a string of %s bytes, over the limit of %d bytes per value", what, approx(sz), MaxString)}
			bad.Wrap(ErrBudget)
		}
		return false
	})
	return bad
}

// approx writes a size that may be huge (saturated at 1<<62).
func approx(n int64) string {
	if n >= 1<<62 {
		return "more than 4e18"
	}
	return fmt.Sprint(n)
}

// constSize is the size of the string a node makes when it depends on constants only
// (through repeat, replace, join, +, upper, lower, trim..., toBase64), saturated at
// 1<<62; ok is false when the node depends on data.
func constSize(n ast.Node) (int64, bool) {
	const sat = int64(1) << 62
	mul := func(a, b int64) int64 {
		if a != 0 && b > sat/a {
			return sat
		}
		return a * b
	}
	add := func(a, b int64) int64 { return min(a+b, sat) }
	switch x := n.(type) {
	case *ast.StringNode:
		return int64(len(x.Value)), true
	case *ast.ConstantNode:
		if s, ok := x.Value.(string); ok {
			return int64(len(s)), true
		}
	case *ast.BinaryNode:
		if x.Operator == "+" {
			a, ok1 := constSize(x.Left)
			b, ok2 := constSize(x.Right)
			if ok1 && ok2 {
				return add(a, b), true
			}
		}
	case *ast.BuiltinNode:
		if x.Name == costName && len(x.Arguments) == 1 {
			return constSize(x.Arguments[0])
		}
		args := make([]int64, len(x.Arguments))
		for i, a := range x.Arguments {
			if i > 0 && x.Name == "repeat" {
				break
			}
			s, ok := constSize(a)
			if !ok {
				return 0, false
			}
			args[i] = s
		}
		switch x.Name {
		case "repeat":
			if len(args) == 2 {
				if k, ok := x.Arguments[1].(*ast.IntegerNode); ok && k.Value > 0 {
					return mul(args[0], int64(k.Value)), true
				}
			}
		case "replace":
			if len(args) >= 3 {
				// every occurrence of old may become new: at most len(s)/len(old) of them,
				// and len(s)+1 when old is empty
				occ := args[0] + 1
				if args[1] > 0 {
					occ = args[0] / args[1]
				}
				grow := max(args[2]-args[1], 0)
				return add(args[0], mul(occ, grow)), true
			}
		case "upper", "lower", "trim", "trimPrefix", "trimSuffix":
			if len(args) >= 1 {
				return mul(args[0], 2), true // case mapping may grow UTF-8 a little
			}
		case "toBase64":
			if len(args) == 1 {
				return add(mul(args[0]/3, 4), 4), true
			}
		}
	}
	return 0, false
}
