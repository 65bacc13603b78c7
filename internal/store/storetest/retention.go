package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/store"
)

// historyIn is the whole history of the person owning ident in w.
func historyIn(t testing.TB, s store.Store, w store.Workspace, ident string) []string {
	t.Helper()
	return History(t, s, w, ident, store.Query{Limit: 100000})
}

func testExpireEventsDeletesExactlyTheOldOnes(t *testing.T, b Backend) {
	s := open(t, b, Options{Deriver: Tally{}})
	ctx := context.Background()
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	cutoff := now.AddDate(0, 0, -365)
	other := store.Workspace{Org: "cctsa", Name: "archive"}
	day := 24 * time.Hour
	appendAll := func(w store.Workspace, evs ...*event.Event) {
		t.Helper()
		if _, err := s.Append(ctx, w, evs); err != nil {
			t.Fatal(err)
		}
	}
	appendAll(ws,
		Event(t, "ann-old-1", "T", "+15550000001", "phone", "", cutoff.Add(-35*day)),
		Event(t, "ann-old-2", "T", "+15550000001", "phone", "", cutoff.Add(-time.Nanosecond)),
		Event(t, "ann-edge", "T", "+15550000001", "phone", "", cutoff), // not older: kept
		Event(t, "ann-new", "T", "+15550000001", "phone", "", now.Add(-10*day)),
		Event(t, "bob-old", "T", "bob@example.com", "email", "", cutoff.Add(-100*day)),
		Event(t, "cat-new", "T", "C-3", "customerId", "", now.Add(-time.Hour)),
		// Before 1970: the sign-flipped time still sorts first.
		Event(t, "dan-ancient", "T", "+15550000004", "phone", "", time.Date(1969, 7, 20, 20, 17, 0, 0, time.UTC)),
	)
	// A merged person's events are filed under its own prefix: they expire too.
	appendAll(ws, Event(t, "tmp-old", "T", "tmp-1", "temporaryId", "", cutoff.Add(-day)))
	appendAll(ws, Event(t, "tmp-new", "T", "tmp-1", "temporaryId", "", now.Add(-day)))
	ann, _ := s.Resolve(ctx, ws, "+15550000001")
	tmp, _ := s.Resolve(ctx, ws, "tmp-1")
	if _, err := s.Merge(ctx, ws, ann.ID, []string{tmp.ID}); err != nil {
		t.Fatal(err)
	}
	// Another workspace with the same ids keeps its own events: retention is per workspace.
	appendAll(other, Event(t, "ann-old-1", "T", "+15550000001", "phone", "", cutoff.Add(-35*day)))

	var progress []store.Expired
	got, err := s.ExpireEvents(ctx, ws, cutoff, func(e store.Expired) { progress = append(progress, e) })
	if err != nil {
		t.Fatal(err)
	}
	if want := (store.Expired{Events: 5, Persons: 4, Chunks: 1}); got != want || len(progress) != 1 || progress[0] != want {
		t.Fatalf("ExpireEvents = %+v (progress %+v), want %+v", got, progress, want)
	}
	for ident, want := range map[string][]string{
		"+15550000001":    {"tmp-new", "ann-new", "ann-edge"}, // with the merged person's
		"bob@example.com": {},                                 // the person stays, without events
		"C-3":             {"cat-new"},
		"+15550000004":    {},
	} {
		if h := historyIn(t, s, ws, ident); !slices.Equal(h, want) {
			t.Errorf("history of %s = %v, want %v", ident, h, want)
		}
	}
	if h := historyIn(t, s, other, "+15550000001"); !slices.Equal(h, []string{"ann-old-1"}) {
		t.Errorf("the other workspace lost events: %v", h)
	}
	// Derived state is recomputed from what is left; what Rebuild does not compute stays.
	if got := State(t, s, ws, "+15550000001", "n"); got != "[2 1]" {
		t.Errorf("n after retention = %s, want [2 1] (survivor's, merged person's)", got)
	}
	if got := State(t, s, ws, "bob@example.com", "n") + State(t, s, ws, "C-3", "n"); got != "[0][1]" {
		t.Errorf("n of bob and cat = %s", got)
	}
	if got := State(t, s, ws, "+15550000001", "first"); got != "[ann-old-1 tmp-old]" {
		t.Errorf("state not computed from events was lost: %s", got)
	}

	// Dedupe: an expired id is new again; a kept one is still a duplicate.
	res, err := s.Append(ctx, ws, []*event.Event{
		Event(t, "ann-old-1", "T", "+15550000001", "phone", "", now),
		Event(t, "ann-new", "T", "+15550000001", "phone", "", now),
	})
	if err != nil || res[0].Duplicate || !res[1].Duplicate {
		t.Fatalf("re-posting after retention: %v %+v", err, res)
	}
	// A second run finds nothing more.
	if got, err := s.ExpireEvents(ctx, ws, cutoff, nil); err != nil || got != (store.Expired{}) {
		t.Fatalf("second run = %+v, %v", got, err)
	}
	// An unknown workspace has nothing to expire, and is not created.
	if got, err := s.ExpireEvents(ctx, store.Workspace{Org: "x", Name: "y"}, now, nil); err != nil || got != (store.Expired{}) {
		t.Fatalf("unknown workspace: %+v, %v", got, err)
	}
	all, _ := s.Workspaces(ctx)
	if len(all) != 2 {
		t.Errorf("workspaces = %v", all)
	}
}

