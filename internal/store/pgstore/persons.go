package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/openjds/jds/internal/identity"
	"github.com/openjds/jds/internal/store"
)

// reader is the identity graph of one workspace in a read transaction: identity.Lookup.
type reader struct {
	ctx context.Context
	tx  pgx.Tx
	ws  string
}

func (r reader) Alias(alias string) (uuid.UUID, identity.Kind, bool, error) {
	var p uuid.UUID
	var k int16
	err := r.tx.QueryRow(r.ctx, "SELECT person_id, kind FROM aliases WHERE workspace_id = $1 AND alias = $2", r.ws, alias).Scan(&p, &k)
	if errors.Is(err, pgx.ErrNoRows) {
		return uuid.UUID{}, 0, false, nil
	}
	if err != nil {
		return uuid.UUID{}, 0, false, fmt.Errorf("reading alias: %w", err)
	}
	return p, identity.Kind(k), true, nil
}

func (r reader) Person(id uuid.UUID) (*identity.Person, error) {
	var raw []byte
	err := r.tx.QueryRow(r.ctx, "SELECT record FROM persons WHERE workspace_id = $1 AND person_id = $2", r.ws, id).Scan(&raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("person %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("reading person %s: %w", id, err)
	}
	return decodePerson(raw)
}

func decodePerson(raw []byte) (*identity.Person, error) {
	p := new(identity.Person)
	if err := json.Unmarshal(raw, p); err != nil {
		return nil, fmt.Errorf("decoding person: %w", err)
	}
	return p, nil
}

// Resolve: see store.Identities.
func (s *Store) Resolve(ctx context.Context, w store.Workspace, ident string) (*identity.Person, error) {
	var p *identity.Person
	err := s.view(ctx, func(tx pgx.Tx) (err error) {
		p, err = identity.Resolve(reader{ctx, tx, wsID(w)}, ident, s.opts.Region)
		return err
	})
	return p, err
}

// Person: see store.Identities.
func (s *Store) Person(ctx context.Context, w store.Workspace, id string) (*identity.Person, error) {
	k, err := uuid.Parse(id)
	if err != nil {
		return nil, fmt.Errorf("person %q: %w", id, store.ErrNotFound)
	}
	var p *identity.Person
	err = s.view(ctx, func(tx pgx.Tx) (err error) {
		p, err = identity.Live(reader{ctx, tx, wsID(w)}, k)
		return err
	})
	return p, err
}

// Root: see store.Identities.
func (s *Store) Root(w store.Workspace, id string) (string, error) {
	p, err := s.Person(context.Background(), w, id)
	if err != nil {
		return "", err
	}
	return p.ID, nil
}

// Persons: see store.Identities. Live persons in id order.
func (s *Store) Persons(ctx context.Context, w store.Workspace, offset, limit int) ([]*identity.Person, error) {
	var out []*identity.Person
	err := s.view(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT record FROM persons WHERE workspace_id = $1 AND (record->>'mergedInto') IS NULL
			ORDER BY person_id OFFSET $2 LIMIT $3`, wsID(w), offset, limit)
		if err != nil {
			return err
		}
		raws, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
		if err != nil {
			return err
		}
		for _, raw := range raws {
			p, err := decodePerson(raw)
			if err != nil {
				return err
			}
			out = append(out, p)
		}
		return nil
	})
	return out, err
}

// Find: see store.Identities.
func (s *Store) Find(ctx context.Context, w store.Workspace, identities []string) ([]*identity.Person, error) {
	var out []*identity.Person
	err := s.view(ctx, func(tx pgx.Tx) (err error) {
		out, err = identity.ResolveAll(reader{ctx, tx, wsID(w)}, identities, s.opts.Region)
		return err
	})
	return out, err
}

// CreatePerson: see identity.Rules.Create.
func (s *Store) CreatePerson(ctx context.Context, w store.Workspace, first, last string, aliases []identity.Alias) (*identity.Person, error) {
	var out *identity.Person
	err := s.run(ctx, w, func(u *unit) (err error) {
		out, err = s.rules.Create(u, first, last, aliases)
		return err
	})
	return out, err
}

// UpdatePerson: see identity.Rules.Update.
func (s *Store) UpdatePerson(ctx context.Context, w store.Workspace, id string, change func(p *identity.Person) error) (*identity.Person, error) {
	var out *identity.Person
	err := s.run(ctx, w, func(u *unit) (err error) {
		out, err = s.rules.Update(u, id, change)
		return err
	})
	return out, err
}

// Merge: see identity.Rules.Merge.
func (s *Store) Merge(ctx context.Context, w store.Workspace, primary string, others []string) (*identity.Person, error) {
	var out *identity.Person
	err := s.run(ctx, w, func(u *unit) (err error) {
		out, err = s.rules.Merge(u, primary, others)
		return err
	})
	return out, err
}

// Identify: see identity.Rules.Identify.
func (s *Store) Identify(ctx context.Context, w store.Workspace, req identity.IdentifyRequest) (p *identity.Person, created bool, err error) {
	err = s.run(ctx, w, func(u *unit) (err error) {
		p, created, err = s.rules.Identify(u, req)
		return err
	})
	return p, created, err
}

// Unmerge: see identity.Rules.Unmerge.
func (s *Store) Unmerge(ctx context.Context, w store.Workspace, id string) (restored, survivor *identity.Person, err error) {
	err = s.run(ctx, w, func(u *unit) (err error) {
		restored, survivor, err = s.rules.Unmerge(u, id)
		return err
	})
	return restored, survivor, err
}

// Erase: see store.Identities. The whole tree goes in one transaction.
func (s *Store) Erase(ctx context.Context, w store.Workspace, id string) (store.Erased, error) {
	var out store.Erased
	err := s.run(ctx, w, func(u *unit) error {
		p, err := identity.LiveByID(u, id)
		if err != nil {
			return err
		}
		out, err = u.erase(p)
		return err
	})
	return out, err
}

// erase removes a live person's tree: aliases, person records, events, derived state and
// deliveries.
func (u *unit) erase(p *identity.Person) (store.Erased, error) {
	out := store.Erased{Person: p}
	var ids []uuid.UUID
	for _, id := range personIDs(u, p) {
		k, err := uuid.Parse(id)
		if err != nil {
			return out, err
		}
		ids = append(ids, k)
	}
	for _, a := range p.Aliases() {
		if err := u.DeleteAlias(a.Value); err != nil {
			return out, err
		}
		out.Aliases++
	}
	if err := u.flush(); err != nil {
		return out, err
	}
	for _, k := range ids {
		u.persons[k] = &personRow{}
		delete(u.states, k)
	}
	out.Persons = len(ids)
	tag, err := u.tx.Exec(u.ctx, "DELETE FROM events WHERE workspace_id = $1 AND person_id = ANY($2)", u.ws, ids)
	if err != nil {
		return out, err
	}
	out.Events = int(tag.RowsAffected())
	for _, q := range []string{
		"DELETE FROM persons WHERE workspace_id = $1 AND person_id = ANY($2)",
		"DELETE FROM states WHERE workspace_id = $1 AND person_id = ANY($2)",
		"DELETE FROM deliveries WHERE workspace_id = $1 AND person_id = ANY($2)",
		// Aliases still pointing at the tree (none, unless the graph was inconsistent).
		"DELETE FROM aliases WHERE workspace_id = $1 AND person_id = ANY($2)",
	} {
		if _, err := u.tx.Exec(u.ctx, q, u.ws, ids); err != nil {
			return out, err
		}
	}
	u.identityChanged = true
	return out, nil
}

// ExpireTemporary: see store.Identities. Each workspace's candidates are erased in a
// unit of work of that workspace.
func (s *Store) ExpireTemporary(ctx context.Context, cutoff time.Time) (int, error) {
	type candidate struct {
		w  store.Workspace
		id uuid.UUID
	}
	var cands []candidate
	err := s.view(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT w.org, w.name, p.person_id FROM persons p JOIN workspaces w USING (workspace_id)
			WHERE p.temporary_since IS NOT NULL AND p.temporary_since < $1 ORDER BY p.workspace_id, p.temporary_since`, cutoff)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c candidate
			if err := rows.Scan(&c.w.Org, &c.w.Name, &c.id); err != nil {
				return err
			}
			cands = append(cands, c)
		}
		return rows.Err()
	})
	if err != nil {
		return 0, fmt.Errorf("reading the expiry index: %w", err)
	}
	expired := 0
	for _, c := range cands {
		erased := false
		err := s.run(ctx, c.w, func(u *unit) error {
			erased = false
			p, err := u.Person(c.id)
			if errors.Is(err, store.ErrNotFound) {
				return nil
			}
			if err != nil {
				return err
			}
			if p.MergedInto != "" || !p.OnlyTemporary() {
				// Merged or identified: no longer a candidate.
				_, err := u.tx.Exec(u.ctx, "UPDATE persons SET temporary_since = NULL WHERE workspace_id = $1 AND person_id = $2", u.ws, c.id)
				return err
			}
			_, err = u.erase(p)
			erased = err == nil
			return err
		})
		if err != nil {
			return expired, err
		}
		if erased {
			expired++
		}
	}
	return expired, nil
}
