package server_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/openjds/jds/config"
	"github.com/openjds/jds/connectors"
	"github.com/openjds/jds/internal/jdstest"
)

// Issue 21 (4): contact policies, applied when actions fire, recorded in the history
// with the policy's name, counted by policy and outcome.

// policyEnv runs jds on a clock set at t0 with an "sms" connector (a webhook to a partner that
// accepts everything), a template counting closed-queue calls and an action that texts
// on every one (no cooldown), and the rule file's policies.
func policyEnv(t *testing.T, t0 time.Time, policies string) (*env, *jdstest.Clock, *jdstest.Partner) {
	t.Helper()
	c := &jdstest.Clock{}
	c.Set(t0)
	partner := jdstest.NewPartner(t, 200, "")
	e := startClocked(t, c, func(cfg *config.Config) {
		cfg.Connectors = []connectors.Instance{{Name: "sms", Kind: "webhook", Config: map[string]any{"url": partner.URL}}}
	})
	writeRules(t, e, "sms.yaml", closedQueueTemplate+`
actions:
  - name: Text back
    template: Closed Queue
    isActive: true
    cooldown: 0
    condition: closedQueueCalls >= 1
    actionTriggers:
      - type: Connector
        connector: sms
        attributes:
          body: '{"to": "${person.phone[0]}", "event": "${event.id}"}'
          contentType: application/json
policies:
`+policies)
	e.reloadRules()
	return e, c, partner
}

// postAt posts an event at a past time and returns its person's id.
func (e *env) postAt(id, typ, phone string, at time.Time, data map[string]any) string {
	e.t.Helper()
	r := e.post(ev(id, typ, phone, "phone", data, "time", at.Format(time.RFC3339)))
	if r.Status != 202 {
		e.t.Fatalf("posting %s: %d %s", id, r.Status, r.Body)
	}
	return r.JSON(e.t)["meta"].(map[string]any)["personId"].(string)
}

// smsOptOut is a rule file's policy: STOP and UNSUBSCRIBE opt out of texts, START back in.
const smsOptOut = `
  - name: sms opt-out
    connectors: [sms]
    optOut: {event: SMS Reply, field: body, stopWords: [STOP, UNSUBSCRIBE], startWords: [START]}
`

// heldDelivery is a delivery of the history, as much as these tests read.
type heldDelivery struct {
	PersonID string    `json:"personId"`
	State    string    `json:"state"`
	Due      time.Time `json:"due"`
	Payload  struct {
		EventID string `json:"eventId"`
	} `json:"payload"`
	Policy *struct {
		Name, Outcome, Reason string
		DeferredFrom          time.Time
	} `json:"policy"`
}

// deliveriesByEvent reads the workspace's delivery history (or a person's), by the id
// of the event that fired each.
func (e *env) deliveriesByEvent(person string) map[string]heldDelivery {
	e.t.Helper()
	path := "/admin/v1/api/journey-actions/workspace-id/" + ws + "/history"
	if person != "" {
		path += "?personId=" + person
	}
	r := e.Do("GET", path, jdstest.Token("action", "r", ws), nil)
	var body struct{ Data []heldDelivery }
	if err := json.Unmarshal(r.Body, &body); err != nil {
		e.t.Fatalf("history: %v %s", err, r.Body)
	}
	out := map[string]heldDelivery{}
	for _, d := range body.Data {
		out[d.Payload.EventID] = d
	}
	return out
}

func policyCount(t *testing.T, e *env, policy, outcome string) float64 {
	t.Helper()
	return metric(t, e.metrics(), fmt.Sprintf(`jds_policy_deliveries_total{outcome=%q,policy=%q}`, outcome, policy))
}

