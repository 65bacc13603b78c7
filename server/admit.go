package server

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"time"
)

// ingestBusyRetryAfter is the Retry-After, in seconds, of an ingest request refused
// because too many wait for a turn: a turn lasts milliseconds, so the queue drains fast.
const ingestBusyRetryAfter = 1

// errIngestBusy is the error of an ingest request refused by the gate (503).
var errIngestBusy = errors.New("ingest is busy")

// ingestGate is the admission control of HTTP ingest: it bounds how many ingest
// requests decode and prepare their events at once (the CPU-heavy part of ingest),
// and how many wait for a turn. Reads never pass through it, so that during an ingest
// storm an IVR caller's flow, a history page or a profile finds a free CPU instead of
// queueing in Go's scheduler behind every ingest request in flight. A request frees
// its turn before it waits for its commit: group commits still gather many requests,
// and with no read in flight ingest keeps the CPUs busy.
//
// The zero of slots (nil) admits every request at once.
type ingestGate struct {
	slots     chan struct{} // a token per turn held; nil: no bound
	maxQueued int64
	waiting   atomic.Int64 // requests waiting for a turn
	entered   atomic.Int64 // requests that asked for a turn, ever: whether ingest is busy
	refused   atomic.Int64 // requests refused because maxQueued were waiting
}

// admittedHook, when set, is called by each ingest request as soon as it holds a turn,
// before it decodes: tests set it to hold turns (export_test.go).
var admittedHook atomic.Pointer[func()]

// admitted calls admittedHook, if set.
func admitted() {
	if h := admittedHook.Load(); h != nil {
		(*h)()
	}
}

// IngestTurns resolves ingest.maxConcurrent for a process with cpus CPUs: 0 is cpus-1
// (at least 1), leaving a CPU to reads and the committer; -1 is no bound (0 returned).
func IngestTurns(configured, cpus int) int {
	switch {
	case configured < 0:
		return 0
	case configured == 0:
		return max(1, cpus-1)
	}
	return configured
}

// newIngestGate returns a gate of slots turns (0: no bound) with room for maxQueued
// requests waiting.
func newIngestGate(slots, maxQueued int) *ingestGate {
	g := &ingestGate{maxQueued: int64(maxQueued)}
	if slots > 0 {
		g.slots = make(chan struct{}, slots)
	}
	return g
}

// enter waits for a turn, in arrival order, and returns the function that frees it
// (it may be called more than once). It fails at once with errIngestBusy when
// maxQueued requests are waiting already, and with errIngestBusy wrapping ctx's error
// when ctx ends first.
func (g *ingestGate) enter(ctx context.Context) (release func(), err error) {
	g.entered.Add(1)
	if g.slots == nil {
		return func() {}, nil
	}
	select {
	case g.slots <- struct{}{}:
		return g.releaser(), nil
	default:
	}
	if g.waiting.Add(1) > g.maxQueued {
		g.waiting.Add(-1)
		g.refused.Add(1)
		return nil, fmt.Errorf("%w: every turn to decode events is taken (ingest.maxConcurrent: %d) and %d requests are waiting for one already (ingest.maxQueued: %d)",
			errIngestBusy, cap(g.slots), g.maxQueued, g.maxQueued)
	}
	defer g.waiting.Add(-1)
	select {
	case g.slots <- struct{}{}:
		return g.releaser(), nil
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: no turn to decode events came free in time (ingest.maxConcurrent: %d): %w",
			errIngestBusy, cap(g.slots), ctx.Err())
	}
}

// releaser frees one turn, once however often it is called.
func (g *ingestGate) releaser() func() {
	done := false
	return func() {
		if !done {
			done = true
			<-g.slots
		}
	}
}

// inUse is the number of turns held.
func (g *ingestGate) inUse() int { return len(g.slots) }

// queued is the number of requests waiting for a turn.
func (g *ingestGate) queued() int { return int(g.waiting.Load()) }

// procsIdleAfter is how long HTTP ingest must have been idle before the reader
// processors are taken back.
const procsIdleAfter = time.Second

// procsGovernor decides GOMAXPROCS: cpus while HTTP ingest is idle, cpus+extra (the
// reader processors, config readerProcs) while it is busy. Extra processors are what
// let a read find an idle processor during an ingest storm; without ingest they would
// only make the kernel time-slice reads among more threads than CPUs, which costs them
// (measured: flow p99 2 ms alone became 3.5–8 ms with them always on).
type procsGovernor struct {
	cpus, extra int
	raised      bool
	idleSince   time.Time // when ingest was last seen idle while raised; zero: busy
}

// next is the GOMAXPROCS to set given whether ingest was busy since the last call, and
// whether it differs from the one in force.
func (p *procsGovernor) next(busy bool, now time.Time) (procs int, change bool) {
	switch {
	case busy:
		p.idleSince = time.Time{}
		if !p.raised {
			p.raised = true
			return p.cpus + p.extra, true
		}
	case !p.raised:
	case p.idleSince.IsZero():
		p.idleSince = now
	case now.Sub(p.idleSince) >= procsIdleAfter:
		p.raised, p.idleSince = false, time.Time{}
		return p.cpus, true
	}
	if p.raised {
		return p.cpus + p.extra, false
	}
	return p.cpus, false
}

// governProcs adds extra Go processors while HTTP ingest is busy (a request asked the
// gate for a turn, holds one or waits) and takes them back once it has been idle for
// procsIdleAfter, until ctx ends; it looks ten times a second. GOMAXPROCS changes stop
// the world for a moment, so it changes only when ingest starts or stops.
func (g *ingestGate) governProcs(ctx context.Context, cpus, extra int) {
	gov := &procsGovernor{cpus: cpus, extra: extra}
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	last := g.entered.Load()
	for {
		select {
		case <-ctx.Done():
			if gov.raised {
				runtime.GOMAXPROCS(cpus)
			}
			return
		case now := <-t.C:
			n := g.entered.Load()
			busy := n != last || g.inUse() > 0 || g.queued() > 0
			last = n
			if procs, change := gov.next(busy, now); change {
				runtime.GOMAXPROCS(procs)
			}
		}
	}
}
