package server_test

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/openjds/jds/config"
	"github.com/openjds/jds/connectors"
	"github.com/openjds/jds/internal/jdstest"
)

// flowSecret is a Standard Webhooks secret (the specification's test vector's).
const flowSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

// startFlows runs jds with the sample rules and flows (copied, so that a test may add
// files), an SMS partner behind the sample's "sms" connector, and a fake clock.
func startFlows(t *testing.T, c *jdstest.Clock) (*env, *jdstest.Partner) {
	t.Helper()
	partner := jdstest.NewPartner(t, 202, "")
	dir := t.TempDir()
	samples, _ := filepath.Glob("../samples/flows/*.yaml")
	for _, f := range samples {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		jdstest.WriteFile(t, filepath.Join(dir, filepath.Base(f)), string(raw))
	}
	jdstest.WriteFile(t, filepath.Join(dir, "signed.yaml"), `
identity: ani
signature: {secret: `+flowSecret+`}
rules: [{respond: {ok: true}}]
fallback: {ok: false}
`)
	jdstest.WriteFile(t, filepath.Join(dir, "fragile.yaml"), `
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
			"accountSid": "AC0123456789abcdef0123456789abcdef", "authToken": "secret", "from": "+15550100000", "baseURL": partner.URL}},
			{Name: "callback", Kind: "log"}}
	})
	return e, partner
}

var flowToken = jdstest.Token("flow", "rw", ws)

// call posts a caller's number to a flow and returns its answer.
func (e *env) call(flow string, body any) (map[string]any, jdstest.Response) {
	e.t.Helper()
	r := e.Do("POST", "/v1/flows/"+flow, flowToken, body)
	if r.Status != 200 {
		e.t.Fatalf("flow %s: %d %s", flow, r.Status, r.Body)
	}
	return r.JSON(e.t), r
}

func TestFlowAccess(t *testing.T) {
	c := &jdstest.Clock{}
	c.Set(time.Now())
	e, _ := startFlows(t, c)
	// Webex Connect checks a webhook with HEAD before saving it: no token needed.
	if r := e.Do("HEAD", "/v1/flows/payment-reminder", "", nil); r.Status != 200 {
		t.Errorf("HEAD: %d", r.Status)
	}
	body := map[string]any{"ani": "12263762555"}
	for _, tc := range []struct {
		name, path, tok string
		status          int
		msg             string
	}{
		{"no token", "/v1/flows/repeat-caller", "", 401, "missing token"},
		{"another service", "/v1/flows/repeat-caller", jdstest.Token("tape", "r", ws), 403, ""},
		{"another workspace", "/v1/flows/repeat-caller?workspaceId=" + ws, jdstest.Token("flow", "rw", "other"), 403, ""},
		{"unknown flow", "/v1/flows/nope", flowToken, 404, `no flow named \"nope\"`},
		{"a flow that writes needs w", "/v1/flows/after-hours", jdstest.Token("flow", "r", ws), 403, ""},
	} {
		r := e.Do("POST", tc.path, tc.tok, body)
		if r.Status != tc.status || !strings.Contains(string(r.Body), tc.msg) {
			t.Errorf("%s: %d %s", tc.name, r.Status, r.Body)
		}
	}
	// A flow that only reads takes a read token.
	if r := e.Do("POST", "/v1/flows/repeat-caller", jdstest.Token("flow", "r", ws), body); r.Status != 200 {
		t.Errorf("read-only flow with an r token: %d %s", r.Status, r.Body)
	}
	if r := e.Do("POST", "/v1/flows/repeat-caller", flowToken, "[1,2]"); r.Status != 400 || !strings.Contains(string(r.Body), "body: expected a JSON object") {
		t.Errorf("a body that is not an object: %d %s", r.Status, r.Body)
	}
}

// Use case 1, the forgetful payer, through HTTP: each notice changes what the IVR does,
// and a payment closes the loop. The flow reads the request from JSON, a form or the
// query string alike.
func TestFlowPaymentReminder(t *testing.T) {
	c := &jdstest.Clock{}
	c.Set(time.Date(2023, 4, 10, 9, 0, 0, 0, time.UTC))
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
	if r.Header.Get("X-JDS-Flow-Rule") != "first notice" || r.Header.Get("X-JDS-Person-ID") == "" {
		t.Errorf("headers: %v", r.Header)
	}
	// The reminder is on the caller's journey.
	h := e.Do("GET", historyPath("12263762555", "&top=1"), admin, nil)
	if !strings.Contains(string(h.Body), `"Reminder Played"`) {
		t.Errorf("the reminder event is not in the history: %s", h.Body)
	}

	e.post(ev("pay-2", "Payment", "+12263762555", "phone",
		map[string]any{"category": "Water", "status": "overdue", "Notification": "2", "Past Due Amount": "$560.10"}))
	form := e.Do("POST", "/v1/flows/payment-reminder", flowToken, "ani=%2B1+226+376+2555", "Content-Type", "application/x-www-form-urlencoded")
	if form.Status != 200 || form.JSON(t)["route"] != "agent" {
		t.Errorf("second notice, form post: %d %s", form.Status, form.Body)
	}
	e.post(ev("pay-3", "Payment", "+12263762555", "phone", map[string]any{"category": "Water", "status": "paid"}))
	get := e.Do("GET", "/v1/flows/payment-reminder?ani=12263762555", flowToken, nil)
	if get.Status != 200 || get.JSON(t)["route"] != "menu" {
		t.Errorf("paid, GET: %d %s", get.Status, get.Body)
	}
}

