package pgstore

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/openjds/jds/internal/store"
)

// Dumping (store.Dumper, for jds migrate-store from PostgreSQL back to the embedded
// store): every table read in one repeatable-read transaction, a kind of record at a
// time in the order of store.Kinds. This is the one reader that spans workspaces: an
// operator's copy of the whole installation, not a request's work.

var _ store.Dumper = (*Store)(nil)

// dumpQueries are the query of each kind of record but workspaces, in store.Kinds order.
// Each row begins with workspace_id; scanDump reads the rest.
var dumpQueries = []struct{ kind, query string }{
	{store.KindEvent, "SELECT workspace_id, seq, person_id, time_ns, raw FROM events ORDER BY workspace_id, seq"},
	{store.KindPerson, "SELECT workspace_id, person_id, record::text, temporary_since FROM persons ORDER BY workspace_id, person_id"},
	{store.KindAlias, "SELECT workspace_id, alias, person_id, kind FROM aliases ORDER BY workspace_id, alias"},
	{store.KindState, "SELECT workspace_id, person_id, x.name, x.value FROM states, unnest(names, vals) WITH ORDINALITY AS x(name, value, i) ORDER BY workspace_id, person_id, x.i"},
	{store.KindDelivery, "SELECT workspace_id, person_id, record FROM deliveries ORDER BY workspace_id, id"},
	{store.KindDocument, "SELECT workspace_id, collection, id, value FROM documents ORDER BY workspace_id, collection, id"},
}

// Dump: see store.Dumper. A workspace's record carries the sequence of its last event,
// so that a copy goes on numbering after it.
func (s *Store) Dump(ctx context.Context, fn func(store.Record) error) error {
	return s.view(ctx, func(tx pgx.Tx) error {
		names, err := dumpWorkspaces(ctx, tx, fn)
		if err != nil {
			return err
		}
		for _, q := range dumpQueries {
			if err := dumpKind(ctx, tx, names, q.kind, q.query, fn); err != nil {
				return fmt.Errorf("reading %s: %w", q.kind, err)
			}
		}
		return nil
	})
}

// dumpWorkspaces emits the workspaces and returns them by workspace_id.
func dumpWorkspaces(ctx context.Context, tx pgx.Tx, fn func(store.Record) error) (map[string]store.Workspace, error) {
	rows, err := tx.Query(ctx, "SELECT workspace_id, org, name, seq FROM workspaces ORDER BY workspace_id")
	if err != nil {
		return nil, fmt.Errorf("reading workspaces: %w", err)
	}
	var recs []store.Record
	names := map[string]store.Workspace{}
	for rows.Next() {
		var id string
		var w store.Workspace
		var seq int64
		if err := rows.Scan(&id, &w.Org, &w.Name, &seq); err != nil {
			rows.Close()
			return nil, fmt.Errorf("reading workspaces: %w", err)
		}
		names[id] = w
		recs = append(recs, store.Record{Kind: store.KindWorkspace, Workspace: w, Seq: uint64(seq)})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading workspaces: %w", err)
	}
	for _, r := range recs {
		if err := fn(r); err != nil {
			return nil, err
		}
	}
	return names, nil
}

// dumpKind emits the records of one kind, read by query.
func dumpKind(ctx context.Context, tx pgx.Tx, names map[string]store.Workspace, kind, query string, fn func(store.Record) error) error {
	rows, err := tx.Query(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanDump(rows, names, kind)
		if err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// scanDump reads one row of a dumpQueries query into a record.
func scanDump(rows pgx.Rows, names map[string]store.Workspace, kind string) (store.Record, error) {
	r := store.Record{Kind: kind}
	var ws string
	var person uuid.UUID
	var err error
	switch kind {
	case store.KindEvent:
		var seq int64
		err = rows.Scan(&ws, &seq, &person, &r.Time, &r.Value)
		r.Seq = uint64(seq)
	case store.KindPerson:
		var record string
		var temporary *time.Time
		err = rows.Scan(&ws, &person, &record, &temporary)
		r.Value = []byte(record)
		if temporary != nil {
			r.Time = temporary.UnixNano()
		}
	case store.KindAlias:
		var k int16
		err = rows.Scan(&ws, &r.Name, &person, &k)
		r.AliasKind = uint8(k)
	case store.KindState:
		err = rows.Scan(&ws, &person, &r.Name, &r.Value)
	case store.KindDelivery:
		err = rows.Scan(&ws, &person, &r.Value)
	case store.KindDocument:
		err = rows.Scan(&ws, &r.Name, &r.ID, &r.Value)
	default:
		return r, fmt.Errorf("unknown kind of record %q", kind)
	}
	if err != nil {
		return r, err
	}
	w, ok := names[ws]
	if !ok {
		return r, fmt.Errorf("%s of workspace %q, which the workspaces table does not hold", kind, ws)
	}
	r.Workspace = w
	if kind != store.KindDocument {
		r.PersonID = person.String()
	}
	return r, nil
}
