package pgstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/openjds/jds/internal/store"
)

// The sweep (store.Outbox.Sweep) reads each workspace's due deliveries through the index
// deliveries_due_by_workspace, a bounded share at a time, and remembers where it stopped
// in each. Those positions are this node's: every node sweeps on its own.

// sweepState is where this node's sweeps stopped.
type sweepState struct {
	mu   sync.Mutex
	next string               // the workspace the next sweep starts with ("" for the first)
	from map[string]*queuePos // in each workspace, the delivery the next sweep starts at
	// names are the workspaces by id, as the sweeps met them (an id's never changes).
	names map[string]store.Workspace
}

// Sweep: see store.Outbox. What Take accepted is claimed for this node (see claim).
func (s *Store) Sweep(ctx context.Context, now time.Time, limit, perWorkspace int, p store.Picker) (store.Swept, error) {
	if limit <= 0 || perWorkspace <= 0 {
		return store.Swept{}, fmt.Errorf("sweep: limit %d and perWorkspace %d must be positive", limit, perWorkspace)
	}
	st := &s.sweep
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.from == nil {
		st.from = map[string]*queuePos{}
	}
	q := &s.queue // the sweep moves where PickNew starts
	q.scanning.Lock()
	defer q.scanning.Unlock()
	var out store.Swept
	err := s.view(ctx, func(tx pgx.Tx) error {
		sc := &pgSweep{s: s, ctx: ctx, tx: tx, now: now, limit: limit, p: p, out: &out, st: st}
		start, wrapped := st.next, false
		ws, after := start, false
		for {
			next, ok, err := sc.nextWorkspace(ws, after)
			if err != nil {
				return err
			}
			if ok && wrapped && next >= start {
				ok = false // round
			}
			if !ok {
				if wrapped || start == "" {
					st.next, out.Complete = "", true
					return nil
				}
				ws, after, wrapped = "", false, true
				continue
			}
			ws, after = next, true
			whole, err := sc.workspace(ws, perWorkspace, st)
			if err != nil {
				return err
			}
			w, err := sc.name(ws)
			if err != nil {
				return err
			}
			if whole {
				out.Whole = append(out.Whole, w)
			} else {
				out.Partial = append(out.Partial, w)
			}
			if len(out.Deliveries) >= limit {
				// The next workspace's turn; this one goes on from where it stopped.
				next, _, err := sc.nextWorkspace(ws, true)
				st.next = next
				return err
			}
		}
	})
	// After a sweep that took less than its limit, PickNew reads what comes due after
	// now, and what this node queued since the last Pick or PickNew (the sweep may have
	// left it beyond its workspace's share): what else is due by now is the sweeps' (a
	// workspace's backlog past its share is met by the next ones, in turn).
	if err == nil && len(out.Deliveries) < limit {
		q.mu.Lock()
		q.stop, q.scanned = &queuePos{now.UTC(), uuid.Max.String()}, true
		q.mu.Unlock()
	}
	if err != nil {
		return out, err
	}
	out.Deliveries, err = s.claim(ctx, now, out.Deliveries)
	return out, err
}

// pgSweep is one sweep under way.
type pgSweep struct {
	s      *Store
	ctx    context.Context
	tx     pgx.Tx
	now    time.Time
	limit  int
	p      store.Picker
	out    *store.Swept
	budget int // what is left of the workspace's share
	st     *sweepState
}

// nextWorkspace is the first workspace with deliveries due by now from ws on (after it,
// with after); ok is false when there is none.
func (sc *pgSweep) nextWorkspace(ws string, after bool) (next string, ok bool, err error) {
	op := ">="
	if after {
		op = ">"
	}
	err = sc.tx.QueryRow(sc.ctx, `SELECT workspace_id FROM deliveries
		WHERE state = 'pending' AND workspace_id `+op+` $1 AND due <= $2
		ORDER BY workspace_id LIMIT 1`, ws, sc.now).Scan(&next)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	return next, err == nil, err
}

// workspace meets the due deliveries of ws, at most per of them, from where the last
// sweep stopped there and from the start again after the last. It reports whether it
// met every one, and records where the next sweep starts in ws.
func (sc *pgSweep) workspace(ws string, per int, st *sweepState) (whole bool, err error) {
	sc.budget = per
	from := st.from[ws]
	stop, err := sc.meet(ws, from, nil)
	if err == nil && stop == nil && from != nil {
		stop, err = sc.meet(ws, nil, from) // what is before where it began
	}
	if err != nil {
		return false, err
	}
	if stop != nil {
		st.from[ws] = stop
		return false, nil
	}
	delete(st.from, ws)
	return true, nil
}

// meet reads ws's due deliveries in queue order from position from (nil: the start),
// before position until (nil: to the end), through the picker, passing over those
// another node holds. It returns the first it did not meet because the share or the
// limit was spent, or nil when it met all of them.
func (sc *pgSweep) meet(ws string, from, until *queuePos) (stop *queuePos, err error) {
	q := `SELECT id, due, record FROM deliveries
		WHERE workspace_id = $1 AND state = 'pending' AND due <= $2
			AND (claimed_until IS NULL OR claimed_until <= $2 OR claimed_by = $3)`
	args := []any{ws, sc.now, sc.s.opts.Node}
	if from != nil {
		q += fmt.Sprintf(" AND (due, id) >= ($%d, $%d::uuid)", len(args)+1, len(args)+2)
		args = append(args, from.due, from.id)
	}
	if until != nil {
		q += fmt.Sprintf(" AND (due, id) < ($%d, $%d::uuid)", len(args)+1, len(args)+2)
		args = append(args, until.due, until.id)
	}
	// One more than the share: the one after it is where the next sweep starts.
	q += fmt.Sprintf(" ORDER BY due, id LIMIT $%d", len(args)+1)
	args = append(args, sc.budget+1)
	rows, err := sc.tx.Query(sc.ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id uuid.UUID
		var due time.Time
		var raw []byte
		if err := rows.Scan(&id, &due, &raw); err != nil {
			return nil, err
		}
		if sc.budget == 0 || len(sc.out.Deliveries) >= sc.limit {
			return &queuePos{due.UTC(), id.String()}, nil
		}
		sc.budget--
		if sc.p.Pass != nil && sc.p.Pass(id) {
			continue
		}
		d, err := store.DecodeDelivery(raw)
		if err != nil {
			return nil, err
		}
		if sc.p.Take != nil && !sc.p.Take(d) {
			continue
		}
		sc.out.Deliveries = append(sc.out.Deliveries, d)
	}
	return nil, rows.Err()
}

// name is the workspace whose id is ws, read once.
func (sc *pgSweep) name(ws string) (store.Workspace, error) {
	if w, ok := sc.st.names[ws]; ok {
		return w, nil
	}
	var w store.Workspace
	err := sc.tx.QueryRow(sc.ctx, "SELECT org, name FROM workspaces WHERE workspace_id = $1", ws).Scan(&w.Org, &w.Name)
	if err != nil {
		return w, fmt.Errorf("workspace %s of due deliveries: %w", ws, err)
	}
	if sc.st.names == nil {
		sc.st.names = map[string]store.Workspace{}
	}
	sc.st.names[ws] = w
	return w, nil
}
