package exprbudget

import (
	"errors"
	"strings"
	"testing"

	"github.com/expr-lang/expr"
)

// bomb is the expression of issue 17: a million "a"s, each doubled depth times.
func bomb(depth int) string {
	s := `repeat("a",999999)`
	for range depth {
		s = `replace(` + s + `,"a","aa")`
	}
	return "len(" + s + ")"
}

func TestCompileRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
	}{
		{"bomb 8 deep", bomb(8), "replace(...) makes a string of 1999998 bytes"},
		{"bomb 10 deep", bomb(10), "over the limit of 1048576 bytes"},
		{"bomb 1 deep", bomb(1), "replace(...) makes a string"},
		{"repeat", `repeat("ab", 600000)`, "repeat(...) makes a string of 1200000 bytes"},
		{"repeat of concatenation", `repeat("a" + "b", 600000)`, "repeat(...) makes"},
		{"repeat inside +", `"x" + repeat("ab", 524288)`, "makes a string of 1048577 bytes"},
		{"replace of empty", `replace(repeat("a", 1000), "", repeat("b", 1100))`, "replace(...) makes"},
		{"nodes", strings.Repeat("1 + ", MaxNodes) + "1", "more than 500 nodes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Compile(tc.src)
			if err == nil {
				t.Fatalf("compiled")
			}
			if !errors.Is(err, ErrBudget) {
				t.Errorf("not ErrBudget: %v", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want %q", err, tc.want)
			}
		})
	}
}

// Compile keeps expr's own errors, where patching could have hidden them.
func TestCompileKeepsExprErrors(t *testing.T) {
	type env struct {
		N int    `expr:"n"`
		S string `expr:"s"`
	}
	for _, tc := range []struct{ src, want string }{
		{`s matches "("`, "error parsing regexp"},
		{`n matches "a"`, "mismatched types int and string"},
		{`s > 1`, "mismatched types string and int"},
		{`s + 1`, "mismatched types string and int"},
		{`n contains "a"`, "mismatched types int and string"},
		{`all(n, # > 1)`, "builtin all takes only array"},
		{`nope == 1`, "unknown name nope"},
	} {
		_, err := Compile(tc.src, expr.Env(env{}))
		if err == nil || !strings.Contains(err.Error(), tc.want) || errors.Is(err, ErrBudget) {
			t.Errorf("%s: %v, want %q", tc.src, err, tc.want)
		}
	}
}

func TestRun(t *testing.T) {
	type env struct {
		N    int            `expr:"n"`
		S    string         `expr:"s"`
		L    []any          `expr:"l"`
		Data map[string]any `expr:"data"`
	}
	long := make([]any, 100000)
	for i := range long {
		long[i] = i
	}
	e := env{N: 5, S: "abc", L: long, Data: map[string]any{"n": int64(2000000), "s": strings.Repeat("x", 200000), "a": strings.Repeat("a", 1000)}}
	for _, tc := range []struct {
		name, src string
		want      any
		err       string // "" when it passes
	}{
		{"plain", `n + 1`, 6, ""},
		{"string ops", `upper(s) + "-" + replace(s, "b", "bb")`, "ABC-abbc", ""},
		{"comparison", `s == "abc" && s contains "b" && s startsWith "a"`, true, ""},
		{"repeat within", `len(repeat(s, 1000))`, 3000, ""},
		{"loop", `len(filter(1..1000, # % 2 == 0))`, 500, ""},
		{"typed env field", `data.n > 5`, true, ""},
		{"matches", `s matches "^a.c$" && !(s matches "x") && s matches "b" + "c"`, true, ""},
		{"matches from data", `data.a matches "^a+$"`, true, ""},
		{"matches a long text", `data.s matches "refund|cancel"`, nil, "matches would cost more than 2097152 units"},
		{"repeat from data", `len(repeat("a", data.n))`, nil, "repeat would make a string of 2000000 bytes"},
		{"replace from data", `len(replace(replace(replace(data.s, "x", "xx"), "x", "xx"), "x", "xx"))`, nil, "replace would cost more than 2097152 units"},
		{"replace growing", `len(replace(data.a, "a", repeat("z", 1100)))`, nil, "replace would make a string of 1100000 bytes"},
		{"split in pieces", `len(split(data.s, ""))`, nil, "split would cost more than 2097152 units"},
		{"sort", `len(sort(l))`, nil, "sort would cost more than 2097152 units"},
		{"doubling by +", `let a = data.s; let b = a + a; let c = b + b; let d = c + c; let e = d + d; let f = e + e; len(f + f)`, nil, "units of work"},
		{"loop over a long list", `all(l, all(l, # >= 0))`, nil, "units of work"},
		{"nested ranges", `reduce(1..3000, reduce(1..3000, #acc + 1, 0), 0)`, nil, "units of work"},
		{"scans in a loop", `count(1..10000, data.s contains "y")`, nil, "units of work"},
		{"toJSON", `len(toJSON(map(1..6, data.s)))`, nil, "toJSON would cost more than"},
		{"join", `len(join(map(1..6, data.s), ""))`, nil, "join would make a string of 1200000 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			prog, err := Compile(tc.src, expr.Env(env{}))
			if err != nil {
				t.Fatalf("compile: %v", err)
			}
			got, err := Run(prog, e)
			if tc.err == "" {
				if err != nil || got != tc.want {
					t.Fatalf("got %v, %v; want %v", got, err, tc.want)
				}
				return
			}
			if err == nil || !errors.Is(err, ErrBudget) || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("got %v, %v; want an ErrBudget with %q", got, err, tc.err)
			}
		})
	}
}

