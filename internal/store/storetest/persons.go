package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/identity"
	"github.com/openjds/jds/internal/store"
)

func testCreateUpdateAndConflicts(t *testing.T, b Backend) {
	s := open(t, b, Options{})
	ctx := context.Background()
	p, err := s.CreatePerson(ctx, ws, "Ann", "Lee", []identity.Alias{phone("+12263762555"), email("ann@example.com"), phone("+12263762555")})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Aliases()) != 2 || p.FirstName != "Ann" {
		t.Fatalf("created %+v", p)
	}
	if _, err := s.CreatePerson(ctx, ws, "", "", []identity.Alias{email("ann@example.com")}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("second owner of an alias: %v", err)
	}
	// Events posted under the alias find the person created by the API.
	res, err := s.Append(ctx, ws, []*event.Event{Event(t, "e1", "T", "226-376-2555", "phone", "", time.Now())})
	if err != nil || res[0].PersonID != p.ID {
		t.Fatalf("ingest after create: %v %+v", err, res)
	}
	q, err := s.UpdatePerson(ctx, ws, p.ID, func(q *identity.Person) error {
		q.LastName = "Smith"
		q.RemoveAlias("ann@example.com")
		q.AddAlias(identity.Alias{Kind: identity.CustomerID, Value: "C-1"})
		return nil
	})
	if err != nil || q.LastName != "Smith" || len(q.Email) != 0 || q.CustomerID[0] != "C-1" {
		t.Fatalf("update: %v %+v", err, q)
	}
	// The released email is free again; the customer id is taken.
	if _, err := s.CreatePerson(ctx, ws, "", "", []identity.Alias{email("ann@example.com")}); err != nil {
		t.Fatalf("released alias: %v", err)
	}
	other, _ := s.CreatePerson(ctx, ws, "", "", []identity.Alias{phone("+15550001111")})
	if _, err := s.UpdatePerson(ctx, ws, other.ID, func(q *identity.Person) error {
		q.AddAlias(identity.Alias{Kind: identity.CustomerID, Value: "C-1"})
		return nil
	}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("taking an owned alias: %v", err)
	}
	// An update that changes nothing writes nothing.
	before, _ := s.Person(ctx, ws, p.ID)
	after, err := s.UpdatePerson(ctx, ws, p.ID, func(*identity.Person) error { return nil })
	if err != nil || !after.UpdatedAt.Equal(before.UpdatedAt) {
		t.Fatalf("no-op update moved updatedAt: %v", err)
	}
	if _, err := s.UpdatePerson(ctx, ws, "not-a-person", func(*identity.Person) error { return nil }); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown person: %v", err)
	}
}

func testIdentifyMergesAndIsIdempotent(t *testing.T, b Backend) {
	s := open(t, b, Options{})
	ctx := context.Background()
	t0 := time.Now()
	s.Append(ctx, ws, []*event.Event{Event(t, "a1", "T", "+12263762555", "phone", "", t0)})
	s.Append(ctx, ws, []*event.Event{Event(t, "b1", "T", "ann@example.com", "email", "", t0.Add(time.Second))})
	req := identity.IdentifyRequest{FirstName: "Ann", Aliases: []identity.Alias{phone("+12263762555"), email("ann@example.com"), {Kind: identity.CustomerID, Value: "C-9"}}}
	p, created, err := s.Identify(ctx, ws, req)
	if err != nil || created {
		t.Fatal(err, created)
	}
	if len(p.Aliases()) != 3 || p.FirstName != "Ann" || len(p.Merges) != 1 {
		t.Fatalf("identified %+v", p)
	}
	if got := fmt.Sprint(history(t, s, "C-9", store.Query{Limit: 10})); got != "[b1 a1]" {
		t.Fatalf("history of the identified person = %s", got)
	}
	again, created, err := s.Identify(ctx, ws, req)
	if err != nil || created || again.ID != p.ID || !again.UpdatedAt.Equal(p.UpdatedAt) || len(again.Merges) != 1 {
		t.Fatalf("second identical call changed something: %v %+v", err, again)
	}
	// Override keeps only what is listed.
	p, _, err = s.Identify(ctx, ws, identity.IdentifyRequest{Override: true, Aliases: []identity.Alias{phone("+12263762555")}})
	if err != nil || len(p.Aliases()) != 1 {
		t.Fatalf("override: %v %+v", err, p)
	}
	// Nobody owns these: a person is created.
	n, created, err := s.Identify(ctx, ws, identity.IdentifyRequest{Aliases: []identity.Alias{email("new@example.com")}})
	if err != nil || !created || n.Email[0] != "new@example.com" {
		t.Fatalf("create through identify: %v %v", err, created)
	}
}

