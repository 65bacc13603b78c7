package pgstore_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/pgtest"
	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/internal/store/pgstore"
	"github.com/openjds/jds/internal/store/storetest"
)

// TestGroupReadsStateOnce: a group of 100 events of 50 persons, new ones and then the
// same again, is one transaction whose statements do not grow with its events: the
// derived state of its persons is read in one statement (none for persons the group
// made), and the counts it keeps come out right.
func TestGroupReadsStateOnce(t *testing.T) {
	ctx := context.Background()
	url := pgtest.Database(t, databaseName(t.Name()))
	rec := newTxRecorder()
	s, err := pgstore.Open(ctx, pgstore.Options{URL: url, Deriver: storetest.Tally{}, MaxConns: 8, Tracer: rec,
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	w := store.Workspace{Org: "o", Name: "group"}
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for round := range 2 {
		var evs []*event.Event
		for i := range 100 {
			evs = append(evs, storetest.Event(t, fmt.Sprintf("e%d-%d", round, i), "Call", fmt.Sprintf("+1555010%04d", i%50), "phone", "", at))
		}
		rec.take()
		if _, err := s.Append(ctx, w, evs); err != nil {
			t.Fatal(err)
		}
		var units int
		for _, tx := range rec.take() {
			if !tx.explicit {
				continue
			}
			units++
			stateReads := 0
			for _, st := range tx.stmts {
				if strings.Contains(st.sql, "FROM states") {
					stateReads++
				}
			}
			if len(tx.stmts) > 12 || stateReads > 1 {
				t.Errorf("round %d: a unit of %d statements, %d reading derived state; want at most 12 and 1", round, len(tx.stmts), stateReads)
			}
		}
		if units != 1 {
			t.Errorf("round %d: %d transactions, want the group's one", round, units)
		}
	}
	for i := range 50 {
		p, err := s.Resolve(ctx, w, fmt.Sprintf("+1555010%04d", i))
		if err != nil {
			t.Fatal(err)
		}
		st, err := s.States(ctx, w, p, []string{"n", "first"})
		if err != nil {
			t.Fatal(err)
		}
		if len(st["n"]) != 1 || string(st["n"][0].Value) != "4" || len(st["first"]) != 1 || string(st["first"][0].Value) != fmt.Sprintf("e0-%d", i) {
			t.Fatalf("person %d: n %v, first %v; want 4 and e0-%d", i, st["n"], st["first"], i)
		}
	}
}

// TestGroupLeaderIsAnsweredAfterItsOwnGroup: under a steady stream of appends to one
// workspace, each append is answered after the group that holds it, not when the queue
// first runs dry. (The leader used to commit group after group while more waited, and
// its own caller waited seconds under load.)
func TestGroupLeaderIsAnsweredAfterItsOwnGroup(t *testing.T) {
	ctx := context.Background()
	url := pgtest.Database(t, databaseName(t.Name()))
	var units atomic.Int64
	s, err := pgstore.Open(ctx, pgstore.Options{URL: url, MaxConns: 8, Logger: slog.New(slog.DiscardHandler),
		Observe: func(int, time.Duration) { units.Add(1) }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	w := store.Workspace{Org: "o", Name: "stream"}
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var wg sync.WaitGroup
	var worst atomic.Int64 // the most units committed while one append waited
	stop := make(chan struct{})
	for c := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				ev := storetest.Event(t, fmt.Sprintf("s%d-%d", c, i), "Call", fmt.Sprintf("+1555020%04d", c), "phone", "", at)
				before := units.Load()
				if _, err := s.Append(ctx, w, []*event.Event{ev}); err != nil {
					t.Error(err)
					return
				}
				for n := units.Load() - before; n > worst.Load(); {
					if worst.CompareAndSwap(worst.Load(), n) {
						break
					}
				}
			}
		}()
	}
	for units.Load() < 300 {
		time.Sleep(10 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	// Its own group, the one committing when it arrived, and a few that start around
	// its own on other goroutines: a handful, not hundreds.
	if w := worst.Load(); w > 8 {
		t.Errorf("an append waited while %d units committed; want its own group and the one before it", w)
	}
}
