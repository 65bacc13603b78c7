package badgerstore

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/filter"
	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/internal/store/storetest"
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

// eventMarks checks that every event key carries the mark of its event's type, and
// returns how many event keys there are.
func eventMarks(t *testing.T, s *Store) int {
	t.Helper()
	n := 0
	err := s.db.View(func(txn *badger.Txn) error {
		opt := badger.DefaultIteratorOptions
		opt.Prefix = []byte{tagEvent}
		it := txn.NewIterator(opt)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			if got, want := it.Item().UserMeta(), typeMark(event.TypeOf(v)); got != want {
				t.Errorf("event %s: mark %d, want %d", event.ID(v), got, want)
			}
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A history read for some types passes over the events whose key carries another
// type's mark without reading them, and still reads events stored without a mark.
func TestHistoryByTypeMarks(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, "")
	t0 := time.Now().Add(-time.Hour)
	var evs []*event.Event
	for i := range 6 {
		typ := "Call"
		if i == 1 {
			typ = "Payment"
		}
		evs = append(evs, storetest.Event(t, fmt.Sprintf("e%d", i), typ, "+15550000001", "phone", "", t0.Add(time.Duration(i)*time.Minute)))
	}
	evs = append(evs, storetest.Event(t, "other", "Call", "+15550000002", "phone", "", t0))
	if _, err := s.Append(ctx, ws, evs); err != nil {
		t.Fatal(err)
	}
	// A merge, an event through the merged alias, and the unmerge that moves it back.
	p1, _ := s.Resolve(ctx, ws, "+15550000001")
	p2, _ := s.Resolve(ctx, ws, "+15550000002")
	if _, err := s.Merge(ctx, ws, p1.ID, []string{p2.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(ctx, ws, []*event.Event{storetest.Event(t, "moved", "Payment", "+15550000002", "phone", "", t0.Add(time.Hour))}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Unmerge(ctx, ws, p1.ID); err != nil {
		t.Fatal(err)
	}
	if n := eventMarks(t, s); n != 8 {
		t.Fatalf("%d event keys, want 8", n)
	}
	if got := storetest.History(t, s, ws, "+15550000002", store.Query{Limit: 10}); fmt.Sprint(got) != "[moved other]" {
		t.Fatalf("the unmerged person's history: %v", got)
	}

	// Two Payment events written the way older stores hold them (no mark) and with a
	// wrong one: the first is read, the second is ruled out unread.
	id, _ := s.cachedWorkspace(ws)
	write := func(eventID string, seq uint64, mark byte) {
		raw := storetest.Event(t, eventID, "Payment", "+15550000001", "phone", "", t0.Add(time.Duration(seq)*time.Second)).Raw
		p, _ := parsePID(p1.ID)
		err := s.db.Update(func(txn *badger.Txn) error {
			return txn.SetEntry(badger.NewEntry(eventKey(id, eventRef{person: p, time: t0.Add(time.Duration(seq) * time.Second).UnixNano(), seq: seq}), raw).WithMeta(mark))
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	write("unmarked", 100, 0)
	write("mismarked", 101, typeMark("Call"))
	s.renewSnapshot()
	payments := event.Matcher{Attr: mustFilter(t, "type eq 'Payment'")}
	q := store.Query{Limit: 10, Match: payments.Func(), Types: payments.Types()}
	if got := storetest.History(t, s, ws, "+15550000001", q); fmt.Sprint(got) != "[unmarked e1]" {
		t.Fatalf("Payment events: %v, want [unmarked e1]", got)
	}
	if got := storetest.History(t, s, ws, "+15550000001", store.Query{Limit: 2, Match: payments.Func()}); fmt.Sprint(got) != "[mismarked unmarked]" {
		t.Fatalf("without types, every event is matched: %v", got)
	}
}

func mustFilter(t *testing.T, src string) *filter.Filter {
	t.Helper()
	f, err := filter.Compile(src)
	if err != nil {
		t.Fatal(err)
	}
	return f
}
