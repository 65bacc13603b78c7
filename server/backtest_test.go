package server_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openjds/jds/config"
	"github.com/openjds/jds/connectors"
	"github.com/openjds/jds/internal/jdstest"
)

// The template the trust tests replay: calls in the last day, and Billing calls in
// the last six hours.
const callsTemplate = `
templates:
  - name: Calls
    attributes:
      - {name: callsToday, displayName: Calls today, event: Queued Caller, aggregationMode: Count, lookBack: 1d}
      - {name: billingCalls, displayName: Billing calls, event: Queued Caller, aggregationMode: Count, lookBack: 6h, condition: 'data.queue == "Billing"'}
`

// The draft action: the third call in a day with a recent Billing call, at most once
// every two hours.
const callsAction = `{"name": "Callback offer", "isActive": true, "cooldownPeriodInMinutes": 120,
 "condition": "callsToday >= 3 && billingCalls >= 1",
 "actionTriggers": [{"type": "Connector", "connector": "callback", "attributes": {"to": "${person.phone[0]}", "calls": "${profile.callsToday}"}}]}`

type timedEvent struct {
	at             time.Duration // after t0
	id, ani, queue string
}

// The history both workspaces receive, in time order. Firings, worked out by hand:
// a3 (3 calls, Billing 1h ago), a4 is within a3's cooldown, a5 is 2h after a3 (fires),
// a6 a day later has 1 call in its day (no), b3 fires (3 calls, Billing), b4 has no
// Billing call in 6h (b1 is 7h old) and the cooldown is over (no), c1..c2 never reach 3.
var trustHistory = []timedEvent{
	{0, "a1", "+12265550001", "Billing"},
	{30 * time.Minute, "b1", "+12265550002", "Billing"},
	{time.Hour, "a2", "+12265550001", "Sales"},
	{2 * time.Hour, "a3", "+12265550001", "Sales"},
	{3 * time.Hour, "a4", "+12265550001", "Billing"},
	{4 * time.Hour, "a5", "+12265550001", "Sales"},
	{5 * time.Hour, "b2", "+12265550002", "Sales"},
	{6 * time.Hour, "b3", "+12265550002", "Sales"},
	{7*time.Hour + 40*time.Minute, "b4", "+12265550002", "Sales"},
	{8 * time.Hour, "c1", "+12265550003", "Billing"},
	{9 * time.Hour, "c2", "+12265550003", "Billing"},
	{30 * time.Hour, "a6", "+12265550001", "Billing"},
}

var trustT0 = time.Date(2026, 2, 2, 8, 0, 0, 0, time.UTC)

// startTrust runs jds on a fake clock with the Calls template and a log connector.
func startTrust(t *testing.T, c *jdstest.Clock, rules string) *env {
	t.Helper()
	e := startClocked(t, c, func(cfg *config.Config) {
		cfg.Connectors = []connectors.Instance{{Name: "callback", Kind: "log"}}
	})
	writeRules(t, e, "calls.yaml", rules)
	if r := e.Do("POST", "/admin/v1/api/rules/reload", admin, nil); r.Status != 200 {
		t.Fatalf("reload: %d %s", r.Status, r.Body)
	}
	return e
}

// postHistory posts the history to a workspace, each event at its own time on the
// clock, as it would have arrived.
func postHistory(t *testing.T, e *env, c *jdstest.Clock, workspace string) {
	t.Helper()
	for _, h := range trustHistory {
		at := trustT0.Add(h.at)
		c.Set(at)
		r := e.Do("POST", "/publish/v1/api/event?workspaceId="+workspace, admin,
			ev(h.id, "Queued Caller", h.ani, "phone", map[string]any{"queue": h.queue}, "time", at.Format(time.RFC3339)))
		if r.Status != 202 {
			t.Fatalf("post %s: %d %s", h.id, r.Status, r.Body)
		}
	}
}

type backtestData struct {
	Firings []struct {
		PersonID, EventID, Time string
		Values                  map[string]any
	}
	FiringsTotal, Persons, Events int
	Truncated                     bool
	Unresolved                    []string
}

func runBacktest(t *testing.T, e *env, workspace string, body any) backtestData {
	t.Helper()
	r := e.Do("POST", "/admin/v1/api/journey-actions/backtest/workspace-id/"+workspace, jdstest.Token("action", "rw", workspace), body)
	if r.Status != 200 {
		t.Fatalf("backtest: %d %s", r.Status, r.Body)
	}
	var out struct{ Data backtestData }
	if err := json.Unmarshal(r.Body, &out); err != nil {
		t.Fatal(err)
	}
	return out.Data
}

