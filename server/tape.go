package server

import (
	"container/heap"
	"context"
	"fmt"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/store"
)

// tapeChunk is how many events are first read from each person's history; a person
// whose events keep being taken is read again in doubling chunks.
const tapeChunk = 16

// tapeCursor walks one person's history, newest first, a chunk at a time.
type tapeCursor struct {
	person  int
	buf     [][]byte
	fetched int  // events of the person read so far (after filtering)
	done    bool // the history has no more
}

// tapeHeap orders the cursors by the time of their next event, newest first; equal
// times by person order, so that a page is stable.
type tapeHeap []*tapeCursor

func (h tapeHeap) Len() int { return len(h) }
func (h tapeHeap) Less(i, j int) bool {
	ti, tj := eventTime(h[i].buf[0]), eventTime(h[j].buf[0])
	if ti != tj {
		return ti > tj
	}
	return h[i].person < h[j].person
}
func (h tapeHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *tapeHeap) Push(x any)   { *h = append(*h, x.(*tapeCursor)) }
func (h *tapeHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// eventTime is the time of a canonical event as stored: RFC 3339 in UTC with
// milliseconds, so that its text sorts as the time does.
func eventTime(raw []byte) string {
	v, _ := event.Member(raw, "time")
	t, _ := v.(string)
	return t
}

// workspaceTape returns a page of every event of the workspace, newest first, as G2's
// GET /v1/journey/events did: the persons' histories merged. It reads the ledger
// through its per-person reads only.
func (s *Server) workspaceTape(ctx context.Context, ws store.Workspace, q store.Query) ([][]byte, error) {
	persons, err := s.store.Persons(ctx, ws, 0, maxScanPersons+1)
	if err != nil {
		return nil, err
	}
	if len(persons) > maxScanPersons {
		return nil, badRequest(fmt.Sprintf("the workspace has more than %d persons: read one person's events with /v1/journey/events/{identity}", maxScanPersons),
			fmt.Sprintf("identity: required in a workspace of more than %d persons", maxScanPersons))
	}
	fill := func(c *tapeCursor, n int) error {
		evs, err := s.store.History(ctx, ws, persons[c.person], store.Query{Offset: c.fetched, Limit: n, Match: q.Match, Types: q.Types})
		if err != nil {
			return err
		}
		c.buf = append(c.buf, evs...)
		c.fetched += len(evs)
		c.done = len(evs) < n
		return nil
	}
	h := make(tapeHeap, 0, len(persons))
	for i := range persons {
		c := &tapeCursor{person: i}
		if err := fill(c, tapeChunk); err != nil {
			return nil, err
		}
		if len(c.buf) > 0 {
			h = append(h, c)
		}
	}
	heap.Init(&h)
	skip := q.Offset
	var out [][]byte
	for len(out) < q.Limit && h.Len() > 0 {
		c := h[0]
		raw := c.buf[0]
		c.buf = c.buf[1:]
		if skip > 0 {
			skip--
		} else {
			out = append(out, raw)
		}
		if len(c.buf) == 0 && !c.done {
			if err := fill(c, c.fetched); err != nil {
				return nil, err
			}
		}
		if len(c.buf) == 0 {
			heap.Pop(&h)
		} else {
			heap.Fix(&h, 0)
		}
	}
	return out, nil
}
