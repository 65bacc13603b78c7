// Package delivery sends what journey actions queue: a worker takes the due deliveries
// from the ledger's outbox, sends each through its connector, and settles it in the
// ledger: sent, due again after a backoff, or dead after the last attempt.
//
// Deliveries stay in the outbox until they are settled, so a crash in the middle of a
// send leads to one more attempt after the restart, with the same id: partners see it
// as the idempotency key. Nothing is lost and, for partners that honour the key,
// nothing is sent twice. The package does not decide what to send (package rules and
// the actions engine do) nor how (package connectors).
//
// Sends are scheduled fairly between tenants: each counts against its lane (one
// workspace's deliveries through one connector instance to one host; an inline webhook's
// host is its URL's) and against its workspace, each with its own bound, and a due scan
// reads past the deliveries whose lane or workspace is full instead of stopping at them.
// So a partner that is slow or never answers holds up only the deliveries on its lane,
// and a workspace with many lanes only its own.
package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/openjds/jds/connectors"
	"github.com/openjds/jds/internal/store"
)

// Options configure a Worker. Zero values take the defaults noted.
type Options struct {
	Store   store.Store
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
	// PerConnector bounds the sends waiting for a partner on one lane: one workspace's
	// deliveries through one connector instance to one host. Default 32: each send waits
	// for the partner and then for its commit, so this is what overlaps them.
	PerConnector int
	// PerWorkspace bounds the sends waiting for a partner of one workspace, whatever
	// their lanes. Default 64.
	PerWorkspace int
	// SweepPerWorkspace bounds the due deliveries of one workspace that a safety-net
	// sweep meets (store.Outbox.Sweep); the next sweep goes on from there. Default 1,024.
	SweepPerWorkspace int
	// Metrics count the attempts and time them; nil counts nothing.
	Metrics *Metrics
}

// Worker is the delivery loop. Run it once; Wake it after commits that queued work.
type Worker struct {
	o    Options
	wake chan struct{}

	mu       sync.Mutex
	inFlight map[uuid.UUID]bool      // taken by a scan, and not settled before the scan under way began
	settled  []uuid.UUID             // in flight, settled since the scan under way began
	lanes    map[string]int          // sends waiting for a partner, by lane
	spaces   map[store.Workspace]int // the same by workspace
	waiting  map[uuid.UUID]*waiter   // what scans left for a full slot
	// waitLanes and waitSpaces count waiting by lane and by workspace: a slot freed
	// where nothing waits needs no full scan.
	waitLanes  map[string]*laneWait
	waitSpaces map[store.Workspace]int
	completes  uint64 // sweeps begun, to age waiting
	// What the next scan reads: with complete, a sweep (store.Outbox.Sweep: a share of
	// every workspace's due deliveries; at start, after an error, and every fullEvery
	// polls); with refill (a slot was freed that something waits for), the due queue
	// from its head until nothing that waits can go.
	complete, refill bool
	noSpace          bool // deliveries paused for want of space; Run's goroutine only
	wg               sync.WaitGroup
}

// slot is what a send counts against while it waits for the partner.
type slot struct {
	lane string
	ws   store.Workspace
}

// laneOf names the lane of a delivery. A configured instance may send to hosts its
// deliveries name (a webhook's url attribute) and an inline webhook always does: each
// host is a lane of its own, so one dead host does not hold up another's deliveries.
func laneOf(w store.Workspace, p connectors.Delivery) slot {
	host := ""
	if p.URL != "" {
		if u, err := url.Parse(p.URL); err == nil {
			host = strings.ToLower(u.Host)
		}
	}
	return slot{lane: w.String() + "\x00" + p.Connector + "\x00" + host, ws: w}
}

