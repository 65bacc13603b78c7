package pgstore

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/openjds/jds/internal/identity"
	"github.com/openjds/jds/internal/store"
)

// state is the derived state of one person in a unit: store.State.
type state struct {
	u      *unit
	person uuid.UUID
}

func (u *unit) state(p uuid.UUID) *state { return &state{u: u, person: p} }

func (s *state) Workspace() store.Workspace { return s.u.w }
func (s *state) Person() string             { return s.person.String() }
func (s *state) Now() time.Time             { return s.u.now }

func (s *state) Get(name string) ([]byte, error) { return s.u.getState(s.person, name) }

func (s *state) Set(name string, v []byte) error {
	r, err := s.u.stateRow(s.person)
	if err != nil {
		return err
	}
	r.values[name], r.dirty = v, true
	return nil
}

func (s *state) Delete(name string) error {
	r, err := s.u.stateRow(s.person)
	if err != nil {
		return err
	}
	if _, ok := r.values[name]; ok {
		delete(r.values, name)
		r.dirty = true
	}
	return nil
}

func (s *state) GetMerged(name string) ([][]byte, error) {
	p, err := s.Record()
	if err != nil {
		return nil, err
	}
	var out [][]byte
	for _, id := range append([]string{p.ID}, p.MergedIDs(identity.ByID(s.u))...) {
		k, err := uuid.Parse(id)
		if err != nil {
			return nil, err
		}
		v, err := s.u.getState(k, name)
		if err != nil {
			return nil, err
		}
		if v != nil {
			out = append(out, v)
		}
	}
	return out, nil
}

func (s *state) Record() (*identity.Person, error) { return s.u.Person(s.person) }

// Clear removes every value of the person: those of the unit, and those stored.
func (s *state) Clear() error {
	s.u.states[s.person] = &stateRow{values: map[string][]byte{}, dirty: true}
	return nil
}

func (s *state) Enqueue(payload []byte, due time.Time) (string, error) {
	d := store.NewDelivery(s.u.w, s.person.String(), payload, due, s.u.now)
	s.u.deliveries = append(s.u.deliveries, d)
	return d.ID, nil
}

func (s *state) EnqueueDead(payload []byte, reason string) (string, error) {
	d := store.NewDeadDelivery(s.u.w, s.person.String(), payload, reason, s.u.now)
	s.u.deliveries = append(s.u.deliveries, d)
	return d.ID, nil
}

func (s *state) EnqueueShadow(payload []byte, due time.Time) (string, error) {
	d := store.NewShadowDelivery(s.u.w, s.person.String(), payload, due, s.u.now)
	s.u.deliveries = append(s.u.deliveries, d)
	return d.ID, nil
}

func (s *state) EnqueueHeld(payload []byte, due time.Time, h store.PolicyHold) (string, error) {
	d := store.NewHeldDelivery(s.u.w, s.person.String(), payload, due, h, s.u.now)
	s.u.deliveries = append(s.u.deliveries, d)
	return d.ID, nil
}

// getState reads a value as the unit sees it; nil when absent.
func (u *unit) getState(p uuid.UUID, name string) ([]byte, error) {
	r, err := u.stateRow(p)
	if err != nil {
		return nil, err
	}
	return r.values[name], nil
}

// stateRow is the derived state of person p as the unit sees it, read on first use: with
// the state of every owner of the group's aliases when p is one of them (stateOwners),
// else alone. A person made in the unit has none stored.
func (u *unit) stateRow(p uuid.UUID) (*stateRow, error) {
	if r, ok := u.states[p]; ok {
		return r, nil
	}
	if owners := u.stateOwners; owners != nil {
		u.stateOwners = nil
		if err := u.prefetchStates(owners); err != nil {
			return nil, err
		}
		if r, ok := u.states[p]; ok {
			return r, nil
		}
	}
	r := &stateRow{values: map[string][]byte{}}
	if pr := u.persons[p]; pr == nil || !pr.fresh {
		var names []string
		var vals [][]byte
		err := u.tx.QueryRow(u.ctx, "SELECT names, vals FROM states WHERE workspace_id = $1 AND person_id = $2", u.ws, p).Scan(&names, &vals)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return nil, fmt.Errorf("reading derived state: %w", err)
		}
		if err := r.fill(names, vals); err != nil {
			return nil, err
		}
	}
	u.states[p] = r
	return r, nil
}

// fill sets the values of a row read from states.
func (r *stateRow) fill(names []string, vals [][]byte) error {
	if len(names) != len(vals) {
		return fmt.Errorf("reading derived state: %d names for %d values", len(names), len(vals))
	}
	for i, n := range names {
		r.values[n] = vals[i]
	}
	return nil
}

