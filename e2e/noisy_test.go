//go:build e2e

package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openjds/jds/internal/sas"
)

// Issue 17's "Done when": a noisy tenant (an expression bomb, a partner that never
// answers, 2,000 live streams, an ingest flood past its quota) beside a quiet one. The
// test asserts behaviour only; the quiet tenant's latencies, alone and beside the noise,
// are logged on one line starting NOISY: and recorded in docs/BENCHMARKS.md.

// tenant is one organization's workspace, with its own signing key and HTTP client (two
// tenants are two clients: they share no connection pool).
type tenant struct {
	org, ws, key, secret string
	client               *http.Client
}

func (tn tenant) tok(service, perm string) string {
	return sas.Sign(tn.org, tn.ws, service, perm, time.Now().Add(time.Hour), tn.key, []byte(tn.secret))
}

// do sends one request as the tenant; body is sent as it is (a string or bytes).
func (tn tenant) do(method, url, token string, body []byte) (int, []byte, error) {
	req, _ := http.NewRequest(method, url, bytes.NewReader(body))
	req.Header.Set("Authorization", token)
	req.Header.Set("Content-Type", "application/json")
	res, err := tn.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b, nil
}

// arrivals is a partner that answers 200 and records when each event's delivery came.
type arrivals struct {
	*httptest.Server
	mu sync.Mutex
	at map[string]time.Time
}

func newArrivals(t *testing.T) *arrivals {
	a := &arrivals{at: map[string]time.Time{}}
	a.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		now := time.Now()
		a.mu.Lock()
		if _, ok := a.at[r.Header.Get("X-JDS-Event-ID")]; !ok {
			a.at[r.Header.Get("X-JDS-Event-ID")] = now
		}
		a.mu.Unlock()
		w.WriteHeader(200)
	}))
	t.Cleanup(a.Close)
	return a
}

func (a *arrivals) get(id string) (time.Time, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	at, ok := a.at[id]
	return at, ok
}

// quietRun is what the quiet tenant measured in one phase.
type quietRun struct {
	ingest, delivery []time.Duration
}

func pct(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)*p/100, len(s)-1)]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond)) }

const (
	quietWorkers  = 4
	quietInterval = 20 * time.Millisecond // 4 × 50 events/s: 200 events/s
	phase         = 5 * time.Second
)