// job is a delivery a scan took.
type job struct {
	d       *store.Delivery
	id      uuid.UUID // d.ID
	payload connectors.Delivery
	bad     error // the payload is not a delivery: dead at once, without a slot
	slot    slot
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
	if o.PerWorkspace <= 0 {
		o.PerWorkspace = 64
	}
	if o.SweepPerWorkspace <= 0 {
		o.SweepPerWorkspace = 1024
	}
	return &Worker{o: o, wake: make(chan struct{}, 1), inFlight: map[uuid.UUID]bool{},
		lanes: map[string]int{}, spaces: map[store.Workspace]int{}, waiting: map[uuid.UUID]*waiter{},
		waitLanes: map[string]*laneWait{}, waitSpaces: map[store.Workspace]int{}, complete: true}
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
	// Most scans read only what is new since the last one (store.Outbox.PickNew): what
	// was queued, and what came due. A full scan reads again what waits for a slot: when
	// a slot frees that something waits for, until nothing waiting can go; and every
	// fullEvery polls a sweep, as a safety net, reads up to SweepPerWorkspace due
	// deliveries of each workspace, each going on where its last sweep stopped.
	const fullEvery = 16
	ticks := 0
	for {
		if w.dispatch(ctx) && ctx.Err() == nil {
			continue // the scan was full: more may be ready at once
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if ticks++; ticks%fullEvery == 0 {
				w.mu.Lock()
				w.complete = true
				w.mu.Unlock()
			}
		case <-w.wake:
		}
	}
}

// dispatch starts the sends of one scan of the outbox; it reports whether the scan took
// as many as it could, so that more may be ready.
func (w *Worker) dispatch(ctx context.Context) bool {
	// A delivery sent while the store is short of space could not be settled: it would
	// stay due and go out again at every scan (an SMS each time). Send nothing until
	// there is room again.
	if err := w.o.Store.CheckSpace(); err != nil {
		if !w.noSpace {
			w.noSpace = true
			w.o.Logger.Error("deliveries paused until there is room again", "err", err)
		}
		return false
	}
	if w.noSpace {
		w.noSpace = false
		w.o.Logger.Info("free space is back: deliveries resume")
	}
	limit := 2 * w.o.PerConnector
	var jobs []job
	w.mu.Lock()
	// A scan reads a snapshot: one that began before a delivery was settled still sees
	// it queued, so a delivery stays in flight until the next scan, which begins now and
	// sees it settled.
	for _, id := range w.settled {
		delete(w.inFlight, id)
	}
	w.settled = w.settled[:0]
	full, complete := w.complete || w.refill, w.complete
	w.complete, w.refill = false, false
	if complete {
		w.completes++
	}
	w.mu.Unlock()
	p := store.Picker{Pass: w.pass, Take: func(d *store.Delivery) bool {
		j, ok := w.take(d)
		if ok {
			jobs = append(jobs, j)
		}
		return ok
	}}
	var held []*store.Delivery
	var swept store.Swept
	var err error
	switch {
	case complete:
		swept, err = w.o.Store.Sweep(ctx, w.o.Now(), limit, w.o.SweepPerWorkspace, p)
		held = swept.Deliveries
	case full:
		p.Enough = w.enough
		held, err = w.o.Store.Pick(ctx, w.o.Now(), limit, p)
	default:
		held, err = w.o.Store.PickNew(ctx, w.o.Now(), limit, p)
	}
	w.mu.Lock()
	if complete && err == nil {
		w.forget(swept)
	}
	if err != nil || complete && len(jobs) == limit {
		// The scan may have stopped anywhere; a sweep at its limit goes on with the next
		// workspaces at once.
		w.complete = true
	}
	w.mu.Unlock()
	if err != nil {
		for _, j := range jobs {
			w.release(j)
			w.done(j)
		}
		if ctx.Err() == nil {
			w.o.Logger.Error("reading the outbox", "err", err)
		}
		return false
	}
	jobs = w.heldOnly(jobs, held)
	for _, j := range jobs {
		if j.bad != nil {
			w.o.Metrics.count("", ResultDead)
			w.settle(ctx, j.d, store.Outcome{Error: "the queued payload is not a delivery: " + j.bad.Error(), Attempted: w.o.Now()})
			w.done(j)
			continue
		}
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			// The slot bounds the sends waiting for the partner; it is given back as soon
			// as the partner has answered, while the attempt is being recorded, so that
			// slow commits do not hold up the next sends. The delivery stays in flight
			// until recorded, so that no scan takes it again.
			release := sync.OnceFunc(func() { w.release(j) })
			defer func() {
				release()
				w.done(j)
			}()
			w.send(ctx, j.d, j.payload, release)
		}()
	}
	return len(jobs) == limit
}

