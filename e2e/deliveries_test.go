//go:build e2e

package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// These tests run the binary's journey actions against httptest partners, with real
// time: retries after a 5xx and a timeout, dead letters and their retry, the threshold,
// cooldown and isActive of an action, and kill -9 in the middle of deliveries.

// hit is one request a partner received.
type hit struct {
	key, event, path string
	body             string
	status           int // what the partner answered; 0 when it never did
}

// partner is an httptest server that records every request and answers as answer says.
type partner struct {
	*httptest.Server
	mu   sync.Mutex
	hits []*hit
	// answer decides the status of the n-th request (from 0), and may hold it.
	answer func(n int, r *http.Request, w http.ResponseWriter) int
}

func newPartner(t *testing.T, answer func(n int, r *http.Request, w http.ResponseWriter) int) *partner {
	p := &partner{answer: answer}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Reading the body also lets the server notice a client that goes away (a timeout,
		// a kill): until then a request's context is not cancelled.
		body, _ := io.ReadAll(r.Body)
		h := &hit{key: r.Header.Get("Idempotency-Key"), event: r.Header.Get("X-JDS-Event-ID"), path: r.URL.Path, body: string(body)}
		p.mu.Lock()
		n := len(p.hits)
		p.hits = append(p.hits, h)
		answer := p.answer
		p.mu.Unlock()
		status := answer(n, r, w)
		if status == 0 {
			return // the client went away: nothing answered
		}
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"answer":%d}`, status)
		p.mu.Lock()
		h.status = status
		p.mu.Unlock()
	}))
	// A cleanup, not a defer: it must run after jds is killed (cleanups run last first).
	t.Cleanup(p.Close)
	return p
}

func (p *partner) setAnswer(f func(n int, r *http.Request, w http.ResponseWriter) int) {
	p.mu.Lock()
	p.answer = f
	p.mu.Unlock()
}

func (p *partner) snapshot() []hit {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]hit, len(p.hits))
	for i, h := range p.hits {
		out[i] = *h
	}
	return out
}

// hold keeps a request for d, or until the client goes away (0: nothing answered).
func hold(r *http.Request, d time.Duration, status int) int {
	select {
	case <-time.After(d):
		return status
	case <-r.Context().Done():
		return 0
	}
}

// delivery is a delivery record as the history API shows it.
type delivery struct {
	ID        string `json:"id"`
	PersonID  string `json:"personId"`
	State     string `json:"state"`
	Attempts  int    `json:"attempts"`
	LastError string `json:"lastError"`
	Response  string `json:"response"`
	Payload   struct {
		Action  string `json:"action"`
		EventID string `json:"eventId"`
	} `json:"payload"`
}

// deliveryConfig writes a config with the rule file and connectors given, checks it with
// `jds check`, and returns its path.
func deliveryConfig(t *testing.T, dir, rulesYAML, connectorsYAML string) string {
	t.Helper()
	rulesDir := filepath.Join(dir, "rules")
	if err := os.MkdirAll(rulesDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(rulesDir, "actions.yaml"), []byte(rulesYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "jds.yaml")
	body := fmt.Sprintf("keys: [{name: k, organization: %s, secret: %s}]\nrulesDir: %s\n", org, secret, rulesDir)
	if connectorsYAML != "" {
		body += "connectors:\n" + connectorsYAML
	}
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(binary, "check", "--config", cfg).CombinedOutput(); err != nil {
		t.Fatalf("jds check: %v\n%s", err, out)
	}
	return cfg
}

func (s *server) postEvent(t *testing.T, id, typ, identity string) {
	t.Helper()
	if err := s.post(id, typ, identity); err != nil {
		t.Fatal(err)
	}
}

// post posts one event, which must be acknowledged; it may run in any goroutine.
func (s *server) post(id, typ, identity string) error {
	body, _ := json.Marshal(map[string]any{"id": id, "specversion": "1.0", "type": typ, "source": "e2e-deliveries",
		"identity": identity, "identitytype": "phone", "data": map[string]any{"category": "closed"}})
	req, _ := http.NewRequest("POST", s.base+"/publish/v1/api/event?workspaceId="+workspace, bytes.NewReader(body))
	req.Header.Set("Authorization", tok("ds", "w"))
	req.Header.Set("Content-Type", "application/json")
	res, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("posting %s: %w", id, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 202 {
		return fmt.Errorf("posting %s: %d %s", id, res.StatusCode, b)
	}
	return nil
}

// deliveries reads the workspace's delivery history, or its dead letters.
func (s *server) deliveries(t *testing.T, path string) []delivery {
	t.Helper()
	r := s.do(t, "GET", "/admin/v1/api/journey-actions/workspace-id/"+workspace+"/"+path, tok("action", "r"), nil)
	if r.status != 200 {
		t.Fatalf("GET %s: %d %s", path, r.status, r.body)
	}
	var body struct{ Data []delivery }
	if err := json.Unmarshal(r.body, &body); err != nil {
		t.Fatalf("GET %s: %v: %s", path, err, r.body)
	}
	return body.Data
}

// waitFor polls cond until it holds, failing the test with what() past the deadline.
func waitFor(t *testing.T, within time.Duration, what func() string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s: %s", within, what())
		}
		time.Sleep(25 * time.Millisecond)
	}
}

const closedQueueTemplate = `
templates:
  - name: Closed Queue
    attributes:
      - {name: closedQueueCalls, displayName: Closed queue calls, event: Closed Queue, aggregationMode: Count, lookBack: 1d}
`

// TestDeliveriesRetryAfter5xxAndTimeout: a connector instance whose partner answers 503
// with Retry-After, then hangs past the instance's timeout, then 200. The delivery
// arrives on the third attempt, every attempt with the same Idempotency-Key, and the
// history shows it sent after 3 attempts.
func TestDeliveriesRetryAfter5xxAndTimeout(t *testing.T) {
	t.Parallel()
	hook := newPartner(t, func(n int, r *http.Request, w http.ResponseWriter) int {
		switch n {
		case 0:
			w.Header().Set("Retry-After", "1")
			return 503
		case 1:
			return hold(r, 10*time.Second, 200) // past the 1s timeout: jds gives up first
		default:
			return 200
		}
	})
	dir := t.TempDir()
	cfg := deliveryConfig(t, dir, closedQueueTemplate+`
actions:
  - name: Flaky Partner
    template: Closed Queue
    isActive: true
    cooldown: 0
    condition: closedQueueCalls >= 1
    actionTriggers:
      - {type: Connector, connector: flaky}
`, fmt.Sprintf("  - {name: flaky, kind: webhook, url: %q, timeout: 1s}\n", hook.URL+"/flaky"))
	s := startServer(t, filepath.Join(dir, "data"), cfg)

	start := time.Now()
	s.postEvent(t, "retry-1", "Closed Queue", "+15550100001")
	var ds []delivery
	waitFor(t, 30*time.Second, func() string { return fmt.Sprintf("hits %+v, history %+v\n%s", hook.snapshot(), ds, s.logs) },
		func() bool {
			ds = s.deliveries(t, "history")
			return len(ds) == 1 && ds[0].State == "sent"
		})
	took := time.Since(start)
	hits := hook.snapshot()
	if len(hits) != 3 || hits[0].status != 503 || hits[1].status != 0 || hits[2].status != 200 {
		t.Fatalf("the partner saw %+v, want 503, a timeout, 200", hits)
	}
	d := ds[0]
	for i, h := range hits {
		if h.key != d.ID || h.event != "retry-1" || h.path != "/flaky" {
			t.Errorf("attempt %d: key %q event %q path %q, want key %q (the delivery id), event retry-1, /flaky", i+1, h.key, h.event, h.path, d.ID)
		}
	}
	if d.Attempts != 3 || d.Payload.EventID != "retry-1" || d.Payload.Action != "Flaky Partner" || !strings.Contains(d.Response, `"answer":200`) {
		t.Errorf("history: %+v, want sent after 3 attempts with the partner's last answer", d)
	}
	if dead := s.deliveries(t, "dead-letters"); len(dead) != 0 {
		t.Errorf("dead letters: %+v", dead)
	}
	t.Logf("sent on attempt 3, %s after the event", took.Round(10*time.Millisecond))
}

// TestDeliveriesDeadLetter: a partner that answers 400 makes a dead letter at once;
// retried through the API after the partner is fixed, it is sent, with the same key.
func TestDeliveriesDeadLetter(t *testing.T) {
	t.Parallel()
	hook := newPartner(t, func(int, *http.Request, http.ResponseWriter) int { return 400 })
	dir := t.TempDir()
	cfg := deliveryConfig(t, dir, closedQueueTemplate+fmt.Sprintf(`
actions:
  - name: Picky Partner
    template: Closed Queue
    isActive: true
    cooldown: 0
    condition: closedQueueCalls >= 1
    actionTriggers:
      - type: Webhook
        webhookURL: %s/picky
        attributes:
          httpverb: post
          requestbody: '{"event": "${event.id}", "calls": ${profile.closedQueueCalls}}'
`, hook.URL), "")
	s := startServer(t, filepath.Join(dir, "data"), cfg)

	s.postEvent(t, "dead-1", "Closed Queue", "+15550100002")
	var dead []delivery
	waitFor(t, 15*time.Second, func() string { return fmt.Sprintf("dead letters %+v, hits %+v\n%s", dead, hook.snapshot(), s.logs) },
		func() bool { dead = s.deliveries(t, "dead-letters"); return len(dead) == 1 })
	d := dead[0]
	if d.State != "dead" || d.Attempts != 1 || d.Payload.EventID != "dead-1" || d.LastError == "" || d.PersonID == "" {
		t.Fatalf("dead letter %+v: want dead after one attempt, with the error", d)
	}
	if hits := hook.snapshot(); len(hits) != 1 || hits[0].key != d.ID || hits[0].status != 400 {
		t.Fatalf("the partner saw %+v, want one request answered 400 with key %s", hits, d.ID)
	}

	hook.setAnswer(func(int, *http.Request, http.ResponseWriter) int { return 200 })
	path := fmt.Sprintf("/admin/v1/api/journey-actions/workspace-id/%s/dead-letters/%s/retry?personId=%s", workspace, d.ID, url.QueryEscape(d.PersonID))
	if r := s.do(t, "POST", path, tok("action", "rw"), nil); r.status != 202 {
		t.Fatalf("retrying the dead letter: %d %s", r.status, r.body)
	}
	var ds []delivery
	waitFor(t, 15*time.Second, func() string { return fmt.Sprintf("history %+v, hits %+v\n%s", ds, hook.snapshot(), s.logs) },
		func() bool { ds = s.deliveries(t, "history"); return len(ds) == 1 && ds[0].State == "sent" })
	if ds[0].ID != d.ID || ds[0].Attempts != 1 {
		t.Errorf("after the retry: %+v, want %s sent on its first attempt after the requeue", ds[0], d.ID)
	}
	hits := hook.snapshot()
	if len(hits) != 2 || hits[1].key != d.ID || hits[1].status != 200 {
		t.Errorf("the partner saw %+v, want the retry with key %s answered 200", hits, d.ID)
	}
	if dead := s.deliveries(t, "dead-letters"); len(dead) != 0 {
		t.Errorf("dead letters after the retry: %+v", dead)
	}
}

// TestDeliveriesThresholdCooldownInactive: an action with condition closedQueueCalls >= 2
// and a 1h cooldown fires on the second Closed Queue event only, not on the first nor on
// a third within the cooldown; an inactive action on the same template never fires.
func TestDeliveriesThresholdCooldownInactive(t *testing.T) {
	t.Parallel()
	hook := newPartner(t, func(int, *http.Request, http.ResponseWriter) int { return 200 })
	dir := t.TempDir()
	cfg := deliveryConfig(t, dir, closedQueueTemplate+fmt.Sprintf(`
actions:
  - name: Second Call
    template: Closed Queue
    isActive: true
    cooldown: 1h
    condition: closedQueueCalls >= 2
    actionTriggers:
      - type: Webhook
        webhookURL: %[1]s/second
        attributes: {httpverb: post, requestbody: '{"event": "${event.id}"}'}
  - name: Switched Off
    template: Closed Queue
    isActive: false
    cooldown: 0
    condition: closedQueueCalls >= 1
    actionTriggers:
      - type: Webhook
        webhookURL: %[1]s/inactive
        attributes: {httpverb: post, requestbody: '{"event": "${event.id}"}'}
`, hook.URL), "")
	s := startServer(t, filepath.Join(dir, "data"), cfg)
	const caller = "+15550100003"

	// A firing is queued in the commit of its event, so the history read after the 202
	// already shows whether the event fired.
	s.postEvent(t, "cq-1", "Closed Queue", caller)
	if ds := s.deliveries(t, "history"); len(ds) != 0 {
		t.Fatalf("the first closed-queue call fired: %+v", ds)
	}
	s.postEvent(t, "cq-2", "Closed Queue", caller)
	var ds []delivery
	waitFor(t, 15*time.Second, func() string { return fmt.Sprintf("history %+v, hits %+v\n%s", ds, hook.snapshot(), s.logs) },
		func() bool { ds = s.deliveries(t, "history"); return len(ds) == 1 && ds[0].State == "sent" })
	if ds[0].Payload.EventID != "cq-2" || ds[0].Payload.Action != "Second Call" {
		t.Fatalf("fired: %+v, want Second Call for cq-2", ds[0])
	}
	s.postEvent(t, "cq-3", "Closed Queue", caller)
	// Give a wrongful firing of cq-3 the time to reach the partner, then look.
	time.Sleep(500 * time.Millisecond)
	if ds := s.deliveries(t, "history"); len(ds) != 1 {
		t.Fatalf("after a third call within the cooldown: %+v, want the one firing of cq-2", ds)
	}
	hits := hook.snapshot()
	if len(hits) != 1 || hits[0].path != "/second" || hits[0].event != "cq-2" || hits[0].key != ds[0].ID {
		t.Fatalf("the partner saw %+v, want one /second request for cq-2", hits)
	}
}

// everyCall is the rule file's actions: one that sends each Closed Queue event (of the
// template closedQueueTemplate) to hook/every, the event's id in the body.
func everyCall(hook string) string {
	return fmt.Sprintf(`
actions:
  - name: Every Call
    template: Closed Queue
    isActive: true
    cooldown: 0
    condition: closedQueueCalls >= 1
    actionTriggers:
      - type: Webhook
        webhookURL: %s/every
        attributes: {httpverb: post, requestbody: '{"event": "${event.id}"}'}
`, hook)
}

// TestDeliveriesSurviveKill9: N events each fire a delivery to a partner that holds each
// request a few hundred milliseconds; jds is killed with SIGKILL while deliveries are in
// flight and restarted on the same data. Every firing reaches the partner, with no key
// outside the deliveries jds recorded, and jds records exactly one sent delivery per
// firing. Repeated attempts (a partner honouring Idempotency-Key drops them) are logged.
func TestDeliveriesSurviveKill9(t *testing.T) {
	const n = 50
	hook := newPartner(t, func(i int, r *http.Request, _ http.ResponseWriter) int {
		return hold(r, time.Duration(200+(i%10)*60)*time.Millisecond, 200)
	})
	dir := t.TempDir()
	cfg := deliveryConfig(t, dir, closedQueueTemplate+everyCall(hook.URL), "")
	data := filepath.Join(dir, "data")
	s := startServer(t, data, cfg)

	events := map[string]bool{}
	var wg sync.WaitGroup
	for c := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := c; i < n; i += 10 {
				if err := s.post(fmt.Sprintf("k9-%02d", i), "Closed Queue", fmt.Sprintf("+1555020%04d", i)); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	for i := range n {
		events[fmt.Sprintf("k9-%02d", i)] = true
	}
	answered := func() map[string]int { // event → requests answered 200
		m := map[string]int{}
		for _, h := range hook.snapshot() {
			if h.status == 200 {
				m[h.event]++
			}
		}
		return m
	}
	waitFor(t, 15*time.Second, func() string { return fmt.Sprintf("no delivery answered: %+v\n%s", hook.snapshot(), s.logs) },
		func() bool { return len(answered()) >= 5 })
	s.kill(t)
	time.Sleep(100 * time.Millisecond) // for the partner to see the connections close
	before := hook.snapshot()
	done, inFlight := len(answered()), 0
	for _, h := range before {
		if h.status == 0 {
			inFlight++
		}
	}
	if done >= n || inFlight == 0 {
		t.Fatalf("killed with %d of %d firings answered and %d requests in flight: the test proves nothing", done, n, inFlight)
	}
	t.Logf("killed with %d of %d firings answered, %d requests in flight", done, n, inFlight)

	s = startServer(t, data, cfg)
	var ds []delivery
	waitFor(t, 30*time.Second,
		func() string {
			return fmt.Sprintf("%d of %d firings answered, history %+v\n%s", len(answered()), n, ds, s.logs)
		},
		func() bool {
			if len(answered()) < n {
				return false
			}
			ds = s.deliveries(t, "history")
			for _, d := range ds {
				if d.State != "sent" {
					return false
				}
			}
			return len(ds) >= n
		})

	// jds's records: exactly one sent delivery per firing.
	byID := map[string]delivery{}
	perEvent := map[string]int{}
	for _, d := range ds {
		byID[d.ID] = d
		perEvent[d.Payload.EventID]++
		if d.State != "sent" || !events[d.Payload.EventID] {
			t.Errorf("delivery %+v: want sent, for one of the posted events", d)
		}
	}
	for e := range events {
		if perEvent[e] != 1 {
			t.Errorf("event %s has %d deliveries in the history, want 1", e, perEvent[e])
		}
	}
	// The partner: every firing's key at least once, no key outside jds's deliveries.
	received := map[string]int{}
	for _, h := range hook.snapshot() {
		received[h.key]++
		d, ok := byID[h.key]
		if !ok {
			t.Errorf("the partner received key %q (event %s), which is no delivery of jds", h.key, h.event)
		} else if want := fmt.Sprintf(`{"event": "%s"}`, d.Payload.EventID); h.event != d.Payload.EventID || h.body != want {
			t.Errorf("key %s came with event %s and body %s, but is the delivery of %s", h.key, h.event, h.body, d.Payload.EventID)
		}
	}
	repeats, attempts := 0, 0
	for id, d := range byID {
		if received[id] == 0 {
			t.Errorf("delivery %s (event %s) is sent but the partner never received it", id, d.Payload.EventID)
		}
		repeats += max(received[id]-1, 0)
		attempts += d.Attempts
	}
	t.Logf("%d firings, %d requests in all: %d repeated keys a partner honouring Idempotency-Key drops; %d attempts recorded",
		n, len(hook.snapshot()), repeats, attempts)
}
