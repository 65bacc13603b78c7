// Package scheduler runs the periodic jobs of jds (retention, expiry of anonymous
// journeys, value-log garbage collection, outbox sweeps, pollers) on robfig/cron, and
// keeps what operators ask about them: when each last ran, how long it took, how it
// ended, when it runs next.
//
// Every job runs behind cron.Recover and cron.SkipIfStillRunning, and behind a guard of
// its own that covers runs asked for by hand (RunNow, Trigger) as well: a job never runs
// twice at once, and a job that panics is recorded as failed with the panic as its
// error instead of taking the process down.
//
// A job's function receives a context that ends when the scheduler stops (or, for
// RunNow, when the caller's context ends); long jobs must watch it. Stop waits for the
// runs in progress.
//
// The package knows nothing of what the jobs do, nor of HTTP or metrics: package server
// renders Jobs as JSON and Prometheus metrics.
package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/openjds/jds/internal/store"
)

// Errors callers branch on.
var (
	// ErrUnknownJob: no job has that name.
	ErrUnknownJob = errors.New("no such job")
	// ErrRunning: the job is running already; this run was skipped.
	ErrRunning = errors.New("job is running already")
	// ErrStopped: the scheduler is stopped and runs nothing more.
	ErrStopped = errors.New("scheduler is stopped")
)

// Option configures a Scheduler.
type Option func(*Scheduler)

// WithClock sets the clock that stamps runs (last start, next run); default time.Now.
// Durations are measured on the monotonic clock whatever the option, and the cron
// timers themselves run on real time: tests drive jobs with RunNow.
func WithClock(now func() time.Time) Option {
	return func(s *Scheduler) {
		if now != nil {
			s.now = now
		}
	}
}

// JobStatus is what is known of one job at one instant.
type JobStatus struct {
	Name     string
	Schedule string // as given to Add
	// LastStart is when the last run began; zero when the job has not run yet.
	LastStart time.Time
	// LastDuration is how long the last finished run took.
	LastDuration time.Duration
	// LastError is the last finished run's error ("" when it succeeded); a panic is
	// recorded as "panic: <value>".
	LastError string
	// LastSuccess is when the last successful run began; zero when none has.
	LastSuccess time.Time
	// NextRun is when the schedule runs the job next; zero before Start and after Stop.
	NextRun time.Time
	// Runs counts finished runs, Failures those that failed, Skipped the runs not
	// started because one was still in progress.
	Runs, Failures, Skipped int64
	// Running is true while a run is in progress.
	Running bool
	// Elsewhere counts the scheduled runs another process sharing the job lock made
	// (WithJobLock), and Shared is the job's last run among them, whichever made it;
	// nil without a lock or before any run.
	Elsewhere int64
	Shared    *store.JobRun
}

// Scheduler runs named jobs on cron schedules. It is safe for concurrent use; jobs may
// be added before or after Start.
type Scheduler struct {
	log  *slog.Logger
	now  func() time.Time
	cron *cron.Cron
	lock store.JobLock // nil: this process runs every scheduled run (cluster.go)

	// ctx is given to every run and ends at Stop.
	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	jobs    map[string]*job
	order   []string // names in the order added
	started bool
	stopped bool
	runs    sync.WaitGroup // runs in progress, whoever started them
}

// job is one registered job and its record. Fields after mu are guarded by it.
type job struct {
	name  string
	run   func(ctx context.Context) error
	entry cron.EntryID
	sched cron.Schedule

	mu      sync.Mutex
	running bool
	status  JobStatus
}

// New returns a scheduler that runs nothing until Start.
func New(log *slog.Logger, opts ...Option) *Scheduler {
	if log == nil {
		log = slog.Default()
	}
	s := &Scheduler{log: log, now: time.Now, jobs: map[string]*job{}}
	for _, o := range opts {
		o(s)
	}
	s.cron = cron.New(cron.WithLogger(cronLogger{log: log}))
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s
}

