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
// tried again one request at a time, so that one bad request fails alone.

// maxGroupEvents bounds the events of one group's transaction.
const maxGroupEvents = 4096

type appendReq struct {
	ctx  context.Context
	evs  []*event.Event
	res  []store.AppendResult
	err  error
	done chan struct{}
}

// groups holds, per workspace, the appends waiting for the leader.
type groups struct {
	mu      sync.Mutex
	waiting map[string][]*appendReq
	leading map[string]bool
}

func (g *groups) append(ctx context.Context, s *Store, w store.Workspace, evs []*event.Event) ([]store.AppendResult, error) {
	r := &appendReq{ctx: ctx, evs: evs, done: make(chan struct{})}
	ws := wsID(w)
	g.mu.Lock()
	if g.waiting == nil {
		g.waiting, g.leading = map[string][]*appendReq{}, map[string]bool{}
	}
	g.waiting[ws] = append(g.waiting[ws], r)
	lead := !g.leading[ws]
	g.leading[ws] = true
	g.mu.Unlock()
	if lead {
		g.lead(s, w, ws)
	}
	// A caller that gives up is answered at once; its events may still be committed (as
	// with the Badger committer): a retry is idempotent through the event ids.
	select {
	case <-r.done:
		return r.res, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// lead commits the group at the head of the workspace's queue, which holds the leader's
// own append, and hands the lead on: a goroutine of its own commits the appends that
// came meanwhile, and so on while any wait. The leader's caller is answered after its
// own group, however long the load lasts; the lead ends when the queue is empty.
func (g *groups) lead(s *Store, w store.Workspace, ws string) {
	group := g.take(ws)
	if group == nil {
		return
	}
	s.commitGroup(w, group)
	go g.lead(s, w, ws)
}

// take removes the group at the head of a workspace's queue, up to maxGroupEvents events;
// nil, and the lead given up, when none waits.
func (g *groups) take(ws string) []*appendReq {
	g.mu.Lock()
	defer g.mu.Unlock()
	q := g.waiting[ws]
	if len(q) == 0 {
		delete(g.leading, ws)
		return nil
	}
	n, events := 0, 0
	for n < len(q) && (n == 0 || events+len(q[n].evs) <= maxGroupEvents) {
		events += len(q[n].evs)
		n++
	}
	if n == len(q) {
		delete(g.waiting, ws)
	} else {
		g.waiting[ws] = q[n:]
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
