package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// cmdRawPG is the PostgreSQL baseline, the anchor of the PostgreSQL backend's figures as
// raw is Badger's: the same event bodies as ingest, inserted straight into a scratch
// table (a primary key and the body: no other index) that it creates and drops, by
// --clients writers, --group rows per transaction, each commit durable
// (synchronous_commit on). With one writer and 256 rows a commit it is the anchor of
// batch ingest; with 64 writers and one row a commit, pgbench's kind of durable
// single-row insert, that of single-event POSTs.
func cmdRawPG(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fset := newFlags("rawpg", stderr)
	dbURL := fset.String("url", os.Getenv("JDS_STORE_URL"), "PostgreSQL database, postgres://user:password@127.0.0.1:5432/db; the host must be loopback (default $JDS_STORE_URL, which keeps the password off the command line)")
	events := fset.Int("events", 200_000, "rows to insert (the run also stops at --duration)")
	group := fset.Int("group", 256, "rows per transaction (one multi-row INSERT and a durable commit)")
	clients := fset.Int("clients", 1, "concurrent writers, a connection each")
	persons := fset.Int("persons", 10_000, "distinct phone numbers in the generated events (as ingest)")
	dur := fset.Duration("duration", 60*time.Second, "stop starting transactions after this long")
	runID := fset.String("run-id", "", "16 hex digits prefixing event ids (default random)")
	progress := fset.Duration("progress", 10*time.Second, "print progress to stderr this often (0: never)")
	if err := parseFlags(fset, args); err != nil {
		return err
	}
	switch {
	case *dbURL == "":
		return usageError(stderr, "--url (or $JDS_STORE_URL) is required")
	case *events < 1:
		return usageError(stderr, "--events must be positive, got %d", *events)
	case *group < 1 || *group > 100_000:
		return usageError(stderr, "--group must be from 1 to 100000, got %d", *group)
	case *clients < 1 || *clients > 256:
		return usageError(stderr, "--clients must be from 1 to 256, got %d", *clients)
	case *dur <= 0:
		return usageError(stderr, "--duration must be positive")
	}
	cfg, err := pgConfig(*dbURL, *clients)
	if err != nil {
		return usageError(stderr, "%v", err)
	}
	g, err := newGenerator(*runID, *persons, "")
	if err != nil {
		return usageError(stderr, "%v", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("connecting to PostgreSQL: %w", err)
	}
	defer pool.Close()
	table := "jdsload_rawpg_" + hex.EncodeToString(g.run[:])
	if _, err := pool.Exec(ctx, "CREATE TABLE "+table+" (seq bigint PRIMARY KEY, body bytea NOT NULL)"); err != nil {
		return fmt.Errorf("creating the scratch table %s: %w", table, err)
	}
	defer func() {
		// Dropped even when the run was interrupted.
		dctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := pool.Exec(dctx, "DROP TABLE IF EXISTS "+table); err != nil {
			fmt.Fprintf(stderr, "dropping the scratch table %s: %v\n", table, err)
		}
	}()

	w := &pgWriters{pool: pool, table: table, gen: g, events: *events, group: *group, stopAt: time.Now().Add(*dur)}
	start := time.Now()
	stopProgress := w.reportProgress(stderr, start, *progress)
	lats := w.run(ctx, *clients)
	stopProgress()
	elapsed := time.Since(start)

	s := summarize(lats)
	var errs int64
	if w.failure != nil {
		errs = 1
	}
	written, commits := w.written.Load(), w.commits.Load()
	res := newResult("rawpg", written, commits, errs, elapsed, s)
	res.Extra["group"] = *group
	res.Extra["clients"] = *clients
	res.Extra["stopped_by"] = w.stoppedBy()
	res.Extra["value_bytes"] = w.bytes.Load()
	if written > 0 {
		res.Extra["avg_event_bytes"] = w.bytes.Load() / written
	}

	fmt.Fprintf(stdout, "rawpg: %d events into a scratch table of %s, %d writer(s), %d rows per durable commit (synchronous_commit on)\n",
		written, cfg.ConnConfig.Database, *clients, *group)
	fmt.Fprintf(stdout, "  %.2f s: %.0f events/s, %.0f commits/s; stopped by %s; %.1f MB of bodies\n",
		res.Seconds, res.EventsPerSec, res.RequestsPerSec, w.stoppedBy(), float64(w.bytes.Load())/1e6)
	printLatency(stdout, "commit", s)
	if w.failure != nil {
		fmt.Fprintf(stdout, "  FAILED: %v\n", w.failure)
	}
	fmt.Fprintln(stdout, res.line())
	if w.failure != nil {
		return errFailed
	}
	return nil
}

// pgConfig parses the database URL, refuses a host that is not loopback (or a local
// socket), and sizes the pool for the writers, with durable commits.
func pgConfig(raw string, clients int) (*pgxpool.Config, error) {
	if !strings.HasPrefix(raw, "postgres://") && !strings.HasPrefix(raw, "postgresql://") {
		return nil, errors.New("--url: give a postgres:// URL")
	}
	cfg, err := pgxpool.ParseConfig(raw)
	if err != nil {
		return nil, fmt.Errorf("--url: %v", err)
	}
	if host := cfg.ConnConfig.Host; !strings.HasPrefix(host, "/") && !isLoopback(host) {
		return nil, fmt.Errorf("--url: refusing host %q: only loopback targets (127.0.0.0/8, ::1, localhost) are allowed", host)
	}
	cfg.MaxConns = int32(clients)
	cfg.MinConns = int32(clients)
	cfg.ConnConfig.RuntimeParams["synchronous_commit"] = "on"
	return cfg, nil
}

// pgWriters are the writers of one run: each takes the next group of event indexes and
// inserts it in a transaction of its own, until the count, the time limit, a signal or a
// failure ends the run.
type pgWriters struct {
	pool   *pgxpool.Pool
	table  string
	gen    *generator
	events int
	group  int
	stopAt time.Time

	next                    atomic.Int64 // the next event index to take
	written, commits, bytes atomic.Int64
	mu                      sync.Mutex
	failure                 error
	stopBy                  string
}

// run starts the writers and returns their commit latencies.
func (w *pgWriters) run(ctx context.Context, clients int) []latencies {
	lats := make([]latencies, clients)
	var wg sync.WaitGroup
	for c := range clients {
		lats[c] = newLatencies(w.events / w.group / clients)
		wg.Add(1)
		go func() {
			defer wg.Done()
			lats[c] = w.write(ctx, lats[c])
		}()
	}
	wg.Wait()
	return lats
}

// write is one writer's loop.
func (w *pgWriters) write(ctx context.Context, lat latencies) latencies {
	seqs := make([]int64, 0, w.group)
	bodies := make([][]byte, 0, w.group)
	for {
		if reason := w.stopReason(ctx); reason != "" {
			w.stop(reason, nil)
			return lat
		}
		from := int(w.next.Add(int64(w.group))) - w.group
		if from >= w.events {
			w.stop("count", nil)
			return lat
		}
		to := min(from+w.group, w.events)
		seqs, bodies = seqs[:0], bodies[:0]
		var n int64
		for i := from; i < to; i++ {
			b := w.gen.appendEvent(nil, uint64(i))
			seqs, bodies = append(seqs, int64(i)), append(bodies, b)
			n += int64(len(b))
		}
		t0 := time.Now()
		err := w.insert(ctx, seqs, bodies)
		lat = append(lat, time.Since(t0))
		if err != nil {
			if ctx.Err() != nil {
				w.stop("signal", nil)
			} else {
				w.stop("error", fmt.Errorf("inserting events [%d,%d): %w", from, to, err))
			}
			return lat
		}
		w.written.Add(int64(to - from))
		w.commits.Add(1)
		w.bytes.Add(n)
	}
}

// insert writes one group in one durable transaction: a single row alone (autocommit,
// as pgbench does), more in one multi-row INSERT between BEGIN and COMMIT.
func (w *pgWriters) insert(ctx context.Context, seqs []int64, bodies [][]byte) error {
	if len(seqs) == 1 {
		_, err := w.pool.Exec(ctx, "INSERT INTO "+w.table+" (seq, body) VALUES ($1, $2)", seqs[0], bodies[0])
		return err
	}
	return pgx.BeginFunc(ctx, w.pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO "+w.table+" (seq, body) SELECT * FROM unnest($1::bigint[], $2::bytea[])", seqs, bodies)
		return err
	})
}