// Use case 2, the repeat caller: the sixth call in a day is offered a callback.
func TestFlowRepeatCaller(t *testing.T) {
	c := &jdstest.Clock{}
	t0 := time.Date(2023, 4, 1, 12, 0, 0, 0, time.UTC)
	c.Set(t0)
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
	c.Add(24 * time.Hour)
	if got, _ := e.call("repeat-caller", caller); got["offerCallback"] != false || got["callsToday"] != 0.0 {
		t.Errorf("a day later: %v", got)
	}
}

// Use case 3, the late-night caller: the flow writes the Closed Queue event, and the
// sample journey action texts the caller through the sms connector.
func TestFlowAfterHoursTextsTheCaller(t *testing.T) {
	c := &jdstest.Clock{}
	c.Set(time.Date(2023, 4, 1, 23, 30, 0, 0, time.UTC))
	e, partner := startFlows(t, c)
	got, r := e.call("after-hours", map[string]any{"ani": "226-376-2555", "queue": "Billing"})
	if got["route"] != "closed" || r.Header.Get("X-JDS-Person-ID") == "" {
		t.Fatalf("answer: %v %v", got, r.Header)
	}
	jdstest.WaitFor(t, "the SMS", func() bool { return len(partner.Received()) == 1 })
	sms, err := url.ParseQuery(partner.Received()[0])
	if err != nil || sms.Get("To") != "+12263762555" || !strings.Contains(sms.Get("Body"), "call you back") {
		t.Errorf("SMS delivery (a Twilio form post): %s", partner.Received()[0])
	}
	// A withheld number is an unknown caller: the flow answers, and records nothing.
	got, r = e.call("after-hours", map[string]any{"ani": "anonymous"})
	if got["route"] != "closed" || r.Header.Get("X-JDS-Flow-Rule") != "closed" || !strings.HasPrefix(r.Header.Get("X-JDS-Caller"), "unknown") {
		t.Errorf("withheld caller: %v %v", got, r.Header)
	}
	if h := e.Do("GET", historyPath("anonymous", ""), admin, nil); !strings.Contains(string(h.Body), `"data":[]`) {
		t.Errorf("an event was written for a withheld caller: %s", h.Body)
	}
	h := e.Do("GET", historyPath("+12263762555", ""), admin, nil)
	if !strings.Contains(string(h.Body), `"queue":"Billing"`) || !strings.Contains(string(h.Body), `"Closed Queue"`) {
		t.Errorf("history: %s", h.Body)
	}
}

// A flow that fails still answers: the fallback, with 200, and the reason in a header
// and the log. The caller is never left hanging.
func TestFlowFallback(t *testing.T) {
	c := &jdstest.Clock{}
	c.Set(time.Now())
	e, _ := startFlows(t, c)
	got, r := e.call("fragile", map[string]any{"caller": map[string]any{"number": "+12263762555"}, "code": "abc"})
	if got["route"] != "agent" || !strings.Contains(r.Header.Get("X-JDS-Fallback"), "bindings.code") {
		t.Errorf("failed binding: %v %q", got, r.Header.Get("X-JDS-Fallback"))
	}
	got, r = e.call("fragile", map[string]any{"code": 3})
	if got["route"] != "agent" || !strings.Contains(r.Header.Get("X-JDS-Fallback"), `no "caller.number"`) {
		t.Errorf("no identity: %v %q", got, r.Header.Get("X-JDS-Fallback"))
	}
	// A number sent as a JSON number is a number all the same.
	got, _ = e.call("fragile", map[string]any{"caller": map[string]any{"number": 12263762555}, "code": 3})
	if got["route"] != "queue-3" || got["caller"] != "unknown" {
		t.Errorf("nested identity field: %v", got)
	}
	m := e.Do("GET", "/metrics", "", nil)
	if !strings.Contains(string(m.Body), `jds_flow_decisions_total{answer="fallback",flow="fragile"} 2`) {
		t.Errorf("fallbacks are not counted")
	}
}

