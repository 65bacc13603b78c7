package exprbudget

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"
)

type fuzzEnv struct {
	N    int            `expr:"n"`
	S    string         `expr:"s"`
	L    []any          `expr:"l"`
	Data map[string]any `expr:"data"`
}

var fuzzValues = fuzzEnv{N: 3, S: "abcab", L: []any{1, "x", 2.5, nil},
	Data: map[string]any{"n": int64(7), "s": "hello", "list": []any{int64(1), int64(2), int64(3)}}}

// FuzzCompileRun checks that the budget changes nothing but the budget: what Compile
// accepts, expr accepts; where both evaluate, they agree; and nothing panics.
func FuzzCompileRun(f *testing.F) {
	for _, s := range []string{
		`n + 1`, `s + "x"`, `s contains "b"`, `s matches "^a"`, `data.s matches data.s`,
		`upper(s) == "ABCAB"`, `replace(s, "a", "zz")`, `repeat(s, n)`, `split(s, "b")`,
		`map(l, # ?? 0)`, `filter(data.list, # > 1)`, `count(1..n, # % 2 == 0)`,
		`reduce(data.list, #acc + #, 0)`, `sort(data.list)`, `toJSON(data)`, `fromJSON("[1,2]")`,
		`join(["a", s], "-")`, `s in ["abcab"]`, `"x" not in l`, `let a = s + s; len(a)`,
		`data.n > 5 && s startsWith "a"`, `sum(data.list)`, `groupBy(data.list, # % 2)`,
		`len(repeat("a", data.n * 1000000))`, `s[1:3]`, `trim(" a ")`, `l[1] == "x"`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 500 {
			return
		}
		prog, err := Compile(src, expr.Env(fuzzEnv{}))
		plain, perr := expr.Compile(src, expr.Env(fuzzEnv{}))
		if err != nil {
			if perr == nil && !errors.Is(err, ErrBudget) && !strings.Contains(err.Error(), "mismatched types") {
				t.Fatalf("%q: refused (%v), but expr compiles it", src, err)
			}
			return
		}
		if perr != nil {
			t.Fatalf("%q: compiled, but expr refuses it: %v", src, perr)
		}
		got, err := Run(prog, fuzzValues)
		if err != nil {
			return
		}
		m := vm.VM{MemoryBudget: 1 << 30}
		want, perr := m.Run(plain, fuzzValues)
		if perr != nil {
			return
		}
		if !reflect.DeepEqual(got, want) && !(got != got && want != want) { // NaN
			t.Fatalf("%q: %#v with the budget, %#v without", src, got, want)
		}
	})
}
