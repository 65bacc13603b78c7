// Package pgstore is the PostgreSQL backend of store.Store: many stateless jds nodes on
// one database (or a Citus cluster distributing it by workspace).
//
// Every write is one transaction: an Append is a unit of work with the events, their
// identity changes (identity.Rules over a Graph of this transaction), the derived state
// the Deriver keeps and the deliveries it queues, committed with synchronous_commit on;
// the call returns after the commit. PostgreSQL shares WAL flushes between concurrent
// commits, which is the group commit the Badger backend does by hand.
//
// A workspace's appends take its row lock (workspaces.seq) for their sequence numbers,
// so the events of one workspace commit in sequence order: what live streams resume by.
// Identity changes lock the rows they read (SELECT ... FOR UPDATE) and a transaction that
// meets a serialization failure, a deadlock or a unique violation from a concurrent
// writer is run again from the start: every operation is repeatable, as store ops are.
//
// The schema is in migrations/, applied at Open under an advisory lock (see migrate.go).
// Every primary key begins with workspace_id and no transaction touches two workspaces,
// so every table can be distributed by workspace_id.
package pgstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/openjds/jds/internal/identity"
	"github.com/openjds/jds/internal/store"
)

// Options configure a Store. Zero values take the defaults noted on each field.
type Options struct {
	// URL is the database, e.g. postgres://jds:secret@db:5432/jds?sslmode=disable.
	URL string
	// MaxConns bounds the connection pool. Default 16.
	MaxConns int32
	// Region is where phone numbers without a country code are dialled. Default
	// identity.DefaultRegion.
	Region string
	// Deriver computes derived state in each unit of work; nil for none.
	Deriver store.Deriver
	// Guard holds the identity guardrails; nil means none.
	Guard *identity.Guard
	// Node names this process among the nodes sharing the database, for the deliveries
	// it claims; default a random name. Two processes must not share one.
	Node string
	// Lease is how long a claimed delivery is held before another node may send it.
	// Default 2 minutes: longer than any attempt.
	Lease time.Duration
	// Observe, if set, is told the events stored and the time taken by each unit of
	// work that stored some.
	Observe func(events int, took time.Duration)
	// Now is the clock; default time.Now.
	Now    func() time.Time
	Logger *slog.Logger
	// Tracer, if set, is told of every statement each connection of the pool runs, with
	// its arguments (pgx calls it; if it also implements pgx.BatchTracer or
	// pgx.CopyFromTracer it is told of batches and COPYs too): for tests that check what
	// the store sends, and diagnostics. It must be safe for concurrent use.
	Tracer pgx.QueryTracer
}

// Store is the PostgreSQL backend of store.Store. It is safe for concurrent use.
type Store struct {
	pool  *pgxpool.Pool
	opts  Options
	log   *slog.Logger
	rules identity.Rules

	queue   queueScan
	sweep   sweepState
	groups  batcher[*appendReq]
	settles batcher[*settleReq]
	store.Listeners
	closed atomic.Bool
	// The other nodes' notices (notify.go): stopListening ends the goroutine that
	// follows them, which closes listening when it returns.
	stopListening context.CancelFunc
	listening     chan struct{}
	docMu         sync.Mutex
	docListeners  []func(w store.Workspace, collection, id string)
	// topicListeners hear the other nodes' broadcasts (cluster.go).
	topicListeners []func(topic string)
	// identityVersion changes whenever a commit of this node changes which person owns
	// an alias (see store.Identities).
	identityVersion atomic.Uint64
}

var _ store.Store = (*Store)(nil)

// Open connects, brings the schema up to date and returns the store.
func Open(ctx context.Context, opts Options) (*Store, error) {
	if opts.MaxConns <= 0 {
		opts.MaxConns = 16
	}
	if opts.Region == "" {
		opts.Region = identity.DefaultRegion
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Node == "" {
		opts.Node = uuid.NewString()
	}
	if opts.Lease <= 0 {
		opts.Lease = 2 * time.Minute
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	cfg, err := pgxpool.ParseConfig(opts.URL)
	if err != nil {
		return nil, fmt.Errorf("store.url: %w", err)
	}
	cfg.MaxConns = opts.MaxConns
	if opts.Tracer != nil {
		cfg.ConnConfig.Tracer = opts.Tracer
	}
	// A 2xx means durable: never let a session turn synchronous commits off.
	cfg.ConnConfig.RuntimeParams["synchronous_commit"] = "on"
	cfg.AfterConnect = func(_ context.Context, c *pgx.Conn) error {
		encodeUUIDs(c.TypeMap())
		return nil
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connecting to PostgreSQL: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connecting to PostgreSQL at %s: %w", cfg.ConnConfig.Host, err)
	}
	if err := Migrate(ctx, pool, opts.Logger); err != nil {
		pool.Close()
		return nil, err
	}
	s := &Store{pool: pool, opts: opts, log: opts.Logger, rules: identity.Rules{Guard: opts.Guard, Region: opts.Region},
		listening: make(chan struct{})}
	s.groups = batcher[*appendReq]{max: maxGroupEvents, size: func(r *appendReq) int { return len(r.evs) }, commit: s.commitGroup}
	s.settles = batcher[*settleReq]{max: maxSettles, size: func(*settleReq) int { return 1 }, commit: s.commitSettles}
	// Serve only once this node hears the others, so that it misses none of their
	// commits from its first request on.
	lctx, stop := context.WithCancel(context.Background())
	s.stopListening = stop
	ready := make(chan error, 1)
	go s.listen(lctx, ready)
	if err := <-ready; err != nil {
		s.Close()
		return nil, fmt.Errorf("listening for the other nodes' notifications: %w", err)
	}
	return s, nil
}

// Close closes the pool; calls after it fail with store.ErrClosed. Idempotent.
func (s *Store) Close() error {
	if s.closed.CompareAndSwap(false, true) {
		s.stopListening()
		<-s.listening
		s.forgetBeat()
		s.pool.Close()
	}
	return nil
}

// CheckSpace is always nil: PostgreSQL answers a full disk with an error of its own.
func (s *Store) CheckSpace() error { return nil }

// IdentityVersion: see store.Identities.
func (s *Store) IdentityVersion() uint64 { return s.identityVersion.Load() }

// wsID is a workspace's key in every table.
func wsID(w store.Workspace) string { return w.Org + "/" + w.Name }

// maxAttempts bounds how often a transaction is run again after a conflict.
const maxAttempts = 20

// inTx runs fn in a transaction and commits it, running it again from the start when a
// concurrent writer made it fail (serialization failure, deadlock, unique violation).
// An *identity.Refused (or a refusal of this package) ends it without a retry.
func (s *Store) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	var err error
	for attempt := range maxAttempts {
		err = pgx.BeginFunc(ctx, s.pool, fn)
		if !retryable(err) {
			break
		}
		time.Sleep(time.Duration(attempt+1) * time.Millisecond)
	}
	if s.closed.Load() && err != nil {
		return store.ErrClosed
	}
	return err
}

func retryable(err error) bool {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return false
	}
	switch pe.Code {
	case "40001", "40P01", "23505": // serialization_failure, deadlock_detected, unique_violation
		return true
	}
	return false
}

// view runs fn in a read-only, repeatable-read transaction: one snapshot.
func (s *Store) view(ctx context.Context, fn func(tx pgx.Tx) error) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, fn)
	if s.closed.Load() && err != nil {
		return store.ErrClosed
	}
	return err
}

// Pool is the connection pool, for tools and tests that read the catalog.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }
