package live

import (
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

func TestHubDeliversPerWorkspaceInOrder(t *testing.T) {
	h := NewHub(8)
	a, b := ledger.Workspace{Org: "o", Name: "a"}, ledger.Workspace{Org: "o", Name: "b"}
	sa, sb := h.Subscribe(a), h.Subscribe(b)
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
	h := NewHub(2)
	ws := ledger.Workspace{Org: "o", Name: "a"}
	slow, fast := h.Subscribe(ws), h.Subscribe(ws)
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
