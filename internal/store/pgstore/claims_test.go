package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/pgtest"
	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/internal/store/pgstore"
	"github.com/openjds/jds/internal/store/storetest"
)

// queuer queues one delivery for every event.
type queuer struct{}

func (queuer) Derive(st store.State, ev store.StoredEvent) error {
	_, err := st.Enqueue([]byte(`{"n":1}`), ev.Time)
	return err
}

func (queuer) Rebuild(store.State, store.EventSource) error { return nil }

// appendCallers appends n events to w, each of its own caller and due (with queuer) a
// second before the one after it, the last at now.
func appendCallers(t *testing.T, s store.Store, w store.Workspace, n int, now time.Time) {
	t.Helper()
	var evs []*event.Event
	for i := range n {
		evs = append(evs, storetest.Event(t, fmt.Sprint("e", i), "T", fmt.Sprintf("+1555%07d", i), "phone", "", now.Add(-time.Duration(n-1-i)*time.Second)))
	}
	if _, err := s.Append(context.Background(), w, evs); err != nil {
		t.Fatal(err)
	}
}

// TestTwoNodesClaimEachDeliveryOnce: two nodes on one database pick from the same
// outbox; each delivery goes to exactly one of them, a claim lasts its lease (then the
// other node may send it: the first died), and settling ends it.
func TestTwoNodesClaimEachDeliveryOnce(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	place := t.TempDir()
	a := openAt(t, place, storetest.Options{Deriver: queuer{}, Now: clock}).(*pgstore.Store)
	defer a.Close()
	// The second node: the same database, its own name.
	b, err := pgstore.Open(context.Background(), pgstore.Options{URL: databaseURL(t, place), Deriver: queuer{}, Now: clock,
		Node: "node-b", Lease: time.Minute, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx := context.Background()
	w := store.Workspace{Org: "o", Name: "w"}
	appendCallers(t, a, w, 10, now)
	half := func(n *int) store.Picker {
		return store.Picker{Take: func(*store.Delivery) bool { *n++; return *n <= 5 }}
	}
	var na int
	gotA, err := a.Pick(ctx, now, 10, half(&na))
	if err != nil || len(gotA) != 5 {
		t.Fatalf("node a picked %d, %v; want 5", len(gotA), err)
	}
	gotB, err := b.Pick(ctx, now, 10, store.Picker{})
	if err != nil || len(gotB) != 5 {
		t.Fatalf("node b picked %d, %v; want the other 5", len(gotB), err)
	}
	seen := map[string]bool{}
	for _, d := range append(gotA, gotB...) {
		if seen[d.ID] {
			t.Fatalf("delivery %s went to both nodes", d.ID)
		}
		seen[d.ID] = true
	}
	if again, _ := b.Pick(ctx, now, 10, store.Picker{}); len(again) != 5 {
		t.Fatalf("node b picked %d of its own again, want its 5 (a restart of the same node resends)", len(again))
	}
	// Node a settles one and dies with the rest; once its lease has run out, b sends them.
	if err := a.Settle(ctx, gotA[0], store.Outcome{Sent: true, Attempted: now}); err != nil {
		t.Fatal(err)
	}
	now = now.Add(3 * time.Minute)
	gotB, err = b.Pick(ctx, now, 10, store.Picker{})
	if err != nil || len(gotB) != 9 {
		t.Fatalf("after a's lease: node b picked %d, %v; want 9 (not the one settled)", len(gotB), err)
	}
	// A delivery b holds is not a's to read.
	if gotA, _ = a.Pick(ctx, now, 10, store.Picker{}); len(gotA) != 0 {
		t.Fatalf("node a picked %d that node b holds", len(gotA))
	}
	// The sweep sees every pending delivery, whoever holds it.
	if due, _ := a.Due(ctx, now, 100, nil); len(due) != 9 {
		t.Fatalf("Due = %d, want 9", len(due))
	}
}

// databaseURL is the URL of the database openAt made for place.
func databaseURL(t *testing.T, place string) string {
	return pgtest.Database(t, databaseName(place))
}

// TestSettlingDoesNotWaitForTheWorkspace: settling a send, requeueing a dead letter and
// discarding one lock only that delivery's row, so they finish while another transaction
// holds the workspace's row lock, as a group commit of a busy workspace does. (They once
// queued behind every group commit, and each group behind hundreds of them.)
func TestSettlingDoesNotWaitForTheWorkspace(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	place := t.TempDir()
	s := openAt(t, place, storetest.Options{Deriver: queuer{}, Now: func() time.Time { return now }}).(*pgstore.Store)
	defer s.Close()
	ctx := context.Background()
	w := store.Workspace{Org: "o", Name: "w"}
	appendCallers(t, s, w, 3, now)
	ds, err := s.Pick(ctx, now, 10, store.Picker{})
	if err != nil || len(ds) != 3 {
		t.Fatalf("picked %d, %v; want 3", len(ds), err)
	}

	conn, err := pgx.Connect(ctx, databaseURL(t, place))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "SELECT seq FROM workspaces WHERE workspace_id = 'o/w' FOR UPDATE"); err != nil {
		t.Fatal(err)
	}

	wait, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := s.Settle(wait, ds[0], store.Outcome{Sent: true, Attempted: now}); err != nil {
		t.Fatalf("settling while the workspace is locked: %v", err)
	}
	if err := s.Settle(wait, ds[1], store.Outcome{Error: "400 bad number", Attempted: now}); err != nil {
		t.Fatalf("settling a dead letter while the workspace is locked: %v", err)
	}
	if err := s.Requeue(wait, w, ds[1].PersonID, ds[1].ID); err != nil {
		t.Fatalf("requeueing while the workspace is locked: %v", err)
	}
	if err := s.Settle(wait, ds[2], store.Outcome{Error: "400 bad number", Attempted: now}); err != nil {
		t.Fatal(err)
	}
	if err := s.Discard(wait, w, ds[2].PersonID, ds[2].ID); err != nil {
		t.Fatalf("discarding while the workspace is locked: %v", err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	for state, want := range map[string]int{store.Sent: 1, store.Pending: 1, store.Dead: 0} {
		var n int
		for _, d := range ds {
			got, err := s.Deliveries(ctx, w, d.PersonID, state)
			if err != nil {
				t.Fatal(err)
			}
			n += len(got)
		}
		if n != want {
			t.Errorf("%d deliveries %s, want %d", n, state, want)
		}
	}
}

// TestPickReadsTheQueueInPages: a queue longer than a scan's page is read to its end,
// in order, each delivery once, whatever the picker passes over.
func TestPickReadsTheQueueInPages(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	s := openAt(t, t.TempDir(), storetest.Options{Deriver: queuer{}, Now: func() time.Time { return now }}).(*pgstore.Store)
	defer s.Close()
	ctx := context.Background()
	w := store.Workspace{Org: "o", Name: "w"}
	const n = 700 // more than two pages
	appendCallers(t, s, w, n, now)
	if due, err := s.Due(ctx, now, 2*n, nil); err != nil || len(due) != n {
		t.Fatalf("Due = %d, %v; want %d", len(due), err, n)
	}
	odd := 0
	passed := store.Picker{Pass: func(uuid.UUID) bool { odd++; return odd%2 == 1 }}
	got, err := s.Pick(ctx, now, 2*n, passed)
	if err != nil || len(got) != n/2 {
		t.Fatalf("picked %d, %v; want %d (every other one passed over)", len(got), err, n/2)
	}
	seen := map[string]bool{}
	for i, d := range got {
		if seen[d.ID] {
			t.Fatalf("delivery %s picked twice", d.ID)
		}
		seen[d.ID] = true
		if i > 0 && (d.Due.Before(got[i-1].Due) || d.Due.Equal(got[i-1].Due) && d.ID < got[i-1].ID) {
			t.Fatalf("delivery %d (%s, %s) came before %s, %s", i, d.Due, d.ID, got[i-1].Due, got[i-1].ID)
		}
	}
}

// TestSettlesArriveTogetherCommitTogether: the delivery worker settles each send from
// its own goroutine as the partner answers; settles of a workspace that arrive together
// share transactions instead of one each, each is recorded, and one whose delivery was
// settled before gets store.ErrNotFound without failing the others.
func TestSettlesArriveTogetherCommitTogether(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	ctx := context.Background()
	rec := newTxRecorder()
	s, err := pgstore.Open(ctx, pgstore.Options{URL: databaseURL(t, t.TempDir()), Deriver: queuer{}, Tracer: rec,
		Now: func() time.Time { return now }, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	w := store.Workspace{Org: "o", Name: "w"}
	const n = 200
	appendCallers(t, s, w, n, now)
	ds, err := s.Pick(ctx, now, n, store.Picker{})
	if err != nil || len(ds) != n {
		t.Fatalf("picked %d, %v; want %d", len(ds), err, n)
	}
	if err := s.Settle(ctx, ds[0], store.Outcome{Sent: true, Attempted: now}); err != nil {
		t.Fatal(err)
	}
	rec.take()

	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, d := range ds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = s.Settle(ctx, d, store.Outcome{Sent: true, Attempted: now})
		}()
	}
	close(start)
	wg.Wait()
	if !errors.Is(errs[0], store.ErrNotFound) {
		t.Errorf("settling a settled delivery again: %v; want ErrNotFound", errs[0])
	}
	for i, err := range errs[1:] {
		if err != nil {
			t.Errorf("settle %d: %v", i+1, err)
		}
	}
	units := 0
	for _, tx := range rec.take() {
		if tx.explicit {
			units++
		}
	}
	if units > n/4 {
		t.Errorf("%d settles arriving together took %d transactions; want them shared", n, units)
	}
	sent := 0
	for _, d := range ds {
		got, err := s.Deliveries(ctx, w, d.PersonID, store.Sent)
		if err != nil {
			t.Fatal(err)
		}
		sent += len(got)
	}
	if sent != n {
		t.Errorf("%d deliveries sent, want %d", sent, n)
	}
}
