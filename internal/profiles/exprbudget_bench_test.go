package profiles

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/rules"
)

// bombRules is a template whose action fires on every Closed Queue call of a new person
// (one event in four of benchEvents, over 10,000 persons), with placeholder as its
// webhook's body.
func bombRules(placeholder string) string {
	return `
templates:
  - name: Closed Queue
    attributes:
      - {name: closedQueueCalls, displayName: Closed queue calls today, event: Closed Queue, aggregationMode: Count, lookBack: 1d}
actions:
  - name: Fire
    template: Closed Queue
    isActive: true
    cooldown: 24h
    condition: closedQueueCalls >= 1
    actionTriggers:
      - type: Webhook
        webhookURL: https://partner.example/x
        attributes:
          requestbody: '` + placeholder + `'
`
}

// BenchmarkCommitExpressionBudget measures what a firing costs the committer, which
// every tenant shares, when its placeholder is plain and when it spends the whole
// expression budget in the slowest ways BenchmarkWorst found;
// the difference per firing is the most one firing of any tenant can stall the
// others' commits. Recorded in docs/BENCHMARKS.md.
func BenchmarkCommitExpressionBudget(b *testing.B) {
	for _, c := range []struct{ name, placeholder string }{
		{"plain", `${event.id}`},
		{"budget spent comparing", `${let a = repeat("ab", 250000); let b = repeat("ab", 250000); count(1..100, a == b)}`},
		{"budget spent concatenating", `${let s = repeat("ab", 250000); len(s + s + s + s + s + s + s + s)}`},
		{"budget spent in a long predicate", `${count(1..80, ` + strings.TrimSuffix(strings.Repeat(`# * 3 + 1 > # - 7 && `, 40), " && ") + `)}`},
	} {
		b.Run(c.name, func(b *testing.B) {
			e, pipe := openBench(b)
			ctx := context.Background()
			dir := b.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "bomb.yaml"), []byte(bombRules(c.placeholder)), 0o600); err != nil {
				b.Fatal(err)
			}
			files, err := rules.LoadFiles(dir)
			if err != nil {
				b.Fatal(err)
			}
			if err := e.SetFiles(ctx, files[0].Compiled, files[0].CompiledActions); err != nil {
				b.Fatal(err)
			}
			ws := store.Workspace{Org: "bench", Name: "bench"}
			evs := benchEvents(b, b.N)
			firings := 0
			for _, ev := range evs {
				if ev.Type == "Closed Queue" {
					firings++
				}
			}
			b.ResetTimer()
			for i := 0; i < len(evs); i += 100 {
				if _, err := pipe.Append(ctx, ws, evs[i:min(i+100, len(evs))]); err != nil {
					b.Fatal(err)
				}
			}
			if firings > 0 {
				b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(firings), "µs/firing")
			}
		})
	}
}
