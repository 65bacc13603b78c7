package storetest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/identity"
	"github.com/openjds/jds/internal/store"
)

// testRandomHistory applies seeded random sequences of operations to a store deriving
// with counter: appends across two workspaces and a few identities, with and without a
// previous identity, re-posted events, merges, unmerges, erasures, retention, and
// reopening the same place. Every few operations, after each reopen and at the end it
// checks the invariants (randomHistory.check) against a model of what was acknowledged.
func testRandomHistory(t *testing.T, b Backend) {
	for seed := range uint64(4) {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			h := &randomHistory{
				t: t, b: b, place: t.TempDir(), opts: Options{Deriver: counter{}},
				rng:    rand.New(rand.NewPCG(seed, 18)),
				events: map[store.Workspace]map[string]*sent{},
				erased: map[store.Workspace][]string{},
				cutoff: map[store.Workspace]time.Time{},
			}
			h.s = reopen(t, b, h.place, h.opts)
			for _, w := range randomSpaces {
				h.events[w] = map[string]*sent{}
				h.cutoff[w] = randomT0.AddDate(0, 0, -90)
			}
			for i := range 300 {
				h.step(i)
			}
			h.check("at the end")
			held := 0
			for _, evs := range h.events {
				for _, e := range evs {
					if e.held {
						held++
					}
				}
			}
			t.Logf("%d events sent, %d held at the end; %d reposts, %d merges, %d unmerges, %d erasures, %d events expired, %d reopens, %d checks",
				h.next, held, h.reposts, h.merges, h.unmerges, h.erasures, h.expired, h.reopens, h.checks)
			if h.reopens == 0 || h.merges == 0 || h.unmerges == 0 || h.erasures == 0 || h.expired == 0 {
				t.Fatalf("the sequence missed an operation: %d reopens, %d merges, %d unmerges, %d erasures, %d events expired",
					h.reopens, h.merges, h.unmerges, h.erasures, h.expired)
			}
		})
	}
}

var (
	randomSpaces = []store.Workspace{{Org: "random", Name: "a"}, {Org: "random", Name: "b"}}
	randomT0     = time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	// randomIdents are normalised already, so that an alias reads as it was posted.
	randomIdents = []struct{ value, kind string }{
		{"+15550000001", "phone"}, {"+15550000002", "phone"}, {"+15550000003", "phone"},
		{"ann@example.com", "email"}, {"bob@example.com", "email"},
		{"tmp-1", "temporaryId"}, {"tmp-2", "temporaryId"}, {"tmp-3", "temporaryId"},
	}
)

// sent is an event the test appended, and whether the store should hold it now.
type sent struct {
	raw  []byte
	at   time.Time
	v    int
	held bool
}

type randomHistory struct {
	t     *testing.T
	b     Backend
	place string
	opts  Options
	s     store.Store
	rng   *rand.Rand
	next  int
	// events are the events appended to each workspace, by id.
	events map[store.Workspace]map[string]*sent
	// erased are ids of persons erased, who must have no state.
	erased map[store.Workspace][]string
	// cutoff is the last retention cutoff of each workspace.
	cutoff map[store.Workspace]time.Time

	reopens, merges, unmerges, erasures, expired, reposts, checks int
}

// person is the live person owning ident in w, nil when nobody does.
func (h *randomHistory) person(w store.Workspace, ident string) *identity.Person {
	h.t.Helper()
	p, err := h.s.Resolve(context.Background(), w, ident)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	} else if err != nil {
		h.t.Fatalf("resolve %s: %v", ident, err)
	}
	return p
}

// ident is one of randomIdents, at random: its value and kind.
func (h *randomHistory) ident() (string, string) {
	id := randomIdents[h.rng.IntN(len(randomIdents))]
	return id.value, id.kind
}

// anyone is the person owning an identity chosen at random, nil when nobody does.
func (h *randomHistory) anyone(w store.Workspace) *identity.Person {
	v, _ := h.ident()
	return h.person(w, v)
}

