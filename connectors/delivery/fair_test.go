package delivery

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openjds/jds/connectors"
	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/internal/store/badgerstore"
)

// routed stands in for the actions engine: every "Closed Queue" event queues an inline
// webhook to the partner its workspace and its data's "to" name (the workspace's first
// partner without one).
type routed map[store.Workspace][]string

func (r routed) Derive(st store.State, ev store.StoredEvent) error {
	if ev.Type != "Closed Queue" {
		return nil
	}
	var data struct {
		To int `json:"to"`
	}
	var raw struct {
		Data json.RawMessage `json:"data"`
	}
	if json.Unmarshal(ev.Raw, &raw) == nil {
		json.Unmarshal(raw.Data, &data)
	}
	urls := r[st.Workspace()]
	payload, _ := json.Marshal(connectors.Delivery{URL: urls[data.To%len(urls)], Method: "POST", Body: `{}`, EventID: event.ID(ev.Raw)})
	_, err := st.Enqueue(payload, st.Now())
	return err
}

func (routed) Rebuild(store.State, store.EventSource) error { return nil }

// sink is a partner that never answers: it holds every request until the test ends. It
// counts the requests it got and those the sender gave up on (the attempt's timeout).
type sink struct {
	srv     *httptest.Server
	got     atomic.Int64
	gaveUp  atomic.Int64
	release chan struct{}
}

func newSink(t testing.TB) *sink {
	s := &sink{release: make(chan struct{})}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // so that the server notices when the client gives up
		s.got.Add(1)
		select {
		case <-s.release:
		case <-r.Context().Done():
			s.gaveUp.Add(1)
		}
	}))
	t.Cleanup(s.srv.Close)
	t.Cleanup(func() { close(s.release) }) // before Close, which waits for the requests
	return s
}

// fairRig is a store and a worker for deliveries of several workspaces; the worker
// starts only when asked, so that the whole queue is there at its first scan.
type fairRig struct {
	t      testing.TB
	dir    string // the store's
	open   func() *badgerstore.Store
	store  *badgerstore.Store
	now    time.Time
	o      Options
	worker atomic.Pointer[Worker] // woken after every commit, as the service does
	posted int                    // events so far, for their ids
}

