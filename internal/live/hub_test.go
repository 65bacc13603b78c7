package live

import (
	"errors"
	"fmt"
	"testing"

	"github.com/openjds/jds/internal/store"
)

func committed(ws store.Workspace, seqs ...uint64) []store.Committed {
	out := make([]store.Committed, len(seqs))
	for i, s := range seqs {
		out[i] = store.Committed{Workspace: ws, Seq: s}
	}
	return out
}

func subscribe(t *testing.T, h *Hub, ws store.Workspace) *Sub {
	t.Helper()
	s, err := h.Subscribe(ws)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// next takes what waits, as a reader does: the events' sequence numbers, a slice per
// commit; nil once the subscription has ended and nothing waits.
func next(s *Sub) [][]uint64 {
	batches, ok := s.Next()
	if !ok {
		return nil
	}
	out := [][]uint64{}
	for _, b := range batches {
		seqs := make([]uint64, len(b))
		for i, e := range b {
			seqs[i] = e.Seq
		}
		out = append(out, seqs)
	}
	return out
}

func TestHubDeliversPerWorkspaceInOrder(t *testing.T) {
	h := NewHub(8, Limits{})
	a, b := store.Workspace{Org: "o", Name: "a"}, store.Workspace{Org: "o", Name: "b"}
	sa, sb := subscribe(t, h, a), subscribe(t, h, b)
	// One commit over two workspaces: each subscriber gets its workspace's events, in
	// order, as one batch per commit, and is signalled.
	h.Publish(append(append(committed(a, 1), committed(b, 2)...), committed(a, 3)...))
	h.Publish(committed(a, 4))
	<-sa.Ready()
	if got := fmt.Sprint(next(sa)); got != "[[1 3] [4]]" {
		t.Fatalf("workspace a got %s, want [[1 3] [4]]", got)
	}
	<-sb.Ready()
	if got := fmt.Sprint(next(sb)); got != "[[2]]" {
		t.Fatalf("workspace b got %s", got)
	}
	if got := fmt.Sprint(next(sa)); got != "[]" || h.Subscribers() != 2 {
		t.Fatalf("nothing waits: %s, %d open", got, h.Subscribers())
	}
	h.Unsubscribe(sa)
	h.Unsubscribe(sa) // idempotent
	<-sa.Ready()
	if got := next(sa); got != nil || h.Subscribers() != 1 || sa.Overflowed() {
		t.Fatal("unsubscribe ends the subscription without calling it an overflow")
	}
}

// A slow subscriber is cut off without blocking the publisher: it keeps what it had
// buffered, then its channel closes, and the others go on receiving. The buffer counts
// the events waiting before the newest commit, which always fits.
func TestHubCutsOffSlowSubscribers(t *testing.T) {
	h := NewHub(2, Limits{})
	ws := store.Workspace{Org: "o", Name: "a"}
	slow, fast := subscribe(t, h, ws), subscribe(t, h, ws)
	h.Publish(committed(ws, 1, 2))
	next(fast)
	h.Publish(committed(ws, 3)) // slow has 2 waiting: at the buffer, not past it
	next(fast)
	h.Publish(committed(ws, 4))
	if got := fmt.Sprint(next(fast)); got != "[[4]]" {
		t.Fatalf("fast subscriber got %s", got)
	}
	var got [][]uint64
	for b := next(slow); b != nil; b = next(slow) {
		got = append(got, b...)
	}
	if fmt.Sprint(got) != "[[1 2] [3]]" || !slow.Overflowed() || h.Dropped() != 1 || h.Subscribers() != 1 {
		t.Fatalf("slow subscriber got %v (overflowed %v, dropped %d), want [[1 2] [3]] then cut off", got, slow.Overflowed(), h.Dropped())
	}
	h.Publish(committed(ws, 4, 5, 6, 7))
	if got := fmt.Sprint(next(fast)); got != "[[4 5 6 7]]" || fast.Overflowed() {
		t.Fatalf("a commit larger than the buffer, into an empty one: %s", got)
	}
}

// Past a limit a subscription is refused with the limit's name; an ended one frees its
// slot, and one workspace's cap leaves the others theirs.
func TestHubLimitsSubscribers(t *testing.T) {
	h := NewHub(2, Limits{MaxSubscribers: 3, MaxSubscribersPerWorkspace: 2})
	a, b, c := store.Workspace{Org: "o", Name: "a"}, store.Workspace{Org: "o", Name: "b"}, store.Workspace{Org: "p", Name: "a"}
	a1, _ := subscribe(t, h, a), subscribe(t, h, a)
	var le *LimitError
	if _, err := h.Subscribe(a); !errors.Is(err, ErrTooManySubscribers) || !errors.As(err, &le) || le.Instance || le.Max != 2 || le.Workspace != a {
		t.Fatalf("third in a workspace of 2: %v", err)
	}
	b1 := subscribe(t, h, b)
	if _, err := h.Subscribe(c); !errors.As(err, &le) || !le.Instance || le.Max != 3 {
		t.Fatalf("fourth in an instance of 3: %v", err)
	}
	h.Unsubscribe(a1)
	subscribe(t, h, a)
	h.Unsubscribe(b1)
	subscribe(t, h, c)
	if inst, ws := h.Refused(); inst != 1 || ws != 1 || h.Subscribers() != 3 {
		t.Fatalf("refused %d (instance) %d (workspace), open %d", inst, ws, h.Subscribers())
	}
}

// Publishing to many idle subscribers queues one batch each per commit, not per event,
// and wakes none of them.
func BenchmarkPublishToIdleSubscribers(b *testing.B) {
	h := NewHub(1<<30, Limits{})
	ws := store.Workspace{Org: "o", Name: "a"}
	var subs []*Sub
	for range 2000 {
		s, _ := h.Subscribe(ws)
		subs = append(subs, s)
	}
	evs := committed(ws, make([]uint64, 500)...)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		h.Publish(evs)
		if i%100 == 99 {
			for _, s := range subs { // an idle stream takes what waits every 250 ms
				s.Next()
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/500, "ns/event")
}
