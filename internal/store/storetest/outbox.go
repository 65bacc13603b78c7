package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/store"
)

func testOutbox(t *testing.T, b Backend) {
	now := time.Date(2026, 6, 1, 22, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	place := t.TempDir()
	o := Options{Deriver: notifier{}, Now: clock}
	s := reopen(t, b, place, o)
	ctx := context.Background()
	s.Append(ctx, ws, []*event.Event{
		Event(t, "c1", "Closed Queue", "+15550000001", "phone", "", now),
		Event(t, "x1", "Other", "+15550000001", "phone", "", now),
	})
	// The delivery was written with the event, so it survives a restart.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = reopen(t, b, place, o)
	due, err := s.Due(ctx, now, 10, nil)
	if err != nil || len(due) != 1 || string(due[0].Payload) != `{"sms":"can we call you back?"}` || due[0].State != store.Pending {
		t.Fatalf("due after restart: %v %+v", err, due)
	}
	d := due[0]
	// A failed attempt is due again later, not now.
	if err := s.Settle(ctx, d, store.Outcome{RetryAt: now.Add(time.Minute), Error: "503", Attempted: now}); err != nil {
		t.Fatal(err)
	}
	if due, _ := s.Due(ctx, now, 10, nil); len(due) != 0 {
		t.Fatalf("a delivery to retry later is due now: %+v", due)
	}
	due, _ = s.Due(ctx, now.Add(time.Minute), 10, nil)
	if len(due) != 1 || due[0].Attempts != 1 || due[0].LastError != "503" {
		t.Fatalf("due at the retry time: %+v", due)
	}
	// Sent: it leaves the queue, and settling it again is refused.
	if err := s.Settle(ctx, due[0], store.Outcome{Sent: true, Response: "202 Accepted", Attempted: now.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if err := s.Settle(ctx, due[0], store.Outcome{Sent: true}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("settling twice: %v", err)
	}
	if due, _ := s.Due(ctx, now.Add(time.Hour), 10, nil); len(due) != 0 {
		t.Fatalf("a sent delivery is still queued: %+v", due)
	}
	hist, err := s.Deliveries(ctx, ws, d.PersonID, "")
	if err != nil || len(hist) != 1 || hist[0].State != store.Sent || hist[0].Attempts != 2 || hist[0].Response != "202 Accepted" {
		t.Fatalf("history: %v %+v", err, hist)
	}
	// Dead letters come back with Requeue.
	s.Append(ctx, ws, []*event.Event{Event(t, "c2", "Closed Queue", "+15550000001", "phone", "", now)})
	due, _ = s.Due(ctx, now, 10, nil)
	if err := s.Settle(ctx, due[0], store.Outcome{Error: "400 bad number", Attempted: now}); err != nil {
		t.Fatal(err)
	}
	dead, _ := s.Deliveries(ctx, ws, d.PersonID, store.Dead)
	if len(dead) != 1 || dead[0].LastError != "400 bad number" {
		t.Fatalf("dead letters: %+v", dead)
	}
	if err := s.Requeue(ctx, ws, d.PersonID, dead[0].ID); err != nil {
		t.Fatal(err)
	}
	if due, _ := s.Due(ctx, now, 10, nil); len(due) != 1 || due[0].ID != dead[0].ID || due[0].Attempts != 0 {
		t.Fatalf("requeued: %+v", due)
	}
	// Erasure takes the deliveries, queued ones included.
	if _, err := s.Erase(ctx, ws, d.PersonID); err != nil {
		t.Fatal(err)
	}
	if due, _ := s.Due(ctx, now.Add(24*time.Hour), 10, nil); len(due) != 0 {
		t.Fatalf("queued after erasure: %+v", due)
	}
}

// A delivery that failed before it was queued is dead at once and never due. The
// dead-letter list acts only on dead deliveries (ErrConflict otherwise) that exist
// (ErrNotFound otherwise); a discarded one is gone from the person's deliveries. With no
// person, Deliveries lists the whole workspace's.
func testDeadLetters(t *testing.T, b Backend) {
	now := time.Date(2026, 6, 1, 22, 0, 0, 0, time.UTC)
	s, res := notified(t, b, now, "Closed Queue", "Too Big")
	ctx := context.Background()
	queued, deadFor := res[0].PersonID, res[1].PersonID
	if due, err := s.Due(ctx, now.Add(time.Hour), 10, nil); err != nil || len(due) != 1 || due[0].PersonID != queued {
		t.Fatalf("due: %v %+v, want only the queued delivery", err, due)
	}
	dead, err := s.Deliveries(ctx, ws, deadFor, store.Dead)
	if err != nil || len(dead) != 1 || dead[0].LastError != "payload over budget" || dead[0].Attempts != 0 || dead[0].PersonID != deadFor {
		t.Fatalf("dead letters: %v %+v", err, dead)
	}
	for state, want := range map[string]int{"": 2, store.Pending: 1, store.Dead: 1, store.Sent: 0} {
		if all, err := s.Deliveries(ctx, ws, "", state); err != nil || len(all) != want {
			t.Errorf("the workspace's %q deliveries: %v, %d of them, want %d", state, err, len(all), want)
		}
	}
	pending, _ := s.Deliveries(ctx, ws, queued, "")
	if len(pending) != 1 {
		t.Fatalf("deliveries of the queued person: %+v", pending)
	}
	if err := s.Requeue(ctx, ws, queued, pending[0].ID); !errors.Is(err, store.ErrConflict) {
		t.Errorf("requeueing a pending delivery: %v, want ErrConflict", err)
	}
	if err := s.Discard(ctx, ws, queued, pending[0].ID); !errors.Is(err, store.ErrConflict) {
		t.Errorf("discarding a pending delivery: %v, want ErrConflict", err)
	}
	if err := s.Discard(ctx, ws, deadFor, dead[0].ID); err != nil {
		t.Fatal(err)
	}
	if left, err := s.Deliveries(ctx, ws, deadFor, ""); err != nil || len(left) != 0 {
		t.Fatalf("after the discard: %v %+v", err, left)
	}
	if err := s.Discard(ctx, ws, deadFor, dead[0].ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("discarding twice: %v, want ErrNotFound", err)
	}
	if err := s.Requeue(ctx, ws, deadFor, dead[0].ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("requeueing a discarded delivery: %v, want ErrNotFound", err)
	}
	if due, _ := s.Due(ctx, now.Add(time.Hour), 10, nil); len(due) != 1 {
		t.Fatalf("the queued delivery left the queue: %+v", due)
	}
}

// A delivery in shadow is recorded in the person's history and the workspace's, in
// state shadow, and is never due nor counted pending; the dead-letter list does not act
// on it.
func testShadowDeliveries(t *testing.T, b Backend) {
	now := time.Date(2026, 6, 1, 22, 0, 0, 0, time.UTC)
	s := open(t, b, Options{Deriver: notifier{}, Now: func() time.Time { return now }})
	ctx := context.Background()
	res, err := s.Append(ctx, ws, []*event.Event{Event(t, "s1", "Shadowed", "+15550000003", "phone", "", now)})
	if err != nil {
		t.Fatal(err)
	}
	person := res[0].PersonID
	if due, err := s.Due(ctx, now.Add(24*time.Hour), 10, nil); err != nil || len(due) != 0 {
		t.Fatalf("due: %v %+v, want nothing", err, due)
	}
	if st, err := s.OutboxStats(ctx); err != nil || st.Pending != 0 {
		t.Fatalf("outbox stats: %v %+v, want nothing pending", err, st)
	}
	mine, err := s.Deliveries(ctx, ws, person, "")
	if err != nil || len(mine) != 1 || mine[0].State != store.Shadow || string(mine[0].Payload) != `{"sms":"would text"}` || mine[0].Attempts != 0 {
		t.Fatalf("the person's deliveries: %v %+v", err, mine)
	}
	if all, err := s.Deliveries(ctx, ws, "", store.Shadow); err != nil || len(all) != 1 || all[0].ID != mine[0].ID {
		t.Fatalf("the workspace's shadow deliveries: %v %+v", err, all)
	}
	if err := s.Requeue(ctx, ws, person, mine[0].ID); !errors.Is(err, store.ErrConflict) {
		t.Errorf("requeueing a shadow delivery: %v, want ErrConflict", err)
	}
}

// The due scan starts after the deliveries already settled, yet finds one queued later
// with an earlier due time.
func testDueFindsEarlierDeliveriesQueuedLater(t *testing.T, b Backend) {
	now := time.Date(2026, 6, 1, 22, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	s := open(t, b, Options{Deriver: notifier{}, Now: clock})
	ctx := context.Background()
	for i := range 50 {
		now = now.Add(time.Second)
		s.Append(ctx, ws, []*event.Event{Event(t, fmt.Sprintf("c%d", i), "Closed Queue", "+15550000001", "phone", "", now)})
		due, err := s.Due(ctx, now, 10, nil)
		if err != nil || len(due) != 1 {
			t.Fatalf("round %d: %v %+v", i, err, due)
		}
		if err := s.Settle(ctx, due[0], store.Outcome{Sent: true, Attempted: now}); err != nil {
			t.Fatal(err)
		}
	}
	if due, _ := s.Due(ctx, now, 10, nil); len(due) != 0 {
		t.Fatalf("settled deliveries are due: %+v", due)
	}
	// A commit queues a delivery due before everything settled so far (a trigger's at
	// in the past, a dead letter sent back): the next scan finds it.
	past := now.Add(-time.Hour)
	now = past
	s.Append(ctx, ws, []*event.Event{Event(t, "late", "Closed Queue", "+15550000002", "phone", "", past)})
	now = past.Add(2 * time.Hour)
	due, err := s.Due(ctx, now, 10, nil)
	if err != nil || len(due) != 1 || !due[0].Due.Equal(past) {
		t.Fatalf("the earlier delivery is not found: %v %+v", err, due)
	}
}

// Outbox counts the queued deliveries, scheduled and retried ones included, and gives
// the earliest due time; settled ones leave it.
func testOutboxStats(t *testing.T, b Backend) {
	t0 := time.Date(2026, 6, 1, 22, 0, 0, 0, time.UTC)
	now := t0
	s := open(t, b, Options{Deriver: notifier{}, Now: func() time.Time { return now }})
	ctx := context.Background()
	if st, err := s.OutboxStats(ctx); err != nil || st.Pending != 0 || !st.OldestDue.IsZero() {
		t.Fatalf("empty outbox: %+v %v", st, err)
	}
	for i, id := range []string{"c1", "c2", "c3"} {
		now = t0.Add(time.Duration(i) * time.Minute)
		if _, err := s.Append(ctx, ws, []*event.Event{Event(t, id, "Closed Queue", "+1555000000"+fmt.Sprint(i), "phone", "", now)}); err != nil {
			t.Fatal(err)
		}
	}
	if st, _ := s.OutboxStats(ctx); st.Pending != 3 || !st.OldestDue.Equal(t0) {
		t.Fatalf("three queued: %+v, want the first due at %s", st, t0)
	}
	due, _ := s.Due(ctx, now, 10, nil)
	if err := s.Settle(ctx, due[0], store.Outcome{Sent: true, Attempted: now}); err != nil {
		t.Fatal(err)
	}
	if err := s.Settle(ctx, due[1], store.Outcome{RetryAt: now.Add(time.Hour), Attempted: now}); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.OutboxStats(ctx); st.Pending != 2 || !st.OldestDue.Equal(t0.Add(2*time.Minute)) {
		t.Fatalf("one sent, one retried later: %+v, want 2 with the third's due time first", st)
	}
}

// Pick reads past what take refuses, without counting it against the limit, and leaves
// it queued; what pass names is not even read.
func testPickReadsPastRefused(t *testing.T, b Backend) {
	now := time.Date(2026, 6, 1, 22, 0, 0, 0, time.UTC)
	s := open(t, b, Options{Deriver: notifier{}, Now: func() time.Time { return now }})
	ctx := context.Background()
	for i := range 5 {
		now = now.Add(time.Second)
		s.Append(ctx, ws, []*event.Event{Event(t, fmt.Sprintf("c%d", i), "Closed Queue", "+15550000001", "phone", "", now)})
	}
	all, err := s.Due(ctx, now, 10, nil)
	if err != nil || len(all) != 5 {
		t.Fatalf("due: %v %+v", err, all)
	}
	var read []string
	got, err := s.Pick(ctx, now, 1, store.Picker{
		Pass: func(id uuid.UUID) bool { return id.String() == all[0].ID },
		Take: func(d *store.Delivery) bool { read = append(read, d.ID); return d.ID == all[3].ID }})
	if err != nil || len(got) != 1 || got[0].ID != all[3].ID {
		t.Fatalf("picked %v %+v, want the fourth", err, got)
	}
	if want := []string{all[1].ID, all[2].ID, all[3].ID}; !slices.Equal(read, want) {
		t.Fatalf("take saw %v, want %v (the first passed, the scan stopped at the limit)", read, want)
	}
	if again, _ := s.Due(ctx, now, 10, nil); len(again) != 5 {
		t.Fatalf("a scan took deliveries out of the queue: %d left", len(again))
	}
}

// PickNew reads only what came after the last Pick or PickNew stopped, or from what was
// queued since it began if that is earlier in the queue; Pick reads everything again.
// Due (the sweep's) does not move where PickNew starts.
func testPickNewReadsOnlyWhatIsNew(t *testing.T, b Backend) {
	now := time.Date(2026, 6, 1, 22, 0, 0, 0, time.UTC)
	s := open(t, b, Options{Deriver: notifier{}, Now: func() time.Time { return now }})
	ctx := context.Background()
	post := func(id string, at time.Time) {
		now = at
		s.Append(ctx, ws, []*event.Event{Event(t, id, "Closed Queue", "+15550000001", "phone", "", at)})
	}
	t0 := now
	for i := range 3 {
		post(fmt.Sprintf("c%d", i), t0.Add(time.Duration(i)*time.Second))
	}
	none := store.Picker{Take: func(*store.Delivery) bool { return false }}
	count := func(pick func(context.Context, time.Time, int, store.Picker) ([]*store.Delivery, error)) int {
		n := 0
		if _, err := pick(ctx, now, 10, store.Picker{Take: func(*store.Delivery) bool { n++; return false }}); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if got, _ := s.Pick(ctx, now, 10, none); len(got) != 0 {
		t.Fatal("take refused everything")
	}
	if n := count(s.PickNew); n != 0 {
		t.Fatalf("PickNew read %d deliveries a scan already met", n)
	}
	post("c3", t0.Add(time.Minute))
	s.Due(ctx, now, 1, nil)
	if n := count(s.PickNew); n != 1 {
		t.Fatalf("PickNew read %d deliveries, want the new one", n)
	}
	if n := count(s.PickNew); n != 0 {
		t.Fatalf("PickNew read %d deliveries again", n)
	}
	post("c4", t0.Add(-time.Hour)) // due before all the others: read from there on
	now = t0.Add(time.Minute)
	if n := count(s.PickNew); n != 5 {
		t.Fatalf("PickNew read %d deliveries, want the 5 from the new one on", n)
	}
	if n := count(s.Pick); n != 5 {
		t.Fatalf("Pick read %d deliveries, want all 5", n)
	}
	// One due later than now is met when it comes due.
	later := t0.Add(time.Hour)
	post("c6", later)
	post("c5", t0.Add(2*time.Minute))
	if n := count(s.PickNew); n != 1 {
		t.Fatalf("PickNew read %d deliveries, want the 1 due now", n)
	}
	now = later
	if n := count(s.PickNew); n != 1 {
		t.Fatalf("PickNew read %d deliveries, want the 1 that came due", n)
	}
}

// A Pick that Enough stops early leaves where PickNew starts as it was: what the earlier
// scans met is not read again, and what was queued since they began still is.
func testPickStoppedByEnough(t *testing.T, b Backend) {
	now := time.Date(2026, 6, 1, 22, 0, 0, 0, time.UTC)
	s := open(t, b, Options{Deriver: notifier{}, Now: func() time.Time { return now }})
	ctx := context.Background()
	var evs []*event.Event
	for i := range 200 {
		evs = append(evs, Event(t, fmt.Sprintf("c%d", i), "Closed Queue", "+15550000001", "phone", "", now))
	}
	if _, err := s.Append(ctx, ws, evs); err != nil {
		t.Fatal(err)
	}
	read := 0
	counting := store.Picker{Take: func(*store.Delivery) bool { read++; return false }}
	s.Pick(ctx, now, 10, counting) // meets all 200, takes none
	now = now.Add(time.Second)
	s.Append(ctx, ws, []*event.Event{Event(t, "new", "Closed Queue", "+15550000001", "phone", "", now)})
	read = 0
	enough := counting
	enough.Enough = func() bool { return true }
	if _, err := s.Pick(ctx, now, 10, enough); err != nil || read != 63 {
		t.Fatalf("Enough asked at the 64th: read %d, %v", read, err)
	}
	read = 0
	s.PickNew(ctx, now, 10, counting)
	if read != 1 {
		t.Fatalf("PickNew after a scan stopped early read %d, want the new one", read)
	}
	read = 0
	s.PickNew(ctx, now, 10, counting)
	if read != 0 {
		t.Fatalf("PickNew read %d again", read)
	}
}

// A delivery a contact policy suppressed is in its person's history with the policy's
// name, never due and no dead letter; one it deferred is pending, due when the policy
// said, and keeps the note.
func testHeldDeliveries(t *testing.T, b Backend) {
	now := time.Date(2026, 6, 1, 22, 0, 0, 0, time.UTC)
	s, res := notified(t, b, now, "Opted Out", "Late Call")
	ctx := context.Background()
	if due, err := s.Due(ctx, now.Add(9*time.Hour), 10, nil); err != nil || len(due) != 0 {
		t.Fatalf("due before the deferral ends: %v %+v", err, due)
	}
	due, err := s.Due(ctx, now.Add(10*time.Hour), 10, nil)
	if err != nil || len(due) != 1 || due[0].PersonID != res[1].PersonID || due[0].Policy == nil ||
		due[0].Policy.Outcome != store.OutcomeDeferred || !due[0].Policy.DeferredFrom.Equal(now) {
		t.Fatalf("due after the deferral: %v %+v", err, due)
	}
	held, err := s.Deliveries(ctx, ws, res[0].PersonID, store.Suppressed)
	if err != nil || len(held) != 1 || held[0].Policy == nil || held[0].Policy.Name != "sms etiquette" || held[0].Policy.Reason != "opt-out" {
		t.Fatalf("suppressed: %v %+v", err, held)
	}
	if dead, _ := s.Deliveries(ctx, ws, "", store.Dead); len(dead) != 0 {
		t.Errorf("dead letters: %+v", dead)
	}
	if err := s.Requeue(ctx, ws, res[0].PersonID, held[0].ID); !errors.Is(err, store.ErrConflict) {
		t.Errorf("requeueing a suppressed delivery: %v, want ErrConflict", err)
	}
	if due, _ := s.Due(ctx, now.Add(48*time.Hour), 10, nil); len(due) != 1 {
		t.Fatalf("a suppressed delivery is due: %+v", due)
	}
}

// notified opens a store whose deriver is the notifier, on a clock stopped at now, and
// appends one event of each type, each of a person of its own.
func notified(t *testing.T, b Backend, now time.Time, types ...string) (store.Store, []store.AppendResult) {
	s := open(t, b, Options{Deriver: notifier{}, Now: func() time.Time { return now }})
	evs := make([]*event.Event, len(types))
	for i, typ := range types {
		evs[i] = Event(t, fmt.Sprint("n", i), typ, fmt.Sprintf("+1555000000%d", i+1), "phone", "", now)
	}
	res, err := s.Append(context.Background(), ws, evs)
	if err != nil {
		t.Fatal(err)
	}
	return s, res
}

// Sweep meets at most perWorkspace due deliveries of each workspace: a workspace's
// backlog (passed over, as a scheduler does with deliveries waiting for a dead partner)
// does not keep the sweep from another workspace's delivery queued after it, and the
// backlog is met in turn by the next sweeps. A sweep stopped by its limit lets the next
// begin with the next workspace.
func testSweepIsBoundedPerWorkspace(t *testing.T, b Backend) {
	now := time.Date(2026, 6, 1, 22, 0, 0, 0, time.UTC)
	s := open(t, b, Options{Deriver: notifier{}, Now: func() time.Time { return now }})
	ctx := context.Background()
	quiet := store.Workspace{Org: "acme", Name: "quiet"}
	var evs []*event.Event
	for i := range 250 {
		evs = append(evs, Event(t, fmt.Sprintf("n%d", i), "Closed Queue", "+15550000001", "phone", "", now))
	}
	if _, err := s.Append(ctx, ws, evs); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Second)
	if _, err := s.Append(ctx, quiet, []*event.Event{Event(t, "q1", "Closed Queue", "+15550000002", "phone", "", now)}); err != nil {
		t.Fatal(err)
	}
	pending, err := s.Deliveries(ctx, ws, "", store.Pending)
	if err != nil || len(pending) != 250 {
		t.Fatalf("the backlog: %v, %d deliveries", err, len(pending))
	}
	backlog := map[uuid.UUID]bool{}
	for _, d := range pending {
		backlog[uuid.MustParse(d.ID)] = true
	}
	met := map[uuid.UUID]int{}
	taken := map[uuid.UUID]bool{}
	p := store.Picker{
		Pass: func(id uuid.UUID) bool {
			if backlog[id] {
				met[id]++
				return true
			}
			return taken[id] // in flight
		},
		Take: func(d *store.Delivery) bool { taken[uuid.MustParse(d.ID)] = true; return true },
	}
	got, err := s.Sweep(ctx, now, 10, 100, p)
	if err != nil || len(got.Deliveries) != 1 || got.Deliveries[0].Workspace != quiet {
		t.Fatalf("first sweep: %v %+v, want the quiet workspace's delivery", err, got.Deliveries)
	}
	if len(met) != 100 {
		t.Fatalf("the first sweep met %d of the backlog, want its share of 100", len(met))
	}
	if !slices.Equal(got.Whole, []store.Workspace{quiet}) || !slices.Equal(got.Partial, []store.Workspace{ws}) || !got.Complete {
		t.Fatalf("whole %v, partial %v, complete %v; want %v whole, %v in part, every workspace visited", got.Whole, got.Partial, got.Complete, quiet, ws)
	}
	for i := 2; i <= 3; i++ {
		before := len(met)
		if _, err := s.Sweep(ctx, now, 10, 100, p); err != nil {
			t.Fatal(err)
		}
		if n := len(met) - before; n != min(100, 250-before) {
			t.Fatalf("sweep %d met %d new deliveries of the backlog", i, n)
		}
	}
	if len(met) != 250 {
		t.Fatalf("three sweeps met %d of the 250, want all", len(met))
	}
	for id, n := range met {
		if n > 2 {
			t.Fatalf("delivery %s met %d times in three sweeps", id, n)
		}
	}
	// Stopped by its limit in one workspace, the next sweep begins with the other.
	clear(backlog)
	clear(taken)
	first, err := s.Sweep(ctx, now, 1, 100, p)
	if err != nil || len(first.Deliveries) != 1 || first.Complete {
		t.Fatalf("sweep with limit 1: %v %+v, complete %v", err, first.Deliveries, first.Complete)
	}
	second, err := s.Sweep(ctx, now, 1, 100, p)
	if err != nil || len(second.Deliveries) != 1 || second.Deliveries[0].Workspace == first.Deliveries[0].Workspace {
		t.Fatalf("the sweep after one stopped in %v: %v %+v, want the other workspace's", first.Deliveries[0].Workspace, err, second.Deliveries)
	}
}

// A delivery queued just before a sweep, which the sweep left beyond its workspace's
// share, is still read by the next PickNew: a sweep moves where PickNew starts past what
// is due, not past what was queued since the last scan.
func testPickNewAfterSweep(t *testing.T, b Backend) {
	now := time.Date(2026, 6, 1, 22, 0, 0, 0, time.UTC)
	s := open(t, b, Options{Deriver: notifier{}, Now: func() time.Time { return now }})
	ctx := context.Background()
	var evs []*event.Event
	for i := range 250 {
		evs = append(evs, Event(t, fmt.Sprintf("n%d", i), "Closed Queue", "+15550000001", "phone", "", now))
	}
	if _, err := s.Append(ctx, ws, evs); err != nil {
		t.Fatal(err)
	}
	none := store.Picker{Take: func(*store.Delivery) bool { return false }}
	if _, err := s.Pick(ctx, now, 10, none); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Second)
	if _, err := s.Append(ctx, ws, []*event.Event{Event(t, "new", "Closed Queue", "+15550000001", "phone", "", now)}); err != nil {
		t.Fatal(err)
	}
	met := 0
	counting := store.Picker{Pass: func(uuid.UUID) bool { met++; return true }}
	if got, err := s.Sweep(ctx, now, 10, 100, counting); err != nil || len(got.Partial) != 1 || met != 100 {
		t.Fatalf("sweep: %v, met %d, partial %v; want 100 of the workspace's 251", err, met, got.Partial)
	}
	read := 0
	if _, err := s.PickNew(ctx, now, 10, store.Picker{Take: func(*store.Delivery) bool { read++; return false }}); err != nil {
		t.Fatal(err)
	}
	if read != 1 {
		t.Fatalf("PickNew after the sweep read %d deliveries, want the one queued since the last Pick", read)
	}
}

// RecentDeliveries lists the newest of a workspace's deliveries, newest first, at most
// limit of those in the state and matching, and says when there were more; another
// workspace's are not in it.
func testRecentDeliveries(t *testing.T, b Backend) {
	now := time.Date(2026, 6, 1, 22, 0, 0, 0, time.UTC)
	s := open(t, b, Options{Deriver: notifier{}, Now: func() time.Time { return now }})
	ctx := context.Background()
	for i := range 30 {
		now = now.Add(time.Second)
		phone := fmt.Sprintf("+155500000%02d", i%7+1) // several persons
		if _, err := s.Append(ctx, ws, []*event.Event{Event(t, fmt.Sprintf("c%d", i), "Closed Queue", phone, "phone", "", now)}); err != nil {
			t.Fatal(err)
		}
	}
	other := store.Workspace{Org: "acme", Name: "other"}
	if _, err := s.Append(ctx, other, []*event.Event{Event(t, "o1", "Closed Queue", "+15550000001", "phone", "", now.Add(time.Hour))}); err != nil {
		t.Fatal(err)
	}
	all, err := s.Deliveries(ctx, ws, "", "")
	if err != nil || len(all) != 30 {
		t.Fatalf("every delivery: %v %d", err, len(all))
	}
	for _, d := range all[20:] { // the 10 oldest die
		if err := s.Settle(ctx, d, store.Outcome{Error: "400", Attempted: now}); err != nil {
			t.Fatal(err)
		}
	}
	ids := func(ds []*store.Delivery) []string {
		out := make([]string, len(ds))
		for i, d := range ds {
			out[i] = d.ID
		}
		return out
	}
	got, more, err := s.RecentDeliveries(ctx, ws, "", 7, nil)
	if err != nil || !more || !slices.Equal(ids(got), ids(all[:7])) {
		t.Fatalf("the newest 7: %v, more %v, %v; want %v", err, more, ids(got), ids(all[:7]))
	}
	got, more, err = s.RecentDeliveries(ctx, ws, store.Dead, 10, nil)
	if err != nil || more || !slices.Equal(ids(got), ids(all[20:])) {
		t.Fatalf("the 10 dead: %v, more %v, %v", err, more, ids(got))
	}
	odd := func(d *store.Delivery) bool { return slices.Index(ids(all), d.ID)%2 == 1 }
	got, more, err = s.RecentDeliveries(ctx, ws, "", 100, odd)
	if err != nil || more || len(got) != 15 || got[0].ID != all[1].ID {
		t.Fatalf("the matching ones: %v, more %v, %d of them", err, more, len(got))
	}
}

// Deliveries queued by many writers at once, while the delivery worker picks, all
// commit: queueing a delivery and picking one do not wait for each other in a circle
// (on PostgreSQL a unit used to wait for the queue scan's lock with a connection held,
// while a Pick held that lock waiting for a connection).
func testPickBesideManyWriters(t *testing.T, b Backend) {
	now := time.Date(2026, 6, 1, 22, 0, 0, 0, time.UTC)
	s := open(t, b, Options{Deriver: notifier{}, Now: func() time.Time { return now }})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	const writers, each = 24, 20
	var wg sync.WaitGroup
	errs := make(chan error, writers+1)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			space := store.Workspace{Org: "o", Name: fmt.Sprintf("w%d", w)}
			for i := range each {
				ev := Event(t, fmt.Sprintf("q%d-%d", w, i), "Closed Queue", fmt.Sprintf("+1555030%04d", w), "phone", "", now)
				if _, err := s.Append(ctx, space, []*event.Event{ev}); err != nil {
					errs <- fmt.Errorf("writer %d, event %d: %w", w, i, err)
					return
				}
			}
		}()
	}
	stop, picked := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(picked)
		for {
			select {
			case <-stop:
				return
			default:
			}
			ds, err := s.Pick(ctx, now, 16, store.Picker{})
			if err != nil {
				errs <- fmt.Errorf("pick: %w", err)
				return
			}
			for _, d := range ds {
				if err := s.Settle(ctx, d, store.Outcome{Sent: true, Attempted: now}); err != nil {
					errs <- fmt.Errorf("settle: %w", err)
					return
				}
			}
		}
	}()
	wg.Wait()
	close(stop)
	<-picked
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}
