package badgerstore

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/internal/store/storetest"
)

// benchEvents makes n validated events spread over persons identities.
func benchEvents(b *testing.B, prefix string, n, persons int) []*event.Event {
	b.Helper()
	t0 := time.Now().Add(-30 * 24 * time.Hour)
	evs := make([]*event.Event, n)
	for i := range evs {
		evs[i] = storetest.Event(b, fmt.Sprintf("%s-%d", prefix, i), "Queued Caller", fmt.Sprintf("+1555%07d", i%persons), "phone", "", t0.Add(time.Duration(i)*time.Second))
	}
	return evs
}

// BenchmarkAppendParallel measures durable single-event appends from many goroutines,
// the case group commit exists for. Run with -cpu to vary the writers.
func BenchmarkAppendParallel(b *testing.B) {
	s, err := Open(Options{Dir: b.TempDir(), SyncWrites: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	evs := benchEvents(b, "p", b.N, 10_000)
	var next atomic.Int64
	ctx := context.Background()
	b.SetParallelism(32) // 32 writers per CPU
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1) - 1
			if _, err := s.Append(ctx, ws, evs[i:i+1]); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/float64(s.StatsRef().Commits.Load()), "events/commit")
}

// BenchmarkHistoryTop50 reads the newest 50 events of a person with 10,000.
func BenchmarkHistoryTop50(b *testing.B) {
	s, err := Open(Options{Dir: b.TempDir(), SyncWrites: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	evs := benchEvents(b, "h", 10_000, 1)
	for i := 0; i < len(evs); i += 1000 {
		if _, err := s.Append(ctx, ws, evs[i:i+1000]); err != nil {
			b.Fatal(err)
		}
	}
	p, err := s.Resolve(ctx, ws, "+15550000000")
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		out, err := s.History(ctx, ws, p, store.Query{Limit: 50})
		if err != nil || len(out) != 50 {
			b.Fatal(err, len(out))
		}
	}
}