func newFairRig(t testing.TB, routes routed, o Options) *fairRig {
	r := &fairRig{t: t, now: time.Date(2026, 6, 1, 22, 0, 0, 0, time.UTC)}
	clock := func() time.Time { return r.now }
	if o.Now != nil {
		clock = o.Now
	}
	wake := func([]store.Committed) {
		if w := r.worker.Load(); w != nil {
			w.Wake()
		}
	}
	r.dir = t.TempDir()
	r.open = func() *badgerstore.Store {
		s, err := badgerstore.Open(badgerstore.Options{Dir: r.dir, Deriver: routes, Now: clock})
		if err != nil {
			t.Fatal(err)
		}
		s.OnCommit(wake)
		t.Cleanup(func() { s.Close() })
		return s
	}
	s := r.open()
	senders, err := connectors.Build(nil, connectors.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if o.Poll == 0 {
		o.Poll = 5 * time.Millisecond
	}
	o.Store, o.Senders, o.Now = s, senders, clock
	r.store, r.o = s, o
	return r
}

// restart closes the store and opens it again, as a restart of jds does, before the
// worker runs.
func (r *fairRig) restart() {
	r.t.Helper()
	if err := r.store.Close(); err != nil {
		r.t.Fatal(err)
	}
	r.store = r.open()
	r.o.Store = r.store
}

// post appends n "Closed Queue" events of one person in w, the i-th to partner to(i).
func (r *fairRig) post(w store.Workspace, n int, to func(i int) int) {
	r.t.Helper()
	var evs []*event.Event
	for i := range n {
		r.posted++
		raw, _ := json.Marshal(map[string]any{"id": fmt.Sprintf("%s-%d", w.Name, r.posted), "specversion": "1.0",
			"type": "Closed Queue", "source": "ivr", "identity": "+12263762555", "identitytype": "phone",
			"data": map[string]any{"to": to(i)}})
		ev, bad := event.Decode(raw, r.now, event.Limits{DefaultRegion: "US"})
		if bad != nil {
			r.t.Fatal(bad)
		}
		evs = append(evs, ev)
	}
	if _, err := r.store.Append(context.Background(), w, evs); err != nil {
		r.t.Fatal(err)
	}
}

// run starts the worker; it stops when the test ends, before the partners are let go.
func (r *fairRig) run() {
	w := New(r.o)
	r.worker.Store(w)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	r.t.Cleanup(func() { cancel(); <-done })
}

// states counts a workspace's deliveries by state.
func (r *fairRig) states(w store.Workspace) map[string]int {
	r.t.Helper()
	ds, err := r.store.Deliveries(context.Background(), w, "", "")
	if err != nil {
		r.t.Fatal(err)
	}
	n := map[string]int{}
	for _, d := range ds {
		n[d.State]++
	}
	return n
}

func first(int) int { return 0 }

// A partner that never answers holds up only its own lane: another workspace's delivery,
// queued behind 200 of them, arrives while every one of them is still held, long before
// the first of them times out.
func TestDeadPartnerDelaysOnlyItsOwnDeliveries(t *testing.T) {
	noisy, quiet := store.Workspace{Org: "cctsa", Name: "noisy"}, store.Workspace{Org: "acme", Name: "quiet"}
	dead, healthy := newSink(t), newPartner(t)
	r := newFairRig(t, routed{noisy: {dead.srv.URL}, quiet: {healthy.srv.URL}}, Options{})
	r.post(noisy, 200, first)
	r.post(quiet, 1, first)
	r.run()
	// No deadline of our own: with the quiet delivery stuck behind the noisy ones, the
	// noisy attempts time out (10 s) first, and that is the failure.
	for len(healthy.received()) == 0 && dead.gaveUp.Load() == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	if n := dead.gaveUp.Load(); n != 0 {
		t.Fatalf("%d attempts at the dead partner timed out before the quiet workspace's delivery was sent", n)
	}
	for r.states(quiet)[store.Sent] != 1 {
		time.Sleep(5 * time.Millisecond)
	}
	// The dead partner's lane is full, not more: the rest of its deliveries wait queued.
	if got, st := dead.got.Load(), r.states(noisy); got > 32 || st[store.Pending] != 200 {
		t.Fatalf("the dead partner got %d requests (at most 32), the noisy workspace's deliveries: %v", got, st)
	}
}

// A workspace sending to many dead hosts fills its own bound, not the worker: each host
// is a lane of its own, and all of them together count against the workspace.
func TestWorkspaceBoundAcrossLanes(t *testing.T) {
	noisy, quiet := store.Workspace{Org: "cctsa", Name: "noisy"}, store.Workspace{Org: "acme", Name: "quiet"}
	var sinks []*sink
	var urls []string
	for range 4 {
		s := newSink(t)
		sinks, urls = append(sinks, s), append(urls, s.srv.URL)
	}
	healthy := newPartner(t)
	r := newFairRig(t, routed{noisy: urls, quiet: {healthy.srv.URL}}, Options{PerConnector: 2, PerWorkspace: 5})
	r.post(noisy, 40, func(i int) int { return i })
	r.post(quiet, 3, first)
	r.run()
	gaveUp := func() (n int64) {
		for _, s := range sinks {
			n += s.gaveUp.Load()
		}
		return n
	}
	for r.states(quiet)[store.Sent] != 3 && gaveUp() == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	if n := gaveUp(); n != 0 {
		t.Fatalf("%d attempts at the dead partners timed out before the quiet workspace's deliveries were sent", n)
	}
	var got []int64
	total := int64(0)
	for _, s := range sinks {
		got = append(got, s.got.Load())
		total += s.got.Load()
	}
	// Every lane of the noisy workspace may hold 2, all of them together 5.
	for _, n := range got {
		if n > 2 {
			t.Errorf("a lane holds %d sends, at most 2: %v", n, got)
		}
	}
	if total > 5 {
		t.Errorf("the noisy workspace holds %d sends, at most 5: %v", total, got)
	}
}

// Each delivery is sent once, however the scans and the settling of attempts interleave:
// a scan whose snapshot predates a delivery's settling still sees it queued, so the
// worker holds it as in flight until a scan that began after the settling.
func TestEachDeliverySentOnce(t *testing.T) {
	var mu sync.Mutex
	keys := map[string]int{}
	fast := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		keys[r.Header.Get("Idempotency-Key")]++
		mu.Unlock()
	}))
	defer fast.Close()
	quiet := store.Workspace{Org: "acme", Name: "quiet"}
	r := newFairRig(t, routed{quiet: {fast.URL}}, Options{})
	r.run()
	for range 300 {
		r.post(quiet, 1, first)
	}
	for r.states(quiet)[store.Sent] != 300 {
		time.Sleep(5 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	for k, n := range keys {
		if n != 1 {
			t.Errorf("delivery %s sent %d times", k, n)
		}
	}
	if len(keys) != 300 {
		t.Errorf("%d deliveries sent, want 300", len(keys))
	}
}

// Deliveries left waiting for a full slot go as soon as it frees, without waiting for a
// poll: most scans read only what is new, and a freed slot that something waits for
// makes the next one read everything again.
func TestWaitingDeliveriesGoWhenTheSlotFrees(t *testing.T) {
	gate := make(chan struct{})
	var got atomic.Int64
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Add(1)
		<-gate
	}))
	defer slow.Close()
	quiet := store.Workspace{Org: "acme", Name: "quiet"}
	r := newFairRig(t, routed{quiet: {slow.URL}}, Options{PerConnector: 1, Poll: time.Hour})
	r.post(quiet, 5, first)
	r.run()
	for i := range 5 {
		for n := 0; got.Load() <= int64(i); n++ {
			if n == 2000 {
				t.Fatalf("%d requests: the deliveries waiting for the slot were not sent when it freed", got.Load())
			}
			time.Sleep(time.Millisecond)
		}
		if n := got.Load(); n != int64(i+1) {
			t.Fatalf("%d requests in flight on a lane of 1", n)
		}
		gate <- struct{}{}
	}
	for r.states(quiet)[store.Sent] != 5 {
		time.Sleep(5 * time.Millisecond)
	}
}

