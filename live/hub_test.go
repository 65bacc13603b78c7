package live

import (
	"errors"
	"testing"

	"github.com/openjds/jds/ledger"
)

func committed(ws ledger.Workspace, seqs ...uint64) []ledger.Committed {
	out := make([]ledger.Committed, len(seqs))
	for i, s := range seqs {
		out[i] = ledger.Committed{Workspace: ws, Seq: s}
	}
	return out
}

func subscribe(t *testing.T, h *Hub, ws ledger.Workspace) *Sub {
	t.Helper()
	s, err := h.Subscribe(ws)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestHubDeliversPerWorkspaceInOrder(t *testing.T) {
	h := NewHub(8, Limits{})
	a, b := ledger.Workspace{Org: "o", Name: "a"}, ledger.Workspace{Org: "o", Name: "b"}
	sa, sb := subscribe(t, h, a), subscribe(t, h, b)
	h.Publish(append(committed(a, 1, 2), committed(b, 3)...))
	if got := (<-sa.C).Seq*10 + (<-sa.C).Seq; got != 12 {
		t.Fatalf("workspace a got %d, want 1 then 2", got)
	}
	if got := (<-sb.C).Seq; got != 3 || len(sa.C) != 0 {
		t.Fatalf("workspace b got %d", got)
	}
	if h.Subscribers() != 2 {
		t.Fatal(h.Subscribers())
	}
	h.Unsubscribe(sa)
	h.Unsubscribe(sa) // idempotent
	if _, open := <-sa.C; open || h.Subscribers() != 1 || sa.Overflowed() {
		t.Fatal("unsubscribe closes the channel without calling it an overflow")
	}
}

// A slow subscriber is cut off without blocking the publisher: it keeps what it had
// buffered, then its channel closes, and the others go on receiving.
func TestHubCutsOffSlowSubscribers(t *testing.T) {
	h := NewHub(2, Limits{})
	ws := ledger.Workspace{Org: "o", Name: "a"}
	slow, fast := subscribe(t, h, ws), subscribe(t, h, ws)
	drain := func() (seqs []uint64) {
		for len(fast.C) > 0 {
			seqs = append(seqs, (<-fast.C).Seq)
		}
		return seqs
	}
	h.Publish(committed(ws, 1, 2))
	drain()
	h.Publish(committed(ws, 3))
	if got := drain(); len(got) != 1 || got[0] != 3 {
		t.Fatalf("fast subscriber got %v", got)
	}
	var got []uint64
	for e := range slow.C {
		got = append(got, e.Seq)
	}
	if len(got) != 2 || got[0] != 1 || got[1] != 2 || !slow.Overflowed() || h.Dropped() != 1 || h.Subscribers() != 1 {
		t.Fatalf("slow subscriber got %v (overflowed %v, dropped %d), want [1 2] then cut off", got, slow.Overflowed(), h.Dropped())
	}
	h.Publish(committed(ws, 4))
	if got := drain(); len(got) != 1 || got[0] != 4 {
		t.Fatalf("fast subscriber after the cut: %v", got)
	}
}

// Past a limit a subscription is refused with the limit's name; an ended one frees its
// slot, and one workspace's cap leaves the others theirs.
func TestHubLimitsSubscribers(t *testing.T) {
	h := NewHub(2, Limits{MaxSubscribers: 3, MaxSubscribersPerWorkspace: 2})
	a, b, c := ledger.Workspace{Org: "o", Name: "a"}, ledger.Workspace{Org: "o", Name: "b"}, ledger.Workspace{Org: "p", Name: "a"}
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