// step runs operation i, chosen at random.
func (h *randomHistory) step(i int) {
	t, ctx, rng := h.t, context.Background(), h.rng
	w := randomSpaces[rng.IntN(len(randomSpaces))]
	switch n := rng.IntN(100); {
	case n < 55: // a batch of new events
		var evs []*event.Event
		for range 1 + rng.IntN(4) {
			ident, kind := h.ident()
			prev := ""
			if rng.IntN(4) == 0 {
				if prev, _ = h.ident(); prev == ident {
					prev = ""
				}
			}
			h.next++
			id := fmt.Sprint("e", h.next)
			at := randomT0.Add(-time.Duration(rng.IntN(90*24)) * time.Hour)
			v := 1 + rng.IntN(100)
			ev := eventWith(t, id, []string{"T", "U"}[rng.IntN(2)], ident, kind, prev, at, map[string]any{"v": v})
			evs = append(evs, ev)
			h.events[w][id] = &sent{raw: ev.Raw, at: at, v: v}
		}
		res, err := h.s.Append(ctx, w, evs)
		if err != nil {
			t.Fatalf("op %d: append: %v", i, err)
		}
		for j, r := range res {
			if r.Duplicate || r.PersonID == "" {
				t.Fatalf("op %d: appending new event %s: %+v", i, event.ID(evs[j].Raw), r)
			}
			h.events[w][event.ID(evs[j].Raw)].held = true
		}
	case n < 63: // an event posted again: a duplicate if it is held, else stored anew
		if len(h.events[w]) == 0 {
			return
		}
		keys := slices.Sorted(maps.Keys(h.events[w]))
		id := keys[rng.IntN(len(keys))]
		e := h.events[w][id]
		res, err := h.s.Append(ctx, w, []*event.Event{decode(t, e.raw)})
		if err != nil {
			t.Fatalf("op %d: posting %s again: %v", i, id, err)
		}
		if res[0].Duplicate != e.held {
			t.Fatalf("op %d: posting %s again (held: %v): duplicate = %v", i, id, e.held, res[0].Duplicate)
		}
		e.held = true
		h.reposts++
	case n < 75:
		a, b := h.anyone(w), h.anyone(w)
		if a == nil || b == nil || a.ID == b.ID {
			return
		}
		p, err := h.s.Merge(ctx, w, a.ID, []string{b.ID})
		if err != nil || p.ID != a.ID {
			t.Fatalf("op %d: merge: %v %+v", i, err, p)
		}
		h.merges++
	case n < 81:
		a := h.anyone(w)
		if a == nil {
			return
		}
		restored, survivor, err := h.s.Unmerge(ctx, w, a.ID)
		if errors.Is(err, store.ErrConflict) {
			return
		}
		if err != nil || restored.MergedInto != "" || survivor.ID != a.ID {
			t.Fatalf("op %d: unmerge: %v %+v %+v", i, err, restored, survivor)
		}
		h.unmerges++
	case n < 86:
		a := h.anyone(w)
		if a == nil {
			return
		}
		var gone []string
		var who *identity.Person
		err := h.s.Export(ctx, w, a.ID, func(p *identity.Person) error { who = p; return nil }, func(raw []byte) error {
			gone = append(gone, event.ID(raw))
			return nil
		})
		if err != nil {
			t.Fatalf("op %d: export: %v", i, err)
		}
		out, err := h.s.Erase(ctx, w, a.ID)
		if err != nil || out.Events != len(gone) || out.Aliases != len(who.Aliases()) {
			t.Fatalf("op %d: erase: %v %+v, want %d events and %d aliases", i, err, out, len(gone), len(who.Aliases()))
		}
		for _, id := range gone {
			h.events[w][id].held = false
		}
		for _, al := range who.Aliases() {
			if p := h.person(w, al.Value); p != nil {
				t.Fatalf("op %d: alias %s of the erased person resolves to %+v", i, al.Value, p)
			}
		}
		h.erased[w] = append(h.erased[w], who.ID)
		for _, m := range who.Merges {
			h.erased[w] = append(h.erased[w], m.PersonID)
		}
		h.erasures++
	case n < 91: // retention
		cutoff := h.cutoff[w].Add(time.Duration(rng.IntN(4*24)) * time.Hour)
		h.cutoff[w] = cutoff
		want := 0
		for _, e := range h.events[w] {
			if e.held && e.at.Before(cutoff) {
				e.held = false
				want++
			}
		}
		got, err := h.s.ExpireEvents(ctx, w, cutoff, nil)
		if err != nil || got.Events != want {
			t.Fatalf("op %d: expire before %s: %v %+v, want %d events", i, cutoff, err, got, want)
		}
		h.expired += want
	case n < 95: // everything acknowledged so far is there after reopening
		if err := h.s.Close(); err != nil {
			t.Fatal(err)
		}
		h.s = reopen(t, h.b, h.place, h.opts)
		h.reopens++
		h.check(fmt.Sprint("after reopening at op ", i))
	default:
		h.check(fmt.Sprint("at op ", i))
	}
}

