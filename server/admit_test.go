package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openjds/jds/config"
	"github.com/openjds/jds/internal/jdstest"
	"github.com/openjds/jds/server"
)

// posted is what an ingest request sent from another goroutine got.
type posted struct {
	status int
	body   string
	err    error
}

// postAsync posts body to an ingest path from another goroutine; the answer arrives on
// the channel returned. It waits at most a minute, so that a broken gate fails the test
// instead of hanging it.
func postAsync(e *env, path string, body any) <-chan posted {
	out := make(chan posted, 1)
	raw, _ := json.Marshal(body)
	go func() {
		req, _ := http.NewRequest("POST", e.URL+path, bytes.NewReader(raw))
		req.Header.Set("Authorization", admin)
		req.Header.Set("Content-Type", "application/json")
		res, err := (&http.Client{Timeout: time.Minute}).Do(req)
		if err != nil {
			out <- posted{err: err}
			return
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		out <- posted{status: res.StatusCode, body: string(b)}
	}()
	return out
}

// With the ingest gate's one turn held by an ingest request and its one queue place
// taken by another, reads answer at once: an IVR flow, a history page, a profile. A
// third ingest request is refused with 503 and Retry-After, naming the limits; the
// metrics show the turn held, the request waiting and the one refused; once the turn
// frees, the held and the queued requests are stored.
func TestReadsDoNotWaitForTheIngestGate(t *testing.T) {
	e, _ := startFlows(t, nil)
	e.Config.Ingest.MaxConcurrent, e.Config.Ingest.MaxQueued = 1, 1 // startFlows's configuration, with a small gate
	e.Restart()
	if r := e.post(ev("seed", "Queued Caller", "12263762555", "phone", map[string]any{"queue": "Billing"})); r.Status != 202 {
		t.Fatalf("seeding: %d %s", r.Status, r.Body)
	}

	held, free := make(chan struct{}, 8), make(chan struct{})
	restore := server.HoldIngestTurns(func() {
		held <- struct{}{}
		<-free
	})
	defer restore()
	freed := false
	defer func() {
		if !freed {
			close(free)
		}
	}()

	first := postAsync(e, "/publish/v1/api/events?workspaceId="+ws, batch("held", 3))
	<-held // the first request holds the only turn
	second := postAsync(e, "/publish/v1/api/event?workspaceId="+ws,
		ev("queued", "Queued Caller", "12263762555", "phone", map[string]any{"queue": "Billing"}))
	jdstest.WaitFor(t, "the second ingest request to wait for a turn", func() bool {
		return strings.Contains(string(e.Do("GET", "/metrics", "", nil).Body), "jds_ingest_gate_waiting 1\n")
	})

	// Reads do not pass through the gate.
	if got, _ := e.call("repeat-caller", map[string]any{"ani": "12263762555"}); got["callsToday"] != 1.0 {
		t.Errorf("repeat-caller while ingest is held: %v", got)
	}
	if r := e.Do("GET", historyPath("12263762555", ""), admin, nil); r.Status != 200 || !strings.Contains(string(r.Body), `"seed"`) {
		t.Errorf("history while ingest is held: %d %s", r.Status, r.Body)
	}

	// Past the queue: 503, Retry-After, the limits named; nothing stored.
	r := e.Do("POST", "/publish/v1/api/event?workspaceId="+ws, admin, ev("refused", "T", "c1", "customerId", map[string]any{}))
	if r.Status != 503 || r.Header.Get("Retry-After") != "1" {
		t.Fatalf("third ingest request: %d, Retry-After %q: %s", r.Status, r.Header.Get("Retry-After"), r.Body)
	}
	for _, want := range []string{"ingest is busy", "ingest.maxConcurrent: 1", "ingest.maxQueued: 1", "nothing was stored", "ingest: busy"} {
		if !strings.Contains(string(r.Body), want) {
			t.Errorf("the 503 does not say %q: %s", want, r.Body)
		}
	}
	metricsHave(t, e, "jds_ingest_gate_in_use 1\n", "jds_ingest_gate_waiting 1\n", "jds_ingest_gate_refused_total 1\n")

	freed = true
	close(free)
	for name, ch := range map[string]<-chan posted{"held batch": first, "queued event": second} {
		p := <-ch
		if p.err != nil || p.status != 202 {
			t.Errorf("%s: %d %v %s", name, p.status, p.err, p.body)
		}
	}
	metricsHave(t, e, "jds_ingest_gate_in_use 0\n", "jds_ingest_gate_waiting 0\n")
	for _, id := range []string{"held-0", "held-2", "queued"} {
		if !strings.Contains(string(e.Do("GET", historyPath(idFor(id), "&pageSize=100"), admin, nil).Body), fmt.Sprintf("%q", id)) {
			t.Errorf("event %s was not stored", id)
		}
	}
	if strings.Contains(string(e.Do("GET", historyPath("c1", "&pageSize=100"), admin, nil).Body), `"refused"`) {
		t.Error("the refused event was stored")
	}
}

// idFor is the identity the events of this file carry, by event id.
func idFor(id string) string {
	if strings.HasPrefix(id, "held") {
		return "c1"
	}
	return "12263762555"
}

// ingest.maxConcurrent -1 is no gate: many ingest requests decode at once, and none is
// refused however many arrive together.
func TestIngestGateOff(t *testing.T) {
	e := start(t, func(c *config.Config) { c.Ingest.MaxConcurrent, c.Ingest.MaxQueued = -1, 0 })
	var chans []<-chan posted
	for i := range 8 {
		chans = append(chans, postAsync(e, "/publish/v1/api/events?workspaceId="+ws, batch(fmt.Sprintf("b%d", i), 10)))
	}
	for i, ch := range chans {
		if p := <-ch; p.err != nil || p.status != 202 {
			t.Errorf("request %d: %d %v %s", i, p.status, p.err, p.body)
		}
	}
	metricsHave(t, e, "jds_ingest_gate_refused_total 0\n")
}

// An ingest request that waits for a turn longer than http.requestTimeout is refused
// with 503 and Retry-After, saying that no turn came free, and nothing of it is stored.
func TestIngestGateWaitEndsWithTheRequestTimeout(t *testing.T) {
	e := start(t, func(c *config.Config) {
		c.Ingest.MaxConcurrent, c.Ingest.MaxQueued = 1, 4
		c.HTTP.RequestTimeout = config.Duration(300 * time.Millisecond)
	})
	held, free := make(chan struct{}, 8), make(chan struct{})
	restore := server.HoldIngestTurns(func() {
		held <- struct{}{}
		<-free
	})
	defer restore()
	first := postAsync(e, "/publish/v1/api/events?workspaceId="+ws, batch("held", 2))
	<-held
	r := e.Do("POST", "/publish/v1/api/event?workspaceId="+ws, admin, ev("late", "T", "c1", "customerId", map[string]any{}))
	close(free)
	if r.Status != 503 || r.Header.Get("Retry-After") != "1" || !strings.Contains(string(r.Body), "no turn to decode events came free in time") {
		t.Errorf("a request that waited past the timeout: %d, Retry-After %q: %s", r.Status, r.Header.Get("Retry-After"), r.Body)
	}
	// The held request outlived its own deadline too: whatever it answers, it answers.
	if p := <-first; p.err != nil {
		t.Errorf("the held request: %v", p.err)
	}
	if strings.Contains(string(e.Do("GET", historyPath("c1", "&pageSize=100"), admin, nil).Body), `"late"`) {
		t.Error("the refused event was stored")
	}
}