// forget drops the waiting deliveries a sweep shows are no longer due (settled by
// another node, erased) because it did not meet them: those of the workspaces it met
// whole, and, when it visited every workspace with deliveries due, of every workspace
// it did not meet in part. w.mu is held.
func (w *Worker) forget(swept store.Swept) {
	partial := make(map[store.Workspace]bool, len(swept.Partial))
	for _, ws := range swept.Partial {
		partial[ws] = true
	}
	whole := make(map[store.Workspace]bool, len(swept.Whole))
	for _, ws := range swept.Whole {
		whole[ws] = true
	}
	stale := func(ws store.Workspace) bool { return whole[ws] || swept.Complete && !partial[ws] }
	some := false
	for ws := range w.waitSpaces {
		some = some || stale(ws)
	}
	if !some {
		return // a workspace with a backlog past its share keeps its waiters until met whole
	}
	for id, wt := range w.waiting {
		if stale(wt.lane.slot.ws) && wt.seen < w.completes {
			w.unwait(id)
		}
	}
}

// heldOnly keeps the jobs of the deliveries a scan returned: another node sharing the
// store claimed the others first, and sends them. Their slots are given back.
func (w *Worker) heldOnly(jobs []job, held []*store.Delivery) []job {
	if len(held) == len(jobs) {
		return jobs
	}
	ids := make(map[string]bool, len(held))
	for _, d := range held {
		ids[d.ID] = true
	}
	kept := jobs[:0]
	for _, j := range jobs {
		if ids[j.d.ID] {
			kept = append(kept, j)
			continue
		}
		w.release(j)
		w.done(j)
	}
	return kept
}

// pass tells a scan which deliveries to pass over without reading them: those in flight,
// and those found waiting for a slot that is still full.
//
// A scan calls it for every due delivery, those of a dead partner's backlog included:
// it is a lookup or two, and reading a record is what it spares.
func (w *Worker) pass(id uuid.UUID) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.inFlight[id] {
		return true
	}
	if wt, ok := w.waiting[id]; ok && w.full(wt.lane.slot) {
		wt.seen = w.completes
		return true
	}
	return false
}

// wait records that a delivery waits for a full slot; w.mu is held.
func (w *Worker) wait(id uuid.UUID, s slot) {
	if wt, ok := w.waiting[id]; ok {
		if wt.lane.slot == s {
			wt.seen = w.completes
			return
		}
		w.unwait(id)
	}
	lw := w.waitLanes[s.lane]
	if lw == nil {
		lw = &laneWait{slot: s}
		w.waitLanes[s.lane] = lw
	}
	lw.n++
	w.waiting[id] = &waiter{lane: lw, seen: w.completes}
	w.waitSpaces[s.ws]++
}

// laneWait counts the deliveries waiting on one lane. Its waiters share it, so that a
// long backlog costs a small record per delivery (35–50 bytes with the map's), not a
// copy of the lane's name.
type laneWait struct {
	slot slot
	n    int
}

// enough tells a refill scan to stop: nothing that waits can go now, every lane with
// deliveries waiting being full, or its workspace.
func (w *Worker) enough() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, lw := range w.waitLanes {
		if !w.full(lw.slot) {
			return false
		}
	}
	return true
}

