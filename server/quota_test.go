package server_test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openjds/jds/config"
	"github.com/openjds/jds/connectors"
	"github.com/openjds/jds/internal/jdstest"
)

// batch is n events with ids prefix-0, prefix-1, ...
func batch(prefix string, n int) []map[string]any {
	evs := make([]map[string]any, n)
	for i := range evs {
		evs[i] = ev(fmt.Sprintf("%s-%d", prefix, i), "T", "c1", "customerId", map[string]any{})
	}
	return evs
}

func metricsHave(t *testing.T, e *env, want ...string) {
	t.Helper()
	m := string(e.Do("GET", "/metrics", "", nil).Body)
	for _, w := range want {
		if !strings.Contains(m, w) {
			t.Errorf("metrics lack %q", w)
		}
	}
}

// Past its quota a workspace's ingest answers 429 with Retry-After, on every ingest
// path, refusing a batch whole; a batch above the burst is 400, since it can never
// pass; other workspaces are untouched, and overrides apply. The service's clock
// refills the buckets.
func TestIngestQuota(t *testing.T) {
	c := &jdstest.Clock{}
	c.Set(time.Now())
	e := startClocked(t, c, func(cfg *config.Config) {
		cfg.Limits.EventsPerSecond = 2
		cfg.Limits.Burst = 3
		cfg.Limits.Workspaces = map[string]config.RateLimit{jdstest.Org + "/roomy": {EventsPerSecond: 100}}
	})
	post := func(path, w string, body any) jdstest.Response {
		return e.Do("POST", path+"?workspaceId="+w, admin, body)
	}
	throttled := 0
	for i, path := range []string{"/publish/v1/api/event", "/publish/v1/api/events", "/v1/journey/events"} {
		w := fmt.Sprint("w", i)
		if r := post(path, w, batch(w, 3)); r.Status != 202 {
			t.Fatalf("%s: the burst: %d %s", path, r.Status, r.Body)
		}
		r := post(path, w, ev(w+"-x", "T", "c1", "customerId", map[string]any{}))
		throttled++
		if r.Status != 429 || r.Header.Get("Retry-After") != "1" || !strings.Contains(r.JSON(t)["message"].(string), "limits.eventsPerSecond") {
			t.Fatalf("%s: past the quota: %d Retry-After %q %s", path, r.Status, r.Header.Get("Retry-After"), r.Body)
		}
	}
	if r := post("/publish/v1/api/events", "quiet", batch("quiet", 3)); r.Status != 202 {
		t.Fatalf("another workspace is untouched: %d %s", r.Status, r.Body)
	}

	// A second later w0 holds 2 tokens: a batch of 3 is refused whole, none of it stored.
	c.Add(time.Second)
	r := post("/publish/v1/api/events", "w0", batch("late", 3))
	throttled += 3
	if r.Status != 429 || r.Header.Get("Retry-After") != "1" {
		t.Fatalf("a batch above the tokens left: %d %s", r.Status, r.Body)
	}
	if got := eventIDs(t, e.Do("GET", "/v1/api/events/workspace-id/w0?identity=c1", admin, nil)); len(got) != 3 {
		t.Fatalf("w0 holds %v, want the first 3 only", got)
	}
	if r := post("/publish/v1/api/events", "w0", batch("late", 2)); r.Status != 202 {
		t.Fatalf("a batch within the tokens left: %d %s", r.Status, r.Body)
	}
	// Above the burst a batch never passes: 400 saying so, nothing to retry.
	c.Add(time.Minute)
	r = post("/publish/v1/api/events", "w0", batch("big", 4))
	throttled += 4
	if msg := r.JSON(t)["message"].(string); r.Status != 400 || r.Header.Get("Retry-After") != "" || !strings.Contains(msg, "never pass") || !strings.Contains(msg, "limits.burst") {
		t.Fatalf("a batch above the burst: %d %s", r.Status, r.Body)
	}
	// An override gives a workspace its own rate (and one second's worth of burst).
	if r := post("/publish/v1/api/events", "roomy", batch("roomy", 100)); r.Status != 202 {
		t.Fatalf("an overridden workspace: %d %s", r.Status, r.Body)
	}
	metricsHave(t, e, fmt.Sprintf(`jds_events_total{result="throttled"} %d`, throttled))
}

