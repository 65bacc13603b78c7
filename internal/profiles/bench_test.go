package profiles

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/ingest"
	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/internal/store/badgerstore"
	"github.com/openjds/jds/rules"
)

// BenchmarkIngest measures batch ingest through the committer with no template and with
// the five templates of scripts/bench-rules: the cost profiles add to every event. Run
// with -cpuprofile to see where it goes.
func BenchmarkIngest(b *testing.B) {
	for _, c := range []struct{ name, rules string }{{"none", ""}, {"five", "../../scripts/bench-rules"}} {
		b.Run(c.name, func(b *testing.B) {
			e, pipe := openBench(b)
			ctx := context.Background()
			if c.rules != "" {
				files, err := rules.LoadFiles(c.rules)
				if err != nil {
					b.Fatal(err)
				}
				var ts []*rules.Compiled
				for _, f := range files {
					ts = append(ts, f.Compiled...)
				}
				if err := e.SetFiles(ctx, ts, nil); err != nil {
					b.Fatal(err)
				}
			}
			ws := store.Workspace{Org: "bench", Name: "bench"}
			evs := benchEvents(b, b.N)
			b.ResetTimer()
			for i := 0; i < len(evs); i += 100 {
				if _, err := pipe.Append(ctx, ws, evs[i:min(i+100, len(evs))]); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

var benchKinds = []struct{ typ, data string }{
	{"Payment", `{"category":"Water","status":"overdue","Notification":"2","Past Due Amount":"$544.73","channelType":"sms"}`},
	{"Queued Caller", `{"queue":"Billing","channelType":"Voice","origin":"Inbound Call - Main IVR"}`},
	{"Closed Queue", `{"queue":"Billing","channelType":"Voice","origin":"Queue Closed - After Hours"}`},
	{"webvisit", `{"channelType":"Web","origin":"Website - Billing Page","page":"billing"}`},
}

// benchEvents makes n events of the kinds above over 10,000 persons, a second apart,
// ending now.
func benchEvents(b *testing.B, n int) []*event.Event {
	t0 := time.Now().Add(-time.Duration(n) * time.Second)
	evs := make([]*event.Event, n)
	for i := range evs {
		k := benchKinds[i%len(benchKinds)]
		raw := fmt.Sprintf(`{"id":"e%d","specversion":"1.0","type":%q,"source":"bench","identity":"+1555%07d","identitytype":"phone","time":%q,"data":%s}`,
			i, k.typ, (i*7919)%10000, t0.Add(time.Duration(i)*time.Second).UTC().Format(time.RFC3339Nano), k.data)
		ev, bad := event.Decode([]byte(raw), time.Now(), event.Limits{})
		if bad != nil {
			b.Fatal(bad)
		}
		evs[i] = ev
	}
	return evs
}

// openBench opens what ingest runs through in jds: a Badger store on disk deriving
// profiles, the engine over it and the ingest pipeline; all closed when b ends.
func openBench(b *testing.B) (*Engine, *ingest.Pipeline) {
	quiet := slog.New(slog.DiscardHandler)
	sets := NewSets()
	d := NewDeriver(sets, quiet, nil)
	s, err := badgerstore.Open(badgerstore.Options{Dir: b.TempDir(), Deriver: d, Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	e, err := Open(context.Background(), s, sets, quiet, time.Now)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(e.Close)
	return e, ingest.New(s, ingest.Options{Prepare: []store.Preparer{d}})
}
