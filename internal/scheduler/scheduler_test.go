package scheduler

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// clock is a fake clock.
type clock struct{ ns atomic.Int64 }

func (c *clock) now() time.Time { return time.Unix(0, c.ns.Load()).UTC() }

// fire runs a job the way cron does when its time comes: through the wrapped job, with
// cron.Recover and cron.SkipIfStillRunning, without waiting for the time.
func fire(s *Scheduler, name string) {
	s.mu.Lock()
	j := s.jobs[name]
	s.mu.Unlock()
	s.cron.Entry(j.entry).WrappedJob.Run()
}

func status(t *testing.T, s *Scheduler, name string) JobStatus {
	t.Helper()
	st, err := s.Job(name)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestAddRejectsBadInput(t *testing.T) {
	s := New(quiet)
	defer s.Stop()
	ok := func(context.Context) error { return nil }
	if err := s.Add("gc", "@every 10m", ok); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, spec string
		run        func(context.Context) error
		want       []string
	}{
		{"retention", "every day", ok, []string{`job "retention"`, `schedule "every day"`}},
		{"retention", "61 * * * *", ok, []string{`job "retention"`, `"61 * * * *"`}},
		{"gc", "@hourly", ok, []string{`job "gc"`, "exists"}},
		{"", "@hourly", ok, []string{"name is empty"}},
		{"nil", "@hourly", nil, []string{`job "nil"`, "no function"}},
	}
	for _, tc := range tests {
		err := s.Add(tc.name, tc.spec, tc.run)
		if err == nil {
			t.Errorf("Add(%q, %q) succeeded", tc.name, tc.spec)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("Add(%q, %q) = %q, want it to mention %s", tc.name, tc.spec, err, w)
			}
		}
	}
	if got := len(s.Jobs()); got != 1 {
		t.Errorf("%d jobs after the refusals, want 1", got)
	}
}

func TestRunRecordsOutcomes(t *testing.T) {
	c := &clock{}
	t0 := time.Date(2026, 3, 10, 3, 0, 0, 0, time.UTC)
	c.ns.Store(t0.UnixNano())
	s := New(quiet, WithClock(c.now))
	defer s.Stop()
	var fail atomic.Bool
	s.Add("flaky", "@daily", func(context.Context) error {
		if fail.Load() {
			return errors.New("partner down")
		}
		return nil
	})
	if err := s.RunNow(context.Background(), "flaky"); err != nil {
		t.Fatal(err)
	}
	st := status(t, s, "flaky")
	if st.Runs != 1 || st.Failures != 0 || st.LastError != "" || !st.LastStart.Equal(t0) || !st.LastSuccess.Equal(t0) || st.Running {
		t.Fatalf("after a success: %+v", st)
	}
	if !st.NextRun.IsZero() {
		t.Errorf("next run before Start: %v", st.NextRun)
	}

	c.ns.Add(int64(time.Hour))
	fail.Store(true)
	if err := s.RunNow(context.Background(), "flaky"); err == nil || err.Error() != "partner down" {
		t.Fatalf("RunNow = %v, want the job's error", err)
	}
	st = status(t, s, "flaky")
	if st.Runs != 2 || st.Failures != 1 || st.LastError != "partner down" || !st.LastStart.Equal(t0.Add(time.Hour)) || !st.LastSuccess.Equal(t0) {
		t.Fatalf("after a failure: %+v", st)
	}

	fail.Store(false)
	fire(s, "flaky")
	if st = status(t, s, "flaky"); st.Runs != 3 || st.LastError != "" {
		t.Fatalf("a success clears the last error: %+v", st)
	}

	s.Start()
	if st = status(t, s, "flaky"); st.Schedule != "@daily" || !st.NextRun.After(time.Now()) || st.NextRun.After(time.Now().Add(25*time.Hour)) {
		t.Errorf("after Start: schedule %q, next run %v", st.Schedule, st.NextRun)
	}
	if err := s.RunNow(context.Background(), "nope"); !errors.Is(err, ErrUnknownJob) {
		t.Errorf("RunNow(unknown) = %v", err)
	}
}

