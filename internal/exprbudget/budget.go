// Package exprbudget holds the budget every expr-lang expression of jds is compiled and
// run with: templates' placeholders and conditions (rules), IVR flows (flows) and
// inbound mappings (inbound) all compile through [Compile] and evaluate through [Run],
// so that no expression, whoever wrote it, can stall the commit of other tenants' events
// or exhaust the memory of the process.
//
// The budget has three parts:
//
//   - At compile time an expression has at most [MaxNodes] nodes (operators, operands,
//     calls), and a string it builds from constants alone may not exceed [MaxString]
//     bytes: repeat("a", 999999) passes, but replacing each "a" of it by "aa" does not,
//     and is refused with the place of the call.
//   - At run time every string or list a builtin makes (repeat, replace, join, toJSON,
//     concat, ...) is at most [MaxString] bytes or items: the size is checked before the
//     work when it can be known (repeat, replace, join), after it otherwise.
//   - At run time one evaluation (or several sharing a [Budget]) spends at most [Units]
//     units. A unit is a byte of text that a builtin, a comparison or a concatenation
//     reads or makes; the rest weighs what it was measured to cost next to that: an
//     item of a list ([ItemUnits]), an item a predicate walks ([StepUnits], plus
//     [NodeUnits] a node of the predicate, plus [MakeUnits] when it makes a list), a
//     value encoded ([EncodeUnits]), a byte of regular expression matching per
//     instruction of the pattern ([RegexpUnits]), and so on (preCost). So evaluation
//     time is bounded by the budget, whatever the expression: see docs/BENCHMARKS.md.
//
// A value written out (rendered in a template) is also at most [MaxString] bytes,
// counting each reference to a string again ([CheckSize]).
//
// Exceeding the budget is an error that wraps [ErrBudget]. It does not own the
// expressions' environments or functions: each caller passes its own as expr options.
package exprbudget

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/builtin"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"
)

const (
	// MaxNodes bounds the nodes of one expression; expr's own default is 10,000.
	MaxNodes = 500
	// MaxString bounds one string (bytes) or list (items) made while evaluating, and
	// the written size of the value returned.
	MaxString = 1 << 20
	// MaxText bounds the text a template renders, all its placeholders together.
	MaxText = 4 << 20
	// Units bounds the work of one evaluation (see the package doc).
	Units = 2 << 20
	// StepUnits is what one item a predicate walks costs (all, any, count, reduce ...).
	StepUnits = 64
	// NodeUnits is what each node of a predicate adds to each item it walks.
	NodeUnits = 64
	// MakeUnits is what one item adds for a predicate that makes a list of them (map,
	// filter, groupBy, sortBy): making a value costs expr far more than testing one.
	MakeUnits = 1024
	// EncodeUnits is what one value costs toJSON and string (by reflection).
	EncodeUnits = 512
	// ItemUnits is what one item of a list or map (or one number) costs a builtin that
	// reads or makes it.
	ItemUnits = 32
)

// ErrBudget is wrapped by every error of an expression over its budget, at compile
// time and at run time.
var ErrBudget = errors.New("expression budget")

// budgetError is an ErrBudget with a message of its own.
type budgetError struct{ msg string }

func (e *budgetError) Error() string        { return "expression budget: " + e.msg }
func (e *budgetError) Is(target error) bool { return target == ErrBudget }

func over(format string, args ...any) error {
	return &budgetError{msg: fmt.Sprintf(format, args...)}
}

// Compile compiles src with opts (the caller's environment, functions, AsBool, ...) and
// the budget. An expression over the budget is a *file.Error (with its place in src)
// wrapping ErrBudget; other errors are expr's.
//
// The expression is compiled twice: once as written, for expr's own checks (the
// counting hides from expr's checker some of what it knows of a list's items), and
// once counted, which is the program returned. Both happen once, at load.
func Compile(src string, opts ...expr.Option) (*vm.Program, error) {
	opts = append(append([]expr.Option{}, opts...), expr.MaxNodes(MaxNodes))
	checked, err := expr.Compile(src, opts...)
	if err != nil {
		var fe *file.Error
		if errors.As(err, &fe) && strings.Contains(fe.Message, "exceeds maximum allowed nodes") {
			e := &file.Error{Location: fe.Location, Message: fmt.Sprintf("expression budget: more than %d nodes (operators, operands and calls) in one expression", MaxNodes)}
			e.Wrap(ErrBudget)
			return nil, e.Bind(file.NewSource(src))
		}
		return nil, err
	}
	if fe := constSizes(checked.Node()); fe != nil {
		return nil, fe.Bind(file.NewSource(src))
	}
	prog, err := expr.Compile(src, append(opts, expr.Patch(costPatcher{}))...)
	if err != nil {
		return nil, fmt.Errorf("compiling the counted program: %w", err)
	}
	return prog, nil
}