// parser reads the schedules config.checkSchedule accepts: five fields, descriptors
// ("@hourly", "@every 10m"), optionally after "CRON_TZ=<zone> ".
var parser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Add registers a job under a unique name with a cron schedule ("@every 10m",
// "@daily", "0 3 * * *", "CRON_TZ=Europe/Paris 0 3 * * *"). A bad schedule, an empty
// or taken name, or a nil function is an error naming the job.
func (s *Scheduler) Add(name, spec string, run func(ctx context.Context) error) error {
	if name == "" {
		return errors.New("adding a job: the name is empty")
	}
	if run == nil {
		return fmt.Errorf("adding job %q: no function to run", name)
	}
	sched, err := parser.Parse(spec)
	if err != nil {
		return fmt.Errorf("job %q: schedule %q: %w", name, spec, err)
	}
	j := &job{name: name, run: run, sched: sched}
	j.status = JobStatus{Name: name, Schedule: spec}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return fmt.Errorf("adding job %q: %w", name, ErrStopped)
	}
	if _, dup := s.jobs[name]; dup {
		return fmt.Errorf("adding job %q: a job with this name exists", name)
	}
	// The chain is per job so that its logger can say which job a skip was.
	jl := cronLogger{log: s.log, job: j}
	wrapped := cron.NewChain(cron.Recover(jl), cron.SkipIfStillRunning(jl)).Then(cron.FuncJob(func() {
		if !s.claimShared(j) {
			return
		}
		ctx, done := s.claim(j)
		if ctx == nil {
			return
		}
		defer done()
		s.execute(ctx, j)
	}))
	j.entry = s.cron.Schedule(sched, wrapped)
	s.jobs[name] = j
	s.order = append(s.order, name)
	return nil
}

// Start starts running the jobs on their schedules. Calling it again does nothing.
func (s *Scheduler) Start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started || s.stopped {
		return
	}
	s.started = true
	s.cron.Start()
}

// Stop stops the schedules, cancels the context of the runs in progress, and waits for
// them to return. Afterwards nothing runs; calling it again does nothing.
func (s *Scheduler) Stop() {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return
	}
	s.stopped = true
	s.mu.Unlock()
	s.cancel()
	<-s.cron.Stop().Done()
	s.runs.Wait()
}

// Jobs returns the status of every job, in the order they were added.
func (s *Scheduler) Jobs() []JobStatus {
	s.mu.Lock()
	jobs := make([]*job, 0, len(s.order))
	for _, name := range s.order {
		jobs = append(jobs, s.jobs[name])
	}
	live := s.started && !s.stopped
	s.mu.Unlock()
	out := make([]JobStatus, 0, len(jobs))
	shared := s.sharedRuns()
	for _, j := range jobs {
		out = append(out, s.status(j, live, shared))
	}
	return out
}

// Job returns the status of one job; ErrUnknownJob when none has that name.
func (s *Scheduler) Job(name string) (JobStatus, error) {
	s.mu.Lock()
	j := s.jobs[name]
	live := s.started && !s.stopped
	s.mu.Unlock()
	if j == nil {
		return JobStatus{}, fmt.Errorf("job %q: %w", name, ErrUnknownJob)
	}
	return s.status(j, live, s.sharedRuns()), nil
}

func (s *Scheduler) status(j *job, live bool, shared map[string]store.JobRun) JobStatus {
	j.mu.Lock()
	st := j.status
	st.Running = j.running
	j.mu.Unlock()
	if r, ok := shared[j.name]; ok {
		st.Shared = &r
	}
	if live {
		st.NextRun = s.cron.Entry(j.entry).Next
	}
	return st
}

// RunNow runs a job at once on the caller's goroutine, whatever its schedule, and
// returns the run's error. The run's context ends when ctx ends or the scheduler stops.
// It is ErrUnknownJob for an unknown name, ErrRunning when the job is running already
// (the run is skipped and counted so), ErrStopped after Stop. It works before Start.
func (s *Scheduler) RunNow(ctx context.Context, name string) error {
	j, err := s.lookup(name)
	if err != nil {
		return err
	}
	runCtx, done := s.claim(j)
	if runCtx == nil {
		return s.refusal(j)
	}
	defer done()
	runCtx, cancel := context.WithCancel(runCtx)
	defer cancel()
	stop := context.AfterFunc(ctx, cancel)
	defer stop()
	return s.execute(runCtx, j)
}

