package pgstore

import (
	"context"
	"sync"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/store"
)

// Group commit. A workspace's units take its row lock in turn, so appends to one
// workspace that arrive together would each wait for a transaction and a WAL flush of
// their own. Instead the first one in becomes the leader: it takes every append of the
// workspace waiting at that moment (up to maxGroupEvents events) into one unit of work,
// commits it and answers them all, and hands the lead on while more wait. A group that fails is
// tried again one request at a time, so that one bad request fails alone. The delivery
// worker's settles are gathered the same way (settle.go).

// maxGroupEvents bounds the events of one group's transaction.
const maxGroupEvents = 4096

type appendReq struct {
	ctx  context.Context
	evs  []*event.Event
	res  []store.AppendResult
	err  error
	done chan struct{}
}

func (s *Store) appendGrouped(ctx context.Context, w store.Workspace, evs []*event.Event) ([]store.AppendResult, error) {
	r := &appendReq{ctx: ctx, evs: evs, done: make(chan struct{})}
	s.groups.add(w, r)
	// A caller that gives up is answered at once; its events may still be committed (as
	// with the Badger committer): a retry is idempotent through the event ids.
	select {
	case <-r.done:
		return r.res, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// A batcher gathers, per workspace, the requests that wait while a batch of them commits.
// commit commits a batch and answers its requests; a batch holds requests of a total size
// of at most max, or one request.
type batcher[R any] struct {
	max    int
	size   func(R) int
	commit func(w store.Workspace, batch []R)

	mu      sync.Mutex
	waiting map[string][]R
	leading map[string]bool
}

// add queues r, and leads when nobody leads the workspace's queue: the caller then
// commits the batch that holds r before add returns.
func (b *batcher[R]) add(w store.Workspace, r R) {
	ws := wsID(w)
	b.mu.Lock()
	if b.waiting == nil {
		b.waiting, b.leading = map[string][]R{}, map[string]bool{}
	}
	b.waiting[ws] = append(b.waiting[ws], r)
	lead := !b.leading[ws]
	b.leading[ws] = true
	b.mu.Unlock()
	if lead {
		b.lead(w, ws)
	}
}

// lead commits the batch at the head of the workspace's queue, which holds the leader's
// own request, and hands the lead on: a goroutine of its own commits the requests that
// came meanwhile, and so on while any wait. The leader's caller is answered after its
// own batch, however long the load lasts; the lead ends when the queue is empty.
func (b *batcher[R]) lead(w store.Workspace, ws string) {
	batch := b.take(ws)
	if batch == nil {
		return
	}
	b.commit(w, batch)
	go b.lead(w, ws)
}

// take removes the batch at the head of a workspace's queue; nil, and the lead given up,
// when none waits.
func (b *batcher[R]) take(ws string) []R {
	b.mu.Lock()
	defer b.mu.Unlock()
	q := b.waiting[ws]
	if len(q) == 0 {
		delete(b.leading, ws)
		return nil
	}
	n, size := 0, 0
	for n < len(q) && (n == 0 || size+b.size(q[n]) <= b.max) {
		size += b.size(q[n])
		n++
	}
	if n == len(q) {
		delete(b.waiting, ws)
	} else {
		b.waiting[ws] = q[n:]
	}
	return q[:n:n]
}

// commitGroup runs a group's appends in one unit of work and answers them.
func (s *Store) commitGroup(w store.Workspace, group []*appendReq) {
	defer func() {
		for _, r := range group {
			close(r.done)
		}
	}()
	if len(group) > 1 {
		reqs := make([][]*event.Event, len(group))
		for i, r := range group {
			reqs[i] = r.evs
		}
		var out [][]store.AppendResult
		// The unit runs on behalf of every request: it ends only with the store, not
		// with one caller giving up (a caller that did may still find its events stored,
		// as with the Badger committer).
		err := s.run(context.Background(), w, func(u *unit) (err error) {
			out, err = u.appendAll(reqs)
			return err
		})
		if err == nil {
			for i, r := range group {
				r.res = out[i]
			}
			return
		}
	}
	for _, r := range group {
		err := s.run(r.ctx, w, func(u *unit) error {
			out, err := u.appendAll([][]*event.Event{r.evs})
			if err == nil {
				r.res = out[0]
			}
			return err
		})
		r.err = err
	}
}