var vms = sync.Pool{New: func() any { return new(vm.VM) }}

// Run evaluates a program of Compile within a budget of Units of its own. An
// evaluation over it stops with an error wrapping ErrBudget.
func Run(prog *vm.Program, env any) (any, error) { return NewBudget(Units).Run(prog, env) }

// Budget is units that several evaluations share: the placeholders of all the triggers
// of one firing, say. It is not safe for concurrent use.
type Budget struct{ left uint }

// NewBudget is a budget of units.
func NewBudget(units uint) *Budget { return &Budget{left: units} }

// Left is what remains of the budget.
func (b *Budget) Left() uint { return b.left }

// Run evaluates a program of Compile with what remains of the budget, and takes what it
// spent from it. An evaluation over it stops with an error wrapping ErrBudget.
func (b *Budget) Run(prog *vm.Program, env any) (any, error) {
	if b.left == 0 {
		return nil, over("more than %d units of work (bytes and items read or made, and loop steps)", Units)
	}
	m := vms.Get().(*vm.VM)
	m.MemoryBudget = b.left
	out, err := m.Run(prog, env)
	b.left -= min(spent(m), b.left)
	// A VM in the pool must not keep the values of its last run alive.
	clear(m.Stack[:cap(m.Stack)])
	clear(m.Variables)
	vms.Put(m)
	if err != nil {
		var fe *file.Error
		if errors.As(err, &fe) && fe.Prev == nil && fe.Message == "memory budget exceeded" {
			b.left = 0
			fe.Message = fmt.Sprintf("expression budget: more than %d units of work (bytes and items read or made, and loop steps)", Units)
			fe.Wrap(ErrBudget)
		}
		return nil, err
	}
	return out, nil
}

// spent reads what the VM counted in its last run. expr does not export it: the field
// is read by reflection, and init checks that it is there, so that an upgrade of expr
// that renames it fails at once rather than silently.
func spent(m *vm.VM) uint { return uint(reflect.ValueOf(m).Elem().FieldByIndex(memoryField).Uint()) }

var memoryField = func() []int {
	f, ok := reflect.TypeOf(vm.VM{}).FieldByName("memory")
	if !ok || f.Type.Kind() != reflect.Uint {
		panic("exprbudget: expr's vm.VM has no memory counter")
	}
	return f.Index
}()

// CheckSize refuses a value to be written out (rendered in a template) whose size is
// over MaxString: a list of a thousand references to one long string costs little to
// make but is a long text once written.
func CheckSize(v any) error {
	if n := Size(v, MaxString+1); n > MaxString {
		return over("the value is more than %d bytes written out", MaxString)
	}
	return nil
}

// Size is what a value costs: the bytes of its strings, the items of its lists and maps
// and the fields of its structs, each reference counted again (a pointer that refers
// back to a value being counted, as an event's "event" does, counts 1); numbers and
// other values cost 1. It stops counting once past limit, so that its own cost is
// bounded by limit.
func Size(v any, limit int) int {
	w := sizer{limit: limit, item: 1}
	w.add(v)
	return w.n
}

// cost is what reading or making a value costs a builtin: Size with each item of a list
// or map, each field and each scalar weighing ItemUnits (allocating, hashing or
// encoding a value costs far more than copying a byte).
func cost(v any, limit int) int {
	w := sizer{limit: limit, item: ItemUnits}
	w.add(v)
	return w.n
}

type sizer struct {
	n, limit int
	item     int       // what one item costs
	path     []uintptr // the pointers being counted
}