// The safety-net sweep reads a bounded share of each workspace's due deliveries: after a
// restart, beside a backlog of 2,000 for a dead partner, another workspace's one
// delivery, queued after all of them, goes in the first pass, which met no more than its
// share of the backlog.
func TestSweepReadsAShareOfEachWorkspace(t *testing.T) {
	noisy, quiet := store.Workspace{Org: "cctsa", Name: "noisy"}, store.Workspace{Org: "acme", Name: "quiet"}
	dead, healthy := newSink(t), newPartner(t)
	r := newFairRig(t, routed{noisy: {dead.srv.URL}, quiet: {healthy.srv.URL}}, Options{SweepPerWorkspace: 100, Poll: time.Hour})
	r.post(noisy, 2000, first)
	r.now = r.now.Add(time.Second)
	r.post(quiet, 1, first)
	r.restart()
	r.run() // its first pass is a sweep; no poll comes during the test
	for r.states(quiet)[store.Sent] != 1 && dead.gaveUp.Load() == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	if n := dead.gaveUp.Load(); n != 0 {
		t.Fatalf("%d attempts at the dead partner timed out before the quiet workspace's delivery was sent", n)
	}
	w := r.worker.Load()
	w.mu.Lock()
	waiting := len(w.waiting)
	w.mu.Unlock()
	// What the pass met of the backlog: the lane's 32 sent, the rest of its share waiting.
	if held := dead.got.Load(); held > 32 || waiting+int(held) > 100 {
		t.Fatalf("the pass met %d deliveries of the backlog (%d sent, %d waiting), more than its share of 100", waiting+int(held), held, waiting)
	}
}

// Deliveries left waiting for a slot that are no longer due (their person erased) are
// forgotten by the next sweep, though their workspace has nothing due left to visit.
func TestSweepForgetsWaitersNoLongerDue(t *testing.T) {
	noisy := store.Workspace{Org: "cctsa", Name: "noisy"}
	dead := newSink(t)
	r := newFairRig(t, routed{noisy: {dead.srv.URL}}, Options{PerConnector: 1})
	r.post(noisy, 10, first)
	r.run()
	w := r.worker.Load()
	waiting := func() int {
		w.mu.Lock()
		defer w.mu.Unlock()
		return len(w.waiting)
	}
	for waiting() != 9 {
		time.Sleep(5 * time.Millisecond)
	}
	ds, err := r.store.Deliveries(context.Background(), noisy, "", "")
	if err != nil || len(ds) != 10 {
		t.Fatalf("deliveries: %v %d", err, len(ds))
	}
	if _, err := r.store.Erase(context.Background(), noisy, ds[0].PersonID); err != nil {
		t.Fatal(err)
	}
	for n := 0; waiting() != 0; n++ {
		if n == 2000 {
			t.Fatalf("%d deliveries of an erased person still waiting after 2000 polls' worth", waiting())
		}
		time.Sleep(5 * time.Millisecond)
	}
}