func TestBudgetShared(t *testing.T) {
	prog, err := Compile(`count(1..6000, true)`) // 6,000 steps of 192 units: 1.15M
	if err != nil {
		t.Fatal(err)
	}
	b := NewBudget(Units)
	if v, err := b.Run(prog, nil); err != nil || v != 6000 {
		t.Fatalf("first run: %v, %v", v, err)
	}
	if left := b.Left(); left > Units-6000*StepUnits || left == 0 {
		t.Fatalf("left %d after a run of 1.15M units", left)
	}
	if _, err := b.Run(prog, nil); !errors.Is(err, ErrBudget) {
		t.Fatalf("second run: %v, want ErrBudget", err)
	}
	if _, err := b.Run(prog, nil); !errors.Is(err, ErrBudget) || b.Left() != 0 {
		t.Fatalf("third run: %v (left %d), want ErrBudget", err, b.Left())
	}
	if v, err := Run(prog, nil); err != nil || v != 6000 { // a budget of its own
		t.Fatalf("Run: %v, %v", v, err)
	}
}

// A list of references to one long string costs little to make but is long written out.
func TestCheckSize(t *testing.T) {
	prog, err := Compile(`map(1..100, s)`, expr.Env(map[string]any{"s": ""}))
	if err != nil {
		t.Fatal(err)
	}
	v, err := Run(prog, map[string]any{"s": strings.Repeat("x", 20000)})
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckSize(v); !errors.Is(err, ErrBudget) || !strings.Contains(err.Error(), "more than 1048576 bytes written out") {
		t.Fatalf("CheckSize: %v", err)
	}
	if err := CheckSize(v.([]any)[:10]); err != nil {
		t.Fatalf("CheckSize of 200 KB: %v", err)
	}
}

// Size ends on a value that refers to itself, and stops counting past its limit.
func TestSize(t *testing.T) {
	type node struct {
		Name string
		Next *node
	}
	n := &node{Name: "abc"}
	n.Next = n
	if got := Size(n, 100); got != 3+3 { // the pointer, the struct, "abc", the pointer back
		t.Errorf("Size of a cycle: %d", got)
	}
	long := make([]any, 1000)
	for i := range long {
		long[i] = strings.Repeat("y", 1000)
	}
	if got := Size(long, 5000); got <= 5000 || got > 7000 {
		t.Errorf("Size past its limit: %d", got)
	}
	if got := Size(map[string]any{"ab": []string{"cd", "e"}}, 100); got != 1+2+2+3 {
		t.Errorf("Size of a map: %d", got)
	}
}