// Trigger starts a run of a job at once in the background, as its schedule would, and
// returns without waiting for it; the errors are those of RunNow that say the run did
// not start. The run is recorded in the job's status like any other.
func (s *Scheduler) Trigger(name string) error {
	j, err := s.lookup(name)
	if err != nil {
		return err
	}
	ctx, done := s.claim(j)
	if ctx == nil {
		return s.refusal(j)
	}
	go func() {
		defer done()
		s.execute(ctx, j)
	}()
	return nil
}

func (s *Scheduler) lookup(name string) (*job, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.jobs[name]
	if j == nil {
		return nil, fmt.Errorf("job %q: %w", name, ErrUnknownJob)
	}
	return j, nil
}

// refusal says why claim refused a run of j.
func (s *Scheduler) refusal(j *job) error {
	s.mu.Lock()
	stopped := s.stopped
	s.mu.Unlock()
	if stopped {
		return fmt.Errorf("running job %q: %w", j.name, ErrStopped)
	}
	return fmt.Errorf("running job %q: %w", j.name, ErrRunning)
}

// claim marks j running, stamps its start, and returns the run's context and the function that ends the
// run (idempotent; it also cancels the context). It returns a nil context, and counts
// a skip, when j is running already; a nil context without a skip after Stop.
func (s *Scheduler) claim(j *job) (context.Context, func()) {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return nil, nil
	}
	j.mu.Lock()
	if j.running {
		j.status.Skipped++
		j.mu.Unlock()
		s.mu.Unlock()
		s.log.Warn("job skipped: the previous run is still in progress", "job", j.name)
		return nil, nil
	}
	j.running = true
	j.status.LastStart = s.now()
	j.mu.Unlock()
	// Counted under s.mu, which Stop takes before it waits: no run starts after Stop.
	s.runs.Add(1)
	s.mu.Unlock()
	ctx, cancel := context.WithCancel(s.ctx)
	var once sync.Once
	return ctx, func() {
		once.Do(func() {
			cancel()
			j.mu.Lock()
			j.running = false
			j.mu.Unlock()
			s.runs.Done()
		})
	}
}

// execute runs j once (claimed by the caller, which stamped its start) and records the
// outcome. A panic in the job is recovered here and recorded as the run's error.
func (s *Scheduler) execute(ctx context.Context, j *job) (err error) {
	start := time.Now()
	j.mu.Lock()
	startedAt := j.status.LastStart
	j.mu.Unlock()
	s.log.Debug("job started", "job", j.name)
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("job panicked", "job", j.name, "panic", r, "stack", string(debug.Stack()))
			err = fmt.Errorf("panic: %v", r)
		}
		took := time.Since(start)
		j.mu.Lock()
		j.status.Runs++
		j.status.LastDuration = took
		if err != nil {
			j.status.Failures++
			j.status.LastError = err.Error()
		} else {
			j.status.LastError = ""
			j.status.LastSuccess = startedAt
		}
		j.mu.Unlock()
		s.recordShared(j, startedAt, took, err)
		if err != nil {
			s.log.Error("job failed", "job", j.name, "took", took, "err", err)
		} else {
			s.log.Debug("job done", "job", j.name, "took", took)
		}
	}()
	return j.run(ctx)
}

// cronLogger lets robfig/cron log through slog. Given a job, it counts the runs that
// cron.SkipIfStillRunning skipped.
type cronLogger struct {
	log *slog.Logger
	job *job
}

func (c cronLogger) Info(msg string, kv ...any) {
	if msg == "skip" && c.job != nil {
		c.job.mu.Lock()
		c.job.status.Skipped++
		c.job.mu.Unlock()
		c.log.Warn("job skipped: the previous run is still in progress", "job", c.job.name)
		return
	}
	c.log.Debug("cron: "+msg, kv...)
}

func (c cronLogger) Error(err error, msg string, kv ...any) {
	if c.job != nil {
		kv = append(kv, "job", c.job.name)
	}
	c.log.Error("cron: "+msg, append(kv, "err", err)...)
}
