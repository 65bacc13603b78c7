// Package storetest is the conformance suite of store.Store: the behaviour every backend
// must have, checked through the interface alone.
//
// A backend runs it from a test of its own package, with a Backend that opens a store on
// a place it names:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, storetest.Backend{
//			Name: "mybackend",
//			Open: func(t testing.TB, place string, o storetest.Options) store.Store {
//				s, err := mybackend.Open(mybackend.Options{Where: place, Deriver: o.Deriver, ...})
//				if err != nil {
//					t.Fatal(err)
//				}
//				return s
//			},
//		})
//	}
//
// The place names durable storage. The suite passes t.TempDir() for a fresh, empty store,
// and the same place again to reopen what it closed: the reopened store must hold every
// write acknowledged before Close. A backend on files uses the place as its directory;
// one on a database server maps it to a fresh schema or database of its own (a name
// derived from the path, say), which it may drop in a t.Cleanup of its own. The store
// must honour every field of Options. The suite closes every store it opens, once, when
// the test that opened it ends (or earlier, to test Close), before the cleanups Open
// registered run.
//
// Besides the behaviours one by one, RandomHistory applies seeded random sequences of
// appends, merges, unmerges, erasures, retention and reopenings to the store, and checks
// after each reopening and every few steps that what it holds agrees with what was
// acknowledged: every event in exactly one live person's history, aliases resolving to
// their owners, and derived state equal to its rebuild from the events. A failure names
// the seed and the step.
//
// Run takes a few seconds; every behaviour is a subtest, so that
// go test -run 'TestConformance/Outbox' runs one. Behaviour that only one engine
// has (how it splits work into transactions, its file format, its disk-space checks) is
// tested in the backend's own package, which may use the helpers exported here (Event,
// WithSource, History, State, Tally) and run the scenarios exported here at the sizes its
// own limits call for (EraseRemovesEverything, ExpireEventsInChunks).
package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/identity"
	"github.com/openjds/jds/internal/store"
)

// Options is what a test may ask of the store it opens. Zero values are the backend's
// defaults.
type Options struct {
	// Deriver computes derived state in each commit; nil for none.
	Deriver store.Deriver
	// Guard holds the identity guardrails; nil means none.
	Guard *identity.Guard
	// Now is the store's clock; nil for time.Now.
	Now func() time.Time
	// Region is where phone numbers without a country code are dialled; empty for
	// identity.DefaultRegion.
	Region string
}

// Backend is a store under test.
type Backend struct {
	Name string
	// Open opens the store kept at place, creating it empty the first time; it fails t
	// when it cannot.
	Open func(t testing.TB, place string, o Options) store.Store
}

// Run checks every behaviour of the store, each as a subtest.
func Run(t *testing.T, b Backend) {
	if b.Open == nil {
		t.Fatalf("backend %q has no Open", b.Name)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.run(t, b) })
	}
}

var cases = []struct {
	name string
	run  func(*testing.T, Backend)
}{
	// The event log (ledger.go).
	{"AppendDedupeAndHistoryOrder", testAppendDedupeAndHistoryOrder},
	{"EventsAreUniqueBySourceAndID", testEventsAreUniqueBySourceAndID},
	{"PreviousIdentityLinksAndMerges", testPreviousIdentityLinksAndMerges},
	{"HistoryFilterAndAfter", testHistoryFilterAndAfter},
	{"ConcurrentAppendsAreDurable", testConcurrentAppendsAreDurable},
	{"AcknowledgedWritesSurviveClose", testAcknowledgedWritesSurviveClose},
	{"ReadAfterClose", testReadAfterClose},
	{"CommitListenersInCommitOrder", testCommitListeners},
	// The identity graph (persons.go).
	{"CreateUpdateAndConflicts", testCreateUpdateAndConflicts},
	{"IdentifyMergesAndIsIdempotent", testIdentifyMergesAndIsIdempotent},
	{"MergeUnmergeRoundTrip", testMergeUnmergeRoundTrip},
	{"MergeStopsAtTheFirstPersonPastTheBound", testMergeStopsAtTheFirstPersonPastTheBound},
	{"EraseRemovesEverythingAndTheAliasStartsAfresh", testEraseRemovesEverything},
	{"TemporaryPersonsExpire", testTemporaryPersonsExpire},
	{"RegionDialsNationalNumbers", testRegionDialsNationalNumbers},
	{"GuardrailsOnIngest", testGuardrailsOnIngest},
	{"ConcurrentIngestAndMerges", testConcurrentIngestAndMerges},
	// Derived state and documents (derive.go).
	{"DerivedStateFollowsIdentity", testDerivedStateFollowsIdentity},
	{"StateVersions", testStateVersions},
	{"FailedCommitDerivesNothing", testFailedCommitDerivesNothing},
	{"Documents", testDocuments},
	// Retention (retention.go).
	{"ExpireEventsDeletesExactlyTheOldOnes", testExpireEventsDeletesExactlyTheOldOnes},
	{"ExpireEventsInChunks", testExpireEventsInChunks},
	{"ExpireEventsStopsWithItsContext", testExpireEventsStopsWithItsContext},
	// The outbox (outbox.go).
	{"Outbox", testOutbox},
	{"DeadLetters", testDeadLetters},
	{"ShadowDeliveries", testShadowDeliveries},
	{"HeldDeliveries", testHeldDeliveries},
	{"DueFindsEarlierDeliveriesQueuedLater", testDueFindsEarlierDeliveriesQueuedLater},
	{"PickBesideManyWriters", testPickBesideManyWriters},
	{"EventsByRef", testEventsByRef},
	{"OutboxStats", testOutboxStats},
	{"PickReadsPastRefused", testPickReadsPastRefused},
	{"PickNewReadsOnlyWhatIsNew", testPickNewReadsOnlyWhatIsNew},
	{"PickStoppedByEnough", testPickStoppedByEnough},
	{"SweepIsBoundedPerWorkspace", testSweepIsBoundedPerWorkspace},
	{"PickNewAfterSweep", testPickNewAfterSweep},
	{"RecentDeliveries", testRecentDeliveries},
	// Random histories against the invariants (random.go).
	{"RandomHistory", testRandomHistory},
}

