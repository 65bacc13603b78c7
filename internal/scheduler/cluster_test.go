package scheduler

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/openjds/jds/internal/store"
)

// memLock is a store.JobLock in memory that several schedulers share, each through a
// view naming its node.
type memLock struct {
	mu      sync.Mutex
	claimed map[string]time.Time
	runs    map[string]store.JobRun
}

type nodeLock struct {
	*memLock
	node string
}

func (l nodeLock) ClaimJob(_ context.Context, job string, at time.Time) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if prev, ok := l.claimed[job]; ok && !prev.Before(at) {
		return false, nil
	}
	l.claimed[job] = at
	l.runs[job] = store.JobRun{Job: job, Node: l.node, At: at}
	return true, nil
}

func (l nodeLock) JobRan(_ context.Context, job string, start time.Time, took time.Duration, errText string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	r := l.runs[job]
	r.Job, r.Node, r.Start, r.Duration, r.Finished, r.Error = job, l.node, start, took, true, errText
	l.runs[job] = r
	return nil
}

func (l nodeLock) JobRuns(context.Context) (map[string]store.JobRun, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[string]store.JobRun{}
	for k, v := range l.runs {
		out[k] = v
	}
	return out, nil
}

// TestScheduledRunsOncePerCluster: two schedulers sharing a job lock run each scheduled
// instant of a job once between them, whichever fires first; a run asked for by hand
// runs where asked; both say which node ran the job last.
func TestScheduledRunsOncePerCluster(t *testing.T) {
	lock := &memLock{claimed: map[string]time.Time{}, runs: map[string]store.JobRun{}}
	var clk clock
	ran := map[string]int{}
	var mu sync.Mutex
	nodes := map[string]*Scheduler{}
	for _, name := range []string{"a", "b"} {
		s := New(quiet, WithClock(clk.now), WithJobLock(nodeLock{lock, name}))
		if err := s.Add("sweep", "@every 10m", func(context.Context) error {
			mu.Lock()
			ran[name]++
			mu.Unlock()
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Stop)
		nodes[name] = s
	}
	at := func(hhmm string) {
		tm, _ := time.Parse("15:04", hhmm)
		clk.ns.Store(time.Date(2026, 3, 1, tm.Hour(), tm.Minute(), 0, 0, time.UTC).UnixNano())
	}
	for _, step := range []struct{ at, node string }{
		{"13:03", "a"}, {"13:07", "b"}, // one period, started apart: a runs it
		{"13:12", "b"}, {"13:14", "a"}, // the next: b first
		{"13:25", "a"}, {"13:25", "b"},
	} {
		at(step.at)
		fire(nodes[step.node], "sweep")
	}
	if ran["a"] != 2 || ran["b"] != 1 {
		t.Errorf("runs by node: %v, want a 2 (13:00, 13:20) and b 1 (13:10)", ran)
	}
	a, b := status(t, nodes["a"], "sweep"), status(t, nodes["b"], "sweep")
	if a.Runs != 2 || a.Elsewhere != 1 || b.Runs != 1 || b.Elsewhere != 2 {
		t.Errorf("a: runs %d elsewhere %d; b: runs %d elsewhere %d; want 2 1 1 2", a.Runs, a.Elsewhere, b.Runs, b.Elsewhere)
	}
	if b.Shared == nil || b.Shared.Node != "a" || !b.Shared.Finished || b.Shared.At.Format("15:04") != "13:20" {
		t.Errorf("b says the last run was %+v, want a's of 13:20", b.Shared)
	}
	if err := nodes["b"].RunNow(context.Background(), "sweep"); err != nil {
		t.Fatal(err)
	}
	if ran["b"] != 2 {
		t.Errorf("a run asked of b by hand: b ran %d times, want 2", ran["b"])
	}
	if a := status(t, nodes["a"], "sweep"); a.Shared == nil || a.Shared.Node != "b" {
		t.Errorf("after b's run by hand, a says the last run was %+v", a.Shared)
	}
}

// TestInstant: the instant a run is for is the schedule's latest at or before now, and
// for "@every" a multiple of the period, the same whenever in it a node runs.
func TestInstant(t *testing.T) {
	day := func(h, m, s, ms int) time.Time { return time.Date(2026, 3, 2, h, m, s, ms*1e6, time.UTC) }
	for _, c := range []struct {
		spec string
		now  time.Time
		want time.Time
	}{
		{"0 3 * * *", day(3, 0, 0, 400), day(3, 0, 0, 0)},
		{"0 3 * * *", day(2, 59, 0, 0), day(3, 0, 0, 0).AddDate(0, 0, -1)},
		{"@hourly", day(14, 0, 1, 0), day(14, 0, 0, 0)},
		{"*/5 * * * *", day(14, 7, 30, 0), day(14, 5, 0, 0)},
		{"@every 10m", day(14, 7, 30, 0), day(14, 0, 0, 0)},
		{"@every 10m", day(14, 19, 59, 999), day(14, 10, 0, 0)},
		{"@monthly", day(14, 0, 0, 0), time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)},
	} {
		sched, err := parser.Parse(c.spec)
		if err != nil {
			t.Fatal(err)
		}
		if got := instant(sched, c.now); !got.Equal(c.want) {
			t.Errorf("%s at %s: %s, want %s", c.spec, c.now, got, c.want)
		}
	}
}
