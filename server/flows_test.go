package server_test

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openjds/jds/config"
	"github.com/openjds/jds/connectors"
	"github.com/openjds/jds/flows"
)

const flowSecret = "a-flow-secret-of-some-length"

// startFlows runs jds with the sample rules and flows (copied, so that a test may add
// files), an SMS partner behind the sample's "sms" connector, and a fake clock.
func startFlows(t *testing.T, c *clock) (*env, *smsPartner) {
	t.Helper()
	partner := newSMSPartner(t)
	dir := t.TempDir()
	samples, _ := filepath.Glob("../samples/flows/*.yaml")
	for _, f := range samples {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, filepath.Base(f)), string(raw))
	}
	writeFile(t, filepath.Join(dir, "signed.yaml"), `
identity: ani
signature: {secret: `+flowSecret+`}
rules: [{respond: {ok: true}}]
fallback: {ok: false}
`)
	writeFile(t, filepath.Join(dir, "fragile.yaml"), `
identity: {field: caller.number}
bindings:
  code: int(request.code)        # fails when code is not a number
rules:
  - when: code > 0
    respond: {route: "queue-${code}", caller: "${first(person.phone) ?? 'unknown'}"}
fallback: {route: agent}
`)
	e := startClocked(t, c, func(cfg *config.Config) {
		cfg.RulesDir = "../samples/rules"
		cfg.FlowsDir = dir
		cfg.Connectors = []connectors.Instance{{Name: "sms", Kind: "twilio", Config: map[string]any{
			"accountSid": "AC0123456789abcdef0123456789abcdef", "authToken": "secret", "from": "+15550100000", "baseURL": partner.srv.URL}}}
	})
	return e, partner
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

var flowToken = token("flow", "rw", ws)

// call posts a caller's number to a flow and returns its answer.
func (e *env) call(flow string, body any) (map[string]any, response) {
	e.t.Helper()
	r := e.do("POST", "/v1/flows/"+flow, flowToken, body)
	if r.status != 200 {
		e.t.Fatalf("flow %s: %d %s", flow, r.status, r.body)
	}
	return r.json(e.t), r
}