func firedEvents(d backtestData) []string {
	var ids []string
	for _, f := range d.Firings {
		ids = append(ids, f.EventID)
	}
	slices.Sort(ids)
	return ids
}

// A backtest of a draft action over history predicts exactly the firings live ingest
// of the same events makes once the action is saved: the same events, the same
// windows at each event's time, the same cooldown.
func TestBacktestPredictsLiveFirings(t *testing.T) {
	c := &jdstest.Clock{}
	c.Set(trustT0)
	e := startTrust(t, c, callsTemplate)
	const past, live = ws, "live"

	// "past": the history arrived before anyone wrote the action.
	postHistory(t, e, c, past)
	// "live": the action is saved first, and the same history arrives.
	c.Set(trustT0.Add(-time.Minute))
	r := e.Do("POST", "/admin/v1/api/journey-actions/workspace-id/"+live+"/template-id/Calls", jdstest.Token("action", "rw", live), callsAction)
	if r.Status != 201 {
		t.Fatalf("save the action: %d %s", r.Status, r.Body)
	}
	postHistory(t, e, c, live)
	var liveFired []string
	jdstest.WaitFor(t, "the live firings", func() bool {
		r := e.Do("GET", "/admin/v1/api/journey-actions/workspace-id/"+live+"/history", jdstest.Token("action", "r", live), nil)
		var body struct {
			Data []struct{ Payload struct{ EventID string } }
		}
		json.Unmarshal(r.Body, &body)
		liveFired = nil
		for _, d := range body.Data {
			liveFired = append(liveFired, d.Payload.EventID)
		}
		slices.Sort(liveFired)
		return len(liveFired) >= 3
	})
	if want := []string{"a3", "a5", "b3"}; !slices.Equal(liveFired, want) {
		t.Fatalf("live firings %v, want %v", liveFired, want)
	}

	c.Set(trustT0.Add(72 * time.Hour))
	window := map[string]any{"from": trustT0.Add(-time.Minute).Format(time.RFC3339), "to": trustT0.Add(48 * time.Hour).Format(time.RFC3339)}
	draft := map[string]any{"templateId": "Calls", "action": json.RawMessage(callsAction)}
	for k, v := range window {
		draft[k] = v
	}
	got := runBacktest(t, e, past, draft)
	if ids := firedEvents(got); !slices.Equal(ids, liveFired) {
		t.Fatalf("backtest predicts %v, live fired %v", ids, liveFired)
	}
	if got.Persons != 3 || got.Events != len(trustHistory) || got.Truncated || got.FiringsTotal != 3 {
		t.Errorf("counts: %+v", got)
	}
	// Each firing carries the values at its event's time, in time order.
	f := got.Firings[0]
	if f.EventID != "a3" || f.Values["callsToday"] != 3.0 || f.Values["billingCalls"] != 1.0 || f.Time != "2026-02-02T10:00:00.000Z" {
		t.Errorf("first firing: %+v", f)
	}
	// The saved action in the live workspace backtests to the same (it fired there too:
	// a backtest writes nothing, so nothing changes).
	saved := runBacktest(t, e, live, map[string]any{"templateId": "Calls", "actionId": "Callback offer", "from": window["from"], "to": window["to"]})
	if ids := firedEvents(saved); !slices.Equal(ids, liveFired) {
		t.Errorf("saved action backtests to %v", ids)
	}
	// A narrower window lists only its firings, with the windows still full at its start.
	narrow := runBacktest(t, e, past, map[string]any{"templateId": "Calls", "action": json.RawMessage(callsAction),
		"from": trustT0.Add(3 * time.Hour).Format(time.RFC3339), "to": trustT0.Add(6 * time.Hour).Format(time.RFC3339)})
	if ids := firedEvents(narrow); !slices.Equal(ids, []string{"a5", "b3"}) {
		t.Errorf("narrow window: %v", ids)
	}
	// Identities choose the persons; one nobody owns is reported.
	one := runBacktest(t, e, past, map[string]any{"templateId": "Calls", "action": json.RawMessage(callsAction),
		"from": window["from"], "to": window["to"], "identities": []string{"226-555-0002", "+12265559999"}})
	if ids := firedEvents(one); !slices.Equal(ids, []string{"b3"}) || one.Persons != 1 || !slices.Equal(one.Unresolved, []string{"+12265559999"}) {
		t.Errorf("one identity: %+v", one)
	}
	// Nothing was delivered or written in the workspace backtested.
	r = e.Do("GET", "/admin/v1/api/journey-actions/workspace-id/"+past+"/history", jdstest.Token("action", "r", past), nil)
	if !strings.Contains(string(r.Body), `"data":[]`) {
		t.Errorf("a backtest queued deliveries: %s", r.Body)
	}
}

