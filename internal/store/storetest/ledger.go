package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/store"
)

func testAppendDedupeAndHistoryOrder(t *testing.T, b Backend) {
	s := open(t, b, Options{})
	ctx := context.Background()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	evs := []*event.Event{
		Event(t, "a", "Payment", "12263762555", "phone", "", base.Add(2*time.Hour)),
		Event(t, "b", "Payment", "+1 (226) 376-2555", "phone", "", base),
		Event(t, "c", "Payment", "226-376-2555", "PHONE", "", base.Add(time.Hour)),
		Event(t, "a", "Payment", "12263762555", "phone", "", base.Add(2*time.Hour)),
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

func testEventsAreUniqueBySourceAndID(t *testing.T, b Backend) {
	s := open(t, b, Options{})
	ctx := context.Background()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	crm := WithSource(t, Event(t, "42", "Ticket", "alice", "customerId", "", t0), "crm")
	web := WithSource(t, Event(t, "42", "Visit", "bob", "customerId", "", t0), "web")
	res, err := s.Append(ctx, ws, []*event.Event{crm, web, crm})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Duplicate || res[1].Duplicate {
		t.Fatalf("one id from two sources is two events: %+v", res)
	}
	if res[0].PersonID == res[1].PersonID {
		t.Fatalf("each event is filed under its own person: %+v", res)
	}
	if !res[2].Duplicate || res[2].PersonID != res[0].PersonID {
		t.Fatalf("the same source and id again is a duplicate of the first: %+v", res[2])
	}
	if got := fmt.Sprint(history(t, s, "bob", store.Query{Limit: 10})); got != "[42]" {
		t.Fatalf("bob's history = %s", got)
	}
}

func testPreviousIdentityLinksAndMerges(t *testing.T, b Backend) {
	s := open(t, b, Options{})
	ctx := context.Background()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	// An anonymous visitor browses, then logs in: the temporaryId journey joins the email.
	if _, err := s.Append(ctx, ws, []*event.Event{
		Event(t, "v1", "webvisit", "tmp-1", "temporaryId", "", at(1)),
		Event(t, "v2", "webvisit", "tmp-1", "temporaryId", "", at(2)),
		Event(t, "login", "login", "Ann@Example.com", "email", "tmp-1", at(3)),
	}); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(history(t, s, "ann@example.com", store.Query{Limit: 10})); got != "[login v2 v1]" {
		t.Fatalf("linked history = %s", got)
	}
	// The same customer is known by phone from the call center; a later event posted
	// under the phone names the email as previous identity: the two persons merge, the
	// phone's person survives, and history merges both streams in time order.
	res, err := s.Append(ctx, ws, []*event.Event{Event(t, "call", "call", "2263762555", "phone", "", at(0))})
	if err != nil {
		t.Fatal(err)
	}
	phonePerson := res[0].PersonID
	res, err = s.Append(ctx, ws, []*event.Event{Event(t, "sms", "sms", "+12263762555", "phone", "ann@example.com", at(4))})
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

func testHistoryFilterAndAfter(t *testing.T, b Backend) {
	s := open(t, b, Options{})
	ctx := context.Background()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var evs []*event.Event
	for i := range 10 {
		evs = append(evs, Event(t, fmt.Sprint("e", i), []string{"A", "B"}[i%2], "c1", "customerId", "", t0.Add(time.Duration(i)*time.Second)))
	}
	if _, err := s.Append(ctx, ws, evs); err != nil {
		t.Fatal(err)
	}
	onlyB := func(raw []byte) bool { return json.Valid(raw) && string(raw[:0]) == "" && event.ID(raw)[1]%2 == 1 }
	if got := fmt.Sprint(history(t, s, "c1", store.Query{Limit: 2, Offset: 1, Match: onlyB})); got != "[e7 e5]" {
		t.Fatalf("filtered page = %s", got)
	}
	// Types, which the filter implies, gives the same page, whether a backend reads
	// only those types or not.
	if got := fmt.Sprint(history(t, s, "c1", store.Query{Limit: 2, Offset: 1, Match: onlyB, Types: []string{"B"}})); got != "[e7 e5]" {
		t.Fatalf("filtered page of type B = %s", got)
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
	// The last event of a rare type, under many of another type.
	var many []*event.Event
	for i := range 600 {
		many = append(many, Event(t, fmt.Sprint("m", i), "A", "c1", "customerId", "", t0.Add(time.Minute+time.Duration(i)*time.Second)))
	}
	if _, err := s.Append(ctx, ws, many); err != nil {
		t.Fatal(err)
	}
	isB := func(raw []byte) bool { v, _ := event.Member(raw, "type"); return v == "B" }
	if got := fmt.Sprint(history(t, s, "c1", store.Query{Limit: 1, Match: isB, Types: []string{"B"}})); got != "[e9]" {
		t.Fatalf("last event of type B under 600 of type A = %s", got)
	}
	if got := fmt.Sprint(history(t, s, "c1", store.Query{Limit: 3, Offset: 1, Match: isB, Types: []string{"B", "C"}})); got != "[e7 e5 e3]" {
		t.Fatalf("a page of type B under 600 of type A = %s", got)
	}
}

// Appends from many goroutines at once are all stored, and are there after a reopen; the
// sequence continues after it.
func testConcurrentAppendsAreDurable(t *testing.T, b Backend) {
	place := t.TempDir()
	s := reopen(t, b, place, Options{})
	ctx := context.Background()
	t0 := time.Now()
	var wg sync.WaitGroup
	for c := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				ev := Event(t, fmt.Sprintf("c%d-%d", c, i), "T", fmt.Sprint("cust", c%4), "customerId", "", t0)
				if _, err := s.Append(ctx, ws, []*event.Event{ev}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = reopen(t, b, place, Options{})
	for c := range 4 {
		if n := len(history(t, s, fmt.Sprint("cust", c), store.Query{Limit: 1000})); n != 80 {
			t.Fatalf("cust%d has %d events after reopen, want 80", c, n)
		}
	}
	// The sequence continues after a restart rather than starting again. All events
	// share one time, so history's newest is the last committed.
	last := history(t, s, "cust0", store.Query{Limit: 1})[0]
	res, err := s.Append(ctx, ws, []*event.Event{Event(t, "late", "T", "cust0", "customerId", "", t0)})
	if err != nil || res[0].Duplicate {
		t.Fatal(err)
	}
	p, _ := s.Resolve(ctx, ws, "cust0")
	after, err := s.After(ctx, ws, p, last)
	if err != nil || len(after) != 1 || after[0].EventID != "late" {
		t.Fatalf("after reopen: %v %+v", err, after)
	}
}

// A crash point reached through the interface: writers append one event at a time while
// the store is closed under them. Every append acknowledged before Close is there after
// reopening the same place, with its derived state; an append that failed failed with
// ErrClosed; and each writer's stored events are a prefix of what it sent, with at most
// the one in flight beyond what was acknowledged.
func testAcknowledgedWritesSurviveClose(t *testing.T, b Backend) {
	place := t.TempDir()
	o := Options{Deriver: counter{}}
	s := reopen(t, b, place, o)
	ctx := context.Background()
	t0 := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	const writers = 4
	var acked [writers]int
	var failed [writers]error
	var total sync.WaitGroup
	enough := make(chan struct{})
	var once sync.Once
	var mu sync.Mutex
	for w := range writers {
		total.Add(1)
		go func() {
			defer total.Done()
			for i := 0; ; i++ {
				ev := Event(t, fmt.Sprintf("w%d-%d", w, i), "T", fmt.Sprint("writer", w), "customerId", "", t0.Add(time.Duration(i)*time.Second))
				if _, err := s.Append(ctx, ws, []*event.Event{ev}); err != nil {
					failed[w] = err
					return
				}
				mu.Lock()
				acked[w]++
				if acked[0]+acked[1]+acked[2]+acked[3] >= 120 {
					once.Do(func() { close(enough) })
				}
				mu.Unlock()
			}
		}()
	}
	<-enough
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	total.Wait()
	for w, err := range failed {
		if !errors.Is(err, store.ErrClosed) {
			t.Errorf("writer %d: append after Close = %v, want ErrClosed", w, err)
		}
	}
	s = reopen(t, b, place, o)
	for w := range writers {
		ident := fmt.Sprint("writer", w)
		got := history(t, s, ident, store.Query{Limit: 1000})
		slices.Reverse(got) // oldest first
		if len(got) != acked[w] && len(got) != acked[w]+1 {
			t.Errorf("%s: %d events stored after reopen, %d acknowledged", ident, len(got), acked[w])
		}
		for i, id := range got {
			if want := fmt.Sprintf("w%d-%d", w, i); id != want {
				t.Fatalf("%s: stored %v, not a prefix of what was sent", ident, got)
			}
		}
		if n := counts(t, s, ident); n != fmt.Sprintf("[%d]", len(got)) {
			t.Errorf("%s: n = %s for %d stored events", ident, n, len(got))
		}
	}
}

// A read after Close says the store is closed: it neither panics nor reads a discarded
// snapshot.
func testReadAfterClose(t *testing.T, b Backend) {
	s := open(t, b, Options{})
	ctx := context.Background()
	s.Append(ctx, ws, []*event.Event{Event(t, "a1", "T", "+15550000001", "phone", "", time.Now())})
	s.Close()
	if _, err := s.Resolve(ctx, ws, "+15550000001"); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("Resolve after Close: %v, want ErrClosed", err)
	}
}

// testCommitListeners: every listener is told, after the commit, of each event stored
// (never of a duplicate), in commit order, with the person it was filed under.
func testCommitListeners(t *testing.T, b Backend) {
	s := open(t, b, Options{})
	ctx := context.Background()
	var mu sync.Mutex
	var first, second []store.Committed
	s.OnCommit(func(c []store.Committed) { mu.Lock(); first = append(first, c...); mu.Unlock() })
	s.OnCommit(func(c []store.Committed) { mu.Lock(); second = append(second, c...); mu.Unlock() })
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	res, err := s.Append(ctx, ws, []*event.Event{
		Event(t, "c1", "T", "+15550000001", "phone", "", t0),
		Event(t, "c2", "T", "+15550000002", "phone", "", t0.Add(-time.Hour)), // older, committed later
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(ctx, ws, []*event.Event{Event(t, "c1", "T", "+15550000001", "phone", "", t0)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(ctx, ws, []*event.Event{Event(t, "c3", "T", "+15550000001", "phone", "", t0)}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	var ids []string
	for i, c := range first {
		ids = append(ids, c.EventID)
		if c.Workspace != ws || len(c.Raw) == 0 || i > 0 && c.Seq <= first[i-1].Seq {
			t.Errorf("committed %+v: wrong workspace, no body, or out of commit order", c)
		}
	}
	if fmt.Sprint(ids) != "[c1 c2 c3]" {
		t.Errorf("listener told of %v, want [c1 c2 c3]", ids)
	}
	if len(first) == 3 && (first[0].PersonID != res[0].PersonID || first[1].PersonID != res[1].PersonID || first[2].PersonID != res[0].PersonID) {
		t.Errorf("persons told %s %s %s, want %s %s %s", first[0].PersonID, first[1].PersonID, first[2].PersonID, res[0].PersonID, res[1].PersonID, res[0].PersonID)
	}
	if len(second) != len(first) {
		t.Errorf("the second listener was told of %d events, the first of %d", len(second), len(first))
	}
}

// EventsByRef reads events by person, time and sequence in the order asked, nil for a
// reference that names no event (a wrong time, a wrong person, a sequence not there),
// whether the references are near each other or far apart, and each as often as asked.
func testEventsByRef(t *testing.T, b Backend) {
	s := open(t, b, Options{})
	ctx := context.Background()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var evs []*event.Event
	for i := range 41 { // r0 is the mark After reads from
		evs = append(evs, Event(t, fmt.Sprint("r", i), "A", "c1", "customerId", "", t0.Add(time.Duration(i)*time.Second)))
	}
	if _, err := s.Append(ctx, ws, evs); err != nil {
		t.Fatal(err)
	}
	p, err := s.Resolve(ctx, ws, "c1")
	if err != nil {
		t.Fatal(err)
	}
	stored, err := s.After(ctx, ws, p, "r0")
	if err != nil || len(stored) != 40 {
		t.Fatalf("stored: %d events, %v", len(stored), err)
	}
	ref := func(i int) store.EventRef {
		return store.EventRef{PersonID: stored[i-1].PersonID, Time: t0.Add(time.Duration(i) * time.Second), Seq: stored[i-1].Seq}
	}
	wrongTime, wrongPerson, missing := ref(1), ref(2), ref(3)
	wrongTime.Time = wrongTime.Time.Add(time.Millisecond)
	wrongPerson.PersonID = "00000000-0000-0000-0000-000000000001"
	missing.Seq += 1000
	got, err := s.EventsByRef(ctx, ws, []store.EventRef{ref(40), ref(5), wrongTime, ref(1), wrongPerson, missing, ref(40), ref(22)})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, raw := range got {
		if raw == nil {
			ids = append(ids, "-")
		} else {
			ids = append(ids, event.ID(raw))
		}
	}
	if want := "[r40 r5 - r1 - - r40 r22]"; fmt.Sprint(ids) != want {
		t.Fatalf("EventsByRef = %v, want %s", ids, want)
	}
}
