package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
	"go.yaml.in/yaml/v3"

	"github.com/openjds/jds/config"
	"github.com/openjds/jds/connectors"
	"github.com/openjds/jds/internal/jdstest"
)

const closedQueueTemplate = `
templates:
  - name: Closed Queue
    attributes:
      - {name: closedQueueCalls, displayName: Closed queue calls today, event: Closed Queue, aggregationMode: Count, lookBack: 1d}
`

// connectorAction is an action of the Closed Queue template that delivers through the
// connector instance named connector, with a rendered JSON body.
func connectorAction(name, connector string) string {
	return fmt.Sprintf(`
  - name: %s
    template: Closed Queue
    isActive: true
    cooldown: 24h
    condition: closedQueueCalls >= 1
    actionTriggers:
      - type: Connector
        connector: %s
        attributes:
          body: '{"to": "${person.phone[0]}", "event": "${event.id}", "calls": ${profile.closedQueueCalls}}'
          contentType: application/json
`, name, connector)
}

func (e *env) reloadRules() {
	e.t.Helper()
	if r := e.Do("POST", "/admin/v1/api/rules/reload", admin, nil); r.Status != 200 {
		e.t.Fatalf("reload: %d %s", r.Status, r.Body)
	}
}

// metrics scrapes /metrics.
func (e *env) metrics() string {
	e.t.Helper()
	r := e.Do("GET", "/metrics", "", nil)
	if r.Status != 200 {
		e.t.Fatalf("/metrics: %d", r.Status)
	}
	return string(r.Body)
}

// metric reads one sample of a scrape, series written as Prometheus prints it.
func metric(t *testing.T, scrape, series string) float64 {
	t.Helper()
	for _, l := range strings.Split(scrape, "\n") {
		if v, ok := strings.CutPrefix(l, series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("%s: %v", l, err)
			}
			return f
		}
	}
	t.Fatalf("no series %s in the scrape", series)
	return 0
}

// Issue 16 (6): a Connector trigger naming a signed webhook instance sends its rendered
// body and content type, and the Standard Webhooks reference library verifies the
// signature over that body.
func TestConnectorWebhookSendsSignedBody(t *testing.T) {
	partner := jdstest.NewPartner(t, 200, "")
	c := &jdstest.Clock{}
	c.Set(time.Date(2026, 3, 10, 22, 0, 0, 0, time.UTC))
	e := startClocked(t, c, func(cfg *config.Config) {
		cfg.Connectors = []connectors.Instance{{Name: "crm", Kind: "webhook", Config: map[string]any{
			"url": partner.URL + "/hook", "signingSecret": whsec}}}
	})
	writeRules(t, e, "crm.yaml", closedQueueTemplate+"actions:"+connectorAction("Tell the CRM", "crm"))
	e.reloadRules()
	e.post(ev("late-1", "Closed Queue", "226-376-2555", "phone", map[string]any{}))
	jdstest.WaitFor(t, "the webhook", func() bool { return len(partner.Requests()) == 1 })
	req := partner.Requests()[0]
	var body map[string]any
	if err := json.Unmarshal([]byte(req.Body), &body); err != nil {
		t.Fatalf("the body is not the rendered JSON: %v %q", err, req.Body)
	}
	if body["to"] != "+12263762555" || body["event"] != "late-1" || body["calls"] != 1.0 || req.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("sent %q as %q", req.Body, req.Header.Get("Content-Type"))
	}
	wh, err := standardwebhooks.NewWebhook(whsec)
	if err != nil {
		t.Fatal(err)
	}
	// The library checks the timestamp against its own clock; jds signed with the test's.
	if err := wh.VerifyIgnoringTimestamp([]byte(req.Body), req.Header); err != nil {
		t.Fatalf("the reference library refuses the delivery: %v (headers %v)", err, req.Header)
	}
	if ts := req.Header.Get("webhook-timestamp"); ts != strconv.FormatInt(c.Now().Unix(), 10) {
		t.Errorf("webhook-timestamp %s, want the service's clock %d", ts, c.Now().Unix())
	}

	// An attribute the webhook kind does not read is refused when the rules load.
	writeRules(t, e, "crm.yaml", closedQueueTemplate+"actions:"+strings.Replace(connectorAction("Tell the CRM", "crm"), "contentType:", "contenttype:", 1))
	r := e.Do("POST", "/admin/v1/api/rules/reload", admin, nil)
	if r.Status == 200 || !strings.Contains(string(r.Body), `reads no attribute \"contenttype\" (did you mean \"contentType\"?)`) {
		t.Errorf("a misspelt attribute: %d %s", r.Status, r.Body)
	}
}

