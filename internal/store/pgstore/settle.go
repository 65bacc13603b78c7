package pgstore

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	"github.com/google/uuid"

	"github.com/openjds/jds/internal/store"
)

// Settling. The delivery worker records each attempt as soon as the partner answers, from
// as many goroutines as sends are under way: one transaction and one WAL flush each, as
// many as a busy workspace's events cost in group commits. Settles of a workspace that
// wait while one of its batches commits are committed together instead, as appends are
// (group.go): one statement reads and locks their deliveries, one writes them back.

// maxSettles bounds the settles of one transaction.
const maxSettles = 256

type settleReq struct {
	ctx  context.Context
	d    *store.Delivery
	o    store.Outcome
	err  error
	done chan struct{}
}

// Settle: see store.Outbox.
func (s *Store) Settle(ctx context.Context, d *store.Delivery, o store.Outcome) error {
	r := &settleReq{ctx: ctx, d: d, o: o, done: make(chan struct{})}
	s.settles.add(d.Workspace, r)
	select {
	case <-r.done:
		return r.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// commitSettles commits a batch of settles in one unit and answers them; when the unit
// fails, each is tried again alone, so that what failed it fails alone.
func (s *Store) commitSettles(w store.Workspace, batch []*settleReq) {
	defer func() {
		for _, r := range batch {
			close(r.done)
		}
	}()
	// The unit runs on behalf of every request, as a group of appends does.
	if len(batch) > 1 && s.settleAll(context.Background(), w, batch) == nil {
		return
	}
	for _, r := range batch {
		if err := s.settleAll(r.ctx, w, []*settleReq{r}); err != nil {
			r.err = err
		}
	}
}

// settleAll records the attempts of batch in one unit, under the row locks of their
// deliveries only (runOnDelivery). A settle whose
// delivery is gone or no longer pending (settled by another node, erased) gets
// store.ErrNotFound and leaves the others to commit; the unit's own failure is returned.
func (s *Store) settleAll(ctx context.Context, w store.Workspace, batch []*settleReq) error {
	return s.runOnDelivery(ctx, w, func(u *unit) error {
		keys := make([]uuid.UUID, len(batch)) // the zero UUID: no delivery's
		ids := make([]uuid.UUID, 0, len(batch))
		for i, r := range batch {
			r.err = nil // a unit run again starts afresh
			if id, err := uuid.Parse(r.d.ID); err == nil {
				keys[i], ids = id, append(ids, id)
			}
		}
		// Locked in the order of ids, a lookup by key each (as in events.go: a plan that
		// statistics cannot turn into a scan of the workspace's deliveries).
		slices.SortFunc(ids, func(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) })
		rows, err := u.tx.Query(u.ctx, `SELECT d.id, d.person_id, d.record FROM unnest($2::uuid[]) AS k(id),
			LATERAL (SELECT id, person_id, record FROM deliveries x WHERE x.workspace_id = $1 AND x.id = k.id FOR UPDATE) d`, u.ws, ids)
		if err != nil {
			return fmt.Errorf("reading deliveries: %w", err)
		}
		type row struct {
			d      *store.Delivery
			person string
		}
		cur := make(map[uuid.UUID]row, len(ids))
		for rows.Next() {
			var id, p uuid.UUID
			var raw []byte
			if err := rows.Scan(&id, &p, &raw); err != nil {
				rows.Close()
				return err
			}
			d, err := store.DecodeDelivery(raw)
			if err != nil {
				rows.Close()
				return err
			}
			cur[id] = row{d, p.String()}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("reading deliveries: %w", err)
		}
		next := make([]*store.Delivery, 0, len(batch))
		for i, r := range batch {
			c, ok := cur[keys[i]]
			if !ok || c.person != r.d.PersonID {
				r.err = fmt.Errorf("delivery %q: %w", r.d.ID, store.ErrNotFound)
				continue
			}
			n, err := c.d.Settled(r.o)
			if err != nil {
				r.err = err
				continue
			}
			cur[keys[i]] = row{n, c.person}
			next = append(next, n)
		}
		return u.queueDeliveries(next)
	})
}
