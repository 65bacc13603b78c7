package server_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/openjds/jds/config"
	"github.com/openjds/jds/connectors"
	"github.com/openjds/jds/connectors/inbound"
	"github.com/openjds/jds/internal/jdstest"
)

var whsec = "whsec_" + base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))

const twilioURL = "https://jds.example.com/v1/connectors/sms-replies/webhook"

// inboundConfig configures one inbound webhook of each scheme and mapping.
func inboundConfig(t *testing.T) func(*config.Config) {
	t.Setenv("TEST_TWILIO_TOKEN", "twilio-auth-token")
	doc := `
- name: crm
  kind: webhook
  organization: ` + org + `
  workspace: ` + ws + `
  verify: {scheme: standardwebhooks, secret: "` + whsec + `"}
  mapping:
    items: body.events
    when: item.kind != "ping"
    id: item.eventId
    type: '"CRM " + item.kind'
    source: '"crm"'
    identity: item.customer?.phone
    identitytype: '"phone"'
    time: millis(item.at)
    data: '{"status": item.status, "channelType": "CRM", "origin": "CRM", "via": headers["x-crm-region"]}'
- name: connect
  kind: webhook
  organization: ` + org + `
  workspace: ` + ws + `
  verify: {scheme: hubsignature, secret: hub-secret-of-16-bytes}
  mapping:
    id: '"connect:" + body.messageId'
    type: '"Connect Message"'
    identity: body.from
    identitytype: '"phone"'
- name: sms-replies
  kind: webhook
  organization: ` + org + `
  workspace: ` + ws + `
  verify: {scheme: twilio, secret: "${TEST_TWILIO_TOKEN}", url: "` + twilioURL + `"}
  mapping: {builtin: twiliosms}
- name: wxcc
  kind: webhook
  organization: ` + org + `
  workspace: ` + ws + `
  verify: {scheme: token, secret: wxcc-token-of-16-bytes}
  mapping: {builtin: webexcc}
- name: wxcc-subscription
  kind: webhook
  organization: ` + org + `
  workspace: ` + ws + `
  verify: {scheme: webexcc, secret: wxcc-subscription-secret}
  mapping: {builtin: webexcc}
- name: trusted
  kind: webhook
  organization: ` + org + `
  workspace: ` + ws + `
  verify: {scheme: sas}
  mapping: {type: '"Trusted"', identity: body.email, identitytype: '"email"'}
`
	var in []connectors.Instance
	if err := yaml.Unmarshal([]byte(doc), &in); err != nil {
		t.Fatal(err)
	}
	return func(c *config.Config) { c.Inbound = in }
}

// webhook posts body to the inbound webhook name, without a token.
func (e *env) webhook(name, contentType, body string, headers ...string) jdstest.Response {
	e.t.Helper()
	return e.Do("POST", "/v1/connectors/"+name+"/webhook", "", body, append([]string{"Content-Type", contentType}, headers...)...)
}

// journey is the ids of an identity's events, newest first.
func (e *env) journey(identity string) []string {
	e.t.Helper()
	return eventIDs(e.t, e.Do("GET", "/v1/api/events/workspace-id/"+ws+"?identity="+url.QueryEscape(identity), admin, nil))
}

func signStd(id string, ts time.Time, body string) []string {
	key, _ := connectors.DecodeStandardWebhooksSecret(whsec)
	t := strconv.FormatInt(ts.Unix(), 10)
	return []string{"webhook-id", id, "webhook-timestamp", t,
		"webhook-signature", connectors.StandardWebhooksSignature(key, id, t, []byte(body))}
}

func wantStatus(t *testing.T, r jdstest.Response, status int, contains string) {
	t.Helper()
	if r.Status != status || !strings.Contains(string(r.Body), contains) {
		t.Fatalf("status %d, want %d with %q: %s", r.Status, status, contains, r.Body)
	}
}