// Callers that sign: the HMAC over timestamp and body must match, be fresh, and be
// used once.
func TestFlowSignature(t *testing.T) {
	c := &jdstest.Clock{}
	now := time.Now()
	c.Set(now)
	e, _ := startFlows(t, c)
	body := []byte(`{"ani":"12263762555"}`)
	post := func(headers ...string) jdstest.Response {
		return e.Do("POST", "/v1/flows/signed", flowToken, body, headers...)
	}
	if r := post(); r.Status != 401 || !strings.Contains(string(r.Body), "missing webhook-id header") {
		t.Errorf("unsigned: %d %s", r.Status, r.Body)
	}
	// sign returns the Standard Webhooks headers of the body, signed at a time.
	sign := func(secret, id string, at time.Time) []string {
		key, err := connectors.DecodeStandardWebhooksSecret(secret)
		if err != nil {
			t.Fatal(err)
		}
		ts := strconv.FormatInt(at.Unix(), 10)
		return []string{"webhook-id", id, "webhook-timestamp", ts, "webhook-signature", connectors.StandardWebhooksSignature(key, id, ts, body)}
	}
	signed := sign(flowSecret, "msg-1", now)
	if r := post(signed...); r.Status != 200 || r.JSON(t)["ok"] != true {
		t.Errorf("signed: %d %s", r.Status, r.Body)
	}
	if r := post(signed...); r.Status != 401 || !strings.Contains(string(r.Body), "replay") {
		t.Errorf("replayed: %d %s", r.Status, r.Body)
	}
	if r := post(sign(flowSecret, "msg-2", now.Add(-time.Hour))...); r.Status != 401 || !strings.Contains(string(r.Body), "outside the 5m0s window around the server's time") {
		t.Errorf("stale: %d %s", r.Status, r.Body)
	}
	if r := post(sign("whsec_"+base64.StdEncoding.EncodeToString([]byte("another-secret-of-24-bytes")), "msg-3", now)...); r.Status != 401 || !strings.Contains(string(r.Body), "does not match") {
		t.Errorf("wrong secret: %d %s", r.Status, r.Body)
	}
}

// A broken flow file never replaces the working flows; the reload says what is wrong.
func TestFlowReloadKeepsTheWorkingSet(t *testing.T) {
	c := &jdstest.Clock{}
	c.Set(time.Now())
	e, _ := startFlows(t, c)
	adminRW := jdstest.Token("admin", "rw", "*")
	jdstest.WriteFile(t, filepath.Join(e.Config.FlowsDir, "after-hours.yaml"), "identity: ani\nrules: [{respond: {route: closed}, when: 'nope'}]\nfallback: {route: closed}\n")
	r := e.Do("POST", "/admin/v1/api/flows/reload", adminRW, nil)
	if r.Status != 422 || !strings.Contains(string(r.Body), "after-hours.yaml:2:") || !strings.Contains(string(r.Body), "unknown name nope") {
		t.Fatalf("broken reload: %d %s", r.Status, r.Body)
	}
	if got, _ := e.call("after-hours", map[string]any{"ani": "12263762555"}); got["route"] != "closed" {
		t.Errorf("the old flow no longer answers: %v", got)
	}
	jdstest.WriteFile(t, filepath.Join(e.Config.FlowsDir, "after-hours.yaml"), "identity: ani\nrules: [{respond: {route: open}}]\nfallback: {route: closed}\n")
	if r := e.Do("POST", "/admin/v1/api/flows/reload", adminRW, nil); r.Status != 200 || !strings.Contains(string(r.Body), `"flows":5`) {
		t.Fatalf("good reload: %d %s", r.Status, r.Body)
	}
	if got, _ := e.call("after-hours", map[string]any{"ani": "12263762555"}); got["route"] != "open" {
		t.Errorf("the new flow does not answer: %v", got)
	}
	st := e.Do("GET", "/admin/v1/api/flows", adminRW, nil)
	if !strings.Contains(string(st.Body), url.PathEscape("after-hours.yaml")) || !strings.Contains(string(st.Body), `"ok":true`) {
		t.Errorf("status: %s", st.Body)
	}
	// The flows in force, as the console lists them.
	list := e.Do("GET", "/admin/v1/api/flows/workspace-id/"+ws, jdstest.Token("flow", "r", ws), nil)
	var flowsList struct {
		Data []struct {
			Name, URL      string
			Writes, Signed bool
		}
	}
	json.Unmarshal(list.Body, &flowsList)
	var names []string
	for _, f := range flowsList.Data {
		names = append(names, f.Name)
		if f.Name == "signed" && (!f.Signed || f.URL != "/v1/flows/signed") || f.Name == "payment-reminder" && !f.Writes {
			t.Errorf("flow %+v", f)
		}
	}
	if list.Status != 200 || strings.Join(names, ",") != "after-hours,fragile,payment-reminder,repeat-caller,signed" {
		t.Errorf("flows listed: %d %s", list.Status, list.Body)
	}
}