// stopReason says why no more transaction may start: "" while one may.
func (w *pgWriters) stopReason(ctx context.Context) string {
	w.mu.Lock()
	stopped := w.stopBy
	w.mu.Unlock()
	switch {
	case stopped != "":
		return stopped
	case ctx.Err() != nil:
		return "signal"
	case time.Now().After(w.stopAt):
		return "duration"
	}
	return ""
}

// stop records why the run ended (the first reason, unless an error came after it) and
// its failure, if any.
func (w *pgWriters) stop(reason string, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopBy == "" || reason == "error" {
		w.stopBy = reason
	}
	if err != nil && w.failure == nil {
		w.failure = err
	}
}

func (w *pgWriters) stoppedBy() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.stopBy
}

// reportProgress prints the rows written every interval until the returned func is
// called (nothing when interval is 0).
func (w *pgWriters) reportProgress(stderr io.Writer, start time.Time, interval time.Duration) (stop func()) {
	if interval <= 0 {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(interval)
		defer t.Stop()
		lastN, lastT := int64(0), start
		for {
			select {
			case <-done:
				return
			case now := <-t.C:
				n := w.written.Load()
				fmt.Fprintf(stderr, "  ... %6.1f s: %d events written, %.0f events/s over the last %s\n",
					now.Sub(start).Seconds(), n, float64(n-lastN)/now.Sub(lastT).Seconds(), interval)
				lastN, lastT = n, now
			}
		}
	}()
	return func() { close(done); <-finished }
}