func testMergeUnmergeRoundTrip(t *testing.T, b Backend) {
	s := open(t, b, Options{})
	ctx := context.Background()
	t0 := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	s.Append(ctx, ws, []*event.Event{
		Event(t, "q1", "T", "+12263762555", "phone", "", at(1)),
		Event(t, "p1", "T", "tmp-1", "temporaryId", "", at(2)),
		Event(t, "q2", "T", "+12263762555", "phone", "", at(3)),
	})
	q, _ := s.Resolve(ctx, ws, "+12263762555")
	p, _ := s.Resolve(ctx, ws, "tmp-1")
	beforeQ := fmt.Sprint(history(t, s, "+12263762555", store.Query{Limit: 10}))
	beforeP := fmt.Sprint(history(t, s, "tmp-1", store.Query{Limit: 10}))

	merged, err := s.Merge(ctx, ws, q.ID, []string{p.ID, q.ID})
	if err != nil || len(merged.TemporaryID) != 1 {
		t.Fatal(err, merged)
	}
	// After the merge, an event under the temporary id lands on the survivor.
	res, _ := s.Append(ctx, ws, []*event.Event{Event(t, "p2", "T", "tmp-1", "temporaryId", "", at(4))})
	if res[0].PersonID != q.ID {
		t.Fatal("events after a merge go to the survivor")
	}
	if got := fmt.Sprint(history(t, s, "+12263762555", store.Query{Limit: 10})); got != "[p2 q2 p1 q1]" {
		t.Fatalf("merged history = %s", got)
	}

	restored, survivor, err := s.Unmerge(ctx, ws, q.ID)
	if err != nil || restored.ID != p.ID || len(survivor.Merges) != 0 || len(survivor.TemporaryID) != 0 {
		t.Fatalf("unmerge: %v %+v %+v", err, restored, survivor)
	}
	if got := fmt.Sprint(history(t, s, "+12263762555", store.Query{Limit: 10})); got != beforeQ {
		t.Fatalf("survivor's history after unmerge = %s, want %s", got, beforeQ)
	}
	// The restored person has its history back, plus the event posted under its alias
	// while it was merged.
	if got := fmt.Sprint(history(t, s, "tmp-1", store.Query{Limit: 10})); got != "[p2 "+beforeP[1:] {
		t.Fatalf("restored history = %s (before: %s)", got, beforeP)
	}
	if _, _, err := s.Unmerge(ctx, ws, q.ID); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("nothing left to unmerge: %v", err)
	}
	// A posted duplicate of a moved event still resolves to its new owner.
	res, _ = s.Append(ctx, ws, []*event.Event{Event(t, "p2", "T", "tmp-1", "temporaryId", "", at(4))})
	if !res[0].Duplicate || res[0].PersonID != p.ID {
		t.Fatalf("duplicate after unmerge: %+v", res[0])
	}
}