// scripted is a partner whose n-th request (from 0) is answered by answer, which may
// hold it.
func scripted(t *testing.T, answer func(n int) int) string {
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		mu.Lock()
		i := n
		n++
		mu.Unlock()
		w.WriteHeader(answer(i))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// Issue 16 (8) and (9): deliveries counted by connector and result after real
// deliveries to partners (one accepted, one refused for good, one retried), attempts
// timed, the outbox's depth and lateness while a retry is held, firings the cooldown
// suppressed; the history in the API's names.
func TestDeliveryMetricsAndHistory(t *testing.T) {
	release := make(chan struct{})
	held := make(chan struct{}, 1)
	ok := scripted(t, func(int) int { return 200 })
	refused := scripted(t, func(int) int { return 400 })
	flaky := scripted(t, func(n int) int {
		if n == 0 {
			return 503
		}
		held <- struct{}{}
		<-release
		return 200
	})
	c := &jdstest.Clock{}
	t0 := time.Date(2026, 3, 10, 22, 0, 0, 0, time.UTC)
	c.Set(t0)
	e := startClocked(t, c, func(cfg *config.Config) {
		cfg.Connectors = []connectors.Instance{
			{Name: "ok", Kind: "webhook", Config: map[string]any{"url": ok}},
			{Name: "refused", Kind: "webhook", Config: map[string]any{"url": refused}},
			{Name: "flaky", Kind: "webhook", Config: map[string]any{"url": flaky}},
		}
	})
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})
	writeRules(t, e, "three.yaml", closedQueueTemplate+"actions:"+
		connectorAction("To ok", "ok")+connectorAction("To refused", "refused")+connectorAction("To flaky", "flaky"))
	e.reloadRules()
	e.post(ev("cq-1", "Closed Queue", "+12263762555", "phone", map[string]any{}))

	history := func() []map[string]any {
		r := e.Do("GET", "/admin/v1/api/journey-actions/workspace-id/"+ws+"/history", jdstest.Token("action", "r", ws), nil)
		var body struct{ Data []map[string]any }
		if err := json.Unmarshal(r.Body, &body); err != nil {
			t.Fatalf("history: %v %s", err, r.Body)
		}
		return body.Data
	}
	states := func() map[string]string { // action → state
		m := map[string]string{}
		for _, d := range history() {
			p, _ := d["payload"].(map[string]any)
			m[fmt.Sprint(p["action"])] = fmt.Sprint(d["state"])
		}
		return m
	}
	var s map[string]string
	jdstest.WaitFor(t, "the first attempts", func() bool {
		s = states()
		return s["To ok"] == "sent" && s["To refused"] == "dead" && metric(t, e.metrics(), `jds_deliveries_total{connector="flaky",result="retry"}`) == 1
	})
	m := e.metrics()
	for series, want := range map[string]float64{
		`jds_deliveries_total{connector="ok",result="sent"}`:       1,
		`jds_deliveries_total{connector="refused",result="dead"}`:  1,
		`jds_deliveries_total{connector="refused",result="retry"}`: 0,
		`jds_deliveries_total{connector="flaky",result="retry"}`:   1,
		`jds_deliveries_total{connector="flaky",result="sent"}`:    0,
		// The retry is due after a backoff the clock has not reached: queued, not late.
		`jds_outbox_deliveries`:             1,
		`jds_outbox_oldest_due_age_seconds`: 0,
	} {
		if got := metric(t, m, series); got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}

	// An hour on, the retry is due and the partner holds it: in the outbox still, and
	// late by the hour less its backoff.
	c.Add(time.Hour)
	select {
	case <-held:
	case <-time.After(5 * time.Second):
		t.Fatal("the retry was not attempted")
	}
	m = e.metrics()
	if got := metric(t, m, `jds_outbox_deliveries`); got != 1 {
		t.Errorf("outbox with the retry in flight: %v, want 1", got)
	}
	if age := metric(t, m, `jds_outbox_oldest_due_age_seconds`); age < 3000 || age > 3600 {
		t.Errorf("oldest due age %v s, want the hour less a backoff of at most a minute", age)
	}
	close(release)
	jdstest.WaitFor(t, "the retry sent", func() bool { return states()["To flaky"] == "sent" })
	jdstest.WaitFor(t, "the outbox empty", func() bool {
		m = e.metrics()
		return metric(t, m, `jds_deliveries_total{connector="flaky",result="sent"}`) == 1 && metric(t, m, `jds_outbox_deliveries`) == 0
	})
	for series, want := range map[string]float64{
		`jds_outbox_oldest_due_age_seconds`:                                0,
		`jds_delivery_attempt_duration_seconds_count{connector="ok"}`:      1,
		`jds_delivery_attempt_duration_seconds_count{connector="refused"}`: 1,
		`jds_delivery_attempt_duration_seconds_count{connector="flaky"}`:   2,
	} {
		if got := metric(t, m, series); got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}

	// A second closed-queue call within the cooldowns: each action's trigger suppressed.
	e.post(ev("cq-2", "Closed Queue", "+12263762555", "phone", map[string]any{}))
	m = e.metrics()
	for _, conn := range []string{"ok", "refused", "flaky"} {
		if got := metric(t, m, fmt.Sprintf(`jds_deliveries_total{connector=%q,result="suppressed"}`, conn)); got != 1 {
			t.Errorf("suppressed through %s: %v, want 1", conn, got)
		}
	}
	if got := metric(t, m, `jds_deliveries_total{connector="(inline)",result="sent"}`); got != 0 {
		t.Errorf("inline webhook deliveries: %v", got)
	}

	// The history speaks the API's names; no Go field names of a record leak out.
	r := e.Do("GET", "/admin/v1/api/journey-actions/workspace-id/"+ws+"/history", jdstest.Token("action", "r", ws), nil)
	for _, leak := range []string{`"Org"`, `"Name"`, `"workspace":{`} {
		if strings.Contains(string(r.Body), leak) {
			t.Errorf("the history holds %s: %s", leak, r.Body)
		}
	}
	hs := history()
	if len(hs) != 3 {
		t.Fatalf("history: %v", hs)
	}
	for _, d := range hs {
		if d["organizationId"] != org || d["workspaceId"] != ws || d["personId"] == "" || d["id"] == "" || d["createdAt"] == nil {
			t.Errorf("delivery %v: want organizationId %s, workspaceId %s and its ids", d, org, ws)
		}
	}
	dead := e.Do("GET", "/admin/v1/api/journey-actions/workspace-id/"+ws+"/dead-letters", jdstest.Token("action", "r", ws), nil)
	if !strings.Contains(string(dead.Body), `"workspaceId":"`+ws+`"`) || strings.Contains(string(dead.Body), `"Org"`) {
		t.Errorf("dead letters: %s", dead.Body)
	}

	// The whole workspace's list holds the newest, at most pageSize (1,000 at most), and
	// says when there were more.
	for _, tc := range []struct {
		query     string
		n         int
		truncated bool
	}{{"?pageSize=2", 2, true}, {"?pageSize=3", 3, false}, {"", 3, false}} {
		var body struct {
			Meta map[string]any
			Data []map[string]any
		}
		r := e.Do("GET", "/admin/v1/api/journey-actions/workspace-id/"+ws+"/history"+tc.query, jdstest.Token("action", "r", ws), nil)
		if err := json.Unmarshal(r.Body, &body); err != nil || len(body.Data) != tc.n || (body.Meta["truncated"] == true) != tc.truncated {
			t.Errorf("history%s: %d %s, want %d deliveries, truncated %v", tc.query, r.Status, r.Body, tc.n, tc.truncated)
		}
	}
	if r := e.Do("GET", "/admin/v1/api/journey-actions/workspace-id/"+ws+"/history?pageSize=1001", jdstest.Token("action", "r", ws), nil); r.Status != 400 ||
		!strings.Contains(string(r.Body), "pageSize: must be an integer from 1 to 1000") {
		t.Errorf("pageSize 1001: %d %s", r.Status, r.Body)
	}
}

