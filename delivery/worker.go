// Package delivery sends what journey actions queue: a worker takes the due deliveries
// from the ledger's outbox, sends each through its connector, and settles it in the
// ledger: sent, due again after a backoff, or dead after the last attempt.
//
// Deliveries stay in the outbox until they are settled, so a crash in the middle of a
// send leads to one more attempt after the restart, with the same id: partners see it
// as the idempotency key. Nothing is lost and, for partners that honour the key,
// nothing is sent twice. The package does not decide what to send (package rules and
// the actions engine do) nor how (package connectors).
package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/openjds/jds/connectors"
	"github.com/openjds/jds/ledger"
)

// Options configure a Worker. Zero values take the defaults noted.
type Options struct {
	Store   *ledger.Store
	Senders map[string]connectors.Sender // by connector instance; "" for inline webhooks
	Logger  *slog.Logger
	Now     func() time.Time // default time.Now

	// Organizations are the organizations each connector instance serves, by instance
	// name; an instance not in it serves every organization. A delivery of another
	// organization through a listed instance is dead at once, unsent: its credentials
	// are not that tenant's to spend (rules refuse such actions when they are saved or
	// loaded; this catches what was queued or stored before the configuration changed).
	Organizations map[string][]string

	MaxAttempts int           // default 8; then the delivery is dead
	Backoff     time.Duration // first retry delay, doubled each time; default 1 s
	MaxBackoff  time.Duration // default 1 h
	Poll        time.Duration // how often the outbox is read when not woken; default 250 ms
	// PerConnector bounds the sends in flight through one connector. Default 32: each
	// send waits for the partner and then for its commit, so this is what overlaps them.
	PerConnector int
	// Metrics count the attempts and time them; nil counts nothing.
	Metrics *Metrics
}

// Worker is the delivery loop. Run it once; Wake it after commits that queued work.
type Worker struct {
	o    Options
	wake chan struct{}

	mu       sync.Mutex
	inFlight map[string]bool
	slots    map[string]chan struct{}
	wg       sync.WaitGroup
}

// New returns a worker; it does nothing until Run.
func New(o Options) *Worker {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 8
	}
	if o.Backoff <= 0 {
		o.Backoff = time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = time.Hour
	}
	if o.Poll <= 0 {
		o.Poll = 250 * time.Millisecond
	}
	if o.PerConnector <= 0 {
		o.PerConnector = 32
	}
	return &Worker{o: o, wake: make(chan struct{}, 1), inFlight: map[string]bool{}, slots: map[string]chan struct{}{}}
}

// Wake makes the worker read the outbox now rather than at its next poll.
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run sends due deliveries until ctx ends, then waits for the sends in flight: a send
// cut short by the shutdown stays pending and is attempted again after the restart.
func (w *Worker) Run(ctx context.Context) {
	defer w.wg.Wait()
	tick := time.NewTicker(w.o.Poll)
	defer tick.Stop()
	for {
		w.dispatch(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-w.wake:
		}
	}
}

func (w *Worker) dispatch(ctx context.Context) {
	due, err := w.o.Store.Due(ctx, w.o.Now(), 2*w.o.PerConnector, w.busy)
	if err != nil {
		if ctx.Err() == nil {
			w.o.Logger.Error("reading the outbox", "err", err)
		}
		return
	}
	for _, d := range due {
		var payload connectors.Delivery
		if err := json.Unmarshal(d.Payload, &payload); err != nil {
			w.o.Metrics.count("", ResultDead)
			w.settle(ctx, d, ledger.Outcome{Error: "the queued payload is not a delivery: " + err.Error(), Attempted: w.o.Now()})
			continue
		}
		w.mu.Lock()
		busy := w.inFlight[d.ID]
		slot := w.slots[payload.Connector]
		if slot == nil {
			slot = make(chan struct{}, w.o.PerConnector)
			w.slots[payload.Connector] = slot
		}
		if !busy {
			select {
			case slot <- struct{}{}:
				w.inFlight[d.ID] = true
			default:
				busy = true // the connector is at its limit: the next round takes it
			}
		}
		w.mu.Unlock()
		if busy {
			continue
		}
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			// The slot bounds the sends waiting for the partner; it is given back as soon
			// as the partner has answered, while the attempt is being recorded, so that
			// slow commits do not hold up the next sends. The delivery stays in flight
			// until recorded, so that no round picks it up again.
			release := sync.OnceFunc(func() {
				<-slot
				w.Wake() // a slot is free: what waited for it may go
			})
			defer func() {
				release()
				w.mu.Lock()
				delete(w.inFlight, d.ID)
				w.mu.Unlock()
			}()
			w.send(ctx, d, payload, release)
		}()
	}
}

