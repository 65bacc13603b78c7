package service

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"time"

	"github.com/openjds/jds/config"
	"github.com/openjds/jds/internal/identity"
	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/internal/store/badgerstore"
	"github.com/openjds/jds/internal/store/pgstore"
	"github.com/openjds/jds/server"
)

// openStore opens the backend the configuration names: PostgreSQL at store.url, or the
// embedded Badger store in dataDir. The second result is the same store when it is
// Badger's (its own jobs and metrics need it), nil otherwise.
func openStore(cfg config.Config, d store.Deriver, guard *identity.Guard, metrics *server.Metrics, o Options) (store.Store, *badgerstore.Store, error) {
	if cfg.Store.URL != "" {
		host, _ := os.Hostname()
		s, err := pgstore.Open(context.Background(), pgstore.Options{
			URL:      cfg.Store.URL,
			Node:     host + " " + cfg.Addr, // what claims deliveries: unique per process
			MaxConns: int32(cfg.Store.Postgres.MaxConns),
			Lease:    time.Duration(cfg.Store.Postgres.Lease),
			Region:   cfg.Identity.DefaultRegion,
			Deriver:  d,
			Guard:    guard,
			Now:      o.Now,
			Observe:  metrics.ObserveCommit,
			Logger:   o.Logger,
		})
		if err != nil {
			return nil, nil, fmt.Errorf("opening the PostgreSQL store: %w", err)
		}
		o.Logger.Info("store: PostgreSQL", "database", Redacted(cfg.Store.URL), "node", s.Node())
		return s, nil, nil
	}
	s, err := badgerstore.Open(badgerstore.Options{
		Deriver:           d,
		Now:               o.Now,
		Dir:               StoreDir(cfg.DataDir),
		SyncWrites:        cfg.Store.SyncWrites,
		MemTableSize:      int64(cfg.Store.Badger.MemTableSize),
		BlockCacheSize:    int64(cfg.Store.Badger.BlockCacheSize),
		IndexCacheSize:    int64(cfg.Store.Badger.IndexCacheSize),
		ValueLogFileSize:  int64(cfg.Store.Badger.ValueLogFileSize),
		NumCompactors:     cfg.Store.Badger.NumCompactors,
		MaxBatchEvents:    cfg.Store.MaxBatchEvents,
		PendingStateBytes: int(cfg.Store.Badger.PendingStateBytes),
		DiskReserve:       int64(cfg.Store.Badger.DiskReserve),
		Region:            cfg.Identity.DefaultRegion,
		Guard:             guard,
		Observe:           metrics.ObserveCommit,
		Logger:            o.Logger,
	})
	if err != nil {
		return nil, nil, err
	}
	return s, s, nil
}

// Redacted is a database URL without its password, for logs and messages.
func Redacted(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
