package pgstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/openjds/jds/internal/identity"
	"github.com/openjds/jds/internal/store"
)

// The outbox: one row per delivery, with due set while it is pending; the partial index
// deliveries_due is the queue that scans read in (due, id) order. The record's states
// and codec are package store's.

// putDelivery writes a delivery record at once.
func (u *unit) putDelivery(d *store.Delivery) error {
	if err := u.queueDeliveries([]*store.Delivery{d}); err != nil {
		return err
	}
	return u.send()
}

// queueDeliveries stages the writes of delivery records, one statement for all of them,
// for the unit's next send. Writing a delivery (settling it) ends its claim. A record
// listed twice is written as last listed.
func (u *unit) queueDeliveries(ds []*store.Delivery) error {
	if len(ds) == 0 {
		return nil
	}
	last := make(map[string]int, len(ds))
	for i, d := range ds {
		last[d.ID] = i
	}
	n := len(last)
	ids, persons, states := make([]string, 0, n), make([]string, 0, n), make([]string, 0, n)
	dues, created, records := make([]*time.Time, 0, n), make([]time.Time, 0, n), make([][]byte, 0, n)
	for i, d := range ds {
		if last[d.ID] != i {
			continue
		}
		raw, err := store.EncodeDelivery(d)
		if err != nil {
			return err
		}
		var due *time.Time
		if d.State == store.Pending {
			due = &d.Due
			if p := (queuePos{d.Due.UTC(), d.ID}); u.queued == nil || p.before(*u.queued) {
				u.queued = &p
			}
		}
		ids, persons, states = append(ids, d.ID), append(persons, d.PersonID), append(states, d.State)
		dues, created, records = append(dues, due), append(created, d.CreatedAt), append(records, raw)
	}
	label := "writing delivery " + ids[0]
	if n > 1 {
		label = fmt.Sprintf("writing %d deliveries", n)
	}
	u.queue(label, `INSERT INTO deliveries (workspace_id, id, person_id, state, due, created_at, record)
		SELECT $1, id::uuid, person_id::uuid, state, due, created_at, record
		FROM unnest($2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::bytea[])
			AS d(id, person_id, state, due, created_at, record)
		ON CONFLICT (workspace_id, id) DO UPDATE SET state = excluded.state, due = excluded.due, record = excluded.record,
			claimed_by = NULL, claimed_until = NULL`,
		u.ws, ids, persons, states, dues, created, records)
	return nil
}