// unwait forgets a waiting delivery; w.mu is held.
func (w *Worker) unwait(id uuid.UUID) {
	wt, ok := w.waiting[id]
	if !ok {
		return
	}
	delete(w.waiting, id)
	s := wt.lane.slot
	if wt.lane.n--; wt.lane.n <= 0 {
		delete(w.waitLanes, s.lane)
	}
	if w.waitSpaces[s.ws]--; w.waitSpaces[s.ws] <= 0 {
		delete(w.waitSpaces, s.ws)
	}
}

// waiter is a delivery a scan left for a full slot.
type waiter struct {
	lane *laneWait
	seen uint64 // the last sweep that met it (or the one under way when another scan met it)
}

// take reserves a slot for a delivery the scan read, or reports that its lane or its
// workspace is full: then the scan passes over it without counting it.
func (w *Worker) take(d *store.Delivery) (job, bool) {
	j := job{d: d}
	if err := json.Unmarshal(d.Payload, &j.payload); err != nil {
		j.bad = err
	}
	j.slot = laneOf(d.Workspace, j.payload)
	id, err := uuid.Parse(d.ID)
	if err != nil {
		return j, false // not a delivery the ledger queued: Settle would refuse it too
	}
	j.id = id
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.inFlight[id] {
		return j, false
	}
	if j.bad == nil {
		if w.full(j.slot) {
			w.wait(id, j.slot)
			return j, false
		}
		w.unwait(id)
		w.lanes[j.slot.lane]++
		w.spaces[j.slot.ws]++
	}
	w.inFlight[id] = true
	return j, true
}

// full reports whether a send on s must wait; w.mu is held.
func (w *Worker) full(s slot) bool {
	return w.lanes[s.lane] >= w.o.PerConnector || w.spaces[s.ws] >= w.o.PerWorkspace
}

// release gives back a job's slot, once, when its partner has answered.
func (w *Worker) release(j job) {
	if j.bad != nil {
		return
	}
	w.mu.Lock()
	if w.lanes[j.slot.lane]--; w.lanes[j.slot.lane] <= 0 {
		delete(w.lanes, j.slot.lane)
	}
	if w.spaces[j.slot.ws]--; w.spaces[j.slot.ws] <= 0 {
		delete(w.spaces, j.slot.ws)
	}
	if w.waitLanes[j.slot.lane] != nil || w.waitSpaces[j.slot.ws] > 0 {
		w.refill = true // what waited for the slot is behind where the last scan stopped
	}
	w.mu.Unlock()
	w.Wake() // a slot is free: what waited for it may go
}

// done forgets a job once its attempt is recorded, from the next scan on.
func (w *Worker) done(j job) {
	w.mu.Lock()
	w.settled = append(w.settled, j.id)
	w.mu.Unlock()
}

// send makes one attempt and settles the delivery with its outcome; sent is called once
// the partner has answered.
func (w *Worker) send(ctx context.Context, d *store.Delivery, payload connectors.Delivery, sent func()) {
	sender := w.o.Senders[payload.Connector]
	if sender == nil {
		w.o.Metrics.count(payload.Connector, ResultDead)
		w.settle(ctx, d, store.Outcome{Error: fmt.Sprintf("no connector named %q is configured", payload.Connector), Attempted: w.o.Now()})
		return
	}
	if orgs, listed := w.o.Organizations[payload.Connector]; listed && !slices.Contains(orgs, d.Workspace.Org) {
		w.o.Metrics.count(payload.Connector, ResultDead)
		w.settle(ctx, d, store.Outcome{Error: fmt.Sprintf("the connector %q does not serve organization %q", payload.Connector, d.Workspace.Org), Attempted: w.o.Now()})
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
	o := store.Outcome{Sent: out.OK(), Response: out.Response, Attempted: now}
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

func (w *Worker) settle(ctx context.Context, d *store.Delivery, o store.Outcome) {
	// Settling must not be cut short by the shutdown that may be under way: the
	// attempt happened, and the store drains its committer before closing.
	if err := w.o.Store.Settle(context.WithoutCancel(ctx), d, o); err != nil && !errors.Is(err, store.ErrNotFound) {
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