// derive hands a newly stored event to the deriver.
func (u *unit) derive(p uuid.UUID, ev store.StoredEvent) error {
	d := u.s.opts.Deriver
	if d == nil {
		return nil
	}
	return d.Derive(u.state(p), ev)
}

// States: see store.Profiles.
func (s *Store) States(ctx context.Context, w store.Workspace, p *identity.Person, names []string) (map[string][]store.PersonState, error) {
	names = slices.Compact(slices.Sorted(slices.Values(names)))
	out := map[string][]store.PersonState{}
	err := s.view(ctx, func(tx pgx.Tx) error {
		r := reader{ctx: ctx, tx: tx, ws: wsID(w)}
		ids := append([]string{p.ID}, p.MergedIDs(identity.ByID(r))...)
		rows, err := tx.Query(ctx, "SELECT person_id, names, vals, version FROM states WHERE workspace_id = $1 AND person_id = ANY($2::uuid[])", r.ws, ids)
		if err != nil {
			return err
		}
		defer rows.Close()
		byPerson := map[string]map[string]store.PersonState{}
		for rows.Next() {
			var id uuid.UUID
			var ns []string
			var vals [][]byte
			var ver int64
			if err := rows.Scan(&id, &ns, &vals, &ver); err != nil {
				return err
			}
			if len(ns) != len(vals) {
				return fmt.Errorf("derived state of %s: %d names for %d values", id, len(ns), len(vals))
			}
			ps := map[string]store.PersonState{}
			for i, n := range ns {
				if _, ok := slices.BinarySearch(names, n); ok {
					ps[n] = store.PersonState{PersonID: id.String(), Value: vals[i], Version: uint64(ver)}
				}
			}
			byPerson[id.String()] = ps
		}
		if err := rows.Err(); err != nil {
			return err
		}
		// In the order the Badger backend gives them: the live person, then merged ones.
		for _, id := range ids {
			for _, name := range names {
				if ps, ok := byPerson[id][name]; ok {
					out[name] = append(out[name], ps)
				}
			}
		}
		return nil
	})
	return out, err
}

// Backfill: see store.Profiles. Persons are listed from one snapshot, then rebuilt a
// few per unit of work.
func (s *Store) Backfill(ctx context.Context, w store.Workspace, fn store.RebuildFunc, progress func(done, total int)) error {
	var ids []uuid.UUID
	err := s.view(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, "SELECT person_id FROM persons WHERE workspace_id = $1 ORDER BY person_id", wsID(w))
		if err != nil {
			return err
		}
		ids, err = pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
		return err
	})
	if err != nil {
		return fmt.Errorf("listing persons of %s: %w", w, err)
	}
	const chunk = 32
	for done := 0; done < len(ids); {
		part := ids[done:min(done+chunk, len(ids))]
		err := s.run(ctx, w, func(u *unit) error {
			for _, p := range part {
				if _, err := u.Person(p); errors.Is(err, store.ErrNotFound) {
					continue // erased since the listing
				} else if err != nil {
					return err
				}
				if err := fn(u.state(p), u.eventsOf(p)); err != nil {
					return fmt.Errorf("backfilling person %s: %w", p, err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		done += len(part)
		if progress != nil {
			progress(done, len(ids))
		}
	}
	return nil
}

// flushStates writes back the rows of derived state the unit changed, in one statement
// (the values of all persons, in one list, gathered into their rows), and deletes those
// left without a value.
func (u *unit) flushStates() {
	var ps []uuid.UUID
	var names []string
	var vals [][]byte
	var empty []uuid.UUID
	for p, r := range u.states {
		if !r.dirty {
			continue
		}
		r.dirty = false
		if len(r.values) == 0 {
			empty = append(empty, p)
			continue
		}
		for _, n := range slices.Sorted(maps.Keys(r.values)) {
			ps, names, vals = append(ps, p), append(names, n), append(vals, r.values[n])
		}
	}
	if len(empty) > 0 {
		u.queue("deleting derived state", "DELETE FROM states WHERE workspace_id = $1 AND person_id = ANY($2::uuid[])", u.ws, empty)
	}
	if len(ps) > 0 {
		u.queue("writing derived state", `INSERT INTO states (workspace_id, person_id, names, vals, version)
		SELECT $1, p, array_agg(n ORDER BY i), array_agg(v ORDER BY i), pg_current_xact_id()::text::bigint
		FROM unnest($2::uuid[], $3::text[], $4::bytea[]) WITH ORDINALITY AS t(p, n, v, i) GROUP BY p
		ON CONFLICT (workspace_id, person_id) DO UPDATE SET names = excluded.names, vals = excluded.vals, version = excluded.version`,
			u.ws, ps, names, vals)
	}
}