// A merge that cannot fit is refused at the first person past the bound, without
// reading the rest of the list: a long list costs the committer only what it reads.
// The person named after that point does not exist, and no ErrNotFound comes back.
// Naming the same person twice, or the primary among the others, takes it once.
func testMergeStopsAtTheFirstPersonPastTheBound(t *testing.T, b Backend) {
	guard := identity.NewGuard(nil, 3)
	s := open(t, b, Options{Guard: guard})
	ctx := context.Background()
	var ids []string
	for i := range 5 {
		p, err := s.CreatePerson(ctx, ws, "", "", []identity.Alias{phone(fmt.Sprintf("+1555000000%d", i))})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	others := []string{ids[1], ids[1], ids[0], ids[2], ids[3], "00000000-0000-0000-0000-000000000000"}
	if _, err := s.Merge(ctx, ws, ids[0], others); !errors.Is(err, identity.ErrTooManyAliases) {
		t.Fatalf("merge past the bound = %v, want ErrTooManyAliases", err)
	}
	if n := guard.TooMany.Load(); n != 1 {
		t.Errorf("the refusal was counted %d times, want once", n)
	}
	p, err := s.Merge(ctx, ws, ids[0], []string{ids[1], ids[1], ids[0], ids[2]})
	if err != nil || len(p.Aliases()) != 3 || len(p.Merges) != 2 {
		t.Fatalf("merge within the bound: %v, %+v", err, p)
	}
}

func testEraseRemovesEverything(t *testing.T, b Backend) {
	EraseRemovesEverything(t, open(t, b, Options{}), 1200)
}

// EraseRemovesEverything erases a person with events+2 events, one merged person and two
// aliases, and checks that nothing of them is left and that the alias starts afresh.
// A backend that erases in several units of work runs it with more events than one
// takes; s is a fresh store without a Deriver.
func EraseRemovesEverything(t *testing.T, s store.Store, events int) {
	t.Helper()
	ctx := context.Background()
	t0 := time.Now()
	var evs []*event.Event
	for i := range events {
		evs = append(evs, Event(t, fmt.Sprint("e", i), "T", "+12263762555", "phone", "", t0.Add(time.Duration(i)*time.Millisecond)))
	}
	for i := 0; i < len(evs); i += 1000 {
		if _, err := s.Append(ctx, ws, evs[i:min(i+1000, len(evs))]); err != nil {
			t.Fatal(err)
		}
	}
	s.Append(ctx, ws, []*event.Event{Event(t, "m1", "T", "tmp-7", "temporaryId", "", t0)})
	s.Append(ctx, ws, []*event.Event{Event(t, "m2", "T", "+12263762555", "phone", "tmp-7", t0)})
	p, _ := s.Resolve(ctx, ws, "tmp-7")
	out, err := s.Erase(ctx, ws, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if out.Persons != 2 || out.Aliases != 2 || out.Events != events+2 {
		t.Fatalf("erased %+v", out)
	}
	for _, ident := range []string{"+12263762555", "tmp-7"} {
		if _, err := s.Resolve(ctx, ws, ident); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("%s still resolves: %v", ident, err)
		}
	}
	// Posting an erased event again stores it for a new person with no trace of the old.
	res, err := s.Append(ctx, ws, []*event.Event{Event(t, "e1", "T", "+12263762555", "phone", "", t0)})
	if err != nil || res[0].Duplicate || res[0].PersonID == p.ID {
		t.Fatalf("re-ingest after erase: %v %+v", err, res)
	}
	if got := fmt.Sprint(history(t, s, "+12263762555", store.Query{Limit: 10})); got != "[e1]" {
		t.Fatalf("new person's history = %s", got)
	}
}

func testTemporaryPersonsExpire(t *testing.T, b Backend) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	s := open(t, b, Options{Now: clock})
	ctx := context.Background()
	other := store.Workspace{Org: "cctsa", Name: "other"}
	s.Append(ctx, ws, []*event.Event{Event(t, "a1", "webvisit", "anon-a", "temporaryId", "", now)})
	s.Append(ctx, other, []*event.Event{Event(t, "x1", "webvisit", "anon-x", "temporaryId", "", now)})
	s.Append(ctx, ws, []*event.Event{Event(t, "b1", "webvisit", "anon-b", "temporaryId", "", now)})
	s.Append(ctx, ws, []*event.Event{Event(t, "b2", "login", "bob@example.com", "email", "anon-b", now)})
	now = now.Add(12 * time.Hour)
	s.Append(ctx, ws, []*event.Event{Event(t, "c1", "webvisit", "anon-c", "temporaryId", "", now)})
	now = now.Add(13 * time.Hour)

	n, err := s.ExpireTemporary(ctx, now.Add(-24*time.Hour))
	if err != nil || n != 2 {
		t.Fatalf("expired %d, %v; want anon-a and anon-x", n, err)
	}
	for _, c := range []struct {
		w     store.Workspace
		ident string
		gone  bool
	}{{ws, "anon-a", true}, {other, "anon-x", true}, {ws, "anon-b", false}, {ws, "anon-c", false}} {
		_, err := s.Resolve(ctx, c.w, c.ident)
		if gone := errors.Is(err, store.ErrNotFound); gone != c.gone {
			t.Errorf("%s gone = %v, want %v", c.ident, gone, c.gone)
		}
	}
	// The linked visitor keeps its anonymous history.
	if got := fmt.Sprint(history(t, s, "bob@example.com", store.Query{Limit: 10})); got != "[b2 b1]" {
		t.Fatalf("linked history = %s", got)
	}
	if n, _ := s.ExpireTemporary(ctx, now.Add(-24*time.Hour)); n != 0 {
		t.Fatalf("second run expired %d", n)
	}
}

