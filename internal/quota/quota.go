// Package quota holds the ingest quotas of workspaces: a token bucket per workspace,
// refilled at limits.eventsPerSecond up to limits.burst, with per-workspace overrides
// (config.Limits.RateFor), so that one workspace posting too much is refused while the
// others are untouched. Every path that writes events takes from it before appending:
// HTTP ingest, inbound webhooks, flows, and inbound pollers (which wait their turn
// rather than lose data). It runs on the service's clock.
//
// With several nodes sharing a store (PostgreSQL), each holds its own buckets: the
// service tells it how many nodes are alive (SetNodes), and each refills at the rate
// divided by that number, so that together they admit the workspace's rate. The burst
// stays each node's.
//
// It does not hold the counts of templates and actions a workspace may create: the
// profiles engine keeps those.
package quota

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/openjds/jds/config"
	"github.com/openjds/jds/internal/store"
)

// ErrThrottled is wrapped by the *Exceeded that Take returns.
var ErrThrottled = errors.New("ingest quota exceeded")

// Exceeded says why Take refused: how many events were asked for and the workspace's
// quota. Nothing was taken.
type Exceeded struct {
	Workspace store.Workspace
	Events    int     // asked for
	Rate      float64 // this node's: the workspace's rate divided among Nodes
	Burst     int
	// Nodes is how many nodes share the workspace's rate (1 alone); Shared is that rate.
	Nodes  int
	Shared float64
	// RetryAfter is when the bucket holds Events tokens again; 0 when Events > Burst,
	// which never passes (Never).
	RetryAfter time.Duration
}

// Never reports whether the request can never pass: it holds more events than the
// bucket ever does.
func (e *Exceeded) Never() bool { return e.Events > e.Burst }

func (e *Exceeded) Error() string {
	if e.Never() {
		return fmt.Sprintf("%v: %d events at once can never pass workspace %s's burst of %d (limits.burst); send at most %d per request",
			ErrThrottled, e.Events, e.Workspace, e.Burst, e.Burst)
	}
	if e.Nodes > 1 {
		return fmt.Sprintf("%v: workspace %s may post %g events per second to this node, its share of %g (limits.eventsPerSecond) among %d nodes, in bursts of at most %d (limits.burst); %d events fit again in %s",
			ErrThrottled, e.Workspace, e.Rate, e.Shared, e.Nodes, e.Burst, e.Events, e.RetryAfter.Round(time.Millisecond))
	}
	return fmt.Sprintf("%v: workspace %s may post %g events per second in bursts of at most %d (limits.eventsPerSecond, limits.burst); %d events fit again in %s",
		ErrThrottled, e.Workspace, e.Rate, e.Burst, e.Events, e.RetryAfter.Round(time.Millisecond))
}

func (e *Exceeded) Unwrap() error { return ErrThrottled }

// RetryAfterSeconds is RetryAfter in whole seconds, rounded up, at least 1: an HTTP
// Retry-After.
func (e *Exceeded) RetryAfterSeconds() int {
	return max(1, int(math.Ceil(e.RetryAfter.Seconds())))
}

// Limiter is the buckets of every workspace. Its methods are safe for concurrent use,
// and a nil *Limiter limits nothing.
type Limiter struct {
	limits config.Limits
	now    func() time.Time
	// any is false when no workspace has a rate: Take returns at once.
	any         bool
	onThrottled func(events int)

	mu      sync.Mutex
	nodes   int // how many nodes share each rate: 1 alone (SetNodes)
	buckets map[store.Workspace]*bucket
	// sweepAt is the number of buckets at which full ones are forgotten: a full bucket
	// is the same as none, and workspace names are the clients' to choose.
	sweepAt int
}

type bucket struct {
	rate   config.RateLimit
	tokens float64 // may be negative: Charge's debt
	at     time.Time
}

// New returns the limiter of limits on the clock now (time.Now when nil). onThrottled,
// when not nil, is told how many events each refusal refused.
func New(limits config.Limits, now func() time.Time, onThrottled func(events int)) *Limiter {
	if now == nil {
		now = time.Now
	}
	l := &Limiter{limits: limits, now: now, onThrottled: onThrottled, nodes: 1, buckets: map[store.Workspace]*bucket{}, sweepAt: minSweep}
	l.any = limits.EventsPerSecond > 0
	for _, r := range limits.Workspaces {
		l.any = l.any || r.EventsPerSecond > 0
	}
	return l
}

const minSweep = 1024

// MinNodeRate is the least rate, in events per second, a node refills a workspace's
// bucket at when several share it (unless the workspace's rate is lower): a count of
// nodes gone wrong cannot starve a workspace.
const MinNodeRate = 1.0