// A closed-queue call at 22:00 in New York is texted back at 08:00 there, the end of
// the quiet hours; one whose event names Tokyo as the person's zone (11:00 there) is
// texted at once.
func TestPolicyQuietHoursDefer(t *testing.T) {
	t0 := time.Date(2026, 3, 11, 2, 0, 0, 0, time.UTC) // 22:00 EDT
	e, c, partner := policyEnv(t, t0, `
  - name: sms etiquette
    connectors: [sms]
    quietHours: {from: "21:00", to: "08:00", timezone: America/New_York, timezoneAttribute: tz}
`)
	e.postAt("ny-1", "Closed Queue", "+12125550101", t0.Add(-10*time.Minute), map[string]any{})
	e.postAt("tokyo-1", "Closed Queue", "+12125550102", t0.Add(-5*time.Minute), map[string]any{"tz": "Asia/Tokyo"})
	jdstest.WaitFor(t, "the Tokyo text sent", func() bool { return e.deliveriesByEvent("")["tokyo-1"].State == "sent" })
	d := e.deliveriesByEvent("")["ny-1"]
	morning := time.Date(2026, 3, 11, 12, 0, 0, 0, time.UTC) // 08:00 EDT
	if d.State != "pending" || !d.Due.Equal(morning) || d.Policy == nil || d.Policy.Name != "sms etiquette" ||
		d.Policy.Outcome != "deferred" || d.Policy.Reason != "quietHours" || !d.Policy.DeferredFrom.Equal(t0) {
		t.Fatalf("the New York text: %+v %+v, want pending until %s, deferred by sms etiquette", d, d.Policy, morning)
	}
	if got := len(partner.Requests()); got != 1 {
		t.Fatalf("the partner got %d texts, want only Tokyo's", got)
	}
	if got := policyCount(t, e, "sms etiquette", "deferred"); got != 1 {
		t.Errorf("deferred count %v, want 1", got)
	}
	c.Set(morning.Add(time.Second))
	jdstest.WaitFor(t, "the New York text sent in the morning", func() bool { return e.deliveriesByEvent("")["ny-1"].State == "sent" })
}

// Within a day, the second text to one person is suppressed, recorded and never sent;
// a day later the person may be texted again; another person is not limited by the first.
func TestPolicyMaxPerPersonSuppressesTheSecond(t *testing.T) {
	t0 := time.Date(2026, 3, 11, 15, 0, 0, 0, time.UTC)
	e, c, partner := policyEnv(t, t0, `
  - name: one a day
    connectors: [sms]
    maxPerPerson: {count: 1, per: 24h}
`)
	e.postAt("cq-1", "Closed Queue", "+12125550111", t0.Add(-2*time.Hour), map[string]any{})
	e.postAt("cq-2", "Closed Queue", "+12125550111", t0.Add(-time.Hour), map[string]any{})
	e.postAt("other-1", "Closed Queue", "+12125550112", t0.Add(-time.Hour), map[string]any{})
	jdstest.WaitFor(t, "the first texts sent", func() bool {
		ds := e.deliveriesByEvent("")
		return ds["cq-1"].State == "sent" && ds["other-1"].State == "sent"
	})
	d := e.deliveriesByEvent("")["cq-2"]
	if d.State != "suppressed" || d.Policy == nil || d.Policy.Name != "one a day" || d.Policy.Outcome != "suppressed" || d.Policy.Reason != "maxPerPerson" {
		t.Fatalf("the second text: %+v %+v, want suppressed by one a day", d, d.Policy)
	}
	if got := policyCount(t, e, "one a day", "suppressed"); got != 1 {
		t.Errorf("suppressed count %v, want 1", got)
	}
	c.Add(25 * time.Hour)
	e.postAt("cq-3", "Closed Queue", "+12125550111", t0.Add(24*time.Hour), map[string]any{})
	jdstest.WaitFor(t, "the next day's text sent", func() bool { return e.deliveriesByEvent("")["cq-3"].State == "sent" })
	if got := len(partner.Requests()); got != 3 {
		t.Errorf("the partner got %d texts, want 3", got)
	}
}

