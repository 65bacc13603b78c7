// Package live fans committed events out to live-stream subscribers (SSE clients).
//
// The committer publishes after every durable commit and must never wait for a reader:
// each subscriber has a bounded buffer, and a subscriber that falls behind is cut off
// (its channel closed) rather than slowing ingest. A cut-off client reconnects with
// Last-Event-ID and catches up from the ledger. The hub keeps no history itself.
//
// Subscribers are bounded, in the instance and per workspace (Limits): each one holds a
// goroutine, a buffer and a connection, and is offered every event of its workspace.
// Publishing costs the committer one non-blocking send per event and subscriber of that
// event's workspace, never more: subscribers are kept by workspace, and their buffers
// hold pointers to the committed events, which all subscribers share.
package live

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/openjds/jds/ledger"
)

// ErrTooManySubscribers is wrapped by the *LimitError Subscribe returns past a limit.
var ErrTooManySubscribers = errors.New("too many live streams")

// LimitError says which limit refused a subscription.
type LimitError struct {
	Workspace ledger.Workspace
	// Instance is true when the instance's limit refused it, false for the workspace's.
	Instance bool
	Max      int
}

func (e *LimitError) Error() string {
	if e.Instance {
		return fmt.Sprintf("%v: %d open in the instance, the limit of stream.maxSubscribers", ErrTooManySubscribers, e.Max)
	}
	return fmt.Sprintf("%v: %d open in workspace %s, the limit of stream.maxSubscribersPerWorkspace", ErrTooManySubscribers, e.Max, e.Workspace)
}

func (e *LimitError) Unwrap() error { return ErrTooManySubscribers }

// Limits bound the subscriptions open at once; 0 means no limit.
type Limits struct {
	MaxSubscribers             int // in the instance
	MaxSubscribersPerWorkspace int // in one workspace
}

// Hub is safe for concurrent use.
type Hub struct {
	buffer int
	limits Limits

	mu   sync.RWMutex
	subs map[ledger.Workspace]map[*Sub]struct{}

	count   atomic.Int64
	dropped atomic.Uint64
	// refused counts subscriptions refused by the instance's and the workspaces' limits.
	refusedInstance, refusedWorkspace atomic.Uint64
}

// Sub is one subscription to a workspace's committed events.
type Sub struct {
	// C delivers events in commit order. It is closed when the subscriber is cut off for
	// falling behind, or unsubscribed. The events are shared: do not modify them.
	C  <-chan *ledger.Committed
	c  chan *ledger.Committed
	ws ledger.Workspace
	// Overflowed reports, once C is closed, whether it was closed for falling behind.
	overflowed atomic.Bool
}

// Overflowed reports whether the subscription was cut off for falling behind.
func (s *Sub) Overflowed() bool { return s.overflowed.Load() }

// NewHub returns a hub whose subscribers buffer up to buffer events each, within limits.
func NewHub(buffer int, limits Limits) *Hub {
	if buffer <= 0 {
		buffer = 1024
	}
	return &Hub{buffer: buffer, limits: limits, subs: map[ledger.Workspace]map[*Sub]struct{}{}}
}

// Subscribe starts a subscription to every event committed in ws from now on. Past the
// workspace's or the instance's limit it returns a *LimitError (ErrTooManySubscribers).
func (h *Hub) Subscribe(ws ledger.Workspace) (*Sub, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	m := h.subs[ws]
	if max := h.limits.MaxSubscribersPerWorkspace; max > 0 && len(m) >= max {
		h.refusedWorkspace.Add(1)
		return nil, &LimitError{Workspace: ws, Max: max}
	}
	if max := h.limits.MaxSubscribers; max > 0 && h.count.Load() >= int64(max) {
		h.refusedInstance.Add(1)
		return nil, &LimitError{Workspace: ws, Instance: true, Max: max}
	}
	c := make(chan *ledger.Committed, h.buffer)
	s := &Sub{C: c, c: c, ws: ws}
	if m == nil {
		m = map[*Sub]struct{}{}
		h.subs[ws] = m
	}
	m[s] = struct{}{}
	h.count.Add(1)
	return s, nil
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

// Publish hands committed events to their workspaces' subscribers without blocking. The
// events must not change afterwards: subscribers keep pointers to them.
func (h *Hub) Publish(events []ledger.Committed) {
	var slow []*Sub
	h.mu.RLock()
	for i := range events {
		e := &events[i]
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

// Refused counts subscriptions refused by the instance's limit and by workspaces' limits.
func (h *Hub) Refused() (instance, workspace uint64) {
	return h.refusedInstance.Load(), h.refusedWorkspace.Load()
}
