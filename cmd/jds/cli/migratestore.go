package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/internal/store/badgerstore"
	"github.com/openjds/jds/internal/store/pgstore"
	"github.com/openjds/jds/server/service"
)

// migrateStore copies a whole installation between the embedded store of a data
// directory and a PostgreSQL database, either way (docs/DEPLOY.md, "Moving to
// PostgreSQL" and "Moving back"): events with their sequence numbers, persons, merges,
// aliases, derived state, the outbox and documents (keys among them). jds must be
// stopped on the data directory (Badger refuses a second process). A run interrupted may
// be run again: it skips what is there. At the end it checks that the target holds as
// many records of each kind as the source gave.
func migrateStore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flags("migrate-store", "--from DATA_DIR --to POSTGRES_URL | --from POSTGRES_URL --to DATA_DIR", stderr)
	from := fs.String("from", "", "where to copy from: a data directory (jds stopped), or a PostgreSQL database as postgres://user:password@host:5432/db?sslmode=...")
	to := fs.String("to", "", "where to copy to: a PostgreSQL database (its schema is migrated first), or a data directory (made when missing; jds stopped)")
	batch := fs.Int("batch", 5000, "records per transaction")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *from == "" || *to == "" {
		fmt.Fprintln(stderr, "jds migrate-store: --from and --to are required")
		return errUsage
	}
	if isPostgresURL(*from) == isPostgresURL(*to) {
		fmt.Fprintln(stderr, "jds migrate-store: one of --from and --to must be a data directory, the other a postgres:// URL")
		return errUsage
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	src, err := openEnd(ctx, "--from", *from, log)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := openEnd(ctx, "--to", *to, log)
	if err != nil {
		return err
	}
	defer dst.Close()
	fmt.Fprintf(stdout, "copying %s to %s\n", endName(*from), endName(*to))
	start, shown := time.Now(), time.Now()
	read, err := store.Copy(ctx, src, dst, *batch, func(read map[string]int64) {
		if time.Since(shown) >= time.Second {
			shown = time.Now()
			fmt.Fprintf(stdout, "  %s (%s)\n", countsLine(read), time.Since(start).Round(time.Second))
		}
	})
	if err != nil {
		return fmt.Errorf("after %s: %w", countsLine(read), err)
	}
	if read[store.KindWorkspace] == 0 {
		return fmt.Errorf("%s holds nothing: nothing copied", endName(*from))
	}
	fmt.Fprintf(stdout, "copied and verified: %s in %s\n", countsLine(read), time.Since(start).Round(time.Millisecond))
	return nil
}

// isPostgresURL reports whether where names a PostgreSQL database rather than a data
// directory.
func isPostgresURL(where string) bool {
	return strings.HasPrefix(where, "postgres://") || strings.HasPrefix(where, "postgresql://")
}

// endName is where, as progress lines show it: a URL without its password.
func endName(where string) string {
	if isPostgresURL(where) {
		return service.Redacted(where)
	}
	return where
}

// copyEnd is one side of a copy: both backends can be read wholesale and written in
// bulk.
type copyEnd interface {
	store.Dumper
	store.Loader
	Close() error
}

// openEnd opens the store that flag (--from or --to) names: a PostgreSQL database, or
// the embedded store of a data directory. A data directory to copy from must hold one.
func openEnd(ctx context.Context, flag, where string, log *slog.Logger) (copyEnd, error) {
	if isPostgresURL(where) {
		s, err := pgstore.Open(ctx, pgstore.Options{URL: where, Node: "jds migrate-store", MaxConns: 4, Logger: log})
		if err != nil {
			return nil, fmt.Errorf("%s: opening %s: %w", flag, service.Redacted(where), err)
		}
		return s, nil
	}
	dir := service.StoreDir(where)
	if flag == "--from" {
		if _, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("--from: no embedded store in %s: %w", where, err)
		}
	}
	s, err := badgerstore.Open(badgerstore.Options{Dir: dir, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("%s: opening the embedded store in %s (is jds still running on it?): %w", flag, where, err)
	}
	return s, nil
}

// countsLine is "workspaces 2, events 1200, …" in the order of store.Kinds.
func countsLine(n map[string]int64) string {
	parts := make([]string, 0, len(store.Kinds))
	for _, k := range store.Kinds {
		parts = append(parts, fmt.Sprintf("%s %d", k, n[k]))
	}
	return strings.Join(parts, ", ")
}
