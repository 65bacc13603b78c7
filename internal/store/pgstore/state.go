package pgstore

import (
	"context"
	"errors"
	"fmt"
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
	s.u.states[stateKey{s.person, name}] = &stateRow{value: v, dirty: true}
	return nil
}

func (s *state) Delete(name string) error {
	s.u.states[stateKey{s.person, name}] = &stateRow{dirty: true}
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
	for k := range s.u.states {
		if k.person == s.person {
			delete(s.u.states, k)
		}
	}
	rows, err := s.u.tx.Query(s.u.ctx, "SELECT name FROM states WHERE workspace_id = $1 AND person_id = $2", s.u.ws, s.person)
	if err != nil {
		return err
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	for _, n := range names {
		s.u.states[stateKey{s.person, n}] = &stateRow{dirty: true}
	}
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
	k := stateKey{p, name}
	if r, ok := u.states[k]; ok {
		return r.value, nil
	}
	if owners := u.stateOwners; owners != nil {
		u.stateOwners = nil
		if err := u.prefetchStates(owners); err != nil {
			return nil, err
		}
		if r, ok := u.states[k]; ok {
			return r.value, nil
		}
	}
	if u.statesRead[p] || u.persons[p] != nil && u.persons[p].fresh {
		u.states[k] = &stateRow{}
		return nil, nil
	}
	var v []byte
	err := u.tx.QueryRow(u.ctx, "SELECT value FROM states WHERE workspace_id = $1 AND person_id = $2 AND name = $3", u.ws, p, name).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		v, err = nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading derived state: %w", err)
	}
	u.states[k] = &stateRow{value: v}
	return v, nil
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
		rows, err := tx.Query(ctx, `SELECT person_id, name, value, version FROM states
			WHERE workspace_id = $1 AND person_id = ANY($2::uuid[]) AND name = ANY($3)`, r.ws, ids, names)
		if err != nil {
			return err
		}
		defer rows.Close()
		byPerson := map[string]map[string]store.PersonState{}
		for rows.Next() {
			var id uuid.UUID
			var name string
			var ps store.PersonState
			var ver int64
			if err := rows.Scan(&id, &name, &ps.Value, &ver); err != nil {
				return err
			}
			ps.PersonID, ps.Version = id.String(), uint64(ver)
			if byPerson[ps.PersonID] == nil {
				byPerson[ps.PersonID] = map[string]store.PersonState{}
			}
			byPerson[ps.PersonID][name] = ps
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
