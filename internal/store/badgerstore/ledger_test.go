package badgerstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/store"
)

var ws = store.Workspace{Org: "cctsa", Name: "sandbox"}

func openTest(t *testing.T, dir string) *Store {
	t.Helper()
	return openWith(t, Options{Dir: dir, InMemory: dir == "", SyncWrites: true})
}

// openWith opens a store for one test, closed when the test ends.
func openWith(t *testing.T, o Options) *Store {
	t.Helper()
	s, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// mkEvent builds a validated event the way the HTTP layer does.
func mkEvent(t testing.TB, id, typ, ident, kind, prev string, at time.Time) *event.Event {
	t.Helper()
	m := map[string]any{
		"id": id, "specversion": "1.0", "type": typ, "source": "test",
		"identity": ident, "identitytype": kind, "data": map[string]any{"n": id},
		"time": at.Format(time.RFC3339Nano),
	}
	if prev != "" {
		m["previousidentity"] = prev
	}
	raw, _ := json.Marshal(m)
	ev, bad := event.Decode(raw, time.Now(), event.Limits{DefaultRegion: "US"})
	if bad != nil {
		t.Fatalf("decode %s: %v", id, bad)
	}
	return ev
}

func ids(t *testing.T, raws [][]byte) []string {
	t.Helper()
	out := make([]string, len(raws))
	for i, r := range raws {
		out[i] = event.ID(r)
	}
	return out
}

func history(t *testing.T, s *Store, ident string, q store.Query) []string {
	t.Helper()
	ctx := context.Background()
	p, err := s.Resolve(ctx, ws, ident)
	if err != nil {
		t.Fatalf("resolve %q: %v", ident, err)
	}
	raws, err := s.History(ctx, ws, p, q)
	if err != nil {
		t.Fatal(err)
	}
	return ids(t, raws)
}

func TestAppendDedupeAndHistoryOrder(t *testing.T) {
	s := openTest(t, "")
	ctx := context.Background()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	evs := []*event.Event{
		mkEvent(t, "a", "Payment", "12263762555", "phone", "", base.Add(2*time.Hour)),
		mkEvent(t, "b", "Payment", "+1 (226) 376-2555", "phone", "", base),
		mkEvent(t, "c", "Payment", "226-376-2555", "PHONE", "", base.Add(time.Hour)),
		mkEvent(t, "a", "Payment", "12263762555", "phone", "", base.Add(2*time.Hour)),
	}
	res, err := s.Append(ctx, ws, evs)
	if err != nil {
		t.Fatal(err)
	}
	if res[0].PersonID != res[1].PersonID || res[1].PersonID != res[2].PersonID {
		t.Fatalf("one phone in three notations must be one person: %+v", res)
	}
	if res[0].Duplicate || !res[3].Duplicate || res[3].PersonID != res[0].PersonID {
		t.Fatalf("duplicate flags: %+v", res)
	}
	got := fmt.Sprint(history(t, s, "+12263762555", store.Query{Limit: 10}))
	if got != "[a c b]" {
		t.Fatalf("history newest first by event time = %s, want [a c b]", got)
	}
	if got := fmt.Sprint(history(t, s, "12263762555", store.Query{Offset: 1, Limit: 1})); got != "[c]" {
		t.Fatalf("page 2 of size 1 = %s", got)
	}
	if _, err := s.Resolve(ctx, ws, "nobody@example.com"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown identity: %v", err)
	}
	if _, err := s.Resolve(ctx, store.Workspace{Org: "cctsa", Name: "other"}, "12263762555"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("workspaces must be isolated: %v", err)
	}
}

func TestPreviousIdentityLinksAndMerges(t *testing.T) {
	s := openTest(t, "")
	ctx := context.Background()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	// An anonymous visitor browses, then logs in: the temporaryId journey joins the email.
	if _, err := s.Append(ctx, ws, []*event.Event{
		mkEvent(t, "v1", "webvisit", "tmp-1", "temporaryId", "", at(1)),
		mkEvent(t, "v2", "webvisit", "tmp-1", "temporaryId", "", at(2)),
		mkEvent(t, "login", "login", "Ann@Example.com", "email", "tmp-1", at(3)),
	}); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(history(t, s, "ann@example.com", store.Query{Limit: 10})); got != "[login v2 v1]" {
		t.Fatalf("linked history = %s", got)
	}
	// The same customer is known by phone from the call center; a later event posted
	// under the phone names the email as previous identity: the two persons merge, the
	// phone's person survives, and history merges both streams in time order.
	res, err := s.Append(ctx, ws, []*event.Event{mkEvent(t, "call", "call", "2263762555", "phone", "", at(0))})
	if err != nil {
		t.Fatal(err)
	}
	phonePerson := res[0].PersonID
	res, err = s.Append(ctx, ws, []*event.Event{mkEvent(t, "sms", "sms", "+12263762555", "phone", "ann@example.com", at(4))})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].PersonID != phonePerson {
		t.Fatalf("the identified (phone) person must survive the merge")
	}
	for _, ident := range []string{"tmp-1", "ANN@example.com", "12263762555"} {
		if got := fmt.Sprint(history(t, s, ident, store.Query{Limit: 10})); got != "[sms login v2 v1 call]" {
			t.Fatalf("history via %s after merge = %s", ident, got)
		}
	}
	p, err := s.Resolve(ctx, ws, "tmp-1")
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != phonePerson || len(p.Merges) != 1 || len(p.Phone) != 1 || len(p.Email) != 1 || len(p.TemporaryID) != 1 {
		t.Fatalf("merged person = %+v", p)
	}
}

