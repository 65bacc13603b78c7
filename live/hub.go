// Package live fans committed events out to live-stream subscribers (SSE clients).
//
// The committer publishes after every durable commit and must never wait for a reader:
// each subscriber has a bounded buffer, and a subscriber that falls behind is cut off
// (its channel closed) rather than slowing ingest. A cut-off client reconnects with
// Last-Event-ID and catches up from the ledger. The hub keeps no history itself.
package live

import (
	"sync"
	"sync/atomic"

	"github.com/openjds/jds/ledger"
)

// Hub is safe for concurrent use.
type Hub struct {
	buffer int

	mu   sync.RWMutex
	subs map[ledger.Workspace]map[*Sub]struct{}

	count   atomic.Int64
	dropped atomic.Uint64
}

// Sub is one subscription to a workspace's committed events.
type Sub struct {
	// C delivers events in commit order. It is closed when the subscriber is cut off for
	// falling behind, or unsubscribed.
	C  <-chan ledger.Committed
	c  chan ledger.Committed
	ws ledger.Workspace
	// Overflowed reports, once C is closed, whether it was closed for falling behind.
	overflowed atomic.Bool
}

// Overflowed reports whether the subscription was cut off for falling behind.
func (s *Sub) Overflowed() bool { return s.overflowed.Load() }

// NewHub returns a hub whose subscribers buffer up to buffer events each.
func NewHub(buffer int) *Hub {
	if buffer <= 0 {
		buffer = 1024
	}
	return &Hub{buffer: buffer, subs: map[ledger.Workspace]map[*Sub]struct{}{}}
}

// Subscribe starts a subscription to every event committed in ws from now on.
func (h *Hub) Subscribe(ws ledger.Workspace) *Sub {
	c := make(chan ledger.Committed, h.buffer)
	s := &Sub{C: c, c: c, ws: ws}
	h.mu.Lock()
	m := h.subs[ws]
	if m == nil {
		m = map[*Sub]struct{}{}
		h.subs[ws] = m
	}
	m[s] = struct{}{}
	h.mu.Unlock()
	h.count.Add(1)
	return s
}

// Unsubscribe ends a subscription; it is idempotent.
func (h *Hub) Unsubscribe(s *Sub) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.removeLocked(s)
}

func (h *Hub) removeLocked(s *Sub) {
	m := h.subs[s.ws]
	if _, ok := m[s]; !ok {
		return
	}
	delete(m, s)
	if len(m) == 0 {
		delete(h.subs, s.ws)
	}
	close(s.c)
	h.count.Add(-1)
}

// Publish hands committed events to their workspaces' subscribers without blocking.
func (h *Hub) Publish(events []ledger.Committed) {
	var slow []*Sub
	h.mu.RLock()
	for _, e := range events {
		for s := range h.subs[e.Workspace] {
			if s.overflowed.Load() {
				// Already behind: sending later events would leave a gap before them.
				continue
			}
			select {
			case s.c <- e:
			default:
				s.overflowed.Store(true)
				slow = append(slow, s)
			}
		}
	}
	h.mu.RUnlock()
	if len(slow) == 0 {
		return
	}
	h.mu.Lock()
	for _, s := range slow {
		if _, ok := h.subs[s.ws][s]; ok {
			h.dropped.Add(1)
			h.removeLocked(s)
		}
	}
	h.mu.Unlock()
}

// Subscribers is the number of open subscriptions.
func (h *Hub) Subscribers() int64 { return h.count.Load() }

// Dropped counts subscribers cut off for falling behind.
func (h *Hub) Dropped() uint64 { return h.dropped.Load() }
