package exprbudget

import (
	"strings"
	"testing"
)

// worst are expressions that pass Compile and spend the whole budget of one evaluation,
// each in a different way; BenchmarkWorst times them (whether they end with a value or
// with ErrBudget). Recorded in docs/BENCHMARKS.md.
var worst = []struct{ name, src string }{
	{"loop steps", `count(1..8000, # > 0)`},
	{"long predicate", `count(1..80, ` + strings.TrimSuffix(strings.Repeat(`# * 3 + 1 > # - 7 && `, 40), " && ") + `)`},
	{"nested loops", `count(1..1000, count(1..1000, # > 0) > 0)`},
	{"string scans", `let s = repeat("ab", 500000); count(1..100, s contains "x")`},
	{"string compares", `let a = repeat("ab", 500000); let b = repeat("ab", 500000); count(1..100, a == b)`},
	{"replace chain", `len(replace(replace(replace(replace(replace(repeat("ab", 250000), "a", "x"), "b", "y"), "x", "a"), "y", "b"), "a", "c"))`},
	{"concatenation", `let s = repeat("ab", 250000); len(s + s + s + s + s + s + s + s)`},
	{"toJSON", `len(toJSON(map(1..1000, [#, "k"])))`},
	{"sort", `len(sort(map(1..1500, -#)))`},
	{"map", `len(map(1..1500, -#))`},
	{"filter", `len(filter(1..1500, # % 2 == 0))`},
	{"groupBy", `len(groupBy(1..1500, # % 100))`},
	{"fromJSON", `len(fromJSON("[" + repeat("1,", 2000) + "1]"))`},
	{"split and join", `len(join(split(repeat("a,", 400000), ","), ";"))`},
	{"regexp", `repeat("ab", 500000) matches "` + strings.Repeat("(a|b)", 100) + `c"`},
}

func BenchmarkWorst(b *testing.B) {
	for _, w := range worst {
		prog, err := Compile(w.src)
		if err != nil {
			b.Fatalf("%s: %v", w.name, err)
		}
		b.Run(w.name, func(b *testing.B) {
			var err error
			for b.Loop() {
				_, err = Run(prog, nil)
			}
			b.ReportMetric(0, "B/op")
			if err != nil {
				b.Logf("%s: %v", w.name, strings.SplitN(err.Error(), "\n", 2)[0])
			}
		})
	}
}