func (w *sizer) add(v any) {
	if w.n > w.limit {
		return
	}
	switch x := v.(type) {
	case nil, bool, int, int64, float64, time.Time, time.Duration:
		w.n += w.item
	case string:
		w.n += len(x)
	case []any:
		w.n += len(x) * w.item
		for _, e := range x {
			if w.add(e); w.n > w.limit {
				return
			}
		}
	case map[string]any:
		w.n += len(x) * w.item
		for k, e := range x {
			w.n += len(k)
			if w.add(e); w.n > w.limit {
				return
			}
		}
	case []byte:
		w.n += len(x)
	case []string:
		w.n += len(x) * w.item
		for _, e := range x {
			if w.n += len(e); w.n > w.limit {
				return
			}
		}
	default:
		w.value(reflect.ValueOf(v))
	}
}

func (w *sizer) value(rv reflect.Value) {
	if w.n > w.limit {
		return
	}
	switch rv.Kind() {
	case reflect.String:
		w.n += rv.Len()
	case reflect.Slice, reflect.Array:
		w.n += rv.Len() * w.item
		for i := 0; i < rv.Len() && w.n <= w.limit; i++ {
			w.elem(rv.Index(i))
		}
	case reflect.Map:
		w.n += rv.Len() * w.item
		it := rv.MapRange()
		for it.Next() && w.n <= w.limit {
			w.elem(it.Key())
			w.elem(it.Value())
		}
	case reflect.Pointer:
		w.n += w.item
		if rv.IsNil() || slices.Contains(w.path, rv.Pointer()) {
			return
		}
		w.path = append(w.path, rv.Pointer())
		w.value(rv.Elem())
		w.path = w.path[:len(w.path)-1]
	case reflect.Struct:
		w.n += w.item
		if rv.Type() == timeType {
			return
		}
		for i := 0; i < rv.NumField() && w.n <= w.limit; i++ {
			if rv.Type().Field(i).IsExported() {
				w.elem(rv.Field(i))
			}
		}
	case reflect.Interface:
		if rv.IsNil() {
			w.n += w.item
			return
		}
		w.elem(rv.Elem())
	default:
		w.n += w.item
	}
}

// elem counts a value found inside another: through add when it can be had as an
// interface (the fast paths), else by reflection.
func (w *sizer) elem(rv reflect.Value) {
	if rv.CanInterface() {
		w.add(rv.Interface())
		return
	}
	w.value(rv)
}

var timeType = reflect.TypeOf(time.Time{})

// The builtins that read or make strings and lists are replaced, in expr's table of
// builtins, with versions that count their work and refuse results over MaxString.
// expr lets a program's own functions override a builtin, but those cannot report
// their cost to the VM that runs them: only builtins can (vm.OpCallSafe). The table is
// the library's, process-wide: replacing it at init makes every expr program of the
// process counted, whichever package compiles it. (A program compiled before this init
// would call a replaced builtin's Fast, now nil: none is, since every package that
// compiles expressions imports this one, whose init therefore runs first.)
func init() {
	for _, name := range countedBuiltins {
		i, ok := builtin.Index[name]
		if !ok {
			panic("exprbudget: expr has no builtin " + name)
		}
		f := builtin.Builtins[i]
		safe := countedCall(*f)
		f.Fast, f.Func, f.Safe = nil, nil, safe
	}
	for _, f := range internals {
		builtin.Index[f.Name] = len(builtin.Builtins)
		builtin.Builtins = append(builtin.Builtins, f)
	}
}

// countedBuiltins are the builtins whose work depends on the size of their arguments or
// results. len, get, first, last, the numeric and time builtins are O(1) and stay.
var countedBuiltins = []string{
	"string", "trim", "trimPrefix", "trimSuffix", "upper", "lower", "split", "splitAfter",
	"replace", "repeat", "join", "indexOf", "lastIndexOf", "hasPrefix", "hasSuffix",
	"toJSON", "fromJSON", "toBase64", "fromBase64", "keys", "values", "toPairs", "fromPairs",
	"reverse", "uniq", "concat", "flatten", "sort", "max", "min", "mean", "median", "take",
}