// Issue 16 (8): events that pollers, inbound webhooks and flows write are counted in
// jds_events_total with those posted over HTTP.
func TestEventsCountedWhateverWroteThem(t *testing.T) {
	calls := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"calls": [{"n": 1, "ani": "+15550201"}, {"n": 2, "ani": "+15550202"}, {"n": 3}]}`)
	}))
	defer calls.Close()
	var in []connectors.Instance
	if err := yaml.Unmarshal([]byte(`
- name: dialer
  kind: poll
  organization: `+org+`
  workspace: `+ws+`
  schedule: "@every 1h"
  url: `+calls.URL+`
  mapping:
    items: body.calls
    id: '"dialer-" + string(item.n)'
    type: '"Outbound Call"'
    identity: item.ani
    identitytype: '"phone"'
- name: trusted
  kind: webhook
  organization: `+org+`
  workspace: `+ws+`
  verify: {scheme: sas}
  mapping: {type: '"Trusted"', identity: body.email, identitytype: '"email"'}
`), &in); err != nil {
		t.Fatal(err)
	}
	e := start(t, func(c *config.Config) { c.Inbound = in })
	jdstest.WriteFile(t, filepath.Join(e.Config.FlowsDir, "closed.yaml"), `
identity: ani
rules:
  - respond: {route: closed}
    events: [{type: Closed Queue, source: ivr, id: "${request.callId}"}]
