package pgstore_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/openjds/jds/internal/store/pgstore"
	"github.com/openjds/jds/internal/store/storetest"
)

// TestEveryKeyBeginsWithWorkspace: every table's primary key begins with workspace_id,
// so that Citus can distribute every table by it and co-locate them. jds_migrations,
// the schema's own bookkeeping, is the one exception: a Citus reference table.
func TestEveryKeyBeginsWithWorkspace(t *testing.T) {
	s := openAt(t, t.TempDir(), storetest.Options{}).(*pgstore.Store)
	defer s.Close()
	rows, err := s.Pool().Query(context.Background(), `
		SELECT c.relname, a.attname
		FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
		LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary
		LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0]
		WHERE c.relkind = 'r' ORDER BY c.relname`)
	if err != nil {
		t.Fatal(err)
	}
	type key struct{ table, first string }
	keys, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (key, error) {
		var k key
		var first *string
		err := r.Scan(&k.table, &first)
		if first != nil {
			k.first = *first
		}
		return k, err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) < 7 {
		t.Fatalf("found %d tables: %v", len(keys), keys)
	}
	for _, k := range keys {
		if k.table == "jds_migrations" {
			continue
		}
		if k.first != "workspace_id" {
			t.Errorf("table %s: primary key begins with %q, want workspace_id", k.table, k.first)
		}
	}
}
