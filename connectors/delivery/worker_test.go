package delivery

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openjds/jds/connectors"
	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/internal/store/badgerstore"
)

var ws = store.Workspace{Org: "cctsa", Name: "sandbox"}

// firing stands in for the actions engine in these tests: every "Closed Queue" event
// queues one webhook delivery to url, in the event's commit.
type firing struct{ url string }

func (f firing) Derive(st store.State, ev store.StoredEvent) error {
	if ev.Type != "Closed Queue" {
		return nil
	}
	payload, _ := json.Marshal(connectors.Delivery{URL: f.url, Method: "POST", Body: `{"sms":"Can we call you back?"}`, EventID: event.ID(ev.Raw)})
	_, err := st.Enqueue(payload, st.Now())
	return err
}

func (firing) Rebuild(store.State, store.EventSource) error { return nil }

// partner records what it receives and answers with the next scripted status.
type partner struct {
	mu      sync.Mutex
	keys    []string
	script  []int
	hang    chan struct{} // when set, the first request waits on it
	srv     *httptest.Server
	answers atomic.Int64
}

func newPartner(t *testing.T, script ...int) *partner {
	p := &partner{script: script}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		p.mu.Lock()
		p.keys = append(p.keys, r.Header.Get("Idempotency-Key"))
		n := len(p.keys)
		hang := p.hang
		status := 200
		if n <= len(p.script) {
			status = p.script[n-1]
		}
		p.mu.Unlock()
		if hang != nil && n == 1 {
			<-hang
			return
		}
		if status == 429 {
			w.Header().Set("Retry-After", "120")
		}
		w.WriteHeader(status)
		p.answers.Add(1)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *partner) received() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.keys...)
}

type rig struct {
	t      *testing.T
	dir    string
	url    string
	now    atomic.Int64
	store  *badgerstore.Store
	cancel context.CancelFunc
	done   chan struct{}
	logs   lockedBuffer // the worker's log, at level debug
}

// lockedBuffer is a log the test reads while the worker writes it.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (r *rig) clock() time.Time { return time.Unix(0, r.now.Load()) }