// delivery reads a delivery record in a unit, locking it.
func (u *unit) delivery(personID, id string) (*store.Delivery, error) {
	if _, err := uuid.Parse(id); err != nil {
		return nil, fmt.Errorf("delivery %q: %w", id, store.ErrNotFound)
	}
	var raw []byte
	err := u.tx.QueryRow(u.ctx, "SELECT record FROM deliveries WHERE workspace_id = $1 AND id = $2 AND person_id::text = $3 FOR UPDATE",
		u.ws, id, personID).Scan(&raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("delivery %q: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	return store.DecodeDelivery(raw)
}

// Requeue: see store.Outbox.
func (s *Store) Requeue(ctx context.Context, w store.Workspace, personID, id string) error {
	return s.runOnDelivery(ctx, w, func(u *unit) error {
		cur, err := u.delivery(personID, id)
		if err != nil {
			return err
		}
		next, err := cur.Requeued(u.now)
		if err != nil {
			return err
		}
		return u.putDelivery(next)
	})
}

// Discard: see store.Outbox.
func (s *Store) Discard(ctx context.Context, w store.Workspace, personID, id string) error {
	return s.runOnDelivery(ctx, w, func(u *unit) error {
		cur, err := u.delivery(personID, id)
		if err != nil {
			return err
		}
		if err := cur.CheckDead(); err != nil {
			return err
		}
		_, err = u.tx.Exec(u.ctx, "DELETE FROM deliveries WHERE workspace_id = $1 AND id = $2", u.ws, id)
		return err
	})
}

// Deliveries: see store.Outbox. Newest first.
func (s *Store) Deliveries(ctx context.Context, w store.Workspace, personID, state string) ([]*store.Delivery, error) {
	var out []*store.Delivery
	err := s.view(ctx, func(tx pgx.Tx) error {
		r := reader{ctx, tx, wsID(w)}
		q := "SELECT record FROM deliveries WHERE workspace_id = $1 AND ($2 = '' OR state = $2)"
		args := []any{r.ws, state}
		if personID != "" {
			k, err := uuid.Parse(personID)
			if err != nil {
				return fmt.Errorf("person %q: %w", personID, store.ErrNotFound)
			}
			p, err := identity.Live(r, k)
			if err != nil {
				return err
			}
			q += " AND person_id = ANY($3::uuid[])"
			args = append(args, personIDs(r, p))
		}
		rows, err := tx.Query(ctx, q+" ORDER BY created_at DESC", args...)
		if err != nil {
			return err
		}
		raws, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
		if err != nil {
			return err
		}
		for _, raw := range raws {
			d, err := store.DecodeDelivery(raw)
			if err != nil {
				return err
			}
			out = append(out, d)
		}
		return nil
	})
	return out, err
}

// RecentDeliveries: see store.Outbox. Rows come newest first, one at a time: it stops
// at the first past limit.
func (s *Store) RecentDeliveries(ctx context.Context, w store.Workspace, state string, limit int, match func(*store.Delivery) bool) ([]*store.Delivery, bool, error) {
	if limit <= 0 {
		return nil, false, fmt.Errorf("recent deliveries: limit %d must be positive", limit)
	}
	var out []*store.Delivery
	more := false
	err := s.view(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT record FROM deliveries WHERE workspace_id = $1 AND ($2 = '' OR state = $2)
			ORDER BY created_at DESC, id`, wsID(w), state)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var raw []byte
			if err := rows.Scan(&raw); err != nil {
				return err
			}
			d, err := store.DecodeDelivery(raw)
			if err != nil {
				return err
			}
			if match != nil && !match(d) {
				continue
			}
			if len(out) == limit {
				more = true
				return nil
			}
			out = append(out, d)
		}
		return rows.Err()
	})
	return out, more, err
}

// OutboxStats: see store.Outbox.
func (s *Store) OutboxStats(ctx context.Context) (store.OutboxStats, error) {
	var st store.OutboxStats
	err := s.view(ctx, func(tx pgx.Tx) error {
		var oldest *time.Time
		if err := tx.QueryRow(ctx, "SELECT count(*), min(due) FROM deliveries WHERE state = 'pending'").Scan(&st.Pending, &oldest); err != nil {
			return err
		}
		if oldest != nil {
			st.OldestDue = oldest.UTC()
		}
		return nil
	})
	return st, err
}

// queueScan remembers where scans of the queue stopped, and the earliest delivery this
// node queued since, so that PickNew reads only what is new (see store.Outbox).
type queueScan struct {
	// scanning is held by a scan (Pick, PickNew, Sweep) for its whole run, queries
	// included; mu guards the fields for a moment at a time, so that noteQueued, on
	// every commit that queues a delivery, never waits for a scan's queries.
	scanning sync.Mutex
	mu       sync.Mutex
	stop     *queuePos // where the last Pick or PickNew stopped; nil: unknown
	queued   *queuePos // the earliest delivery queued since the last scan began
	scanned  bool      // a Pick or PickNew ran since Open
}

type queuePos struct {
	due time.Time
	id  string
}

func (a queuePos) before(b queuePos) bool {
	return a.due.Before(b.due) || a.due.Equal(b.due) && a.id < b.id
}

func (q *queueScan) noteQueued(due time.Time, id string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	p := queuePos{due.UTC(), id}
	if q.queued == nil || p.before(*q.queued) {
		q.queued = &p
	}
}

// Due: see store.Outbox.
func (s *Store) Due(ctx context.Context, now time.Time, limit int, skip func(id string) bool) ([]*store.Delivery, error) {
	var p store.Picker
	if skip != nil {
		p.Pass = func(id uuid.UUID) bool { return skip(id.String()) }
	}
	out, _, err := s.scan(ctx, now, limit, nil, p, false)
	return out, err
}

// Pick: see store.Outbox. What Take accepted is claimed for this node (see claim).
func (s *Store) Pick(ctx context.Context, now time.Time, limit int, p store.Picker) ([]*store.Delivery, error) {
	q := &s.queue
	q.scanning.Lock()
	defer q.scanning.Unlock()
	q.mu.Lock()
	queued := q.queued
	q.queued, q.scanned = nil, true
	q.mu.Unlock()
	out, stop, err := s.scan(ctx, now, limit, nil, p, true)
	q.mu.Lock()
	switch {
	case err != nil:
		q.stop = nil
	case q.stop != nil && stop.before(*q.stop):
		// Stopped (at its limit, or enough) before where the last scan did: every
		// delivery before that was met by some scan, and those queued since it began
		// are still to read.
		if queued != nil && (q.queued == nil || queued.before(*q.queued)) {
			q.queued = queued
		}
	default:
		q.stop = stop
	}
	q.mu.Unlock()
	if err != nil {
		return out, err
	}
	return s.claim(ctx, now, out)
}

// PickNew: see store.Outbox. Deliveries other nodes queued come in the next Pick.
func (s *Store) PickNew(ctx context.Context, now time.Time, limit int, p store.Picker) ([]*store.Delivery, error) {
	q := &s.queue
	q.scanning.Lock()
	defer q.scanning.Unlock()
	q.mu.Lock()
	from := q.stop
	if !q.scanned || from == nil {
		from = nil // no scan yet, or the last one failed: read everything
	} else if q.queued != nil && q.queued.before(*from) {
		from = q.queued
	}
	q.queued, q.scanned = nil, true
	q.mu.Unlock()
	out, stop, err := s.scan(ctx, now, limit, from, p, true)
	q.mu.Lock()
	if err != nil {
		q.stop = nil
	} else {
		q.stop = stop
	}
	q.mu.Unlock()
	if err != nil {
		return out, err
	}
	return s.claim(ctx, now, out)
}

// claim takes the deliveries a scan accepted for this node until now plus the lease,
// one statement per workspace, and returns those it got: a delivery another node
// claimed since the scan read it (and whose lease runs) is left out.
func (s *Store) claim(ctx context.Context, now time.Time, ds []*store.Delivery) ([]*store.Delivery, error) {
	if len(ds) == 0 {
		return ds, nil
	}
	byWS := map[string][]string{}
	for _, d := range ds {
		w := wsID(d.Workspace)
		byWS[w] = append(byWS[w], d.ID)
	}
	got := make(map[string]bool, len(ds))
	for w, ids := range byWS {
		rows, err := s.pool.Query(ctx, `UPDATE deliveries SET claimed_by = $3, claimed_until = $4
			WHERE workspace_id = $1 AND id = ANY($2::uuid[]) AND state = 'pending'
				AND (claimed_until IS NULL OR claimed_until <= $5 OR claimed_by = $3)
			RETURNING id::text`, w, ids, s.opts.Node, now.Add(s.opts.Lease), now)
		if err != nil {
			return nil, fmt.Errorf("claiming deliveries: %w", err)
		}
		claimed, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return nil, fmt.Errorf("claiming deliveries: %w", err)
		}
		for _, id := range claimed {
			got[id] = true
		}
	}
	kept := ds[:0]
	for _, d := range ds {
		if got[d.ID] {
			kept = append(kept, d)
		}
	}
	return kept, nil
}

// scanPage is how many deliveries a scan reads per statement. With a LIMIT the planner
// reads the queue index in order and stops; without one it may sort every due delivery
// first (a generic plan costed on a short queue, kept while a partner's outage grows it).
const scanPage = 256

// errScanStopped ends a scan's page early: the scan has taken what it needed.
var errScanStopped = errors.New("scan stopped")

// scan reads pending deliveries due by now in queue order, from position from (nil: the
// start), through p, until limit are taken; stop is where it stopped. With mine, it
// passes over the deliveries another node holds. It reads a page at a time, in one
// snapshot.
func (s *Store) scan(ctx context.Context, now time.Time, limit int, from *queuePos, p store.Picker, mine bool) (out []*store.Delivery, stop *queuePos, err error) {
	err = s.view(ctx, func(tx pgx.Tx) error {
		seen, past := 0, false // past: from has been read, the next page starts after it
		for {
			q, args := s.scanQuery(now, mine, from, past)
			rows, err := tx.Query(ctx, q, args...)
			if err != nil {
				return err
			}
			var id uuid.UUID
			var due time.Time
			var raw []byte
			read := 0
			_, err = pgx.ForEachRow(rows, []any{&id, &due, &raw}, func() error {
				read++
				pos := queuePos{due.UTC(), id.String()}
				if len(out) >= limit {
					stop = &pos
					return errScanStopped
				}
				seen++
				if p.Enough != nil && seen%64 == 0 && p.Enough() {
					stop = &pos
					return errScanStopped
				}
				from, past = &pos, true
				if p.Pass != nil && p.Pass(id) {
					return nil
				}
				d, err := store.DecodeDelivery(raw)
				if err != nil {
					return err
				}
				if p.Take == nil || p.Take(d) {
					out = append(out, d)
				}
				return nil
			})
			switch {
			case errors.Is(err, errScanStopped):
				return nil
			case err != nil:
				return err
			case read < scanPage:
				// At the end: whatever is pending is due after now, where the next scan
				// of new work starts.
				stop = &queuePos{now.UTC(), uuid.Max.String()}
				return nil
			}
		}
	})
	return out, stop, err
}

// scanQuery is the statement of a scan's page: pending deliveries due by now, in queue
// order from position from (nil: the start; past: after it), with mine only those this
// node may take.
func (s *Store) scanQuery(now time.Time, mine bool, from *queuePos, past bool) (string, []any) {
	q := "SELECT id, due, record FROM deliveries WHERE state = 'pending' AND due <= $1"
	args := []any{now}
	if mine {
		q += " AND (claimed_until IS NULL OR claimed_until <= $1 OR claimed_by = $2)"
		args = append(args, s.opts.Node)
	}
	if from != nil {
		op := ">="
		if past {
			op = ">"
		}
		n := len(args)
		q += fmt.Sprintf(" AND (due, id) %s ($%d, $%d::uuid)", op, n+1, n+2)
		args = append(args, from.due, from.id)
	}
	return q + fmt.Sprintf(" ORDER BY due, id LIMIT %d", scanPage), args
}
