package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/openjds/jds/internal/store/pgstore"
	"github.com/openjds/jds/server/service"
)

// migrate brings the PostgreSQL schema up to date: what every node does when it starts,
// run alone (before a rolling upgrade, or by an operator who wants to see it happen).
func migrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flags("migrate", "[--config FILE]", stderr)
	path := fs.String("config", "", "configuration file (default $JDS_CONFIG); the database is store.url or $JDS_STORE_URL")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(*path)
	if err != nil {
		return err
	}
	if cfg.Store.URL == "" {
		return errors.New("store.url (or $JDS_STORE_URL) names no PostgreSQL database: the embedded Badger store needs no migration")
	}
	pool, err := pgxpool.New(ctx, cfg.Store.URL)
	if err != nil {
		return fmt.Errorf("store.url: %w", err)
	}
	defer pool.Close()
	log := slog.New(slog.NewTextHandler(stderr, nil))
	before, after, err := pgstore.MigrateReport(ctx, pool, log)
	if err != nil {
		return fmt.Errorf("migrating %s: %w", service.Redacted(cfg.Store.URL), err)
	}
	if before == after {
		fmt.Fprintf(stdout, "schema of %s: up to date (version %d)\n", service.Redacted(cfg.Store.URL), after)
	} else {
		fmt.Fprintf(stdout, "schema of %s: migrated from version %d to %d\n", service.Redacted(cfg.Store.URL), before, after)
	}
	return nil
}