// STOP silences a person's texts until START; the opt-out is the person's, and a merge
// carries it to the person they are merged into.
func TestPolicyOptOutStopStartAndMerge(t *testing.T) {
	t0 := time.Date(2026, 3, 11, 15, 0, 0, 0, time.UTC)
	e, _, partner := policyEnv(t, t0, smsOptOut)
	const ann, bob = "+12125550121", "+12125550122"
	annID := e.postAt("stop", "SMS Reply", ann, t0.Add(-5*time.Hour), map[string]any{"body": " stop "})
	e.postAt("ann-1", "Closed Queue", ann, t0.Add(-4*time.Hour), map[string]any{})
	bobID := e.postAt("bob-1", "Closed Queue", bob, t0.Add(-4*time.Hour), map[string]any{})
	jdstest.WaitFor(t, "Bob's text sent", func() bool { return e.deliveriesByEvent(bobID)["bob-1"].State == "sent" })
	d := e.deliveriesByEvent(annID)["ann-1"]
	if d.State != "suppressed" || d.Policy == nil || d.Policy.Name != "sms opt-out" || d.Policy.Reason != "optOut" {
		t.Fatalf("Ann's text after STOP: %+v %+v, want suppressed by sms opt-out", d, d.Policy)
	}

	// Ann turns out to be Bob: merged into him, her STOP is his.
	r := e.Do("POST", "/admin/v1/api/person/merge/workspace-id/"+ws+"/primary-person-id/"+bobID, admin, map[string]any{"personIdsToMerge": []string{annID}})
	if r.Status != 202 {
		t.Fatalf("merge: %d %s", r.Status, r.Body)
	}
	e.postAt("bob-2", "Closed Queue", bob, t0.Add(-3*time.Hour), map[string]any{})
	if d := e.deliveriesByEvent(bobID)["bob-2"]; d.State != "suppressed" || d.Policy == nil || d.Policy.Reason != "optOut" {
		t.Fatalf("Bob's text after the merge: %+v, want suppressed", d)
	}

	// START, from either phone, resumes them.
	e.postAt("start", "SMS Reply", bob, t0.Add(-2*time.Hour), map[string]any{"body": "Start"})
	e.postAt("bob-3", "Closed Queue", ann, t0.Add(-time.Hour), map[string]any{})
	jdstest.WaitFor(t, "the text after START sent", func() bool { return e.deliveriesByEvent(bobID)["bob-3"].State == "sent" })
	if got := len(partner.Requests()); got != 2 {
		t.Errorf("the partner got %d texts, want 2", got)
	}
	if got := policyCount(t, e, "sms opt-out", "suppressed"); got != 2 {
		t.Errorf("suppressed count %v, want 2", got)
	}
}

// A workspace's own policies through the API: checked (connectors, times, zones) with
// each problem's path, listed after the rule files' read-only ones, applied from the
// next event, and removed with an empty list.
func TestPolicyAPI(t *testing.T) {
	t0 := time.Date(2026, 3, 11, 15, 0, 0, 0, time.UTC)
	e, _, _ := policyEnv(t, t0, smsOptOut)
	path := "/admin/v1/api/policies/workspace-id/" + ws
	rw, ro := jdstest.Token("action", "rw", ws), jdstest.Token("action", "r", ws)
	bad := e.Do("PUT", path, rw, []map[string]any{{"name": "x", "connectors": []string{"smss"},
		"quietHours": map[string]any{"from": "25:00", "to": "08:00", "timezone": "Mars/Olympus"}}})
	if bad.Status != 400 {
		t.Fatalf("bad policies: %d %s", bad.Status, bad.Body)
	}
	for _, want := range []string{`[0].connectors[0]: no connector named \"smss\"`, `[0].quietHours.from`, `[0].quietHours.timezone`} {
		if !strings.Contains(string(bad.Body), want) {
			t.Errorf("the refusal lacks %s: %s", want, bad.Body)
		}
	}
	if r := e.Do("PUT", path, rw, []map[string]any{{"name": "SMS opt-out", "connectors": []string{"sms"}, "maxPerPerson": map[string]any{"count": 1, "per": "1d"}}}); r.Status != 400 {
		t.Errorf("a rule file's policy's name: %d %s", r.Status, r.Body)
	}
	if r := e.Do("PUT", path, ro, []map[string]any{}); r.Status != 403 {
		t.Errorf("PUT with a read-only token: %d", r.Status)
	}
	r := e.Do("PUT", path, rw, []map[string]any{{"name": "one a day", "connectors": []string{"sms"}, "maxPerPerson": map[string]any{"count": 1, "per": "1d"}}})
	if r.Status != 200 {
		t.Fatalf("PUT: %d %s", r.Status, r.Body)
	}
	var list struct {
		Data []struct {
			Name     string
			Source   string
			ReadOnly bool
		}
	}
	if err := json.Unmarshal(e.Do("GET", path, ro, nil).Body, &list); err != nil || len(list.Data) != 2 ||
		list.Data[0].Name != "sms opt-out" || !list.Data[0].ReadOnly || list.Data[1].Name != "one a day" || list.Data[1].ReadOnly || list.Data[1].Source != "api" {
		t.Fatalf("GET: %v %+v", err, list)
	}
	// What GET returned may be PUT back: the rule files' entries are skipped.
	var back struct{ Data json.RawMessage }
	if err := json.Unmarshal(e.Do("GET", path, ro, nil).Body, &back); err != nil {
		t.Fatal(err)
	}
	if r := e.Do("PUT", path, rw, back.Data); r.Status != 200 || len(r.JSON(t)["data"].([]any)) != 1 {
		t.Fatalf("PUT of what GET returned: %d %s", r.Status, r.Body)
	}
	e.postAt("cq-1", "Closed Queue", "+12125550131", t0.Add(-2*time.Hour), map[string]any{})
	e.postAt("cq-2", "Closed Queue", "+12125550131", t0.Add(-time.Hour), map[string]any{})
	if d := e.deliveriesByEvent("")["cq-2"]; d.State != "suppressed" || d.Policy == nil || d.Policy.Name != "one a day" {
		t.Fatalf("the second text under the API's policy: %+v", d)
	}
	// Kept across a restart.
	e.Restart()
	if err := json.Unmarshal(e.Do("GET", path, ro, nil).Body, &list); err != nil || len(list.Data) != 2 {
		t.Fatalf("GET after a restart: %v %+v", err, list)
	}
	if r := e.Do("PUT", path, rw, []map[string]any{}); r.Status != 200 {
		t.Fatalf("PUT []: %d %s", r.Status, r.Body)
	}
	e.postAt("cq-3", "Closed Queue", "+12125550131", t0.Add(-time.Minute), map[string]any{})
	if d := e.deliveriesByEvent("")["cq-3"]; d.State == "suppressed" {
		t.Fatalf("a text after the policy was removed: %+v", d)
	}
}

