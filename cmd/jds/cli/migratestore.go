package cli

import (
	"context"
	"errors"
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

// migrateStore copies a whole installation from the embedded store of a data directory
// to a PostgreSQL database (docs/DEPLOY.md, "Moving to PostgreSQL"): events with their
// sequence, persons, merges, aliases, derived state, the outbox and documents. jds must
// be stopped (Badger refuses a second process). A run interrupted may be run again: it
// skips what is there. At the end it checks that the database holds as many records of
// each kind as the data directory gave.
func migrateStore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flags("migrate-store", "--from DATA_DIR --to POSTGRES_URL", stderr)
	from := fs.String("from", "", "the data directory of the embedded store (dataDir; jds stopped)")
	to := fs.String("to", "", "the PostgreSQL database, postgres://user:password@host:5432/db?sslmode=...; its schema is migrated first")
	batch := fs.Int("batch", 5000, "records per transaction")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *from == "" || *to == "" {
		fmt.Fprintln(stderr, "jds migrate-store: --from and --to are required")
		return errUsage
	}
	if _, err := os.Stat(service.StoreDir(*from)); err != nil {
		return fmt.Errorf("--from: no embedded store in %s: %w", *from, err)
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	src, err := badgerstore.Open(badgerstore.Options{Dir: service.StoreDir(*from), Logger: log})
	if err != nil {
		return fmt.Errorf("opening the embedded store in %s (is jds still running on it?): %w", *from, err)
	}
	defer src.Close()
	dst, err := pgstore.Open(ctx, pgstore.Options{URL: *to, Node: "jds migrate-store", MaxConns: 4, Logger: log})
	if err != nil {
		return fmt.Errorf("opening %s: %w", service.Redacted(*to), err)
	}
	defer dst.Close()
	fmt.Fprintf(stdout, "copying %s to %s\n", *from, service.Redacted(*to))
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
		return errors.New("the data directory holds nothing: nothing copied")
	}
	fmt.Fprintf(stdout, "copied and verified: %s in %s\n", countsLine(read), time.Since(start).Round(time.Millisecond))
	return nil
}

// countsLine is "workspaces 2, events 1200, …" in the order of store.Kinds.
func countsLine(n map[string]int64) string {
	parts := make([]string, 0, len(store.Kinds))
	for _, k := range store.Kinds {
		parts = append(parts, fmt.Sprintf("%s %d", k, n[k]))
	}
	return strings.Join(parts, ", ")
}