// countedCall wraps a builtin: what its arguments and its result cost (see cost) and,
// for the builtins whose work grows faster than that, what preCost says, is its cost. A
// call whose cost can be known before the work (preCost, and the result's size for
// repeat, replace and join) is refused before the work when it is over the budget; a
// result over MaxString is refused after it.
func countedCall(orig builtin.Function) func(args ...any) (any, uint, error) {
	name := orig.Name
	return func(args ...any) (any, uint, error) {
		in := 0
		for _, a := range args {
			in += cost(a, Units+1)
		}
		pre := in + preCost(name, args)
		if pre > Units {
			return nil, 0, over("%s would cost more than %d units of work", name, Units)
		}
		if n := resultSize(name, args); n > MaxString {
			return nil, 0, over("%s would make a string of %d bytes, over the limit of %d", name, n, MaxString)
		}
		var (
			out any
			err error
		)
		switch {
		case orig.Safe != nil:
			out, _, err = orig.Safe(args...) // its own count is replaced by ours
		case orig.Func != nil:
			out, err = orig.Func(args...)
		case orig.Fast != nil && len(args) == 1:
			out = orig.Fast(args[0])
		default:
			return nil, 0, fmt.Errorf("%s: unexpected call", name)
		}
		if err != nil {
			if err.Error() == "memory budget exceeded" { // expr's repeat over a million
				return nil, 0, over("%s would make a string of more than %d bytes", name, MaxString)
			}
			return nil, 0, err
		}
		if n := Size(out, MaxString+1); n > MaxString {
			return nil, 0, over("the result of %s is more than %d bytes or items", name, MaxString)
		}
		return out, uint(pre + cost(out, Units+1)), nil
	}
}

// preCost is the work of the builtins that do more than read their arguments and make
// their result, measured in units, known from their arguments alone: the pieces split
// makes, the occurrences replace replaces, the comparisons of a sort, the decoding of
// fromJSON. Each was measured against the units of copying bytes (BenchmarkWorst).
func preCost(name string, args []any) int {
	str := func(i int) string {
		if i < len(args) {
			s, _ := args[i].(string)
			return s
		}
		return ""
	}
	switch name {
	case "split", "splitAfter":
		if sep := str(1); sep != "" {
			return (strings.Count(str(0), sep) + 1) * StepUnits
		}
		return len(str(0)) * StepUnits // one piece a character
	case "replace":
		if old := str(1); old != "" {
			return strings.Count(str(0), old) * StepUnits
		}
		return len(str(0)) * StepUnits
	case "fromJSON":
		return len(str(0)) * 512
	case "toJSON", "string":
		w := sizer{limit: Units + 1, item: EncodeUnits}
		w.add(args[0])
		return w.n
	case "sort", "uniq", "median", "sortBy":
		n := items(args[0])
		return n * bits.Len(uint(n)) * 16
	}
	return 0
}

// resultSize is the size of the string repeat, replace or join will make, computed in
// time proportional to their arguments (0 for others, or arguments of other types: the
// builtin reports those).
func resultSize(name string, args []any) int {
	switch name {
	case "repeat":
		if len(args) != 2 {
			return 0
		}
		s, ok := args[0].(string)
		n, ok2 := toInt(args[1])
		if !ok || !ok2 || n <= 0 {
			return 0
		}
		if len(s) > 0 && n > math.MaxInt/len(s) {
			return math.MaxInt
		}
		return len(s) * n
	case "replace":
		if len(args) != 3 && len(args) != 4 {
			return 0
		}
		s, ok1 := args[0].(string)
		old, ok2 := args[1].(string)
		nw, ok3 := args[2].(string)
		if !ok1 || !ok2 || !ok3 {
			return 0
		}
		k := strings.Count(s, old)
		if len(args) == 4 {
			if c, ok := toInt(args[3]); ok && c >= 0 {
				k = min(k, c)
			}
		}
		return len(s) + k*(len(nw)-len(old))
	case "join":
		if len(args) == 0 {
			return 0
		}
		sep := ""
		if len(args) > 1 {
			sep, _ = args[1].(string)
		}
		n := 0
		switch l := args[0].(type) {
		case []string:
			for _, s := range l {
				if n += len(s) + len(sep); n > MaxString {
					break
				}
			}
		case []any:
			for _, e := range l {
				s, _ := e.(string)
				if n += len(s) + len(sep); n > MaxString {
					break
				}
			}
		}
		return n
	}
	return 0
}

func toInt(v any) (int, bool) {
	switch x := v.(type) {
	case int:
		return x, true
	case int64:
		return int(x), true
	case int32:
		return int(x), true
	case float64:
		return int(x), true
	}
	return 0, false
}