// A STOP sent before the policy existed counts: a policy put in force through the API
// computes its opt-outs from the replies already stored, and so does one a rule file
// brings.
func TestPolicyOptOutFromEarlierReplies(t *testing.T) {
	t0 := time.Date(2026, 3, 11, 15, 0, 0, 0, time.UTC)
	e, _, _ := policyEnv(t, t0, "")
	e.postAt("stop", "SMS Reply", "+12125550141", t0.Add(-5*time.Hour), map[string]any{"body": "STOP"})
	e.postAt("stop-2", "SMS Reply", "+12125550142", t0.Add(-5*time.Hour), map[string]any{"body": "unsubscribe"})
	e.postAt("cq-1", "Closed Queue", "+12125550141", t0.Add(-4*time.Hour), map[string]any{})
	if d := e.deliveriesByEvent("")["cq-1"]; d.Policy != nil {
		t.Fatalf("held before any policy: %+v", d)
	}
	r := e.Do("PUT", "/admin/v1/api/policies/workspace-id/"+ws, jdstest.Token("action", "rw", ws),
		[]map[string]any{{"name": "stop", "connectors": []string{"sms"}, "optOut": map[string]any{"event": "SMS Reply", "field": "body", "stopWords": []string{"STOP"}}}})
	if r.Status != 200 {
		t.Fatalf("PUT: %d %s", r.Status, r.Body)
	}
	n := 0
	jdstest.WaitFor(t, "a text after the earlier STOP suppressed", func() bool {
		n++
		id := fmt.Sprint("cq-api-", n)
		e.postAt(id, "Closed Queue", "+12125550141", t0.Add(-3*time.Hour), map[string]any{})
		return e.deliveriesByEvent("")[id].State == "suppressed"
	})
	writeRules(t, e, "stop.yaml", `
policies:
  - name: unsubscribe
    connectors: [sms]
    optOut: {event: SMS Reply, field: body, stopWords: [UNSUBSCRIBE]}
`)
	e.reloadRules()
	jdstest.WaitFor(t, "a text after the earlier UNSUBSCRIBE suppressed", func() bool {
		n++
		id := fmt.Sprint("cq-file-", n)
		e.postAt(id, "Closed Queue", "+12125550142", t0.Add(-3*time.Hour), map[string]any{})
		d := e.deliveriesByEvent("")[id]
		return d.State == "suppressed" && d.Policy.Name == "unsubscribe"
	})
}

