package pgstore

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/openjds/jds/internal/store"
)

// Bulk loading (store.Loader, for jds migrate-store): each kind of record of a batch is
// copied (COPY) into a temporary table like its own, then inserted from there skipping
// the rows already present, in one transaction per batch: a copy run again skips what it
// copied before.

var _ store.Loader = (*Store)(nil)

// loadTables are the tables of each kind of record and the columns a record fills.
var loadTables = map[string]loadTable{
	store.KindEvent:    {table: "events", columns: []string{"workspace_id", "seq", "person_id", "time_ns", "id", "source", "type", "raw"}},
	store.KindPerson:   {table: "persons", columns: []string{"workspace_id", "person_id", "record", "temporary_since"}},
	store.KindAlias:    {table: "aliases", columns: []string{"workspace_id", "alias", "person_id", "kind"}},
	store.KindState:    statesLoad,
	store.KindDelivery: {table: "deliveries", columns: []string{"workspace_id", "id", "person_id", "state", "due", "created_at", "record"}},
	store.KindDocument: {table: "documents", columns: []string{"workspace_id", "collection", "id", "value"}},
}

// A loadTable is where records of a kind go: a record fills columns of a temporary table
// (stage, or one like table), which insert then adds to table; count counts the records
// table holds.
type loadTable struct {
	table, stage, insert, count string
	columns                     []string
}

// statesLoad: a state record is one value of a person, and the person's row holds all
// of them: the values of a batch are gathered into rows, and those of a person already
// stored are added to the row, keeping the stored value of a name (one copied before).
var statesLoad = loadTable{
	table:   "states",
	columns: []string{"workspace_id", "person_id", "name", "value"},
	stage:   "(workspace_id text, person_id uuid, name text, value bytea)",
	insert: `INSERT INTO states (workspace_id, person_id, names, vals, version)
		SELECT workspace_id, person_id, array_agg(name ORDER BY name COLLATE "C"), array_agg(value ORDER BY name COLLATE "C"), 1
		FROM load_states GROUP BY workspace_id, person_id
		ON CONFLICT (workspace_id, person_id) DO UPDATE SET (names, vals) = (
			SELECT array_agg(n ORDER BY n COLLATE "C"), array_agg(v ORDER BY n COLLATE "C") FROM (
				SELECT DISTINCT ON (n) n, v FROM (
					SELECT n, v, 0 AS o FROM unnest(states.names, states.vals) AS a(n, v)
					UNION ALL SELECT n, v, 1 FROM unnest(excluded.names, excluded.vals) AS b(n, v)
				) AS both_rows ORDER BY n, o
			) AS merged)`,
	count: "SELECT coalesce(sum(cardinality(names)), 0) FROM states",
}

// Load: see store.Loader. A workspace's sequence becomes the greater of its own and the
// record's, so that appends after the copy go on from the last event copied.
func (s *Store) Load(ctx context.Context, batch []store.Record) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	rows := map[string][][]any{}
	for _, r := range batch {
		row, err := loadRow(r)
		if err != nil {
			return fmt.Errorf("%s of %s: %w", r.Kind, r.Workspace, err)
		}
		rows[r.Kind] = append(rows[r.Kind], row)
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for _, ws := range rows[store.KindWorkspace] {
			_, err := tx.Exec(ctx, `INSERT INTO workspaces (workspace_id, org, name, seq) VALUES ($1, $2, $3, $4)
				ON CONFLICT (workspace_id) DO UPDATE SET seq = greatest(workspaces.seq, excluded.seq)`, ws...)
			if err != nil {
				return fmt.Errorf("workspace %s: %w", ws[0], err)
			}
		}
		for _, kind := range store.Kinds {
			t, ok := loadTables[kind]
			if !ok || len(rows[kind]) == 0 {
				continue
			}
			tmp := "load_" + t.table
			stage := cmp.Or(t.stage, "(LIKE "+t.table+" INCLUDING DEFAULTS)")
			insert := cmp.Or(t.insert, "INSERT INTO "+t.table+" SELECT * FROM "+tmp+" ON CONFLICT DO NOTHING")
			if _, err := tx.Exec(ctx, "CREATE TEMP TABLE "+tmp+" "+stage+" ON COMMIT DROP"); err != nil {
				return err
			}
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{tmp}, t.columns, pgx.CopyFromRows(rows[kind])); err != nil {
				return fmt.Errorf("copying %s: %w", t.table, err)
			}
			if _, err := tx.Exec(ctx, insert); err != nil {
				return fmt.Errorf("inserting %s: %w", t.table, err)
			}
		}
		return nil
	})
}

// loadRow is the row of a record, in the columns of loadTables (or of workspaces).
func loadRow(r store.Record) ([]any, error) {
	ws := wsID(r.Workspace)
	person := func() (uuid.UUID, error) { return uuid.Parse(r.PersonID) }
	switch r.Kind {
	case store.KindWorkspace:
		return []any{ws, r.Workspace.Org, r.Workspace.Name, int64(r.Seq)}, nil
	case store.KindEvent:
		p, err := person()
		if err != nil {
			return nil, err
		}
		var e struct{ ID, Source, Type string }
		if err := json.Unmarshal(r.Value, &e); err != nil {
			return nil, fmt.Errorf("event %d: %w", r.Seq, err)
		}
		return []any{ws, int64(r.Seq), p, r.Time, e.ID, e.Source, e.Type, r.Value}, nil
	case store.KindPerson:
		p, err := person()
		if err != nil {
			return nil, err
		}
		var temporary *time.Time
		if r.Time != 0 {
			t := time.Unix(0, r.Time)
			temporary = &t
		}
		return []any{ws, p, json.RawMessage(r.Value), temporary}, nil
	case store.KindAlias:
		p, err := person()
		if err != nil {
			return nil, err
		}
		return []any{ws, r.Name, p, int16(r.AliasKind)}, nil
	case store.KindState:
		p, err := person()
		if err != nil {
			return nil, err
		}
		return []any{ws, p, r.Name, r.Value}, nil
	case store.KindDelivery:
		d, err := store.DecodeDelivery(r.Value)
		if err != nil {
			return nil, err
		}
		id, err := uuid.Parse(d.ID)
		if err != nil {
			return nil, fmt.Errorf("delivery %q: %w", d.ID, err)
		}
		p, err := person()
		if err != nil {
			return nil, err
		}
		var due *time.Time
		if d.State == store.Pending {
			due = &d.Due
		}
		return []any{ws, id, p, d.State, due, d.CreatedAt, r.Value}, nil
	case store.KindDocument:
		return []any{ws, r.Name, r.ID, r.Value}, nil
	}
	return nil, fmt.Errorf("unknown kind of record %q", r.Kind)
}

// Counts: see store.Loader.
func (s *Store) Counts(ctx context.Context) (map[string]int64, error) {
	out := map[string]int64{}
	err := s.view(ctx, func(tx pgx.Tx) error {
		for _, kind := range store.Kinds {
			q := "SELECT count(*) FROM workspaces"
			if t, ok := loadTables[kind]; ok {
				q = cmp.Or(t.count, "SELECT count(*) FROM "+t.table)
			}
			var n int64
			if err := tx.QueryRow(ctx, q).Scan(&n); err != nil {
				return err
			}
			out[kind] = n
		}
		return nil
	})
	return out, err
}
