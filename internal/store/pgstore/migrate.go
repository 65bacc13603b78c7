package pgstore

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The schema is a list of migrations, migrations/NNNN_name.sql, applied in order, each in
// a transaction of its own that also records it in jds_migrations. Nodes starting
// together take an advisory lock first, so one of them migrates and the others find the
// work done.

//go:embed migrations/*.sql
var migrations embed.FS

// migrateLock is the advisory lock key of migrations ("jds" in ASCII, then 1).
const migrateLock = 0x6a647301

type migration struct {
	version int
	name    string
	sql     string
}

func loadMigrations() ([]migration, error) {
	files, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, f := range files {
		base := strings.TrimPrefix(f, "migrations/")
		num, name, ok := strings.Cut(strings.TrimSuffix(base, ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: want NNNN_name.sql", base)
		}
		sql, err := migrations.ReadFile(f)
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: name, sql: string(sql)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}

// Migrate brings the schema of the database up to date, logging each step; Open runs it
// first.
func Migrate(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) error {
	_, _, err := MigrateReport(ctx, pool, log)
	return err
}

// MigrateReport is Migrate saying which schema version the database had and has: what
// `jds migrate` prints.
func MigrateReport(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) (before, after int, err error) {
	ms, err := loadMigrations()
	if err != nil {
		return 0, 0, err
	}
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return 0, 0, err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", migrateLock); err != nil {
		return 0, 0, fmt.Errorf("taking the migration lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrateLock)
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS jds_migrations (
		version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return 0, 0, fmt.Errorf("creating jds_migrations: %w", err)
	}
	var current int
	if err := conn.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM jds_migrations").Scan(&current); err != nil {
		return 0, 0, err
	}
	before = current
	if last := ms[len(ms)-1].version; current > last {
		// A newer jds migrated the database: this one would write layouts it no longer has.
		return before, current, fmt.Errorf("the database's schema is version %d, newer than this jds knows (%d): run the jds that migrated it, or a later one", current, last)
	}
	for _, m := range ms {
		if m.version <= current {
			continue
		}
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "INSERT INTO jds_migrations (version, name) VALUES ($1, $2)", m.version, m.name)
			return err
		})
		if err != nil {
			return before, current, fmt.Errorf("migration %04d_%s: %w", m.version, m.name, err)
		}
		current = m.version
		log.Info("database migrated", "version", m.version, "name", m.name)
	}
	return before, current, nil
}