// An unmerge gives each person back their own opt-out, recomputed from their own replies.
func TestPolicyOptOutAfterUnmerge(t *testing.T) {
	t0 := time.Date(2026, 3, 11, 15, 0, 0, 0, time.UTC)
	e, _, _ := policyEnv(t, t0, smsOptOut)
	const ann, bob = "+12125550151", "+12125550152"
	annID := e.postAt("stop", "SMS Reply", ann, t0.Add(-5*time.Hour), map[string]any{"body": "STOP"})
	bobID := e.postAt("hello", "SMS Reply", bob, t0.Add(-5*time.Hour), map[string]any{"body": "hello"})
	r := e.Do("POST", "/admin/v1/api/person/merge/workspace-id/"+ws+"/primary-person-id/"+bobID, admin, map[string]any{"personIdsToMerge": []string{annID}})
	if r.Status != 202 {
		t.Fatalf("merge: %d %s", r.Status, r.Body)
	}
	e.postAt("merged", "Closed Queue", bob, t0.Add(-4*time.Hour), map[string]any{})
	if d := e.deliveriesByEvent(bobID)["merged"]; d.State != "suppressed" {
		t.Fatalf("Bob's text while merged with Ann: %+v", d)
	}
	if r := e.Do("POST", "/admin/v1/api/person/unmerge/workspace-id/"+ws+"/person-id/"+bobID, admin, nil); r.Status != 200 {
		t.Fatalf("unmerge: %d %s", r.Status, r.Body)
	}
	e.postAt("bob-after", "Closed Queue", bob, t0.Add(-3*time.Hour), map[string]any{})
	e.postAt("ann-after", "Closed Queue", ann, t0.Add(-3*time.Hour), map[string]any{})
	jdstest.WaitFor(t, "Bob's text sent after the unmerge", func() bool { return e.deliveriesByEvent(bobID)["bob-after"].State == "sent" })
	if d := e.deliveriesByEvent(annID)["ann-after"]; d.State != "suppressed" || d.Policy == nil || d.Policy.Reason != "optOut" {
		t.Fatalf("Ann's text after the unmerge: %+v", d)
	}
}

// A policy's lists are capped (its connectors are matched against every delivery fired,
// in the commit): a list past its cap is a 400 naming it, one problem, not one a name.
func TestPolicyListsAreCapped(t *testing.T) {
	t0 := time.Date(2026, 3, 11, 15, 0, 0, 0, time.UTC)
	e, _, _ := policyEnv(t, t0, smsOptOut)
	path := "/admin/v1/api/policies/workspace-id/" + ws
	rw := jdstest.Token("action", "rw", ws)
	many := func(n int, v string) []string {
		l := make([]string, n)
		for i := range l {
			l[i] = v
		}
		return l
	}
	r := e.Do("PUT", path, rw, []map[string]any{{"name": "long", "connectors": many(50_000, "sms"),
		"optOut": map[string]any{"event": "SMS Reply", "field": "body", "stopWords": many(2_000, "STOP"), "startWords": []string{"START"}}}})
	if r.Status != 400 {
		t.Fatalf("50,000 connectors and 2,000 stop words: %d %.300s", r.Status, r.Body)
	}
	for _, want := range []string{"[0].connectors: 50000 given, at most 100", "[0].optOut.stopWords: 2000 given, at most 1000"} {
		if !strings.Contains(string(r.Body), want) {
			t.Errorf("the refusal lacks %q: %.300s", want, r.Body)
		}
	}
	if n := strings.Count(string(r.Body), "connectors["); n != 0 {
		t.Errorf("the refusal names %d connectors one by one", n)
	}
	r = e.Do("PUT", path, rw, []map[string]any{{"name": "ok", "connectors": many(100, "sms"),
		"optOut": map[string]any{"event": "SMS Reply", "field": "body", "stopWords": many(1_000, "STOP")}}})
	if r.Status != 200 {
		t.Fatalf("lists at their caps: %d %.300s", r.Status, r.Body)
	}
}