func TestInboundHead(t *testing.T) {
	e := start(t, inboundConfig(t))
	if r := e.Do("HEAD", "/v1/connectors/crm/webhook", "", nil); r.Status != 200 {
		t.Errorf("HEAD = %d", r.Status)
	}
	if r := e.Do("HEAD", "/v1/connectors/nope/webhook", "", nil); r.Status != 404 {
		t.Errorf("HEAD of an unknown name = %d", r.Status)
	}
	wantStatus(t, e.webhook("nope", "application/json", `{}`), 404, `no inbound webhook \"nope\"`)
}

// TestInboundStandardWebhooks: our own outbound webhook connector is a Standard
// Webhooks sender the inbound side accepts; bad signatures, old timestamps and
// replays are refused and store nothing; a retry is a duplicate.
func TestInboundStandardWebhooks(t *testing.T) {
	e := start(t, inboundConfig(t))
	body := `{"events": [
	  {"eventId": "crm-1", "kind": "Case Opened", "status": "open", "at": 1714564800000, "customer": {"phone": "+1 555 555 0100"}},
	  {"eventId": "crm-ping", "kind": "ping"},
	  {"eventId": "crm-2", "kind": "Case Closed", "status": "closed", "at": 1714568400000, "customer": {"phone": "555-555-0100"}}]}`

	// The outbound webhook kind signs; the inbound webhook verifies.
	senders, err := connectors.Build([]connectors.Instance{{Name: "out", Kind: "webhook", Config: map[string]any{
		"url": e.URL + "/v1/connectors/crm/webhook", "signingSecret": whsec, "headers": map[string]any{"X-CRM-Region": "eu"}}}},
		connectors.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer connectors.Close(senders)
	out := senders["out"].Send(context.Background(), connectors.Delivery{ID: "msg_1", Attempt: 1, Body: body})
	if !out.OK() || out.Status != 202 || !strings.Contains(out.Response, `"accepted":2`) || !strings.Contains(out.Response, `"skipped":1`) {
		t.Fatalf("signed delivery: %+v", out)
	}
	if got := e.journey("+15555550100"); fmt.Sprint(got) != "[crm-2 crm-1]" {
		t.Errorf("journey = %v", got)
	}
	r := e.Do("GET", "/v1/api/events/workspace-id/"+ws+"?identity=%2B15555550100&top=1", admin, nil)
	if !strings.Contains(string(r.Body), `"time":"2024-05-01T13:00:00.000Z"`) || !strings.Contains(string(r.Body), `"via":"eu"`) {
		t.Errorf("mapped event: %s", r.Body)
	}

	one := `{"events": [{"eventId": "crm-3", "kind": "Case Opened", "at": 1714564800000, "customer": {"phone": "+15550199"}}]}`
	now := time.Now()
	bad := signStd("msg_2", now, one)
	bad[5] = "v1," + base64.StdEncoding.EncodeToString(make([]byte, 32))
	wantStatus(t, e.webhook("crm", "application/json", one, bad...), 401, "webhook-signature does not match")
	wantStatus(t, e.webhook("crm", "application/json", one+" ", signStd("msg_2", now, one)...), 401, "does not match")
	wantStatus(t, e.webhook("crm", "application/json", one), 401, "missing webhook-id")
	wantStatus(t, e.webhook("crm", "application/json", one, signStd("msg_2", now.Add(-6*time.Minute), one)...), 401, "outside the 5m0s window")
	wantStatus(t, e.webhook("crm", "application/json", one, signStd("msg_2", now.Add(6*time.Minute), one)...), 401, "outside the 5m0s window")
	if got := e.journey("+15550199"); len(got) != 0 {
		t.Fatalf("refused requests stored %v", got)
	}

	signed := signStd("msg_2", now, one)
	wantStatus(t, e.webhook("crm", "application/json", one, signed...), 202, `"duplicates":0`)
	wantStatus(t, e.webhook("crm", "application/json", one, signed...), 409, `webhook-id \"msg_2\"`)
	// A retry is signed anew: accepted, and a duplicate of the stored event.
	wantStatus(t, e.webhook("crm", "application/json", one, signStd("msg_2", now.Add(time.Second), one)...), 202, `"duplicates":1`)
	if got := e.journey("+15550199"); fmt.Sprint(got) != "[crm-3]" {
		t.Errorf("journey = %v", got)
	}

	// A payload the mapping cannot turn into an event: 400 naming the field, nothing stored.
	broken := `{"events": [{"eventId": "crm-4", "kind": "Case Opened", "at": 1714564800000, "customer": {}},
	  {"eventId": "crm-5", "kind": "Case Opened", "at": "soon", "customer": {"phone": "+15550177"}}]}`
	r = e.webhook("crm", "application/json", broken, signStd("msg_3", now, broken)...)
	wantStatus(t, r, 400, "[0] identity: mapping.identity gave no value")
	wantStatus(t, r, 400, "[1] time: mapping.time: millis: soon is not a number")
	if got := e.journey("+15550177"); len(got) != 0 {
		t.Errorf("a refused payload stored %v", got)
	}
	notJSON := `{"events": [`
	wantStatus(t, e.webhook("crm", "application/json", notJSON, signStd("msg_4", now, notJSON)...), 400, "body: invalid JSON")
}

func hubSign(secret, body string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(body))
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// TestInboundHubSignature: Webex Connect's x-hub-signature over the raw body.
func TestInboundHubSignature(t *testing.T) {
	e := start(t, inboundConfig(t))
	body := `{"messageId": "m-77", "from": "+15550142", "message": "hello"}`
	wantStatus(t, e.webhook("connect", "application/json", body, "x-hub-signature", hubSign("wrong", body)), 401, "x-hub-signature does not match")
	wantStatus(t, e.webhook("connect", "application/json", body), 401, "missing x-hub-signature")
	if got := e.journey("+15550142"); len(got) != 0 {
		t.Fatalf("stored %v", got)
	}
	wantStatus(t, e.webhook("connect", "application/json", body, "x-hub-signature", hubSign("hub-secret-of-16-bytes", body)), 202, `"accepted":1`)
	// The same message again: the id comes from the payload, so it is a duplicate.
	wantStatus(t, e.webhook("connect", "application/json", body, "x-hub-signature", hubSign("hub-secret-of-16-bytes", body)), 202, `"duplicates":1`)
	if got := e.journey("+15550142"); fmt.Sprint(got) != "[connect:m-77]" {
		t.Errorf("journey = %v", got)
	}
	// The mapping's default data is the payload itself.
	r := e.Do("GET", "/v1/api/events/workspace-id/"+ws+"?identity=%2B15550142", admin, nil)
	if !strings.Contains(string(r.Body), `"message":"hello"`) || !strings.Contains(string(r.Body), `"source":"inbound/connect"`) {
		t.Errorf("event: %s", r.Body)
	}
}

// TestInboundTwilioSMS: Twilio's form post, signed over the URL as configured (not
// the one the server sees behind a proxy), becomes an SMS Reply event.
func TestInboundTwilioSMS(t *testing.T) {
	e := start(t, inboundConfig(t))
	form := url.Values{"MessageSid": {"SM0001"}, "AccountSid": {"AC1"}, "From": {"+15550111"},
		"To": {"+15550100"}, "Body": {"Tomorrow at 10"}, "NumMedia": {"0"}}
	sig := inbound.TwilioSignature([]byte("twilio-auth-token"), twilioURL, form)
	ct := "application/x-www-form-urlencoded"

	wantStatus(t, e.webhook("sms-replies", ct, form.Encode(), "X-Twilio-Signature", inbound.TwilioSignature([]byte("other"), twilioURL, form)), 401, "X-Twilio-Signature does not match")
	tampered := url.Values{}
	for k, v := range form {
		tampered[k] = v
	}
	tampered.Set("Body", "Never")
	wantStatus(t, e.webhook("sms-replies", ct, tampered.Encode(), "X-Twilio-Signature", sig), 401, "does not match")
	if got := e.journey("+15550111"); len(got) != 0 {
		t.Fatalf("stored %v", got)
	}

	r := e.webhook("sms-replies", ct, form.Encode(), "X-Twilio-Signature", sig)
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/xml") || !strings.Contains(string(r.Body), "<Response></Response>") {
		t.Fatalf("TwiML answer: %d %s %s", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	h := e.Do("GET", "/v1/api/events/workspace-id/"+ws+"?identity=15550111", admin, nil)
	for _, want := range []string{`"id":"twilio:SM0001"`, `"type":"SMS Reply"`, `"identitytype":"phone"`, `"body":"Tomorrow at 10"`, `"channelType":"SMS"`} {
		if !strings.Contains(string(h.Body), want) {
			t.Errorf("event lacks %s: %s", want, h.Body)
		}
	}

	noFrom := url.Values{"MessageSid": {"SM0002"}, "Body": {"hi"}}
	wantStatus(t, e.webhook("sms-replies", ct, noFrom.Encode(), "X-Twilio-Signature", inbound.TwilioSignature([]byte("twilio-auth-token"), twilioURL, noFrom)),
		400, "identity: mapping.identity gave no value")
}

// TestInboundWebexCC: Webex Contact Center task events become events keyed by the
// caller's ANI with channel type, queue and agent; other events are skipped.
func TestInboundWebexCC(t *testing.T) {
	e := start(t, inboundConfig(t))
	task := func(id, typ, extra string) string {
		return `{"id": "` + id + `", "specversion": "1.0", "type": "` + typ + `", "source": "/com/cisco/wxcc/sub-1",
		  "orgId": "org-1", "createdTime": 1714564800000,
		  "data": {"taskId": "task-9", "origin": "+14085550123", "destination": "+18005550100",
		    "channelType": "telephony", "direction": "inbound", "queueId": "q-billing"` + extra + `}}`
	}
	auth := []string{"Authorization", "Bearer wxcc-token-of-16-bytes"}
	wantStatus(t, e.webhook("wxcc", "application/json", task("ev-1", "task:new", "")), 401, "missing Authorization")
	wantStatus(t, e.webhook("wxcc", "application/json", task("ev-1", "task:new", ""), "Authorization", "Bearer nope"), 401, "does not hold the configured token")
	wantStatus(t, e.webhook("wxcc", "application/json", task("ev-1", "task:new", ""), auth...), 202, `"accepted":1`)
	wantStatus(t, e.webhook("wxcc", "application/json", task("ev-2", "task:connected", `, "ownerId": "agent-7"`), auth...), 202, `"accepted":1`)
	wantStatus(t, e.webhook("wxcc", "application/json", task("ev-3", "task:ended", `, "ownerId": "agent-7", "terminatingParty": "Customer"`), auth...), 202, `"accepted":1`)
	agent := `{"id": "ev-4", "type": "agent:state_change", "data": {"agentId": "agent-7"}}`
	wantStatus(t, e.webhook("wxcc", "application/json", agent, auth...), 202, `"skipped":1`)

	if got := e.journey("4085550123"); fmt.Sprint(got) != "[ev-3 ev-2 ev-1]" && fmt.Sprint(got) != "[ev-1 ev-2 ev-3]" {
		// Equal times keep commit order, newest first.
		t.Errorf("journey = %v", got)
	}
	r := e.Do("GET", "/v1/api/events/workspace-id/"+ws+"?identity=%2B14085550123&filter="+url.QueryEscape("type eq 'task:connected'"), admin, nil)
	var body struct{ Data []map[string]any }
	if err := json.Unmarshal(r.Body, &body); err != nil || len(body.Data) != 1 {
		t.Fatalf("%v: %s", err, r.Body)
	}
	ev := body.Data[0]
	d, _ := ev["data"].(map[string]any)
	if ev["identitytype"] != "phone" || ev["source"] != "wxcc" || ev["time"] != "2024-05-01T12:00:00.000Z" ||
		d["channelType"] != "telephony" || d["queue"] != "q-billing" || d["agent"] != "agent-7" || d["taskId"] != "task-9" {
		t.Errorf("event = %v", ev)
	}
}

// TestInboundWebexCCSubscription: what a WxCC subscription posts (CloudEvents envelopes
// with comciscotimestamp, signed with X-WebexCC-Signature, v2 with X-WebexCC-Timestamp)
// is verified and mapped: the event's time is its comciscotimestamp, task-message:*
// events count, agent events without a customer are skipped.
func TestInboundWebexCCSubscription(t *testing.T) {
	e := start(t, inboundConfig(t))
	at := time.Now().Add(-time.Minute).Truncate(time.Millisecond)
	created := at.Add(-10 * time.Minute)
	envelope := func(id, typ string, ts time.Time, data string) string {
		return fmt.Sprintf(`{"id": %q, "specversion": "1.0", "type": %q, "source": "/com/cisco/wxcc/sub-7",
		  "comciscoorgid": "org-1", "comciscotimestamp": %d, "datacontenttype": "application/json", "data": %s}`,
			id, typ, ts.UnixMilli(), data)
	}
	task := fmt.Sprintf(`{"taskId": "task-9", "origin": "+14085550177", "destination": "+18005550100",
	  "channelType": "telephony", "direction": "INBOUND", "createdTime": %d, "queueId": "q-billing"}`, created.UnixMilli())
	sign := func(body string, ts ...time.Time) []string {
		m := hmac.New(sha256.New, []byte("wxcc-subscription-secret"))
		m.Write([]byte(body))
		h := []string{"X-WebexCC-Signature", hex.EncodeToString(m.Sum(nil))}
		for _, t := range ts {
			h = append(h, "X-WebexCC-Timestamp", strconv.FormatInt(t.UnixMilli(), 10), "X-WebexCC-Webhook-Version", "2")
		}
		return h
	}
	post := func(body string, headers ...string) jdstest.Response {
		return e.webhook("wxcc-subscription", "application/json", body, headers...)
	}
	newTask := envelope("ev-1", "task:new", at, task)
	wantStatus(t, post(newTask), 401, "missing x-webexcc-signature header")
	wantStatus(t, post(newTask, "X-WebexCC-Signature", strings.Repeat("ab", 32)), 401, "x-webexcc-signature does not match")
	wantStatus(t, post(newTask, sign(newTask, at.Add(time.Second))...), 401, "is not the body's comciscotimestamp")
	stale := envelope("ev-0", "task:new", at.Add(-time.Hour), task)
	wantStatus(t, post(stale, sign(stale, at.Add(-time.Hour))...), 401, "outside the 5m0s window")
	wantStatus(t, post(newTask, sign(newTask, at)...), 202, `"accepted":1`)
	// A v1 subscription signs without a timestamp.
	ended := envelope("ev-2", "task:ended", at.Add(30*time.Second), strings.Replace(task, `}`, `, "reason": "Normal", "terminatingParty": "Customer"}`, 1))
	wantStatus(t, post(ended, sign(ended)...), 202, `"accepted":1`)
	msg := envelope("ev-3", "task-message:appended", at.Add(10*time.Second), task)
	wantStatus(t, post(msg, sign(msg, at.Add(10*time.Second))...), 202, `"accepted":1`)
	agent := envelope("ev-4", "agent:state_change", at, `{"agentId": "agent-7", "teamId": "team-1", "currentState": "wrapup"}`)
	wantStatus(t, post(agent, sign(agent, at)...), 202, `"skipped":1`)

	r := e.Do("GET", "/v1/api/events/workspace-id/"+ws+"?identity=%2B14085550177", admin, nil)
	var body struct {
		Data []struct {
			ID, Type, Time, Source string
			Data                   map[string]any
		}
	}
	if err := json.Unmarshal(r.Body, &body); err != nil || len(body.Data) != 3 {
		t.Fatalf("%v: %s", err, r.Body)
	}
	for i, want := range []struct {
		id string
		at time.Time
	}{{"ev-2", at.Add(30 * time.Second)}, {"ev-3", at.Add(10 * time.Second)}, {"ev-1", at}} {
		got := body.Data[i]
		if got.ID != want.id || got.Time != want.at.UTC().Format("2006-01-02T15:04:05.000Z") || got.Source != "wxcc" || got.Data["taskId"] != "task-9" {
			t.Errorf("event %d: %+v, want %s at %s (its comciscotimestamp)", i, got, want.id, want.at.UTC())
		}
	}
}

// TestInboundSAS: scheme sas takes a jds token with ds write on the workspace.
func TestInboundSAS(t *testing.T) {
	e := start(t, inboundConfig(t))
	body := `{"email": "Bob@Example.com"}`
	wantStatus(t, e.webhook("trusted", "application/json", body), 401, "missing token")
	wantStatus(t, e.webhook("trusted", "application/json", body, "Authorization", jdstest.Token("ds", "r", ws)), 403, "")
	wantStatus(t, e.webhook("trusted", "application/json", body, "Authorization", jdstest.Token("ds", "w", ws)), 202, `"accepted":1`)
	if got := e.journey("bob@example.com"); len(got) != 1 {
		t.Errorf("journey = %v", got)
	}
}

// TestInboundPollerJob: a poller runs as the scheduled job "poll:<name>", pages with its
// cursor, and after a restart on the same data directory resumes from the stored cursor.
func TestInboundPollerJob(t *testing.T) {
	var seen []string
	var mu sync.Mutex
	fail := atomic.Bool{}
	partner := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fail.Load() {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		mu.Lock()
		seen = append(seen, r.URL.Query().Get("since"))
		mu.Unlock()
		since, _ := strconv.Atoi(r.URL.Query().Get("since"))
		if since >= 3 {
			fmt.Fprintf(w, `{"calls": [], "last": %d}`, since)
			return
		}
		fmt.Fprintf(w, `{"calls": [{"n": %d, "ani": "+1555020%d"}], "last": %d}`, since+1, since+1, since+1)
	}))
	defer partner.Close()
	doc := `
- name: dialer
  kind: poll
  organization: ` + org + `
  workspace: ` + ws + `
  schedule: "@every 1h"
  url: ` + partner.URL + `/calls
  cursorParam: since
  initialCursor: "0"
  maxPages: 2
  mapping:
    items: body.calls
    id: '"dialer-" + string(item.n)'
    type: '"Outbound Call"'
    identity: item.ani
    identitytype: '"phone"'
    cursor: body.last
`
	var in []connectors.Instance
	if err := yaml.Unmarshal([]byte(doc), &in); err != nil {
		t.Fatal(err)
	}
	e := start(t, func(c *config.Config) { c.Inbound = in })
	ctx := context.Background()
	if err := e.Service.Jobs().RunNow(ctx, "poll:dialer"); err != nil {
		t.Fatal(err)
	}
	e.Restart()
	if err := e.Service.Jobs().RunNow(ctx, "poll:dialer"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	got := strings.Join(seen, ",")
	mu.Unlock()
	if got != "0,1,2,3" { // two pages a run; the second run starts from the stored cursor
		t.Errorf("cursors = %s", got)
	}
	for i := 1; i <= 3; i++ {
		if ids := e.journey("+1555020" + strconv.Itoa(i)); fmt.Sprint(ids) != fmt.Sprintf("[dialer-%d]", i) {
			t.Errorf("call %d: %v", i, ids)
		}
	}
	fail.Store(true)
	if err := e.Service.Jobs().RunNow(ctx, "poll:dialer"); err == nil || !strings.Contains(err.Error(), "502") {
		t.Errorf("partner failure: %v", err)
	}
	r := e.Do("GET", "/admin/v1/api/jobs/poll:dialer", admin, nil)
	wantStatus(t, r, 200, `"lastError":"poller \"dialer\": GET http://`)
}

// twilioSign signs a request the way Twilio documents it, written here apart from
// inbound's code: the base64 HMAC-SHA1, keyed with the auth token, of the URL followed
// by each form parameter, sorted by name, as name and value.
func twilioSign(token, fullURL string, form url.Values) string {
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	s := fullURL
	for _, k := range keys {
		for _, v := range form[k] {
			s += k + v
		}
	}
	m := hmac.New(sha1.New, []byte(token))
	m.Write([]byte(s))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// TestInboundTwilioJSONAndPorts: Twilio signs a JSON body (Studio, Event Streams) over
// the URL with bodySHA256, the body's hash, in its query; the body must match it, and a
// body without it is refused. The URL may be signed with or without its default port,
// as Twilio's own validators accept.
func TestInboundTwilioJSONAndPorts(t *testing.T) {
	var in []connectors.Instance
	if err := yaml.Unmarshal([]byte(`
- name: studio
  kind: webhook
  organization: `+org+`
  workspace: `+ws+`
  # Twilio's published example: auth token 12345, this URL, and the body below.
  verify: {scheme: twilio, secret: "12345", url: "https://mycompany.com/myapp.php?foo=1&bar=2"}
  mapping: {id: '"studio-" + body.property', type: '"Studio"', identity: body.property, identitytype: '"customerId"'}
- name: sms
  kind: webhook
  organization: `+org+`
  workspace: `+ws+`
  verify: {scheme: twilio, secret: tok, url: "https://jds.example.com/hooks/sms"}
  mapping: {builtin: twiliosms}
- name: sms-port
  kind: webhook
  organization: `+org+`
  workspace: `+ws+`
  verify: {scheme: twilio, secret: tok, url: "http://jds.example.com:80/hooks/sms"}
  mapping: {builtin: twiliosms}
`), &in); err != nil {
		t.Fatal(err)
	}
	e := start(t, func(c *config.Config) { c.Inbound = in })
	post := func(name, query, contentType, body string, headers ...string) jdstest.Response {
		return e.Do("POST", "/v1/connectors/"+name+"/webhook?"+query, "", body, append([]string{"Content-Type", contentType}, headers...)...)
	}

	// Twilio's own test vector for a JSON body.
	const body = `{"property": "value", "boolean": true}`
	const bodyHash = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620"
	sum := sha256.Sum256([]byte(body))
	if hex.EncodeToString(sum[:]) != bodyHash {
		t.Fatal("the vector's hash")
	}
	query := "foo=1&bar=2&bodySHA256=" + bodyHash
	wantStatus(t, post("studio", query, "application/json", body, "X-Twilio-Signature", "a9nBmqA0ju/hNViExpshrM61xv4="), 200, "<Response></Response>")
	wantStatus(t, post("studio", query, "application/json", strings.Replace(body, "true", "false", 1), "X-Twilio-Signature", "a9nBmqA0ju/hNViExpshrM61xv4="),
		401, "bodySHA256 does not match the body")
	// Signed over the URL alone, a JSON body would be anyone's.
	wantStatus(t, post("studio", "foo=1&bar=2", "application/json", `{"property": "forged"}`,
		"X-Twilio-Signature", twilioSign("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", nil)), 401, "needs Twilio's bodySHA256")
	if got := e.journey("value"); fmt.Sprint(got) != "[studio-value]" {
		t.Errorf("stored %v, want the one signed body", got)
	}

	form := url.Values{"MessageSid": {"SM0009"}, "From": {"+15550112"}, "To": {"+15550100"}, "Body": {"Yes"}, "NumMedia": {"0"}}
	ct := "application/x-www-form-urlencoded"
	for _, tc := range []struct {
		name, hook, signedURL string
		status                int
	}{
		{"as configured", "sms", "https://jds.example.com/hooks/sms", 200},
		{"with the default port", "sms", "https://jds.example.com:443/hooks/sms", 200},
		{"with another port", "sms", "https://jds.example.com:8443/hooks/sms", 401},
		{"with the other scheme's port", "sms", "https://jds.example.com:80/hooks/sms", 401},
		{"configured with :80, signed without", "sms-port", "http://jds.example.com/hooks/sms", 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.webhook(tc.hook, ct, form.Encode(), "X-Twilio-Signature", twilioSign("tok", tc.signedURL, form))
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Body)
			}
		})
	}
}