func testExpireEventsInChunks(t *testing.T, b Backend) {
	ExpireEventsInChunks(t, open(t, b, Options{Deriver: Tally{}}), 50)
}

// ExpireEventsInChunks runs retention over 150 persons with two old events and a young
// one, and one person with big old events and a young one, and checks that exactly the
// old events go, with the derived state recomputed and the progress reports adding up.
// A backend that expires in several units of work runs it with big past what one takes,
// and checks the chunks it returns; s is a fresh store with Deriver Tally.
func ExpireEventsInChunks(t *testing.T, s store.Store, big int) store.Expired {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	cutoff := now.AddDate(-1, 0, 0)
	old, young := cutoff.Add(-time.Hour), cutoff.Add(time.Hour)
	var evs []*event.Event
	for i := range 150 {
		ident := fmt.Sprintf("+1555%07d", i)
		evs = append(evs,
			Event(t, fmt.Sprintf("p%d-a", i), "T", ident, "phone", "", old),
			Event(t, fmt.Sprintf("p%d-b", i), "T", ident, "phone", "", old.Add(-time.Minute)),
			Event(t, fmt.Sprintf("p%d-c", i), "T", ident, "phone", "", young))
	}
	for i := range big {
		evs = append(evs, Event(t, fmt.Sprintf("big-%d", i), "T", "big@example.com", "email", "", old.Add(-time.Duration(i)*time.Second)))
	}
	evs = append(evs, Event(t, "big-young", "T", "big@example.com", "email", "", young))
	for len(evs) > 0 {
		n := min(len(evs), 1000)
		if _, err := s.Append(ctx, ws, evs[:n]); err != nil {
			t.Fatal(err)
		}
		evs = evs[n:]
	}

	var chunks int
	got, err := s.ExpireEvents(ctx, ws, cutoff, func(e store.Expired) { chunks = e.Chunks })
	if err != nil {
		t.Fatal(err)
	}
	wantEvents := 150*2 + big
	if got.Events != wantEvents || got.Persons != 151 || got.Chunks < 1 || chunks != got.Chunks {
		t.Fatalf("ExpireEvents = %+v (last progress chunk %d), want %d events of 151 persons", got, chunks, wantEvents)
	}
	for _, ident := range []string{"+15550000000", "+15550000077", "+15550000149"} {
		h := historyIn(t, s, ws, ident)
		if len(h) != 1 || h[0][len(h[0])-1] != 'c' {
			t.Errorf("history of %s = %v, want only the young event", ident, h)
		}
		if n := State(t, s, ws, ident, "n"); n != "[1]" {
			t.Errorf("n of %s = %s", ident, n)
		}
	}
	if h := historyIn(t, s, ws, "big@example.com"); !slices.Equal(h, []string{"big-young"}) {
		t.Errorf("history of the big person = %v", h)
	}
	if n := State(t, s, ws, "big@example.com", "n"); n != "[1]" {
		t.Errorf("n of the big person = %s", n)
	}
	return got
}

func testExpireEventsStopsWithItsContext(t *testing.T, b Backend) {
	s := open(t, b, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	s.Append(context.Background(), ws, []*event.Event{Event(t, "a", "T", "+15550000001", "phone", "", time.Unix(0, 0))})
	cancel()
	if _, err := s.ExpireEvents(ctx, ws, time.Now(), nil); err != context.Canceled {
		t.Fatalf("ExpireEvents with a cancelled context = %v", err)
	}
	if h := historyIn(t, s, ws, "+15550000001"); len(h) != 1 {
		t.Fatalf("history = %v", h)
	}
}