// SetNodes sets how many nodes share every workspace's rate (n < 1 counts as 1). Each
// bucket is refilled at the rate in force until now first, then at its rate divided by
// n, never below MinNodeRate (nor above the rate). The service calls it as nodes come
// and go.
func (l *Limiter) SetNodes(n int) {
	if l == nil {
		return
	}
	n = max(n, 1)
	l.mu.Lock()
	defer l.mu.Unlock()
	if n == l.nodes {
		return
	}
	now := l.now()
	for _, b := range l.buckets {
		b.refill(now, l.rateLocked(b.rate))
	}
	l.nodes = n
}

// Nodes is how many nodes share every workspace's rate (SetNodes).
func (l *Limiter) Nodes() int {
	if l == nil {
		return 1
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.nodes
}

// rateLocked is this node's share of r, in events per second.
func (l *Limiter) rateLocked(r config.RateLimit) float64 {
	if l.nodes <= 1 {
		return r.EventsPerSecond
	}
	return max(r.EventsPerSecond/float64(l.nodes), min(r.EventsPerSecond, MinNodeRate))
}

// bucketLocked returns ws's bucket refilled to now, or nil when ws has no rate.
func (l *Limiter) bucketLocked(ws store.Workspace) *bucket {
	now := l.now()
	b := l.buckets[ws]
	if b == nil {
		r := l.limits.RateFor(ws.Org, ws.Name)
		if r.EventsPerSecond <= 0 {
			return nil
		}
		if len(l.buckets) >= l.sweepAt {
			l.sweepLocked(now)
		}
		b = &bucket{rate: r, tokens: float64(r.Burst), at: now}
		l.buckets[ws] = b
		return b
	}
	b.refill(now, l.rateLocked(b.rate))
	return b
}

// refill adds what rate (events per second) brings since the bucket was last refilled.
func (b *bucket) refill(now time.Time, rate float64) {
	if d := now.Sub(b.at); d > 0 {
		b.tokens = min(float64(b.rate.Burst), b.tokens+d.Seconds()*rate)
		b.at = now
	}
}

func (l *Limiter) sweepLocked(now time.Time) {
	for ws, b := range l.buckets {
		if b.refill(now, l.rateLocked(b.rate)); b.tokens >= float64(b.rate.Burst) {
			delete(l.buckets, ws)
		}
	}
	l.sweepAt = max(minSweep, 2*len(l.buckets))
}

// Take takes n tokens from ws's bucket, all or none: a request is accepted whole or
// refused whole. It returns an *Exceeded (ErrThrottled) when the bucket holds fewer.
func (l *Limiter) Take(ws store.Workspace, n int) error {
	if n <= 0 {
		return nil
	}
	return l.check(ws, n, true)
}

// Active reports whether any workspace has a rate: when not, Take and Ready accept
// everything, and callers need not count what they would ask for.
func (l *Limiter) Active() bool { return l != nil && l.any }

// Ready is Take without taking: it refuses, as Take would, a request of n events (at
// least 1) that ws's bucket cannot hold now, so that the caller can refuse it before
// decoding it — a workspace flooding ingest then costs little more than its requests'
// authentication — and take from the bucket once it knows how many of them are valid.
func (l *Limiter) Ready(ws store.Workspace, n int) error {
	return l.check(ws, max(n, 1), false)
}

// check refuses n events that ws's bucket cannot hold now, and takes them when take is
// true and it can.
func (l *Limiter) check(ws store.Workspace, n int, take bool) error {
	if !l.Active() {
		return nil
	}
	l.mu.Lock()
	b := l.bucketLocked(ws)
	if b == nil || float64(n) <= b.tokens {
		if b != nil && take {
			b.tokens -= float64(n)
		}
		l.mu.Unlock()
		return nil
	}
	e := l.exceededLocked(ws, b, n)
	l.mu.Unlock()
	if l.onThrottled != nil {
		l.onThrottled(n)
	}
	return e
}

func (l *Limiter) exceededLocked(ws store.Workspace, b *bucket, n int) *Exceeded {
	e := &Exceeded{Workspace: ws, Events: n, Rate: l.rateLocked(b.rate), Burst: b.rate.Burst,
		Nodes: l.nodes, Shared: b.rate.EventsPerSecond}
	if !e.Never() {
		e.RetryAfter = time.Duration((float64(n) - b.tokens) / e.Rate * float64(time.Second))
	}
	return e
}

// Wait returns how long until ws's bucket holds a token again: 0 when it holds one now.
// A poller skips its turn while it is not 0.
func (l *Limiter) Wait(ws store.Workspace) time.Duration {
	if !l.Active() {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucketLocked(ws)
	if b == nil || b.tokens >= 1 {
		return 0
	}
	return time.Duration((1 - b.tokens) / l.rateLocked(b.rate) * float64(time.Second))
}

// Charge takes n tokens from ws's bucket even when it holds fewer, leaving it in debt:
// for events already fetched from a partner (a poller's page), which are stored rather
// than lost. The debt holds back the workspace's next requests and polls.
func (l *Limiter) Charge(ws store.Workspace, n int) {
	if !l.Active() || n <= 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if b := l.bucketLocked(ws); b != nil {
		b.tokens -= float64(n)
	}
}