// ws is the workspace most tests write to.
var ws = store.Workspace{Org: "cctsa", Name: "sandbox"}

// open opens a fresh store for one test.
func open(t *testing.T, b Backend, o Options) store.Store {
	t.Helper()
	return reopen(t, b, t.TempDir(), o)
}

// reopen opens the store kept at place, closed when the test ends unless the test closed
// it first.
func reopen(t *testing.T, b Backend, place string, o Options) store.Store {
	t.Helper()
	s := &closeOnce{Store: b.Open(t, place, o)}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("closing the %s store: %v", b.Name, err)
		}
	})
	return s
}

// closeOnce passes on the first Close only, so that the cleanup of a test that closed
// its store itself does not close it again.
type closeOnce struct {
	store.Store
	once sync.Once
	err  error
}

func (c *closeOnce) Close() error {
	c.once.Do(func() { c.err = c.Store.Close() })
	return c.err
}

// Event builds a validated event the way the HTTP layer does: id and type, posted by
// source "test" under identity ident of kind kind, linked to prev when it is not empty,
// at time at, with data {"n": id}.
func Event(t testing.TB, id, typ, ident, kind, prev string, at time.Time) *event.Event {
	t.Helper()
	return eventWith(t, id, typ, ident, kind, prev, at, map[string]any{"n": id})
}

func eventWith(t testing.TB, id, typ, ident, kind, prev string, at time.Time, data map[string]any) *event.Event {
	t.Helper()
	m := map[string]any{
		"id": id, "specversion": "1.0", "type": typ, "source": "test",
		"identity": ident, "identitytype": kind, "data": data,
		"time": at.Format(time.RFC3339Nano),
	}
	if prev != "" {
		m["previousidentity"] = prev
	}
	raw, _ := json.Marshal(m)
	return decode(t, raw)
}

func decode(t testing.TB, raw []byte) *event.Event {
	t.Helper()
	ev, bad := event.Decode(raw, time.Now(), event.Limits{DefaultRegion: "US"})
	if bad != nil {
		t.Fatalf("decode %s: %v", raw, bad)
	}
	return ev
}

// WithSource is ev posted by another source.
func WithSource(t testing.TB, ev *event.Event, source string) *event.Event {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(ev.Raw, &m); err != nil {
		t.Fatal(err)
	}
	m["source"] = source
	raw, _ := json.Marshal(m)
	out, bad := event.Decode(raw, time.Now(), event.Limits{})
	if bad != nil {
		t.Fatalf("decode: %v", bad)
	}
	return out
}

// ids are the event ids of canonical events.
func ids(raws [][]byte) []string {
	out := make([]string, len(raws))
	for i, r := range raws {
		out[i] = event.ID(r)
	}
	return out
}

// History is the page q of the history of the person owning ident in w, as event ids.
func History(t testing.TB, s store.Store, w store.Workspace, ident string, q store.Query) []string {
	t.Helper()
	ctx := context.Background()
	p, err := s.Resolve(ctx, w, ident)
	if err != nil {
		t.Fatalf("resolve %q: %v", ident, err)
	}
	raws, err := s.History(ctx, w, p, q)
	if err != nil {
		t.Fatal(err)
	}
	return ids(raws)
}

// history is the page q of the history of the person owning ident in ws.
func history(t testing.TB, s store.Store, ident string, q store.Query) []string {
	t.Helper()
	return History(t, s, ws, ident, q)
}

// State reads the derived value name of the person owning ident in w, as views do: the
// person's own value, then those of the persons merged into it, as "[v1 v2]".
func State(t testing.TB, s store.Store, w store.Workspace, ident, name string) string {
	t.Helper()
	ctx := context.Background()
	p, err := s.Resolve(ctx, w, ident)
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.States(ctx, w, p, []string{name})
	if err != nil {
		t.Fatal(err)
	}
	var parts []string
	for _, v := range st[name] {
		parts = append(parts, string(v.Value))
	}
	return fmt.Sprint(parts)
}

// counts is the state "n" of the person owning ident in ws.
func counts(t testing.TB, s store.Store, ident string) string {
	t.Helper()
	return State(t, s, ws, ident, "n")
}

// phone and email are aliases.
func phone(v string) identity.Alias { return identity.Alias{Kind: identity.Phone, Value: v} }
func email(v string) identity.Alias { return identity.Alias{Kind: identity.Email, Value: v} }

// atoi reads a derived count; absent is 0.
func atoi(v []byte) int {
	n, _ := strconv.Atoi(string(v))
	return n
}