// check compares the store with the model, in every workspace:
//   - every live person's aliases resolve to it, the persons merged into it read as it,
//     and every identity that resolves names a live person listing it;
//   - each event held is in exactly one live person's events (Export), no other event is,
//     and History lists the same events in the same order;
//   - the derived state of each live person and the persons merged into it adds up to the
//     count and sum of those events, each belongs to a person whose root is the live one,
//     and it equals what a rebuild from the events computes (Backfill with
//     counter.Rebuild), person by person;
//   - erased persons have no state.
func (h *randomHistory) check(when string) {
	t, ctx, s := h.t, context.Background(), h.s
	t.Helper()
	h.checks++
	for _, w := range randomSpaces {
		persons, err := s.Persons(ctx, w, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		live := map[string]*identity.Person{}
		owner := map[string]string{} // event id → live person
		states := map[string]string{}
		for _, p := range persons {
			if p.MergedInto != "" {
				t.Fatalf("%s: Persons lists %s, merged into %s", when, p.ID, p.MergedInto)
			}
			live[p.ID] = p
			for _, al := range p.Aliases() {
				if q := h.person(w, al.Value); q == nil || q.ID != p.ID {
					t.Fatalf("%s: alias %s of %s resolves to %+v", when, al.Value, p.ID, q)
				}
			}
			for _, m := range p.Merges {
				q, err := s.Person(ctx, w, m.PersonID)
				if root, rerr := s.Root(w, m.PersonID); err != nil || rerr != nil || q.ID != p.ID || root != p.ID {
					t.Fatalf("%s: %s, merged into %s, reads as %+v (%v), root %s (%v)", when, m.PersonID, p.ID, q, err, root, rerr)
				}
			}
			var evs []string
			n, sum := 0, 0
			err := s.Export(ctx, w, p.ID, func(q *identity.Person) error {
				if q.ID != p.ID {
					return fmt.Errorf("exporting %s gave person %s", p.ID, q.ID)
				}
				return nil
			}, func(raw []byte) error {
				evs = append(evs, event.ID(raw))
				n, sum = n+1, sum+valueOf(raw)
				return nil
			})
			if err != nil {
				t.Fatalf("%s: export %s: %v", when, p.ID, err)
			}
			for _, id := range evs {
				if other, ok := owner[id]; ok {
					t.Fatalf("%s: event %s is in the events of both %s and %s", when, id, other, p.ID)
				}
				owner[id] = p.ID
				if e := h.events[w][id]; e == nil || !e.held {
					t.Fatalf("%s: %s holds event %s, which was erased, expired or never sent", when, p.ID, id)
				}
			}
			raws, err := s.History(ctx, w, p, store.Query{Limit: len(evs) + 1})
			if err != nil || !slices.Equal(ids(raws), evs) {
				t.Fatalf("%s: history of %s = %v, %v; export gave %v", when, p.ID, ids(raws), err, evs)
			}
			st, err := s.States(ctx, w, p, []string{"n", "sum"})
			if err != nil {
				t.Fatal(err)
			}
			gotN, gotSum := 0, 0
			for name, values := range st {
				for _, v := range values {
					if root, err := s.Root(w, v.PersonID); err != nil || root != p.ID {
						t.Fatalf("%s: state of %s read for %s, whose root is %s (%v)", when, v.PersonID, p.ID, root, err)
					}
					if name == "n" {
						gotN += atoi(v.Value)
					} else {
						gotSum += atoi(v.Value)
					}
					states[v.PersonID+" "+name] = string(v.Value)
				}
			}
			if gotN != n || gotSum != sum {
				t.Fatalf("%s: state of %s and its merged persons: n %d, sum %d; its events: %d, sum %d", when, p.ID, gotN, gotSum, n, sum)
			}
		}
		for id, e := range h.events[w] {
			if _, ok := owner[id]; e.held && !ok {
				t.Fatalf("%s: event %s was acknowledged and is in no live person's events", when, id)
			}
		}
		for _, ident := range randomIdents {
			if p := h.person(w, ident.value); p != nil && (live[p.ID] == nil || !slices.ContainsFunc(p.Aliases(), func(a identity.Alias) bool { return a.Value == ident.value })) {
				t.Fatalf("%s: %s resolves to %+v, not a live person listing it", when, ident.value, p)
			}
		}
		if err := s.Backfill(ctx, w, counter{}.Rebuild, nil); err != nil {
			t.Fatal(err)
		}
		rebuilt := map[string]string{}
		for _, p := range persons {
			st, err := s.States(ctx, w, p, []string{"n", "sum"})
			if err != nil {
				t.Fatal(err)
			}
			for name, values := range st {
				for _, v := range values {
					rebuilt[v.PersonID+" "+name] = string(v.Value)
				}
			}
		}
		// A person without events may have had no state before the rebuild wrote 0.
		for k, v := range rebuilt {
			if _, ok := states[k]; !ok && v == "0" {
				states[k] = v
			}
		}
		if !maps.Equal(states, rebuilt) {
			t.Fatalf("%s: derived state in %s:\n%v\ncomputed again from the events:\n%v", when, w, states, rebuilt)
		}
		for _, id := range h.erased[w] {
			st, err := s.States(ctx, w, &identity.Person{ID: id}, []string{"n", "sum"})
			if err != nil || len(st) > 0 {
				t.Fatalf("%s: erased person %s has state %v (%v)", when, id, st, err)
			}
		}
	}
}
