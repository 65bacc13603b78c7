// Package ingest is the one way events enter jds, whoever brings them: the HTTP ingest
// routes, inbound webhooks, pollers and IVR flows all go through a Pipeline.
//
// The path of an event is one straight line:
//
//	validate → prepare → commit → ack → publish
//
// Callers validate (event.Decode and the inbound mappings make *event.Event values, and
// answer for what they refuse) and check the workspace's quota, then hand the valid
// events to Append: each Preparer does its per-event work on the caller's goroutine (decoding what the profiles will count), the store commits them in one unit
// of work with their identity changes, derived state and deliveries, and Append returns
// once that is durable: the caller acknowledges. The store then tells its commit
// listeners (store.Events.OnCommit: live streams, the delivery worker), in commit order.
package ingest

import (
	"context"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/store"
)

// Pipeline takes validated events into the store. It is safe for concurrent use.
type Pipeline struct {
	store   store.Events
	prepare []store.Preparer
	count   func(accepted, duplicates, rejected int)
}

// Options configure a Pipeline. Each may be left zero.
type Options struct {
	// Prepare are told of each event before it is committed (see store.Preparer).
	Prepare []store.Preparer
	// Count is told of the events each Append stored and found duplicate, and of those
	// a caller refused (Refused), for metrics.
	Count func(accepted, duplicates, rejected int)
}

// New returns the pipeline into st.
func New(st store.Events, o Options) *Pipeline {
	if o.Count == nil {
		o.Count = func(int, int, int) {}
	}
	return &Pipeline{store: st, prepare: o.Prepare, count: o.Count}
}

// Append prepares valid events and commits them; it returns once they are durable, with
// what became of each (see store.Events.Append). It is Prepare then Commit.
func (p *Pipeline) Append(ctx context.Context, w store.Workspace, evs []*event.Event) ([]store.AppendResult, error) {
	p.Prepare(w, evs)
	return p.Commit(ctx, w, evs)
}

// Prepare does each Preparer's per-event work on the caller's goroutine: the CPU-heavy
// part of Append that comes before the commit. A caller that bounds how many requests
// prepare at once (the HTTP ingest gate) calls Prepare and Commit apart, so that it
// holds its slot while preparing and not while the commit is awaited.
func (p *Pipeline) Prepare(w store.Workspace, evs []*event.Event) {
	for _, pr := range p.prepare {
		for _, ev := range evs {
			pr.Prepare(w, ev)
		}
	}
}

// Commit stores events Prepare has seen, in one unit of work, and counts them; it
// returns once they are durable, with what became of each (see store.Events.Append).
func (p *Pipeline) Commit(ctx context.Context, w store.Workspace, evs []*event.Event) ([]store.AppendResult, error) {
	if len(evs) == 0 {
		return nil, nil
	}
	res, err := p.store.Append(ctx, w, evs)
	if err != nil {
		return nil, err
	}
	dups := 0
	for _, r := range res {
		if r.Duplicate {
			dups++
		}
	}
	p.count(len(res)-dups, dups, 0)
	return res, nil
}

// Refused counts events a caller refused as invalid.
func (p *Pipeline) Refused(n int) {
	if n > 0 {
		p.count(0, 0, n)
	}
}
