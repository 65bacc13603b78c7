package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/openjds/jds/internal/scheduler"
	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/internal/workspaces"
)

// The scheduled jobs of the service. Their names are what /admin/v1/api/jobs and the
// metrics show; pollers of inbound connectors add theirs as "poll:<name>".
const (
	JobValueLogGC  = "value-log-gc"
	JobExpireAnon  = "expire-anonymous"
	JobRetention   = "retention"
	JobOutboxSweep = "outbox-sweep"
)

// overdue is how late a pending delivery may be before the outbox sweep warns: later
// than any retry the worker schedules itself would leave it.
const overdue = 5 * time.Minute

// retentionLogEvery spaces the progress lines of a long retention run.
const retentionLogEvery = 10 * time.Second

// addJobs registers the service's own jobs on their configured schedules.
func (s *Service) addJobs() error {
	type job struct {
		name, spec string
		run        func(context.Context) error
	}
	var badgerJobs []job
	if s.badger != nil {
		badgerJobs = append(badgerJobs, job{JobValueLogGC, s.cfg.Store.Badger.ValueLogGC, s.collectGarbage})
	}
	for _, j := range append(badgerJobs, []job{
		{JobExpireAnon, s.cfg.Identity.ExpirySchedule, s.expireTemporary},
		{JobRetention, s.cfg.Retention.Schedule, s.expireEvents},
		{JobOutboxSweep, s.cfg.Delivery.SweepSchedule, s.sweepOutbox},
	}...) {
		if err := s.jobs.Add(j.name, j.spec, j.run); err != nil {
			return fmt.Errorf("scheduling jobs: %w", err)
		}
	}
	return nil
}

// Jobs is the service's scheduler: what runs when, and a way to run a job now.
func (s *Service) Jobs() *scheduler.Scheduler { return s.jobs }

func (s *Service) collectGarbage(ctx context.Context) error {
	start := time.Now()
	n, err := s.badger.CollectGarbage(ctx)
	if err != nil {
		return err
	}
	s.log.Debug("value-log gc", "files_rewritten", n, "took", time.Since(start))
	return nil
}

// expireTemporary removes anonymous persons never linked within the hold period.
func (s *Service) expireTemporary(ctx context.Context) error {
	start := time.Now()
	cutoff := s.now().Add(-time.Duration(s.cfg.Identity.TemporaryHold))
	n, err := s.store.ExpireTemporary(ctx, cutoff)
	if err != nil {
		return fmt.Errorf("expiring anonymous persons: %w", err)
	}
	if n > 0 {
		s.log.Info("expired anonymous persons", "persons", n, "created_before", cutoff, "took", time.Since(start))
	}
	return nil
}

// expireEvents deletes, in every workspace, the events older than its retention period
// (its entry in retention.workspaces, else its own dataRetentionDays, else
// retention.default: workspaces.Retention; 0 keeps them). A workspace
// that fails does not stop the others; the run reports every failure.
func (s *Service) expireEvents(ctx context.Context) error {
	all, err := s.store.Workspaces(ctx)
	if err != nil {
		return fmt.Errorf("listing workspaces: %w", err)
	}
	now := s.now()
	var errs []error
	for _, w := range all {
		period, err := workspaces.Retention(ctx, s.store, s.cfg.Retention, w)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if period <= 0 {
			continue
		}
		cutoff := now.Add(-period)
		start := time.Now()
		logged := start
		got, err := s.store.ExpireEvents(ctx, w, cutoff, func(e store.Expired) {
			if time.Since(logged) >= retentionLogEvery {
				logged = time.Now()
				s.log.Info("retention in progress", "workspace", w.String(), "events", e.Events, "persons", e.Persons,
					"before", cutoff, "took", time.Since(start).Round(time.Millisecond))
			}
		})
		if err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("retention stopped in %s after %d events: %w", w, got.Events, ctx.Err())
			}
			errs = append(errs, err)
			continue
		}
		if got.Events > 0 {
			s.log.Info("expired events", "workspace", w.String(), "events", got.Events, "persons", got.Persons,
				"before", cutoff, "took", time.Since(start).Round(time.Millisecond))
		}
	}
	return errors.Join(errs...)
}

// sweepOutbox wakes the delivery worker, belt and braces (it polls by itself too), and
// warns when a delivery is long overdue: the worker is stuck or far behind.
func (s *Service) sweepOutbox(ctx context.Context) error {
	s.worker.Wake()
	late, err := s.store.Due(ctx, s.now().Add(-overdue), 1, nil)
	if err != nil {
		return fmt.Errorf("reading the outbox: %w", err)
	}
	if len(late) > 0 {
		s.log.Warn("deliveries are overdue", "oldest", late[0].ID, "due", late[0].Due, "attempts", late[0].Attempts)
	}
	return nil
}