func (r *rig) start() {
	s, err := badgerstore.Open(badgerstore.Options{Dir: r.dir, SyncWrites: true, Deriver: firing{r.url}, Now: r.clock})
	if err != nil {
		r.t.Fatal(err)
	}
	senders, err := connectors.Build(nil, connectors.Options{})
	if err != nil {
		r.t.Fatal(err)
	}
	w := New(Options{Store: s, Senders: senders, Now: r.clock, Poll: 5 * time.Millisecond, Backoff: time.Minute, MaxAttempts: 3,
		Logger: slog.New(slog.NewTextHandler(&r.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	ctx, cancel := context.WithCancel(context.Background())
	r.store, r.cancel, r.done = s, cancel, make(chan struct{})
	go func() { w.Run(ctx); close(r.done) }()
}

func (r *rig) stop() {
	r.cancel()
	<-r.done
	r.store.Close()
}

func newRig(t *testing.T, p *partner) *rig {
	r := &rig{t: t, dir: t.TempDir(), url: p.srv.URL}
	r.now.Store(time.Date(2026, 6, 1, 22, 0, 0, 0, time.UTC).UnixNano())
	r.start()
	t.Cleanup(func() {
		select {
		case <-r.done:
		default:
			r.stop()
		}
	})
	return r
}

func (r *rig) post(id string) string {
	r.t.Helper()
	raw, _ := json.Marshal(map[string]any{"id": id, "specversion": "1.0", "type": "Closed Queue", "source": "ivr",
		"identity": "+12263762555", "identitytype": "phone", "data": map[string]any{}})
	ev, bad := event.Decode(raw, r.clock(), event.Limits{DefaultRegion: "US"})
	if bad != nil {
		r.t.Fatal(bad)
	}
	res, err := r.store.Append(context.Background(), ws, []*event.Event{ev})
	if err != nil {
		r.t.Fatal(err)
	}
	return res[0].PersonID
}

// history waits until the person's only delivery reaches state, and returns it.
func (r *rig) history(person, state string) *store.Delivery {
	r.t.Helper()
	for range 400 {
		ds, err := r.store.Deliveries(context.Background(), ws, person, "")
		if err != nil {
			r.t.Fatal(err)
		}
		if len(ds) == 1 && ds[0].State == state {
			return ds[0]
		}
		time.Sleep(5 * time.Millisecond)
	}
	ds, _ := r.store.Deliveries(context.Background(), ws, person, "")
	r.t.Fatalf("no delivery reached %s: %+v", state, ds)
	return nil
}

// attempted waits until the person's only delivery has had n attempts recorded: the
// clock may move on only then, or the retry is scheduled from the later time.
func (r *rig) attempted(person string, n int) {
	r.t.Helper()
	for range 400 {
		ds, err := r.store.Deliveries(context.Background(), ws, person, "")
		if err != nil {
			r.t.Fatal(err)
		}
		if len(ds) == 1 && ds[0].Attempts >= n {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	r.t.Fatalf("the delivery did not reach %d attempts", n)
}

func TestDeliveredOnceWithItsID(t *testing.T) {
	p := newPartner(t)
	r := newRig(t, p)
	person := r.post("c1")
	d := r.history(person, store.Sent)
	if got := p.received(); len(got) != 1 || got[0] != d.ID || d.Attempts != 1 {
		t.Fatalf("partner saw %v for delivery %+v", got, d)
	}
}

func TestRetriesWithBackoffThenSucceeds(t *testing.T) {
	p := newPartner(t, 503, 429)
	r := newRig(t, p)
	person := r.post("c1")
	// The first attempt fails; nothing more happens until the backoff has passed.
	r.attempted(person, 1)
	time.Sleep(50 * time.Millisecond)
	if n := len(p.received()); n != 1 {
		t.Fatalf("%d attempts before the backoff passed", n)
	}
	r.now.Add(int64(time.Minute))
	r.attempted(person, 2)
	// 429 asked for 120 s, longer than the backoff (at most 2 min here, but at least 1).
	r.now.Add(int64(119 * time.Second))
	time.Sleep(50 * time.Millisecond)
	if n := len(p.received()); n != 2 {
		t.Fatalf("Retry-After not honoured: %d attempts", n)
	}
	r.now.Add(int64(5 * time.Minute))
	d := r.history(person, store.Sent)
	keys := p.received()
	if d.Attempts != 3 || len(keys) != 3 || keys[0] != keys[2] {
		t.Fatalf("attempts %d, keys %v", d.Attempts, keys)
	}
}

func TestPermanentFailuresAndExhaustedRetriesAreDead(t *testing.T) {
	p := newPartner(t, 400)
	r := newRig(t, p)
	person := r.post("c1")
	d := r.history(person, store.Dead)
	if d.Attempts != 1 || d.LastError == "" {
		t.Fatalf("a 400 is final: %+v", d)
	}

	p2 := newPartner(t, 500, 500, 500, 500)
	r2 := newRig(t, p2)
	person = r2.post("c2")
	for range 3 {
		n := len(p2.received())
		for len(p2.received()) == n {
			r2.now.Add(int64(time.Hour))
			time.Sleep(5 * time.Millisecond)
		}
	}
	d = r2.history(person, store.Dead)
	if d.Attempts != 3 || len(p2.received()) != 3 {
		t.Fatalf("after the last attempt: %+v, %d requests", d, len(p2.received()))
	}
}

// A restart while a send is in flight leads to one more attempt with the same key, and
// to exactly one delivery recorded as sent.
func TestRestartInTheMiddleOfADelivery(t *testing.T) {
	p := newPartner(t)
	p.hang = make(chan struct{})
	r := newRig(t, p)
	person := r.post("c1")
	for len(p.received()) < 1 {
		time.Sleep(5 * time.Millisecond)
	}
	r.stop() // the partner never answered: the shutdown cuts the attempt
	close(p.hang)
	r.start()
	d := r.history(person, store.Sent)
	keys := p.received()
	if len(keys) != 2 || keys[0] != keys[1] || keys[0] != d.ID || d.Attempts != 1 {
		t.Fatalf("keys %v, delivery %+v", keys, d)
	}
}

// The log line of an attempt names its result; only an attempt that will be retried
// has a retry_at, a dead letter has none (not a zero time).
func TestAttemptLogLines(t *testing.T) {
	p := newPartner(t, 503, 400)
	r := newRig(t, p)
	person := r.post("c1")
	r.attempted(person, 1)
	r.now.Add(int64(time.Hour))
	r.history(person, store.Dead)
	var attempts []string
	for _, l := range strings.Split(r.logs.String(), "\n") {
		if strings.Contains(l, `msg="delivery attempt"`) {
			attempts = append(attempts, l)
		}
	}
	if len(attempts) != 2 {
		t.Fatalf("want 2 attempts logged, got:\n%s", r.logs.String())
	}
	if a := attempts[0]; !strings.Contains(a, "result=retry") || !strings.Contains(a, "retry_at=2026-06-01T22:") || !strings.Contains(a, "status=503") {
		t.Errorf("the retried attempt: %s", a)
	}
	if a := attempts[1]; !strings.Contains(a, "result=dead") || strings.Contains(a, "retry_at") || !strings.Contains(a, "status=400") {
		t.Errorf("the permanent failure: %s", a)
	}
}
