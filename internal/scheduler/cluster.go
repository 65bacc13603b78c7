package scheduler

import (
	"context"
	"fmt"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/openjds/jds/internal/store"
)

// Several processes sharing a store (jds nodes on one PostgreSQL) run the same jobs on
// the same schedules. With a store.JobLock, each scheduled run is claimed for its
// instant first: one process runs it, the others count it as run elsewhere. Runs asked
// for by hand (RunNow, Trigger) are not claimed: the process asked runs them. Every run
// a process makes is recorded in the lock, so that each process can say which one ran
// each job last.

// WithJobLock shares the scheduled runs with the other processes holding the same lock.
func WithJobLock(l store.JobLock) Option {
	return func(s *Scheduler) { s.lock = l }
}

// lockTimeout bounds each call to the lock: a run is not held up long by it; readTimeout
// a status read (the API, a metrics scrape), which shows no shared run when it passes.
const (
	lockTimeout = 5 * time.Second
	readTimeout = 2 * time.Second
)

// claimShared claims the scheduled run of j due now among the processes sharing the
// lock: true when it is this process's to run. A failure to claim is recorded as a failed run.
func (s *Scheduler) claimShared(j *job) bool {
	if s.lock == nil {
		return true
	}
	ctx, cancel := context.WithTimeout(s.ctx, lockTimeout)
	defer cancel()
	now := s.now()
	mine, err := s.lock.ClaimJob(ctx, j.name, instant(j.sched, now))
	if err != nil {
		err = fmt.Errorf("claiming the run among the nodes: %w", err)
		j.mu.Lock()
		j.status.LastStart = now
		j.status.Runs++
		j.status.Failures++
		j.status.LastError = err.Error()
		j.mu.Unlock()
		s.log.Error("job failed", "job", j.name, "err", err)
		return false
	}
	if !mine {
		j.mu.Lock()
		j.status.Elsewhere++
		j.mu.Unlock()
		s.log.Debug("job run by another node", "job", j.name)
	}
	return mine
}

// recordShared records a run this process made in the lock.
func (s *Scheduler) recordShared(j *job, start time.Time, took time.Duration, err error) {
	if s.lock == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), lockTimeout)
	defer cancel()
	text := ""
	if err != nil {
		text = err.Error()
	}
	if err := s.lock.JobRan(ctx, j.name, start, took, text); err != nil {
		s.log.Warn("recording a job's run for the other nodes", "job", j.name, "err", err)
	}
}

// sharedRuns reads the last run of each job among the processes; nil without a lock or
// when it cannot be read (then logged).
func (s *Scheduler) sharedRuns() map[string]store.JobRun {
	if s.lock == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
	defer cancel()
	runs, err := s.lock.JobRuns(ctx)
	if err != nil {
		s.log.Warn("reading the jobs' runs on the other nodes", "err", err)
		return nil
	}
	return runs
}

// instant is the scheduled instant a run of sched at now is for, the same on every
// process whose clock is near: the latest instant of the schedule at or before now. An
// "@every" schedule runs from each process's start, so its instants differ: those are
// counted from the zero time instead (now truncated to the period), one run per period.
func instant(sched cron.Schedule, now time.Time) time.Time {
	if every, ok := sched.(cron.ConstantDelaySchedule); ok {
		return now.Truncate(every.Delay)
	}
	now = now.Truncate(time.Second) // cron's instants are whole seconds
	for _, back := range []time.Duration{time.Minute, time.Hour, 24 * time.Hour, 32 * 24 * time.Hour, 367 * 24 * time.Hour, 5 * 367 * 24 * time.Hour} {
		t := sched.Next(now.Add(-back))
		if t.IsZero() || t.After(now) {
			continue
		}
		for {
			next := sched.Next(t)
			if next.IsZero() || next.After(now) {
				return t
			}
			t = next
		}
	}
	return now
}
