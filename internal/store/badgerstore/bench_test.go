package badgerstore

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/filter"
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

// appendAll appends evs to the bench workspace a thousand at a time.
func appendAll(b *testing.B, s *Store, evs []*event.Event) {
	b.Helper()
	for i := 0; i < len(evs); i += 1000 {
		if _, err := s.Append(context.Background(), ws, evs[i:min(i+1000, len(evs))]); err != nil {
			b.Fatal(err)
		}
	}
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
	appendAll(b, s, evs)
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

// BenchmarkHistoryLastOfRareType reads the newest Payment of a person whose 10,000 newer
// events are of another type: a flow's last("type eq 'Payment'") for a frequent caller.
func BenchmarkHistoryLastOfRareType(b *testing.B) {
	dir := b.TempDir()
	s, err := Open(Options{Dir: dir, SyncWrites: true})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	pay := storetest.Event(b, "pay", "Payment", "+15550000000", "phone", "", time.Now().Add(-31*24*time.Hour))
	if _, err := s.Append(ctx, ws, []*event.Event{pay}); err != nil {
		b.Fatal(err)
	}
	evs := benchEvents(b, "h", 10_000, 1)
	appendAll(b, s, evs)
	// Reopened, the events are in tables, as all but the newest are in a store that
	// has run a while, not in the memtable (whose reverse iteration costs a search a key).
	s.Close()
	if s, err = Open(Options{Dir: dir, SyncWrites: true}); err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	p, err := s.Resolve(ctx, ws, "+15550000000")
	if err != nil {
		b.Fatal(err)
	}
	f, err := filter.Compile("type eq 'Payment'")
	if err != nil {
		b.Fatal(err)
	}
	m := event.Matcher{Attr: f}
	q := store.Query{Limit: 1, Match: m.Func(), Types: m.Types()}
	b.ResetTimer()
	for range b.N {
		out, err := s.History(ctx, ws, p, q)
		if err != nil || len(out) != 1 {
			b.Fatal(err, len(out))
		}
	}
}

// BenchmarkSafetyNetBesideABacklog: one workspace has 100,000 due deliveries waiting
// (passed over, as the worker does for a full lane), another has one. The whole-queue
// scan the safety net used to make (Pick) steps over all of them; the sweep over 1,024
// of the backlog.
func BenchmarkSafetyNetBesideABacklog(b *testing.B) {
	now := time.Now()
	s, err := Open(Options{Dir: b.TempDir(), Deriver: enqueueEach{}, Now: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	noisy, quiet := store.Workspace{Org: "cctsa", Name: "noisy"}, store.Workspace{Org: "acme", Name: "quiet"}
	backlog := map[uuid.UUID]bool{}
	for i := range 100 {
		if _, err := s.Append(ctx, noisy, benchEvents(b, fmt.Sprint("n", i), 1000, 100)); err != nil {
			b.Fatal(err)
		}
	}
	ds, err := s.Deliveries(ctx, noisy, "", store.Pending)
	if err != nil || len(ds) != 100_000 {
		b.Fatalf("backlog: %v %d", err, len(ds))
	}
	for _, d := range ds {
		backlog[uuid.MustParse(d.ID)] = true
	}
	now = now.Add(time.Second)
	if _, err := s.Append(ctx, quiet, benchEvents(b, "q", 1, 1)); err != nil {
		b.Fatal(err)
	}
	p := store.Picker{Pass: func(id uuid.UUID) bool { return backlog[id] }, Take: func(*store.Delivery) bool { return false }}
	b.Run("Pick", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.Pick(ctx, now, 64, p); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Sweep", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.Sweep(ctx, now, 64, 1024, p); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkEventsByRef reads 1,000 events of a person by reference, every fourth of
// their 4,000 newest: a verbose profile attribute listing the day's events of one type
// among others. Sub-benchmarks read them from the memtable and, after a reopen, from
// tables.
func BenchmarkEventsByRef(b *testing.B) {
	dir := b.TempDir()
	s, err := Open(Options{Dir: dir, SyncWrites: true})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	evs := benchEvents(b, "r", 20_000, 1)
	appendAll(b, s, evs)
	p, err := s.Resolve(ctx, ws, "+15550000000")
	if err != nil {
		b.Fatal(err)
	}
	const from = 20_000 - 4000
	stored, err := s.After(ctx, ws, p, evs[from-1].ID)
	if err != nil || len(stored) != 4000 {
		b.Fatal(err, len(stored))
	}
	var refs []store.EventRef
	for i := 0; i < len(stored); i += 4 {
		refs = append(refs, store.EventRef{PersonID: stored[i].PersonID, Time: evs[from+i].Time, Seq: stored[i].Seq})
	}
	read := func(b *testing.B, s *Store) {
		for range b.N {
			out, err := s.EventsByRef(ctx, ws, refs)
			if err != nil || len(out) != len(refs) || out[len(out)-1] == nil {
				b.Fatal(err, len(out))
			}
		}
	}
	b.Run("memtable", func(b *testing.B) { read(b, s) })
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	if s, err = Open(Options{Dir: dir, SyncWrites: true}); err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	b.Run("tables", func(b *testing.B) { read(b, s) })
}
