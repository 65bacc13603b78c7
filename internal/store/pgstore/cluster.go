package pgstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/openjds/jds/internal/store"
)

// The nodes sharing the database as a cluster (store.JobLock, store.Nodes): the runs of
// scheduled jobs and what each node loaded are rows of job_runs and node_loads, keyed by
// the pseudo-workspace '' (migrations/0003_cluster.sql); broadcasts are notices on the
// channel the commits use (notify.go).

var (
	_ store.JobLock = (*Store)(nil)
	_ store.Nodes   = (*Store)(nil)
)

// ClaimJob: see store.JobLock. The row of the job holds the instant of the latest
// scheduled run claimed; a node claims a later instant in one statement, so of nodes
// claiming the same instant one gets it.
func (s *Store) ClaimJob(ctx context.Context, job string, at time.Time) (bool, error) {
	if s.closed.Load() {
		return false, store.ErrClosed
	}
	tag, err := s.pool.Exec(ctx, `INSERT INTO job_runs (job, node, scheduled_at, started_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (workspace_id, job) DO UPDATE
			SET node = excluded.node, scheduled_at = excluded.scheduled_at, started_at = excluded.started_at, took_us = NULL, error = ''
			WHERE job_runs.scheduled_at IS NULL OR job_runs.scheduled_at < excluded.scheduled_at`,
		job, s.opts.Node, at, s.opts.Now())
	if err != nil {
		return false, err
	}
	return tag.RowsAffected() == 1, nil
}

// JobRan: see store.JobLock. The scheduled instant claimed stays.
func (s *Store) JobRan(ctx context.Context, job string, start time.Time, took time.Duration, errText string) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO job_runs (job, node, started_at, took_us, error) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (workspace_id, job) DO UPDATE
			SET node = excluded.node, started_at = excluded.started_at, took_us = excluded.took_us, error = excluded.error`,
		job, s.opts.Node, start, took.Microseconds(), errText)
	return err
}

// JobRuns: see store.JobLock.
func (s *Store) JobRuns(ctx context.Context) (map[string]store.JobRun, error) {
	out := map[string]store.JobRun{}
	err := s.view(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, "SELECT job, node, scheduled_at, started_at, took_us, error FROM job_runs WHERE workspace_id = ''")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r store.JobRun
			var at *time.Time
			var took *int64
			if err := rows.Scan(&r.Job, &r.Node, &at, &r.Start, &took, &r.Error); err != nil {
				return err
			}
			if at != nil {
				r.At = *at
			}
			if took != nil {
				r.Duration, r.Finished = time.Duration(*took)*time.Microsecond, true
			}
			out[r.Job] = r
		}
		return rows.Err()
	})
	return out, err
}

// Node: see store.Nodes.
func (s *Store) Node() string { return s.opts.Node }

// Broadcast: see store.Nodes.
func (s *Store) Broadcast(ctx context.Context, topic string) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	raw, err := json.Marshal(notice{Node: s.opts.Node, Topic: topic})
	if err != nil {
		return err
	}
	_, err = s.pool.Exec(ctx, "SELECT pg_notify($1, $2)", notifyChannel, string(raw))
	return err
}

// OnBroadcast: see store.Nodes.
func (s *Store) OnBroadcast(fn func(topic string)) {
	s.docMu.Lock()
	defer s.docMu.Unlock()
	s.topicListeners = append(s.topicListeners, fn)
}

// SetLoaded: see store.Nodes.
func (s *Store) SetLoaded(ctx context.Context, what string, l store.NodeLoad) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	var loadedAt *time.Time
	if !l.LoadedAt.IsZero() {
		loadedAt = &l.LoadedAt
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO node_loads (what, node, version, ok, errors, reloads, loaded_at, checked_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (workspace_id, what, node) DO UPDATE SET version = excluded.version, ok = excluded.ok,
			errors = excluded.errors, reloads = excluded.reloads, loaded_at = excluded.loaded_at, checked_at = excluded.checked_at`,
		what, s.opts.Node, l.Version, l.OK, l.Errors, int64(l.Reloads), loadedAt, l.CheckedAt)
	return err
}

// Loaded: see store.Nodes.
func (s *Store) Loaded(ctx context.Context, what string) ([]store.NodeLoad, error) {
	var out []store.NodeLoad
	err := s.view(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT node, version, ok, errors, reloads, loaded_at, checked_at FROM node_loads
			WHERE workspace_id = '' AND what = $1 ORDER BY node`, what)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var l store.NodeLoad
			var reloads int64
			var loadedAt *time.Time
			if err := rows.Scan(&l.Node, &l.Version, &l.OK, &l.Errors, &reloads, &loadedAt, &l.CheckedAt); err != nil {
				return err
			}
			l.Reloads = uint64(reloads)
			if loadedAt != nil {
				l.LoadedAt = loadedAt.UTC()
			}
			l.CheckedAt = l.CheckedAt.UTC()
			out = append(out, l)
		}
		return rows.Err()
	})
	return out, err
}

// Beat: see store.Nodes. Times are the database's, so the nodes' clocks do not matter.
func (s *Store) Beat(ctx context.Context, within time.Duration) (int, error) {
	if s.closed.Load() {
		return 0, store.ErrClosed
	}
	var n int
	// The statement's snapshot does not see its own insert: the other nodes are counted,
	// and this one added.
	err := s.pool.QueryRow(ctx, `WITH beat AS (
			INSERT INTO node_beats (node, seen_at) VALUES ($1, now())
			ON CONFLICT (workspace_id, node) DO UPDATE SET seen_at = excluded.seen_at)
		SELECT 1 + count(*) FROM node_beats
		WHERE workspace_id = '' AND node <> $1 AND seen_at > now() - make_interval(secs => $2)`,
		s.opts.Node, within.Seconds()).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("recording this node's beat: %w", err)
	}
	return n, nil
}

// forgetBeat deletes this node's beat as it closes, so that the others stop counting it.
func (s *Store) forgetBeat() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := s.pool.Exec(ctx, "DELETE FROM node_beats WHERE workspace_id = '' AND node = $1", s.opts.Node); err != nil {
		s.log.Warn("forgetting this node's beat", "err", err)
	}
}