func TestBacktestStreamsProgress(t *testing.T) {
	c := &jdstest.Clock{}
	c.Set(trustT0)
	e := startTrust(t, c, callsTemplate)
	postHistory(t, e, c, ws)
	r := e.Do("POST", "/admin/v1/api/journey-actions/backtest/workspace-id/"+ws+"?stream=true", jdstest.Token("action", "rw", ws), map[string]any{
		"templateId": "Calls", "action": json.RawMessage(callsAction),
		"from": trustT0.Format(time.RFC3339), "to": trustT0.Add(48 * time.Hour).Format(time.RFC3339)})
	body := string(r.Body)
	if r.Status != 200 || r.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream: %d %v %s", r.Status, r.Header, body)
	}
	p, res := strings.Index(body, "event: progress\ndata: {\"persons\":1"), strings.Index(body, "event: result\ndata: ")
	if p < 0 || res < p || !strings.Contains(body[res:], `"firingsTotal":3`) {
		t.Fatalf("progress then the result: %s", body)
	}
}

func TestBacktestRefusesBadInput(t *testing.T) {
	e := startTrust(t, &jdstest.Clock{}, callsTemplate)
	tok := jdstest.Token("action", "rw", ws)
	from, to := "2026-02-01T00:00:00Z", "2026-02-03T00:00:00Z"
	act := json.RawMessage(callsAction)
	for _, tc := range []struct {
		name   string
		body   any
		status int
		want   string
	}{
		{"from after to", map[string]any{"templateId": "Calls", "action": act, "from": to, "to": from}, 400, "from: must be before to"},
		{"window too large", map[string]any{"templateId": "Calls", "action": act, "from": "2024-01-01T00:00:00Z", "to": to}, 400, "to: the window from–to is"},
		{"bad time", map[string]any{"templateId": "Calls", "action": act, "from": "yesterday", "to": to}, 400, `from: must be an RFC 3339 time, got \"yesterday\"`},
		{"unknown template", map[string]any{"templateId": "Nope", "action": act, "from": from, "to": to}, 404, "templateId: "},
		{"no template", map[string]any{"action": act, "from": from, "to": to}, 400, "templateId: required"},
		{"malformed action", map[string]any{"templateId": "Calls", "action": json.RawMessage(`{"name":"x","isActive":true,"cooldownPeriodInMinutes":0,"condition":"callz >= 1","actionTriggers":[{"type":"Connector","connector":"callback"}]}`), "from": from, "to": to}, 400, "action.condition"},
		{"unknown connector", map[string]any{"templateId": "Calls", "action": json.RawMessage(`{"name":"x","isActive":true,"cooldownPeriodInMinutes":0,"condition":"callsToday >= 1","actionTriggers":[{"type":"Connector","connector":"nope"}]}`), "from": from, "to": to}, 400, "action.actionTriggers[0].connector"},
		{"no action", map[string]any{"templateId": "Calls", "from": from, "to": to}, 400, "action: required"},
		{"unknown action id", map[string]any{"templateId": "Calls", "actionId": "nope", "from": from, "to": to}, 404, "actionId: "},
		{"unknown field", map[string]any{"templateId": "Calls", "action": act, "from": from, "to": to, "window": 1}, 400, "body: json: unknown field"},
		{"bad template", map[string]any{"template": json.RawMessage(`{"name":"T","attributes":[{"displayName":"x","event":"E","aggregationMode":"Total","lookBack":"1d"}]}`), "action": act, "from": from, "to": to}, 400, "template."},
	} {
		r := e.Do("POST", "/admin/v1/api/journey-actions/backtest/workspace-id/"+ws, tok, tc.body)
		if r.Status != tc.status || !strings.Contains(string(r.Body), tc.want) {
			t.Errorf("%s: %d %s", tc.name, r.Status, r.Body)
		}
	}
	// An unsaved template and action together.
	tpl := `{"name": "Draft", "attributes": [{"name": "calls", "displayName": "Calls", "event": "Queued Caller", "aggregationMode": "Count", "lookBackDurationType": "days", "lookBackPeriod": 1}]}`
	r := e.Do("POST", "/admin/v1/api/journey-actions/backtest/workspace-id/"+ws, tok, map[string]any{"template": json.RawMessage(tpl),
		"action": json.RawMessage(`{"name":"x","isActive":true,"cooldownPeriodInMinutes":0,"condition":"calls >= 1","actionTriggers":[{"type":"Connector","connector":"callback"}]}`), "from": from, "to": to})
	if r.Status != 200 || !strings.Contains(string(r.Body), `"firings":[]`) {
		t.Errorf("unsaved template: %d %s", r.Status, r.Body)
	}
}