func TestHistoryFilterAndAfter(t *testing.T) {
	s := openTest(t, "")
	ctx := context.Background()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var evs []*event.Event
	for i := range 10 {
		evs = append(evs, mkEvent(t, fmt.Sprint("e", i), []string{"A", "B"}[i%2], "c1", "customerId", "", t0.Add(time.Duration(i)*time.Second)))
	}
	if _, err := s.Append(ctx, ws, evs); err != nil {
		t.Fatal(err)
	}
	onlyB := func(raw []byte) bool { return json.Valid(raw) && string(raw[:0]) == "" && event.ID(raw)[1]%2 == 1 }
	if got := fmt.Sprint(history(t, s, "c1", store.Query{Limit: 2, Offset: 1, Match: onlyB})); got != "[e7 e5]" {
		t.Fatalf("filtered page = %s", got)
	}
	p, _ := s.Resolve(ctx, ws, "c1")
	after, err := s.After(ctx, ws, p, "e6")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range after {
		got = append(got, c.EventID)
	}
	if fmt.Sprint(got) != "[e7 e8 e9]" {
		t.Fatalf("after e6 = %v", got)
	}
	if _, err := s.After(ctx, ws, p, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("after unknown id: %v", err)
	}
}

func TestConcurrentAppendsAreGroupedAndDurable(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(Options{Dir: dir, SyncWrites: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	t0 := time.Now()
	var wg sync.WaitGroup
	for c := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				ev := mkEvent(t, fmt.Sprintf("c%d-%d", c, i), "T", fmt.Sprint("cust", c%4), "customerId", "", t0)
				if _, err := s.Append(ctx, ws, []*event.Event{ev}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if commits := s.StatsRef().Commits.Load(); commits >= 320 {
		t.Logf("no grouping happened: %d commits for 320 appends", commits)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTest(t, dir)
	for c := range 4 {
		if n := len(history(t, s, fmt.Sprint("cust", c), store.Query{Limit: 1000})); n != 80 {
			t.Fatalf("cust%d has %d events after reopen, want 80", c, n)
		}
	}
	// The sequence continues after a restart rather than starting again. All events
	// share one time, so history's newest is the last committed.
	last := history(t, s, "cust0", store.Query{Limit: 1})[0]
	res, err := s.Append(ctx, ws, []*event.Event{mkEvent(t, "late", "T", "cust0", "customerId", "", t0)})
	if err != nil || res[0].Duplicate {
		t.Fatal(err)
	}
	p, _ := s.Resolve(ctx, ws, "cust0")
	after, err := s.After(ctx, ws, p, last)
	if err != nil || len(after) != 1 || after[0].EventID != "late" {
		t.Fatalf("after reopen: %v %+v", err, after)
	}
}

// The readers' state cache answers only for the version asked, and a reader with an
// older snapshot does not replace a newer value.
func TestReaderStatesVersions(t *testing.T) {
	c := newReaderStates(1 << 20)
	c.put([]byte("k"), 5, []byte("five"))
	if v, ok := c.get([]byte("k"), 5); !ok || string(v) != "five" {
		t.Fatalf("version 5: %q %v", v, ok)
	}
	if _, ok := c.get([]byte("k"), 6); ok {
		t.Fatal("version 6 answered from version 5")
	}
	c.put([]byte("k"), 4, []byte("four"))
	if v, ok := c.get([]byte("k"), 5); !ok || string(v) != "five" {
		t.Fatalf("an older version replaced a newer one: %q %v", v, ok)
	}
}

// A read after Close says the ledger is closed: it neither panics nor reads a discarded
// snapshot.
func TestReadAfterClose(t *testing.T) {
	s := openWith(t, Options{InMemory: true})
	ctx := context.Background()
	s.Append(ctx, ws, []*event.Event{mkEvent(t, "a1", "T", "+15550000001", "phone", "", time.Now())})
	s.Close()
	if _, err := s.Resolve(ctx, ws, "+15550000001"); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("Resolve after Close: %v, want ErrClosed", err)
	}
}
