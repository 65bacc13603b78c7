package pgstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/openjds/jds/internal/pgtest"
	"github.com/openjds/jds/internal/store"
)

// TestStatesMoveIntoOneRowPerPerson: an installation at schema version 5 keeps derived
// state a row per value; migration 6 moves each person's values into one row, names in
// byte order, which the store then reads, dumps and counts as the same values.
func TestStatesMoveIntoOneRowPerPerson(t *testing.T) {
	ctx := context.Background()
	url, pool, exec := emptyDatabase(t)
	migrateTo(t, exec, 5)

	w := store.Workspace{Org: "o", Name: "w"}
	p1, p2 := uuid.New(), uuid.New()
	exec("INSERT INTO workspaces (workspace_id, org, name) VALUES ($1, $2, $3)", wsID(w), w.Org, w.Name)
	old := []struct {
		person uuid.UUID
		name   string
		value  string
	}{{p1, "a", "1"}, {p1, "B", "2"}, {p1, "_x", "3"}, {p2, "n", "4"}}
	for _, s := range old {
		exec("INSERT INTO states (workspace_id, person_id, name, value, version) VALUES ($1, $2, $3, $4, 7)", wsID(w), s.person, s.name, []byte(s.value))
	}

	before, after, err := MigrateReport(ctx, pool, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if before != 5 || after < 6 {
		t.Fatalf("migrated from %d to %d; want from 5 to 6 or later", before, after)
	}
	var names []string
	var vals [][]byte
	if err := pool.QueryRow(ctx, "SELECT names, vals FROM states WHERE workspace_id = $1 AND person_id = $2", wsID(w), p1).Scan(&names, &vals); err != nil {
		t.Fatal(err)
	}
	if want := []string{"B", "_x", "a"}; !slices.Equal(names, want) || string(slices.Concat(vals...)) != "231" {
		t.Errorf("row of the first person: names %q, values %q; want %q and 2, 3, 1", names, vals, want)
	}

	s, err := Open(ctx, Options{URL: url, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got := map[string]string{}
	err = s.Dump(ctx, func(r store.Record) error {
		if r.Kind == store.KindState {
			got[r.PersonID+" "+r.Name] = string(r.Value)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range old {
		if k := o.person.String() + " " + o.name; got[k] != o.value {
			t.Errorf("dump: %s is %q, want %q", k, got[k], o.value)
		}
	}
	counts, err := s.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if counts[store.KindState] != int64(len(old)) || len(got) != len(old) {
		t.Errorf("%d values dumped, %d counted; want %d", len(got), counts[store.KindState], len(old))
	}
	var tables []string
	rows, err := pool.Query(ctx, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'states%'")
	if err == nil {
		tables, err = pgx.CollectRows(rows, pgx.RowTo[string])
	}
	if err != nil || !slices.Equal(tables, []string{"states"}) {
		t.Errorf("tables of derived state %q (%v); want the one", tables, err)
	}
}

// TestNewerSchemaIsRefused: a jds older than the schema of its database (migrated by a
// newer one) refuses to start, naming both versions, instead of writing a layout the
// database no longer has.
func TestNewerSchemaIsRefused(t *testing.T) {
	_, pool, exec := emptyDatabase(t)
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	last := ms[len(ms)-1].version
	migrateTo(t, exec, last)
	exec("INSERT INTO jds_migrations (version, name) VALUES ($1, 'from_the_future')", last+1)
	_, _, err = MigrateReport(context.Background(), pool, slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("version %d, newer than this jds knows (%d)", last+1, last)) {
		t.Fatalf("migrating a database of a newer jds: %v; want a refusal naming both versions", err)
	}
}

// emptyDatabase is a database of the test's own with nothing in it, a pool on it and a
// function running a statement there.
func emptyDatabase(t *testing.T) (string, *pgxpool.Pool, func(string, ...any)) {
	ctx := context.Background()
	sum := sha256.Sum256([]byte(t.Name()))
	url := pgtest.Database(t, "jds_test_"+hex.EncodeToString(sum[:8]))
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := pool.Exec(ctx, sql, args...); err != nil {
			t.Fatal(err)
		}
	}
	exec("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
	return url, pool, exec
}

// migrateTo applies the migrations up to version as Migrate does, recording each.
func migrateTo(t *testing.T, exec func(string, ...any), version int) {
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	exec("CREATE TABLE jds_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())")
	for _, m := range ms {
		if m.version <= version {
			exec(m.sql)
			exec("INSERT INTO jds_migrations (version, name) VALUES ($1, $2)", m.version, m.name)
		}
	}
}