fallback: {route: agent}
`)
	if r := e.Do("POST", "/admin/v1/api/flows/reload", admin, nil); r.Status != 200 {
		t.Fatalf("flows reload: %d %s", r.Status, r.Body)
	}
	count := func() (accepted, duplicate, rejected float64) {
		m := e.metrics()
		return metric(t, m, `jds_events_total{result="accepted"}`), metric(t, m, `jds_events_total{result="duplicate"}`), metric(t, m, `jds_events_total{result="rejected"}`)
	}
	want := func(what string, a, d, r float64) {
		t.Helper()
		if ga, gd, gr := count(); ga != a || gd != d || gr != r {
			t.Errorf("after %s: accepted %v, duplicate %v, rejected %v; want %v, %v, %v", what, ga, gd, gr, a, d, r)
		}
	}
	want("nothing", 0, 0, 0)
	// The poller: two calls mapped, one without a number skipped as invalid.
	if err := e.Service.Jobs().RunNow(context.Background(), "poll:dialer"); err != nil {
		t.Fatal(err)
	}
	want("a poll", 2, 0, 1)
	if err := e.Service.Jobs().RunNow(context.Background(), "poll:dialer"); err != nil {
		t.Fatal(err)
	}
	want("the same page again", 2, 2, 2)
	// An inbound webhook.
	wantStatus(t, e.webhook("trusted", "application/json", `{"email": "ann@example.com"}`, "Authorization", jdstest.Token("ds", "w", ws)), 202, `"accepted":1`)
	wantStatus(t, e.webhook("trusted", "application/json", `not json`, "Authorization", jdstest.Token("ds", "w", ws)), 400, "")
	want("an inbound webhook", 3, 2, 3)
	// A flow that writes an event, then the same call again.
	for range 2 {
		if r := e.Do("POST", "/v1/flows/closed", jdstest.Token("flow", "rw", ws), map[string]any{"ani": "+15550203", "callId": "call-1"}); r.Status != 200 {
			t.Fatalf("flow: %d %s", r.Status, r.Body)
		}
	}
	want("a flow's event twice", 4, 3, 3)
	// And HTTP ingest, as before.
	e.post(ev("http-1", "Closed Queue", "+15550204", "phone", map[string]any{}))
	want("a posted event", 5, 3, 3)
}
