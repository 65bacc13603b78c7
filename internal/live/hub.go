// Package live fans committed events out to live-stream subscribers (SSE clients).
//
// The committer publishes after every durable commit and must never wait for a reader:
// each subscriber has a bounded buffer, and a subscriber that falls behind is cut off
// (its channel closed) rather than slowing ingest. A cut-off client reconnects with
// Last-Event-ID and catches up from the ledger. The hub keeps no history itself.
//
// Subscribers are bounded, in the instance and per workspace (Limits): each one holds a
// goroutine, a buffer and a connection, and is offered every event of its workspace.
// Publishing costs the committer one non-blocking send per subscriber of a workspace the
// commit wrote to, whatever the number of events: subscribers are kept by workspace, and
// a commit's events of their workspace are queued to each as one batch that all of them
// share. Queuing wakes nobody: a reader waits on Ready only when it wants every commit
// at once (a stream whose person is known), and otherwise takes what waits when it likes
// (an idle stream, every 250 ms). That is what lets idle streams (a wall of dashboards)
// cost little while ingest runs, in big commits or small ones.
package live

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/openjds/jds/internal/store"
)

// ErrTooManySubscribers is wrapped by the *LimitError Subscribe returns past a limit.
var ErrTooManySubscribers = errors.New("too many live streams")

// LimitError says which limit refused a subscription.
type LimitError struct {
	Workspace store.Workspace
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
	subs map[store.Workspace]map[*Sub]struct{}

	count   atomic.Int64
	dropped atomic.Uint64
	// refused counts subscriptions refused by the instance's and the workspaces' limits.
	refusedInstance, refusedWorkspace atomic.Uint64
}

// Sub is one subscription to a workspace's committed events.
// Its reader takes the events waiting with Next, and may wait for them on Ready.
type Sub struct {
	ws    store.Workspace
	ready chan struct{} // capacity 1: events wait, or the subscription ended

	mu sync.Mutex
	// queue holds the commits' events not taken yet, a batch per commit, in commit
	// order; queued counts their events, against the buffer.
	queue      [][]store.Committed
	queued     int
	ended      bool
	overflowed bool
}

// Ready is signalled when events wait or the subscription has ended: the reader then
// calls Next. A signal may cover several commits, or find them already taken.
func (s *Sub) Ready() <-chan struct{} { return s.ready }

// Next takes the events waiting, a batch per commit, in commit order. ok is false once
// the subscription has ended (cut off for falling behind, or unsubscribed) and nothing
// waits. The batches are shared between subscribers: do not modify them.
func (s *Sub) Next() (batches [][]store.Committed, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	batches, s.queue, s.queued = s.queue, nil, 0
	return batches, len(batches) > 0 || !s.ended
}

// Overflowed reports whether the subscription was cut off for falling behind.
func (s *Sub) Overflowed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.overflowed
}

func (s *Sub) signal() {
	select {
	case s.ready <- struct{}{}:
	default:
	}
}

// NewHub returns a hub whose subscribers buffer up to buffer events each, within limits.
func NewHub(buffer int, limits Limits) *Hub {
	if buffer <= 0 {
		buffer = 1024
	}
	return &Hub{buffer: buffer, limits: limits, subs: map[store.Workspace]map[*Sub]struct{}{}}
}

// Subscribe starts a subscription to every event committed in ws from now on. Past the
// workspace's or the instance's limit it returns a *LimitError (ErrTooManySubscribers).
func (h *Hub) Subscribe(ws store.Workspace) (*Sub, error) {
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
	s := &Sub{ws: ws, ready: make(chan struct{}, 1)}
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
	s.mu.Lock()
	s.ended = true
	s.mu.Unlock()
	s.signal()
	h.count.Add(-1)
}

// Publish hands a commit's events to their workspaces' subscribers without blocking:
// the workspace's events are queued, as one batch, to each of its subscribers. The events must not change
// afterwards: subscribers share them.
func (h *Hub) Publish(events []store.Committed) {
	if len(events) == 0 {
		return
	}
	var slow []*Sub
	h.mu.RLock()
	if len(h.subs) == 0 {
		h.mu.RUnlock()
		return
	}
	first, mixed := events[0].Workspace, false
	for i := range events {
		if events[i].Workspace != first {
			mixed = true
			break
		}
	}
	if !mixed {
		slow = h.sendLocked(h.subs[first], events, slow)
	} else {
		// Only the workspaces someone follows are copied out.
		byWS := map[store.Workspace][]store.Committed{}
		for _, e := range events {
			if h.subs[e.Workspace] != nil {
				byWS[e.Workspace] = append(byWS[e.Workspace], e)
			}
		}
		for ws, evs := range byWS {
			slow = h.sendLocked(h.subs[ws], evs, slow)
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

// sendLocked queues evs to subs, appending to slow those whose buffer is full.
func (h *Hub) sendLocked(subs map[*Sub]struct{}, evs []store.Committed, slow []*Sub) []*Sub {
	for s := range subs {
		s.mu.Lock()
		switch {
		case s.overflowed || s.ended:
			// Already behind: queuing later events would leave a gap before them.
		case s.queued > h.buffer:
			// The newest commit always fits, whatever its size: a subscriber is behind
			// when the events it has not taken yet, before it, pass the buffer.
			s.overflowed = true
			slow = append(slow, s)
		default:
			s.queue = append(s.queue, evs)
			s.queued += len(evs)
		}
		s.mu.Unlock()
		s.signal()
	}
	return slow
}

// Subscribers is the number of open subscriptions.
func (h *Hub) Subscribers() int64 { return h.count.Load() }

// Dropped counts subscribers cut off for falling behind.
func (h *Hub) Dropped() uint64 { return h.dropped.Load() }

// Refused counts subscriptions refused by the instance's limit and by workspaces' limits.
func (h *Hub) Refused() (instance, workspace uint64) {
	return h.refusedInstance.Load(), h.refusedWorkspace.Load()
}
