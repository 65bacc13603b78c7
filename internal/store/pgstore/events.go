package pgstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/identity"
	"github.com/openjds/jds/internal/store"
)

// Append: see store.Events. The events of one call are one unit of work.
func (s *Store) Append(ctx context.Context, w store.Workspace, evs []*event.Event) ([]store.AppendResult, error) {
	if len(evs) == 0 {
		return nil, nil
	}
	var results []store.AppendResult
	err := s.run(ctx, w, func(u *unit) error {
		results = results[:0]
		dups, err := u.stored(evs)
		if err != nil {
			return err
		}
		for _, ev := range evs {
			res, err := u.appendEvent(ev, dups)
			if err != nil {
				return fmt.Errorf("event %q: %w", ev.ID, err)
			}
			results = append(results, res)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("appending %d events to %s: %w", len(evs), w, err)
	}
	return results, nil
}

// stored reads, in one statement, the persons of the events of evs the workspace holds.
func (u *unit) stored(evs []*event.Event) (map[[2]string]uuid.UUID, error) {
	ids, sources := make([]string, len(evs)), make([]string, len(evs))
	for i, ev := range evs {
		ids[i], sources[i] = ev.ID, ev.Source
	}
	rows, err := u.tx.Query(u.ctx, `SELECT e.id, e.source, e.person_id FROM events e
		JOIN unnest($2::text[], $3::text[]) AS k(id, source) ON e.id = k.id AND e.source = k.source
		WHERE e.workspace_id = $1`, u.ws, ids, sources)
	if err != nil {
		return nil, fmt.Errorf("reading dedupe keys: %w", err)
	}
	defer rows.Close()
	out := map[[2]string]uuid.UUID{}
	for rows.Next() {
		var id, source string
		var p uuid.UUID
		if err := rows.Scan(&id, &source, &p); err != nil {
			return nil, err
		}
		out[[2]string{id, source}] = p
	}
	return out, rows.Err()
}

// appendEvent stores one event unless the workspace holds its source and id; see
// identity.Rules.Owner for whom it is filed under.
func (u *unit) appendEvent(ev *event.Event, stored map[[2]string]uuid.UUID) (store.AppendResult, error) {
	key := [2]string{ev.ID, ev.Source}
	p, dup := u.seen[key]
	if !dup {
		p, dup = stored[key]
	}
	if dup {
		live, err := identity.Live(u, p)
		if err != nil {
			return store.AppendResult{}, err
		}
		return store.AppendResult{PersonID: live.ID, Duplicate: true}, nil
	}
	owner, err := u.s.rules.Owner(u, identity.Sighting{Kind: ev.IdentityType, Alias: ev.Alias, Identity: ev.Identity, Previous: ev.PreviousIdentity})
	if err != nil {
		return store.AppendResult{}, err
	}
	u.seq++
	u.events = append(u.events, eventRow{seq: u.seq, person: owner, timeNS: ev.Time.UnixNano(), id: ev.ID, source: ev.Source, typ: ev.Type, raw: ev.Raw})
	u.seen[key] = owner
	if err := u.derive(owner, store.StoredEvent{Time: ev.Time, Seq: u.seq, Type: ev.Type, Raw: ev.Raw, Prepared: ev.Prepared}); err != nil {
		return store.AppendResult{}, fmt.Errorf("deriving state: %w", err)
	}
	id := owner.String()
	u.committed = append(u.committed, store.Committed{Workspace: u.w, PersonID: id, EventID: ev.ID, Seq: u.seq, Raw: ev.Raw})
	return store.AppendResult{PersonID: id}, nil
}

// personIDs are the person and every person merged into it.
func personIDs(l identity.Lookup, p *identity.Person) []string {
	return append([]string{p.ID}, p.MergedIDs(identity.ByID(l))...)
}

// History: see store.Events. Without a filter the page is the database's; with one,
// events are read newest first and filtered here until the page is full.
func (s *Store) History(ctx context.Context, w store.Workspace, p *identity.Person, q store.Query) ([][]byte, error) {
	var out [][]byte
	if q.Limit <= 0 {
		return nil, nil
	}
	err := s.view(ctx, func(tx pgx.Tx) error {
		r := reader{ctx: ctx, tx: tx, ws: wsID(w)}
		ids := personIDs(r, p)
		const newestFirst = `SELECT raw FROM events WHERE workspace_id = $1 AND person_id = ANY($2::uuid[])
			ORDER BY time_ns DESC, seq DESC`
		if q.Match == nil {
			rows, err := tx.Query(ctx, newestFirst+" OFFSET $3 LIMIT $4", r.ws, ids, q.Offset, q.Limit)
			if err != nil {
				return err
			}
			out, err = pgx.CollectRows(rows, pgx.RowTo[[]byte])
			return err
		}
		rows, err := tx.Query(ctx, newestFirst, r.ws, ids)
		if err != nil {
			return err
		}
		defer rows.Close()
		skip := q.Offset
		for len(out) < q.Limit && rows.Next() {
			var raw []byte
			if err := rows.Scan(&raw); err != nil {
				return err
			}
			if !q.Match(raw) {
				continue
			}
			if skip > 0 {
				skip--
				continue
			}
			out = append(out, raw)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("reading history of person %s in %s: %w", p.ID, w, err)
	}
	return out, nil
}

// After: see store.Events. With several sources using the id, it resumes after the
// earliest of them: a client may see an event twice, never miss one.
func (s *Store) After(ctx context.Context, w store.Workspace, p *identity.Person, afterID string) ([]store.Committed, error) {
	var out []store.Committed
	err := s.view(ctx, func(tx pgx.Tx) error {
		r := reader{ctx: ctx, tx: tx, ws: wsID(w)}
		var from *int64
		if err := tx.QueryRow(ctx, "SELECT min(seq) FROM events WHERE workspace_id = $1 AND id = $2", r.ws, afterID).Scan(&from); err != nil {
			return err
		}
		if from == nil {
			return fmt.Errorf("event %q: %w", afterID, store.ErrNotFound)
		}
		rows, err := tx.Query(ctx, `SELECT seq, raw FROM events WHERE workspace_id = $1 AND person_id = ANY($2::uuid[]) AND seq > $3
			ORDER BY seq`, r.ws, personIDs(r, p), *from)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var seq int64
			var raw []byte
			if err := rows.Scan(&seq, &raw); err != nil {
				return err
			}
			out = append(out, store.Committed{Workspace: w, PersonID: p.ID, EventID: event.ID(raw), Seq: uint64(seq), Raw: raw})
		}
		return rows.Err()
	})
	return out, err
}

// Event: see store.Events.
func (s *Store) Event(ctx context.Context, w store.Workspace, personID string, t time.Time, seq uint64) ([]byte, error) {
	var raw []byte
	err := s.view(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, "SELECT raw FROM events WHERE workspace_id = $1 AND seq = $2 AND person_id::text = $3 AND time_ns = $4",
			wsID(w), int64(seq), personID, t.UnixNano()).Scan(&raw)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		return err
	})
	return raw, err
}

// Export: see store.Events.
func (s *Store) Export(ctx context.Context, w store.Workspace, id string, person func(*identity.Person) error, emit func(raw []byte) error) error {
	k, err := uuid.Parse(id)
	if err != nil {
		return fmt.Errorf("person %q: %w", id, store.ErrNotFound)
	}
	return s.view(ctx, func(tx pgx.Tx) error {
		r := reader{ctx: ctx, tx: tx, ws: wsID(w)}
		p, err := identity.Live(r, k)
		if err != nil {
			return err
		}
		if err := person(p); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT raw FROM events WHERE workspace_id = $1 AND person_id = ANY($2::uuid[])
			ORDER BY time_ns DESC, seq DESC`, r.ws, personIDs(r, p))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var raw []byte
			if err := rows.Scan(&raw); err != nil {
				return err
			}
			if err := emit(raw); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}

// expireChunk bounds the events one unit of retention deletes.
const expireChunk = 5000

// ExpireEvents: see store.Events. Each chunk is a unit of work that deletes events
// older than cutoff and rebuilds the derived state of the persons that lost some.
func (s *Store) ExpireEvents(ctx context.Context, w store.Workspace, cutoff time.Time, progress func(store.Expired)) (store.Expired, error) {
	var total store.Expired
	var known bool
	err := s.view(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM workspaces WHERE workspace_id = $1)", wsID(w)).Scan(&known)
	})
	if err != nil || !known {
		return total, err // an unknown workspace has nothing to expire
	}
	lost := map[uuid.UUID]bool{}
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		n := 0
		err := s.run(ctx, w, func(u *unit) error {
			rows, err := u.tx.Query(u.ctx, `DELETE FROM events WHERE workspace_id = $1 AND seq IN (
				SELECT seq FROM events WHERE workspace_id = $1 AND time_ns < $2 LIMIT $3) RETURNING person_id`,
				u.ws, cutoff.UnixNano(), expireChunk)
			if err != nil {
				return err
			}
			persons, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
			if err != nil {
				return err
			}
			n = len(persons)
			var rebuild []uuid.UUID
			seen := map[uuid.UUID]bool{}
			for _, p := range persons {
				if !seen[p] {
					seen[p] = true
					rebuild = append(rebuild, p)
				}
			}
			if d := u.s.opts.Deriver; d != nil {
				for _, p := range rebuild {
					if err := d.Rebuild(u.state(p), u.eventsOf(p)); err != nil {
						return fmt.Errorf("rebuilding derived state of person %s: %w", p, err)
					}
				}
			}
			for p := range seen {
				lost[p] = true
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		if n == 0 {
			return total, nil
		}
		total.Events += n
		total.Persons = len(lost)
		total.Chunks++
		if progress != nil {
			progress(total)
		}
	}
}