// busy reports whether a delivery is being sent.
func (w *Worker) busy(id string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.inFlight[id]
}

// send makes one attempt and settles the delivery with its outcome; sent is called once
// the partner has answered.
func (w *Worker) send(ctx context.Context, d *ledger.Delivery, payload connectors.Delivery, sent func()) {
	sender := w.o.Senders[payload.Connector]
	if sender == nil {
		w.o.Metrics.count(payload.Connector, ResultDead)
		w.settle(ctx, d, ledger.Outcome{Error: fmt.Sprintf("no connector named %q is configured", payload.Connector), Attempted: w.o.Now()})
		return
	}
	if orgs, listed := w.o.Organizations[payload.Connector]; listed && !slices.Contains(orgs, d.Workspace.Org) {
		w.o.Metrics.count(payload.Connector, ResultDead)
		w.settle(ctx, d, ledger.Outcome{Error: fmt.Sprintf("the connector %q does not serve organization %q", payload.Connector, d.Workspace.Org), Attempted: w.o.Now()})
		return
	}
	payload.ID = d.ID
	payload.Attempt = d.Attempts + 1
	// The latency is the partner's, on the wall clock: w.o.Now may be a test's clock.
	start := time.Now()
	out := sender.Send(ctx, payload)
	took := time.Since(start)
	sent()
	if ctx.Err() != nil && errors.Is(out.Err, context.Canceled) {
		return // shutting down: the delivery stays due and is attempted after the restart
	}
	w.o.Metrics.observe(payload.Connector, took)
	now := w.o.Now()
	o := ledger.Outcome{Sent: out.OK(), Response: out.Response, Attempted: now}
	result := ResultSent
	if !out.OK() {
		o.Error = out.Err.Error()
		result = ResultDead
		if out.Retryable && payload.Attempt < w.o.MaxAttempts {
			o.RetryAt = now.Add(max(w.backoff(payload.Attempt), out.RetryAfter))
			result = ResultRetry
		}
	}
	w.o.Metrics.count(payload.Connector, result)
	level := slog.LevelDebug
	if !o.Sent {
		level = slog.LevelWarn
	}
	attrs := []any{"delivery", d.ID, "connector", payload.Connector, "attempt", payload.Attempt, "status", out.Status, "result", result}
	if !o.RetryAt.IsZero() {
		attrs = append(attrs, "retry_at", o.RetryAt) // a dead letter has no next attempt
	}
	if o.Error != "" {
		attrs = append(attrs, "err", o.Error)
	}
	w.o.Logger.Log(ctx, level, "delivery attempt", attrs...)
	w.settle(ctx, d, o)
}

func (w *Worker) settle(ctx context.Context, d *ledger.Delivery, o ledger.Outcome) {
	// Settling must not be cut short by the shutdown that may be under way: the
	// attempt happened, and the store drains its committer before closing.
	if err := w.o.Store.Settle(context.WithoutCancel(ctx), d, o); err != nil && !errors.Is(err, ledger.ErrNotFound) {
		w.o.Logger.Error("recording a delivery attempt", "delivery", d.ID, "err", err)
	}
}

// backoff is the delay before attempt n+1: exponential from Backoff, capped at
// MaxBackoff, with full jitter on its upper half so that retries of a burst spread out.
func (w *Worker) backoff(n int) time.Duration {
	d := w.o.Backoff << min(n-1, 30)
	if d <= 0 || d > w.o.MaxBackoff {
		d = w.o.MaxBackoff
	}
	return d/2 + rand.N(d/2+1)
}