func TestFlowAccess(t *testing.T) {
	c := &clock{}
	c.set(time.Now())
	e, _ := startFlows(t, c)
	// Webex Connect checks a webhook with HEAD before saving it: no token needed.
	if r := e.do("HEAD", "/v1/flows/payment-reminder", "", nil); r.status != 200 {
		t.Errorf("HEAD: %d", r.status)
	}
	body := map[string]any{"ani": "12263762555"}
	for _, tc := range []struct {
		name, path, tok string
		status          int
		msg             string
	}{
		{"no token", "/v1/flows/repeat-caller", "", 401, "missing token"},
		{"another service", "/v1/flows/repeat-caller", token("tape", "r", ws), 403, ""},
		{"another workspace", "/v1/flows/repeat-caller?workspaceId=" + ws, token("flow", "rw", "other"), 403, ""},
		{"unknown flow", "/v1/flows/nope", flowToken, 404, `no flow named \"nope\"`},
		{"a flow that writes needs w", "/v1/flows/after-hours", token("flow", "r", ws), 403, ""},
	} {
		r := e.do("POST", tc.path, tc.tok, body)
		if r.status != tc.status || !strings.Contains(string(r.body), tc.msg) {
			t.Errorf("%s: %d %s", tc.name, r.status, r.body)
		}
	}
	// A flow that only reads takes a read token.
	if r := e.do("POST", "/v1/flows/repeat-caller", token("flow", "r", ws), body); r.status != 200 {
		t.Errorf("read-only flow with an r token: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/v1/flows/repeat-caller", flowToken, "[1,2]"); r.status != 400 || !strings.Contains(string(r.body), "body: expected a JSON object") {
		t.Errorf("a body that is not an object: %d %s", r.status, r.body)
	}
}

// Use case 1, the forgetful payer, through HTTP: each notice changes what the IVR does,
// and a payment closes the loop. The flow reads the request from JSON, a form or the
// query string alike.
func TestFlowPaymentReminder(t *testing.T) {
	c := &clock{}
	c.set(time.Date(2023, 4, 10, 9, 0, 0, 0, time.UTC))
	e, _ := startFlows(t, c)
	caller := map[string]any{"ani": "12263762555"}
	if got, _ := e.call("payment-reminder", caller); got["route"] != "menu" {
		t.Errorf("nothing on file: %v", got)
	}
	e.post(ev("pay-1", "Payment", "+12263762555", "phone",
		map[string]any{"category": "Water", "status": "overdue", "Notification": "1", "Past Due Amount": "$544.73"},
		"time", "2023-04-09T00:39:46.917Z"))
	got, r := e.call("payment-reminder", caller)
	if got["route"] != "remind" || got["amount"] != "$544.73" || len(got) != 2 {
		t.Errorf("first notice: %v", got)
	}
	if r.header.Get("X-JDS-Flow-Rule") != "first notice" || r.header.Get("X-JDS-Person-ID") == "" {
		t.Errorf("headers: %v", r.header)
	}
	// The reminder is on the caller's journey.
	h := e.do("GET", historyPath("12263762555", "&top=1"), admin, nil)
	if !strings.Contains(string(h.body), `"Reminder Played"`) {
		t.Errorf("the reminder event is not in the history: %s", h.body)
	}

	e.post(ev("pay-2", "Payment", "+12263762555", "phone",
		map[string]any{"category": "Water", "status": "overdue", "Notification": "2", "Past Due Amount": "$560.10"}))
	form := e.do("POST", "/v1/flows/payment-reminder", flowToken, "ani=%2B1+226+376+2555", "Content-Type", "application/x-www-form-urlencoded")
	if form.status != 200 || form.json(t)["route"] != "agent" {
		t.Errorf("second notice, form post: %d %s", form.status, form.body)
	}
	e.post(ev("pay-3", "Payment", "+12263762555", "phone", map[string]any{"category": "Water", "status": "paid"}))
	get := e.do("GET", "/v1/flows/payment-reminder?ani=12263762555", flowToken, nil)
	if get.status != 200 || get.json(t)["route"] != "menu" {
		t.Errorf("paid, GET: %d %s", get.status, get.body)
	}
}

// Use case 2, the repeat caller: the sixth call in a day is offered a callback.
func TestFlowRepeatCaller(t *testing.T) {
	c := &clock{}
	t0 := time.Date(2023, 4, 1, 12, 0, 0, 0, time.UTC)
	c.set(t0)
	e, _ := startFlows(t, c)
	caller := map[string]any{"ani": "12263762555"}
	for i := range 5 {
		e.post(ev("q"+string(rune('a'+i)), "Queued Caller", "12263762555", "phone", map[string]any{"queue": "Billing"},
			"time", t0.Add(time.Duration(i-5)*time.Hour).Format(time.RFC3339)))
		got, _ := e.call("repeat-caller", caller)
		want := i+1 >= 5
		if got["offerCallback"] != want || got["callsToday"] != float64(i+1) {
			t.Errorf("after %d queued calls: %v", i+1, got)
		}
	}
	// A day later the calls have left the window.
	c.add(24 * time.Hour)
	if got, _ := e.call("repeat-caller", caller); got["offerCallback"] != false || got["callsToday"] != 0.0 {
		t.Errorf("a day later: %v", got)
	}
}

// Use case 3, the late-night caller: the flow writes the Closed Queue event, and the
// sample journey action texts the caller through the sms connector.
func TestFlowAfterHoursTextsTheCaller(t *testing.T) {
	c := &clock{}
	c.set(time.Date(2023, 4, 1, 23, 30, 0, 0, time.UTC))
	e, partner := startFlows(t, c)
	got, r := e.call("after-hours", map[string]any{"ani": "226-376-2555", "queue": "Billing"})
	if got["route"] != "closed" || r.header.Get("X-JDS-Person-ID") == "" {
		t.Fatalf("answer: %v %v", got, r.header)
	}
	waitFor(t, "the SMS", func() bool { return len(partner.received()) == 1 })
	sms, err := url.ParseQuery(partner.received()[0])
	if err != nil || sms.Get("To") != "+12263762555" || !strings.Contains(sms.Get("Body"), "call you back") {
		t.Errorf("SMS delivery (a Twilio form post): %s", partner.received()[0])
	}
	h := e.do("GET", historyPath("+12263762555", ""), admin, nil)
	if !strings.Contains(string(h.body), `"queue":"Billing"`) || !strings.Contains(string(h.body), `"Closed Queue"`) {
		t.Errorf("history: %s", h.body)
	}
}

// A flow that fails still answers: the fallback, with 200, and the reason in a header
// and the log. The caller is never left hanging.
func TestFlowFallback(t *testing.T) {
	c := &clock{}
	c.set(time.Now())
	e, _ := startFlows(t, c)
	got, r := e.call("fragile", map[string]any{"caller": map[string]any{"number": "+12263762555"}, "code": "abc"})
	if got["route"] != "agent" || !strings.Contains(r.header.Get("X-JDS-Fallback"), "bindings.code") {
		t.Errorf("failed binding: %v %q", got, r.header.Get("X-JDS-Fallback"))
	}
	got, r = e.call("fragile", map[string]any{"code": 3})
	if got["route"] != "agent" || !strings.Contains(r.header.Get("X-JDS-Fallback"), `no "caller.number"`) {
		t.Errorf("no identity: %v %q", got, r.header.Get("X-JDS-Fallback"))
	}
	// A number sent as a JSON number is a number all the same.
	got, _ = e.call("fragile", map[string]any{"caller": map[string]any{"number": 12263762555}, "code": 3})
	if got["route"] != "queue-3" || got["caller"] != "unknown" {
		t.Errorf("nested identity field: %v", got)
	}
	m := e.do("GET", "/metrics", "", nil)
	if !strings.Contains(string(m.body), `jds_flow_decisions_total{answer="fallback",flow="fragile"} 2`) {
		t.Errorf("fallbacks are not counted")
	}
}

// Callers that sign: the HMAC over timestamp and body must match, be fresh, and be
// used once.
func TestFlowSignature(t *testing.T) {
	c := &clock{}
	now := time.Now()
	c.set(now)
	e, _ := startFlows(t, c)
	body := []byte(`{"ani":"12263762555"}`)
	post := func(headers ...string) response {
		return e.do("POST", "/v1/flows/signed", flowToken, body, headers...)
	}
	if r := post(); r.status != 401 || !strings.Contains(string(r.body), "needs the headers X-JDS-Signature and X-JDS-Timestamp") {
		t.Errorf("unsigned: %d %s", r.status, r.body)
	}
	sig, ts := flows.Sign(flowSecret, body, now)
	if r := post("X-JDS-Signature", sig, "X-JDS-Timestamp", ts); r.status != 200 || r.json(t)["ok"] != true {
		t.Errorf("signed: %d %s", r.status, r.body)
	}
	if r := post("X-JDS-Signature", sig, "X-JDS-Timestamp", ts); r.status != 401 || !strings.Contains(string(r.body), "replay") {
		t.Errorf("replayed: %d %s", r.status, r.body)
	}
	old, oldTS := flows.Sign(flowSecret, body, now.Add(-time.Hour))
	if r := post("X-JDS-Signature", old, "X-JDS-Timestamp", oldTS); r.status != 401 || !strings.Contains(string(r.body), "away from the server's clock") {
		t.Errorf("stale: %d %s", r.status, r.body)
	}
	bad, badTS := flows.Sign("another-secret-entirely", body, now)
	if r := post("X-JDS-Signature", bad, "X-JDS-Timestamp", badTS); r.status != 401 || !strings.Contains(string(r.body), "does not match") {
		t.Errorf("wrong secret: %d %s", r.status, r.body)
	}
}

// A broken flow file never replaces the working flows; the reload says what is wrong.
func TestFlowReloadKeepsTheWorkingSet(t *testing.T) {
	c := &clock{}
	c.set(time.Now())
	e, _ := startFlows(t, c)
	adminRW := token("admin", "rw", "*")
	writeFile(t, filepath.Join(e.cfg.FlowsDir, "after-hours.yaml"), "identity: ani\nrules: [{respond: {route: closed}, when: 'nope'}]\nfallback: {route: closed}\n")
	r := e.do("POST", "/admin/v1/api/flows/reload", adminRW, nil)
	if r.status != 422 || !strings.Contains(string(r.body), "after-hours.yaml:2:") || !strings.Contains(string(r.body), "unknown name nope") {
		t.Fatalf("broken reload: %d %s", r.status, r.body)
	}
	if got, _ := e.call("after-hours", map[string]any{"ani": "12263762555"}); got["route"] != "closed" {
		t.Errorf("the old flow no longer answers: %v", got)
	}
	writeFile(t, filepath.Join(e.cfg.FlowsDir, "after-hours.yaml"), "identity: ani\nrules: [{respond: {route: open}}]\nfallback: {route: closed}\n")
	if r := e.do("POST", "/admin/v1/api/flows/reload", adminRW, nil); r.status != 200 || !strings.Contains(string(r.body), `"flows":5`) {
		t.Fatalf("good reload: %d %s", r.status, r.body)
	}
	if got, _ := e.call("after-hours", map[string]any{"ani": "12263762555"}); got["route"] != "open" {
		t.Errorf("the new flow does not answer: %v", got)
	}
	st := e.do("GET", "/admin/v1/api/flows", adminRW, nil)
	if !strings.Contains(string(st.body), url.PathEscape("after-hours.yaml")) || !strings.Contains(string(st.body), `"ok":true`) {
		t.Errorf("status: %s", st.body)
	}
}