// An inbound webhook's request past the quota is refused whole with 429, and counted.
func TestInboundWebhookQuota(t *testing.T) {
	c := &jdstest.Clock{}
	c.Set(time.Now())
	e := startClocked(t, c, func(cfg *config.Config) {
		inboundConfig(t)(cfg)
		cfg.Limits.EventsPerSecond = 1
	})
	tok := jdstest.Token("ds", "w", ws)
	wantStatus(t, e.webhook("trusted", "application/json", `{"email": "a@example.com"}`, "Authorization", tok), 202, `"accepted":1`)
	r := e.webhook("trusted", "application/json", `{"email": "b@example.com"}`, "Authorization", tok)
	wantStatus(t, r, 429, "limits.eventsPerSecond")
	if r.Header.Get("Retry-After") != "1" {
		t.Errorf("Retry-After %q", r.Header.Get("Retry-After"))
	}
	c.Add(time.Second)
	wantStatus(t, e.webhook("trusted", "application/json", `{"email": "b@example.com"}`, "Authorization", tok), 202, `"accepted":1`)
	metricsHave(t, e, `jds_inbound_webhook_requests_total{connector="trusted",result="throttled"} 1`)
}

// A flow's events count against the quota: past it the flow writes nothing and answers
// its fallback, saying why.
func TestFlowQuota(t *testing.T) {
	c := &jdstest.Clock{}
	c.Set(time.Now())
	dir := t.TempDir()
	jdstest.WriteFile(t, filepath.Join(dir, "note.yaml"), `
identity: ani
rules:
  - name: noted
    respond: {route: noted}
    events: [{type: Noted, source: ivr/note}]
fallback: {route: fallback}
`)
	e := startClocked(t, c, func(cfg *config.Config) {
		cfg.FlowsDir = dir
		cfg.Limits.EventsPerSecond = 1
	})
	if got, _ := e.call("note", map[string]any{"ani": "+12263762555"}); got["route"] != "noted" {
		t.Fatalf("within the quota: %v", got)
	}
	got, r := e.call("note", map[string]any{"ani": "+12263762555"})
	if got["route"] != "fallback" || !strings.Contains(r.Header.Get("X-JDS-Fallback"), "ingest quota") {
		t.Fatalf("past the quota: %v %q", got, r.Header.Get("X-JDS-Fallback"))
	}
	if ids := eventIDs(t, e.Do("GET", historyPath("+12263762555", ""), admin, nil)); len(ids) != 1 {
		t.Fatalf("history %v, want the one event written within the quota", ids)
	}
	c.Add(time.Second)
	if got, _ := e.call("note", map[string]any{"ani": "+12263762555"}); got["route"] != "noted" {
		t.Fatalf("a second later: %v", got)
	}
}

// A workspace holds at most limits.templatesPerWorkspace templates and
// limits.actionsPerWorkspace journey actions: one more through the API is 409 naming
// the limit; deleting one makes room, and other workspaces have their own.
func TestTemplateAndActionCaps(t *testing.T) {
	e := start(t, func(cfg *config.Config) {
		cfg.Limits.TemplatesPerWorkspace = 2
		cfg.Limits.ActionsPerWorkspace = 1
		cfg.Connectors = []connectors.Instance{{Name: "callback", Kind: "log"}}
	})
	tpl := func(w, name string) jdstest.Response {
		return e.Do("POST", "/admin/v1/api/profile-view-template/workspace-id/"+w, jdstest.Token("profile", "w", w), strings.Replace(repeatCaller, "Repeat Caller", name, 1))
	}
	created := func(r jdstest.Response) string {
		t.Helper()
		if r.Status != 201 {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		var body struct{ Data struct{ ID string } }
		json.Unmarshal(r.Body, &body)
		return body.Data.ID
	}
	first := created(tpl(ws, "One"))
	created(tpl(ws, "Two"))
	wantStatus(t, tpl(ws, "Three"), 409, "limits.templatesPerWorkspace")
	created(tpl("other", "Three"))
	if r := e.Do("DELETE", "/admin/v1/api/profile-view-template/workspace-id/"+ws+"/template-id/"+first, jdstest.Token("profile", "w", ws), nil); r.Status != 200 {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	second := created(tpl(ws, "Three"))

	action := func(w, tid, name string) jdstest.Response {
		return e.Do("POST", "/admin/v1/api/journey-actions/workspace-id/"+w+"/template-id/"+tid, jdstest.Token("action", "w", w),
			`{"name": "`+name+`", "isActive": true, "cooldownPeriodInMinutes": 60,
			  "rules": {"logic": "SINGLE", "condition": "Queued Caller,queue,string,Count GTE 1"},
			  "actionTriggers": [{"type": "Connector", "connector": "callback"}]}`)
	}
	created(action(ws, second, "First"))
	wantStatus(t, action(ws, second, "Second"), 409, "limits.actionsPerWorkspace")
}
