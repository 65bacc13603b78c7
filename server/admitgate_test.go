package server

import (
	"context"
	"errors"
	"testing"
	"time"
)

// The gate's bookkeeping: turns are taken and given back once however often released,
// a waiter whose context ends leaves the queue, and past the queue a request is
// refused with errIngestBusy.
func TestIngestGate(t *testing.T) {
	g := newIngestGate(1, 1)
	release, err := g.enter(context.Background())
	if err != nil || g.inUse() != 1 {
		t.Fatalf("first enter: %v, %d in use", err, g.inUse())
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := g.enter(ctx); done <- err }()
	for g.queued() != 1 {
		select {
		case err := <-done:
			t.Fatalf("the second request did not wait: %v", err)
		default:
			time.Sleep(time.Millisecond)
		}
	}
	if _, err := g.enter(context.Background()); !errors.Is(err, errIngestBusy) || g.refused.Load() != 1 {
		t.Errorf("past the queue: %v, %d refused; want errIngestBusy, 1", err, g.refused.Load())
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) || !errors.Is(err, errIngestBusy) || g.queued() != 0 {
		t.Errorf("a waiter whose context ends: %v, %d still queued", err, g.queued())
	}
	release()
	release()
	if g.inUse() != 0 {
		t.Errorf("after release twice: %d in use", g.inUse())
	}
	if r, err := g.enter(context.Background()); err != nil {
		t.Errorf("the freed turn: %v", err)
	} else {
		r()
	}
}

func TestIngestTurns(t *testing.T) {
	for _, c := range []struct{ configured, cpus, want int }{
		{0, 1, 1}, {0, 2, 1}, {0, 8, 7}, {3, 2, 3}, {-1, 8, 0},
	} {
		if got := IngestTurns(c.configured, c.cpus); got != c.want {
			t.Errorf("IngestTurns(%d, %d) = %d, want %d", c.configured, c.cpus, got, c.want)
		}
	}
	if g := newIngestGate(0, 0); g.slots != nil {
		t.Error("a gate of 0 turns bounds something")
	} else if r, err := g.enter(context.Background()); err != nil {
		t.Errorf("no gate: %v", err)
	} else {
		r()
	}
}

// The reader processors come when ingest gets busy and go once it has been idle for
// procsIdleAfter; GOMAXPROCS changes only then.
func TestProcsGovernor(t *testing.T) {
	g := &procsGovernor{cpus: 2, extra: 2}
	t0 := time.Unix(0, 0)
	steps := []struct {
		busy   bool
		at     time.Duration
		procs  int
		change bool
		what   string
	}{
		{false, 0, 2, false, "idle from the start"},
		{true, 100 * time.Millisecond, 4, true, "ingest starts"},
		{true, 200 * time.Millisecond, 4, false, "still busy"},
		{false, 300 * time.Millisecond, 4, false, "idle a moment"},
		{true, 400 * time.Millisecond, 4, false, "busy again"},
		{false, 500 * time.Millisecond, 4, false, "idle"},
		{false, 500*time.Millisecond + procsIdleAfter - time.Millisecond, 4, false, "idle, not long enough"},
		{false, 500*time.Millisecond + procsIdleAfter, 2, true, "idle long enough"},
		{false, 5 * time.Second, 2, false, "still idle"},
	}
	for _, s := range steps {
		if procs, change := g.next(s.busy, t0.Add(s.at)); procs != s.procs || change != s.change {
			t.Errorf("%s: %d, %v; want %d, %v", s.what, procs, change, s.procs, s.change)
		}
	}
}
