package pgstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/openjds/jds/internal/store"
)

// PutDoc: see store.Documents. Written in a unit of work of the workspace, so that a
// definition and the events after it are ordered.
func (s *Store) PutDoc(ctx context.Context, w store.Workspace, collection, id string, value []byte) error {
	return s.run(ctx, w, func(u *unit) error {
		_, err := u.tx.Exec(ctx, `INSERT INTO documents (workspace_id, collection, id, value) VALUES ($1, $2, $3, $4)
			ON CONFLICT (workspace_id, collection, id) DO UPDATE SET value = excluded.value`, u.ws, collection, id, value)
		if err != nil {
			return err
		}
		return u.notify(notice{Collection: collection, Doc: id})
	})
}

// DeleteDoc: see store.Documents; ErrNotFound when there was none.
func (s *Store) DeleteDoc(ctx context.Context, w store.Workspace, collection, id string) error {
	return s.run(ctx, w, func(u *unit) error {
		tag, err := u.tx.Exec(ctx, "DELETE FROM documents WHERE workspace_id = $1 AND collection = $2 AND id = $3", u.ws, collection, id)
		if err == nil && tag.RowsAffected() == 0 {
			err = fmt.Errorf("%s %q: %w", collection, id, store.ErrNotFound)
		}
		if err != nil {
			return err
		}
		return u.notify(notice{Collection: collection, Doc: id})
	})
}

// GetDoc: see store.Documents.
func (s *Store) GetDoc(ctx context.Context, w store.Workspace, collection, id string) ([]byte, error) {
	var v []byte
	err := s.view(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, "SELECT value FROM documents WHERE workspace_id = $1 AND collection = $2 AND id = $3", wsID(w), collection, id).Scan(&v)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("%s %q: %w", collection, id, store.ErrNotFound)
		}
		return err
	})
	return v, err
}

// Docs: see store.Documents.
func (s *Store) Docs(ctx context.Context, w store.Workspace, collection string, fn func(id string, value []byte) error) error {
	return s.view(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, "SELECT id, value FROM documents WHERE workspace_id = $1 AND collection = $2 ORDER BY id", wsID(w), collection)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var v []byte
			if err := rows.Scan(&id, &v); err != nil {
				return err
			}
			if err := fn(id, v); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}

// AllDocs: see store.Documents.
func (s *Store) AllDocs(ctx context.Context, collection string, fn func(w store.Workspace, id string, value []byte) error) error {
	return s.view(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT w.org, w.name, d.id, d.value FROM documents d JOIN workspaces w USING (workspace_id)
			WHERE d.collection = $1 ORDER BY d.workspace_id, d.id`, collection)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var w store.Workspace
			var id string
			var v []byte
			if err := rows.Scan(&w.Org, &w.Name, &id, &v); err != nil {
				return err
			}
			if err := fn(w, id, v); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}

// Workspaces: see store.Documents.
func (s *Store) Workspaces(ctx context.Context) ([]store.Workspace, error) {
	var out []store.Workspace
	err := s.view(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, "SELECT org, name FROM workspaces ORDER BY workspace_id")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var w store.Workspace
			if err := rows.Scan(&w.Org, &w.Name); err != nil {
				return err
			}
			out = append(out, w)
		}
		return rows.Err()
	})
	return out, err
}