// Identities are looked up in the store's region: there a national number finds the
// person whose phone is that number in international form; in the default region (US)
// it does not.
func testRegionDialsNationalNumbers(t *testing.T, b Backend) {
	ctx := context.Background()
	for _, region := range []string{"GB", ""} {
		s := open(t, b, Options{Region: region})
		res, err := s.Append(ctx, ws, []*event.Event{Event(t, "uk1", "T", "+442079460958", "phone", "", time.Now())})
		if err != nil {
			t.Fatal(err)
		}
		p, err := s.Resolve(ctx, ws, "020 7946 0958")
		if region == "" {
			if !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("a London number dialled nationally in the US resolves: %v %+v", err, p)
			}
		} else if err != nil || p.ID != res[0].PersonID {
			t.Fatalf("resolving a national number in GB: %v %+v, want person %s", err, p, res[0].PersonID)
		}
	}
}

func testGuardrailsOnIngest(t *testing.T, b Backend) {
	guard := identity.NewGuard([]string{"unknown"}, 2)
	s := open(t, b, Options{Guard: guard})
	ctx := context.Background()
	t0 := time.Now()
	s.Append(ctx, ws, []*event.Event{Event(t, "u1", "T", "c-1", "customerId", "", t0)})
	// A blocked previous identity never links.
	res, _ := s.Append(ctx, ws, []*event.Event{Event(t, "u2", "T", "c-2", "customerId", "UNKNOWN", t0)})
	first, _ := s.Resolve(ctx, ws, "c-1")
	if res[0].PersonID == first.ID || guard.Blocked.Load() != 1 {
		t.Fatal("blocked previousidentity linked")
	}
	// Linking within the bound works; past it, the event keeps its own person.
	s.Append(ctx, ws, []*event.Event{Event(t, "u3", "T", "c-3", "customerId", "c-1", t0)})
	res, _ = s.Append(ctx, ws, []*event.Event{Event(t, "u4", "T", "c-4", "customerId", "c-1", t0)})
	if p, _ := s.Resolve(ctx, ws, "c-1"); len(p.Aliases()) != 2 || res[0].PersonID == p.ID || guard.TooMany.Load() != 1 {
		t.Fatalf("alias bound not kept: %+v", p)
	}
	if _, err := s.CreatePerson(ctx, ws, "", "", []identity.Alias{phone("+1"), phone("+2"), phone("+3")}); !errors.Is(err, identity.ErrTooManyAliases) {
		t.Fatalf("create over the bound: %v", err)
	}
}

// Concurrent ingest and merges on the same persons: nothing lost, nothing torn.
func testConcurrentIngestAndMerges(t *testing.T, b Backend) {
	s := open(t, b, Options{})
	ctx := context.Background()
	t0 := time.Now()
	idents := []string{"+15550000001", "+15550000002", "+15550000003", "+15550000004"}
	for i, id := range idents {
		s.Append(ctx, ws, []*event.Event{Event(t, fmt.Sprint("seed", i), "T", id, "phone", "", t0)})
	}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				ev := Event(t, fmt.Sprintf("w%d-%d", w, i), "T", idents[(w+i)%len(idents)], "phone", "", t0.Add(time.Duration(i)*time.Millisecond))
				if _, err := s.Append(ctx, ws, []*event.Event{ev}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 20 {
			a, _ := s.Resolve(ctx, ws, idents[0])
			bp, _ := s.Resolve(ctx, ws, idents[1+i%3])
			if i%2 == 0 {
				if _, err := s.Merge(ctx, ws, a.ID, []string{bp.ID}); err != nil {
					t.Error(err)
				}
			} else if _, _, err := s.Unmerge(ctx, ws, a.ID); err != nil && !errors.Is(err, store.ErrConflict) {
				t.Error(err)
			}
		}
	}()
	wg.Wait()
	seen := map[string]bool{}
	persons := map[string]bool{}
	for _, id := range idents {
		p, err := s.Resolve(ctx, ws, id)
		if err != nil {
			t.Fatal(err)
		}
		persons[p.ID] = true
		for _, e := range history(t, s, id, store.Query{Limit: 1000}) {
			seen[e] = true
		}
	}
	if len(seen) != 4+8*50 {
		t.Fatalf("%d distinct events readable, want %d", len(seen), 4+8*50)
	}
	// Each alias names exactly one live person that lists it.
	for _, id := range idents {
		p, _ := s.Resolve(ctx, ws, id)
		if p.MergedInto != "" || !slices.Contains(p.Phone, id) {
			t.Fatalf("alias %s resolves to %+v", id, p)
		}
	}
}