// runQuiet posts the quiet tenant's single events for one phase, then waits for every
// one to reach its partner and returns the latencies: a POST's round trip, and from its
// 202 to the partner's receipt.
func runQuiet(t *testing.T, s *server, quiet tenant, partner *arrivals, name string) quietRun {
	t.Helper()
	type sent struct {
		id  string
		ack time.Time
	}
	var mu sync.Mutex
	var acks []sent
	var run quietRun
	var wg sync.WaitGroup
	end := time.Now().Add(phase)
	for w := range quietWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tick := time.NewTicker(quietInterval)
			defer tick.Stop()
			for i := 0; time.Now().Before(end); i++ {
				<-tick.C
				id := fmt.Sprintf("quiet-%s-%d-%d", name, w, i)
				body, _ := json.Marshal(map[string]any{"id": id, "specversion": "1.0", "type": "Quiet Call", "source": "e2e-noisy",
					"identity": fmt.Sprintf("+1555030%02d%02d", w, i%50), "identitytype": "phone", "data": map[string]any{"queue": "billing"}})
				start := time.Now()
				status, b, err := quiet.do("POST", s.base+"/publish/v1/api/event?workspaceId="+quiet.ws, quiet.tok("ds", "w"), body)
				took := time.Since(start)
				if err != nil || status != 202 {
					t.Errorf("quiet event %s: %d %v %s", id, status, err, b)
					continue
				}
				mu.Lock()
				acks = append(acks, sent{id, start.Add(took)})
				run.ingest = append(run.ingest, took)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	missing := func() int {
		n := 0
		for _, a := range acks {
			if _, ok := partner.get(a.id); !ok {
				n++
			}
		}
		return n
	}
	waitFor(t, 15*time.Second, func() string {
		return fmt.Sprintf("%s: %d of %d quiet events not delivered", name, missing(), len(acks))
	},
		func() bool { return missing() == 0 })
	for _, a := range acks {
		at, _ := partner.get(a.id)
		// The partner can see a delivery before the client has read its 202.
		run.delivery = append(run.delivery, max(at.Sub(a.ack), 0))
	}
	return run
}

// TestNoisyTenant runs the quiet tenant alone (phase A), then beside the noisy one
// (phase B), on one jds process.
func TestNoisyTenant(t *testing.T) {
	noisy := tenant{org: "acme", ws: "noisy", key: "acme-key", secret: "acme-secret-of-16-bytes",
		client: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
	quiet := tenant{org: "cctsa", ws: "quiet", key: "cctsa-key", secret: "cctsa-secret-of-16-bytes",
		client: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}

	good := newArrivals(t)
	release := make(chan struct{})
	var held atomic.Int64
	hanging := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		held.Add(1)
		select { // never answers while the test runs
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(hanging.Close)
	// Cleanups run last first: jds is killed, then the held requests are let go, then
	// the partners close.
	t.Cleanup(func() { close(release) })

	dir := t.TempDir()
	rulesDir := filepath.Join(dir, "rules")
	if err := os.MkdirAll(rulesDir, 0o755); err != nil {
		t.Fatal(err)
	}
	// Rule files serve every workspace; each action counts its own event type, so the
	// quiet events fire only Quiet Hook and the noisy ones only Noisy Hook.
	rules := fmt.Sprintf(`
templates:
  - name: Quiet Calls
    attributes:
      - {name: quietCalls, displayName: Quiet calls, event: Quiet Call, aggregationMode: Count, lookBack: 1d}
  - name: Noisy Calls
    attributes:
      - {name: noisyCalls, displayName: Noisy calls, event: Noisy Call, aggregationMode: Count, lookBack: 1d}
actions:
  - name: Quiet Hook
    template: Quiet Calls
    isActive: true
    cooldown: 0
    condition: quietCalls >= 1
    actionTriggers:
      - type: Webhook
        webhookURL: %s/quiet
        attributes: {httpverb: post, requestbody: '{"event": "${event.id}"}'}
  - name: Noisy Hook
    template: Noisy Calls
    isActive: true
    cooldown: 0
    condition: noisyCalls >= 1
    actionTriggers:
      - type: Webhook
        webhookURL: %s/noisy
        attributes: {httpverb: post, requestbody: '{"event": "${event.id}"}'}
`, good.URL, hanging.URL)
	if err := os.WriteFile(filepath.Join(rulesDir, "actions.yaml"), []byte(rules), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "jds.yaml")
	body := fmt.Sprintf(`keys:
  - {name: %s, organization: %s, secret: %s}
  - {name: %s, organization: %s, secret: %s}
rulesDir: %s
egress: {allow: ["127.0.0.0/8"]}
limits:
  workspaces:
    %s/%s: {eventsPerSecond: 2000, burst: 2000}
`, noisy.key, noisy.org, noisy.secret, quiet.key, quiet.org, quiet.secret, rulesDir, noisy.org, noisy.ws)
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(binary, "check", "--config", cfg).CombinedOutput(); err != nil {
		t.Fatalf("jds check: %v\n%s", err, out)
	}
	s := startServer(t, filepath.Join(dir, "data"), cfg)

	// Phase A: the quiet tenant alone.
	alone := runQuiet(t, s, quiet, good, "A")
	if t.Failed() {
		t.FailNow()
	}

	// The noise. 1: the expression bomb, refused at creation.
	status, b, err := noisy.do("POST", s.base+"/admin/v1/api/profile-view-template/workspace-id/"+noisy.ws, noisy.tok("admin", "rw"),
		[]byte(`{"name":"Bomb Base","attributes":[{"displayName":"Bomb base","event":"Noisy Call","metaData":"queue","metaDataType":"string","lookBackDurationType":"days","lookBackPeriod":1,"aggregationMode":"Count"}]}`))
	if err != nil || status != 201 {
		t.Fatalf("noisy template: %d %v %s", status, err, b)
	}
	var tpl struct{ Data struct{ ID string } }
	json.Unmarshal(b, &tpl)
	bomb := `repeat("a",999999)`
	for range 8 {
		bomb = `replace(` + bomb + `,"a","aa")`
	}
	action, _ := json.Marshal(map[string]any{"name": "Bomb", "isActive": true, "cooldownPeriodInMinutes": 0,
		"rules": map[string]any{"logic": "SINGLE", "condition": "Noisy Call,queue,string,Count GTE 1"},
		"actionTriggers": []any{map[string]any{"type": "Webhook", "webhookURL": hanging.URL + "/bomb",
			"attributes": map[string]any{"httpverb": "post", "requestbody": `{"n": ${len(` + bomb + `)}}`}}}})
	bombStatus, b, err := noisy.do("POST", s.base+"/admin/v1/api/journey-actions/workspace-id/"+noisy.ws+"/template-id/"+tpl.Data.ID, noisy.tok("admin", "rw"), action)
	if err != nil || bombStatus != 400 || !strings.Contains(string(b), "expression budget") {
		t.Errorf("the expression bomb: %d %v %s, want 400 naming the expression budget", bombStatus, err, b)
	}

	// 2: 2,000 live streams in the noisy workspace, kept open and idle.
	streams := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	var opened, refused, otherStream atomic.Int64
	var bodiesMu sync.Mutex
	var bodies []io.Closer
	t.Cleanup(func() {
		for _, b := range bodies {
			b.Close()
		}
	})
	var wg sync.WaitGroup
	for w := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < 2000; i += 20 {
				req, _ := http.NewRequest("GET", fmt.Sprintf("%s/v1/api/events/stream/workspace-id/%s/identity/idle-%d", s.base, noisy.ws, i), nil)
				req.Header.Set("Authorization", noisy.tok("stream", "r"))
				res, err := streams.Do(req)
				switch {
				case err != nil:
					otherStream.Add(1)
				case res.StatusCode == 200:
					opened.Add(1)
					bodiesMu.Lock()
					bodies = append(bodies, res.Body)
					bodiesMu.Unlock()
				case res.StatusCode == 429:
					refused.Add(1)
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
				default:
					otherStream.Add(1)
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
				}
			}
		}()
	}
	wg.Wait()
	if opened.Load() != 200 || refused.Load() != 1800 || otherStream.Load() != 0 {
		t.Errorf("2,000 streams: %d open, %d refused with 429, %d otherwise; want 200 open (stream.maxSubscribersPerWorkspace) and 1,800 refused",
			opened.Load(), refused.Load(), otherStream.Load())
	}

	// 3: an ingest flood past the quota, in batches of 20, each event firing the partner
	// that never answers. It runs until the quiet tenant's phase B is over.
	stop := make(chan struct{})
	var accepted, throttled, otherFlood atomic.Int64
	var flood sync.WaitGroup
	for w := range 6 {
		flood.Add(1)
		go func() {
			defer flood.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				batch := make([]map[string]any, 20)
				for j := range batch {
					batch[j] = map[string]any{"id": fmt.Sprintf("noisy-%d-%d-%d", w, i, j), "specversion": "1.0", "type": "Noisy Call", "source": "e2e-noisy",
						"identity": fmt.Sprintf("+1555040%d%03d", w, (i*20+j)%1000), "identitytype": "phone", "data": map[string]any{"queue": "flood"}}
				}
				body, _ := json.Marshal(batch)
				status, _, err := noisy.do("POST", s.base+"/publish/v1/api/events?workspaceId="+noisy.ws, noisy.tok("ds", "w"), body)
				switch {
				case err == nil && status == 202:
					accepted.Add(20)
				case err == nil && status == 429:
					throttled.Add(20)
				default:
					otherFlood.Add(1)
				}
			}
		}()
	}
	time.Sleep(time.Second) // the flood and the hanging deliveries under way

	// Phase B: the quiet tenant beside the noise.
	beside := runQuiet(t, s, quiet, good, "B")
	close(stop)
	flood.Wait()
	if throttled.Load() == 0 || accepted.Load() == 0 {
		t.Errorf("the flood: %d events accepted, %d throttled; want both", accepted.Load(), throttled.Load())
	}
	if otherFlood.Load() != 0 {
		t.Errorf("the flood: %d requests answered neither 202 nor 429", otherFlood.Load())
	}
	if held.Load() == 0 {
		t.Errorf("the hanging partner received no delivery")
	}
	if res, err := http.Get(s.base + "/livez"); err != nil || res.StatusCode != 200 {
		t.Fatalf("/livez after the noise: %v %v\n%s", res, err, s.logs)
	} else {
		res.Body.Close()
	}

	ratio := func(b, a time.Duration) string {
		return fmt.Sprintf("%.2f", float64(b)/float64(max(a, time.Microsecond)))
	}
	t.Logf("NOISY: alone (%d events): ingest p50 %s p99 %s, delivery p50 %s p99 %s | beside the noise (%d events): ingest p50 %s p99 %s, delivery p50 %s p99 %s | ratio ingest p99 %s, delivery p99 %s | noise: bomb %d, streams %d open %d refused, flood %d accepted %d throttled (429), %d deliveries held",
		len(alone.ingest), ms(pct(alone.ingest, 50)), ms(pct(alone.ingest, 99)), ms(pct(alone.delivery, 50)), ms(pct(alone.delivery, 99)),
		len(beside.ingest), ms(pct(beside.ingest, 50)), ms(pct(beside.ingest, 99)), ms(pct(beside.delivery, 50)), ms(pct(beside.delivery, 99)),
		ratio(pct(beside.ingest, 99), pct(alone.ingest, 99)), ratio(pct(beside.delivery, 99), pct(alone.delivery, 99)),
		bombStatus, opened.Load(), refused.Load(), accepted.Load(), throttled.Load(), held.Load())
}