func TestPanicIsRecoveredAndRecorded(t *testing.T) {
	s := New(quiet)
	defer s.Stop()
	s.Add("boom", "@hourly", func(context.Context) error { panic("index out of range") })
	for i, run := range []func(){
		func() { fire(s, "boom") },
		func() {
			if err := s.RunNow(context.Background(), "boom"); err == nil || err.Error() != "panic: index out of range" {
				t.Errorf("RunNow = %v", err)
			}
		},
	} {
		run()
		st := status(t, s, "boom")
		if st.Runs != int64(i+1) || st.Failures != int64(i+1) || st.LastError != "panic: index out of range" || st.Running {
			t.Fatalf("after panic %d: %+v", i+1, st)
		}
	}
	// The job stays usable: the guard was released.
	s.Add("fine", "@hourly", func(context.Context) error { return nil })
	if err := s.RunNow(context.Background(), "fine"); err != nil {
		t.Fatal(err)
	}
}

func TestOverlappingRunsAreSkipped(t *testing.T) {
	s := New(quiet)
	defer s.Stop()
	entered, release := make(chan struct{}), make(chan struct{})
	var runs atomic.Int32
	s.Add("slow", "@every 1m", func(context.Context) error {
		runs.Add(1)
		entered <- struct{}{}
		<-release
		return nil
	})
	done := make(chan struct{})
	go func() { fire(s, "slow"); close(done) }()
	<-entered
	if st := status(t, s, "slow"); !st.Running {
		t.Fatalf("not running during a run: %+v", st)
	}
	fire(s, "slow") // cron's turn comes again: SkipIfStillRunning skips it
	if err := s.RunNow(context.Background(), "slow"); !errors.Is(err, ErrRunning) {
		t.Errorf("RunNow during a run = %v, want ErrRunning", err)
	}
	if err := s.Trigger("slow"); !errors.Is(err, ErrRunning) {
		t.Errorf("Trigger during a run = %v, want ErrRunning", err)
	}
	close(release)
	<-done
	st := status(t, s, "slow")
	if runs.Load() != 1 || st.Runs != 1 || st.Skipped != 3 || st.Running {
		t.Fatalf("runs %d, status %+v; want 1 run and 3 skips", runs.Load(), st)
	}
}

func TestTriggerRunsInTheBackground(t *testing.T) {
	s := New(quiet)
	ran := make(chan struct{})
	s.Add("sweep", "@every 1m", func(context.Context) error { close(ran); return nil })
	if err := s.Trigger("sweep"); err != nil {
		t.Fatal(err)
	}
	<-ran
	s.Stop() // waits for the run to be recorded
	if st := status(t, s, "sweep"); st.Runs != 1 || st.Running {
		t.Fatalf("%+v", st)
	}
	if err := s.Trigger("nope"); !errors.Is(err, ErrUnknownJob) {
		t.Errorf("Trigger(unknown) = %v", err)
	}
}

func TestStopCancelsAndWaits(t *testing.T) {
	s := New(quiet)
	s.Start()
	entered := make(chan struct{})
	var finished atomic.Bool
	s.Add("long", "@daily", func(ctx context.Context) error {
		close(entered)
		<-ctx.Done()
		finished.Store(true)
		return ctx.Err()
	})
	if err := s.Trigger("long"); err != nil {
		t.Fatal(err)
	}
	<-entered
	s.Stop()
	if !finished.Load() {
		t.Fatal("Stop returned before the run did")
	}
	st := status(t, s, "long")
	if st.Failures != 1 || st.LastError != context.Canceled.Error() || !st.NextRun.IsZero() {
		t.Errorf("after Stop: %+v", st)
	}
	if err := s.RunNow(context.Background(), "long"); !errors.Is(err, ErrStopped) {
		t.Errorf("RunNow after Stop = %v", err)
	}
	if err := s.Add("late", "@daily", func(context.Context) error { return nil }); !errors.Is(err, ErrStopped) {
		t.Errorf("Add after Stop = %v", err)
	}
	s.Stop() // idempotent
}

func TestRunNowFollowsTheCallersContext(t *testing.T) {
	s := New(quiet)
	defer s.Stop()
	s.Add("wait", "@daily", func(ctx context.Context) error {
		<-ctx.Done()
		return ctx.Err()
	})
	ctx, cancel := context.WithCancel(context.Background())
	go cancel()
	if err := s.RunNow(ctx, "wait"); !errors.Is(err, context.Canceled) {
		t.Fatalf("RunNow = %v", err)
	}
	// The scheduler itself goes on.
	if st := status(t, s, "wait"); st.Running || st.Runs != 1 {
		t.Fatalf("%+v", st)
	}
}
