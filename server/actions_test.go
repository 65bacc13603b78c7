package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openjds/jds/config"
	"github.com/openjds/jds/connectors"
)

// smsPartner stands in for the SMS provider's webhook: it records what it receives.
type smsPartner struct {
	mu     sync.Mutex
	bodies []string
	keys   []string
	events []string // X-JDS-Event-ID
	srv    *httptest.Server
}

func newSMSPartner(t *testing.T) *smsPartner {
	p := &smsPartner{}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		p.mu.Lock()
		p.bodies = append(p.bodies, string(b))
		p.keys = append(p.keys, r.Header.Get("Idempotency-Key"))
		p.events = append(p.events, r.Header.Get("X-JDS-Event-ID"))
		p.mu.Unlock()
		w.WriteHeader(202)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *smsPartner) received() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.bodies...)
}

// waitFor polls until cond holds (deliveries are sent by a background worker).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for range 400 {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

// Use case 3 through the real service: a caller hears the closed-queue message, the
// event fires the journey action in its own commit, and the SMS webhook receives the
// rendered message once; the cooldown keeps a second call from texting again.
func TestClosedQueueActionSendsOneSMS(t *testing.T) {
	partner := newSMSPartner(t)
	c := &clock{}
	t0 := time.Date(2026, 3, 10, 22, 0, 0, 0, time.UTC)
	c.set(t0)
	e := startClocked(t, c, func(cfg *config.Config) {
		cfg.Connectors = []connectors.Instance{{Name: "sms", Kind: "webhook", Config: map[string]any{"url": partner.srv.URL}}}
	})
	writeRules(t, e, "closed.yaml", `
templates:
  - name: Closed Queue
    attributes:
      - {name: closedQueueCalls, displayName: Closed queue calls today, event: Closed Queue, aggregationMode: Count, lookBack: 1d}
actions:
  - name: Closed Queue SMS
    template: Closed Queue
    isActive: true
    cooldown: 24h
    condition: closedQueueCalls >= 1
    actionTriggers:
      - type: Webhook
        webhookURL: `+partner.srv.URL+`/sms
        attributes:
          httpverb: post
          requestbody: '{"to": "${person.phone[0]}", "text": "Sorry we missed you. Can we call you back?", "calls": ${profile.closedQueueCalls}, "event": "${event.id}"}'
  - name: Disabled
    template: Closed Queue
    isActive: false
    cooldown: 1m
    condition: closedQueueCalls >= 1
    actionTriggers:
      - {type: Webhook, webhookURL: `+partner.srv.URL+`/never}
`)
	if r := e.do("POST", "/admin/v1/api/rules/reload", token("profile", "w", ws), nil); r.status != 200 {
		t.Fatalf("reload: %d %s", r.status, r.body)
	}
	e.post(ev("late-1", "Closed Queue", "226-376-2555", "phone", map[string]any{"queue": "Billing"}))
	waitFor(t, "the SMS", func() bool { return len(partner.received()) == 1 })
	var sms map[string]any
	if err := json.Unmarshal([]byte(partner.received()[0]), &sms); err != nil {
		t.Fatalf("the body is not JSON: %v %q", err, partner.received()[0])
	}
	if sms["to"] != "+12263762555" || sms["calls"] != 1.0 || sms["event"] != "late-1" {
		t.Fatalf("rendered body: %v", sms)
	}
	// A second closed-queue call within the cooldown does not text again.
	c.add(time.Hour)
	e.post(ev("late-2", "Closed Queue", "+12263762555", "phone", map[string]any{}))
	time.Sleep(100 * time.Millisecond)
	if n := len(partner.received()); n != 1 {
		t.Fatalf("%d messages within the cooldown", n)
	}
	// The profile view lists the firing with its delivery state.
	var body struct {
		Data []struct {
			SystemMetadata struct {
				JourneyActionTriggerHistories []struct {
					ActionName, EventID string
					Deliveries          []string
				}
			}
		}
	}
	waitFor(t, "the firing recorded as sent", func() bool {
		r := e.do("GET", "/v1/api/progressive-profile-view/workspace-id/"+ws+"/identity/12263762555/template-name/Closed%20Queue", token("profile", "r", ws), nil)
		json.Unmarshal(r.body, &body)
		h := body.Data[0].SystemMetadata.JourneyActionTriggerHistories
		return len(h) == 1 && h[0].ActionName == "Closed Queue SMS" && h[0].EventID == "late-1" && strings.Join(h[0].Deliveries, ",") == "sent"
	})
	// After the cooldown, the next one fires again.
	c.add(24 * time.Hour)
	e.post(ev("late-3", "Closed Queue", "+12263762555", "phone", map[string]any{}))
	waitFor(t, "the second SMS", func() bool { return len(partner.received()) == 2 })
	partner.mu.Lock()
	defer partner.mu.Unlock()
	if partner.keys[0] == partner.keys[1] {
		t.Fatal("two firings must have two idempotency keys")
	}
	if partner.events[0] != "late-1" || partner.events[1] != "late-3" {
		t.Fatalf("deliveries name their triggering events: %v", partner.events)
	}
}

// Journey actions through the JDS-shaped API: create, read, bad definitions; a partner
// that refuses makes a dead letter, which the API lists and retries.
func TestJourneyActionsAPIAndDeadLetters(t *testing.T) {
	var refuse atomic.Bool
	refuse.Store(true)
	var got atomic.Int64
	partner := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Add(1)
		if refuse.Load() {
			w.WriteHeader(400)
			return
		}
		w.WriteHeader(200)
	}))
	t.Cleanup(partner.Close)
	c := &clock{}
	c.set(time.Date(2026, 3, 10, 22, 0, 0, 0, time.UTC))
	e := startClocked(t, c, nil)
	tok := token("admin", "rw", ws)
	r := e.do("POST", "/admin/v1/api/profile-view-template/workspace-id/"+ws, tok, `{"name":"Closed Queue","attributes":[{"displayName":"Closed queue calls today","event":"Closed Queue","metaData":"category","metaDataType":"string","lookBackDurationType":"days","lookBackPeriod":1,"aggregationMode":"Count"}]}`)
	if r.status != 201 {
		t.Fatalf("template: %d %s", r.status, r.body)
	}
	var tpl struct{ Data struct{ ID string } }
	json.Unmarshal(r.body, &tpl)
	base := "/admin/v1/api/journey-actions/workspace-id/" + ws
	action := `{"name": "Closed Queue Action", "isActive": true, "cooldownPeriodInMinutes": 60,
	 "rules": {"logic": "SINGLE", "condition": "Closed Queue,category,string,Count GTE 1"},
	 "actionTriggers": [{"type": "Webhook", "webhookURL": "` + partner.URL + `/events/6M347NJ6HY",
	   "attributes": {"httpverb": "post", "requestbody": "{\"SMS\":\"${person.phone[0]}\",\"MessageToSend\":\"Can we call you back?\"}"}}]}`
	r = e.do("POST", base+"/template-id/"+tpl.Data.ID, token("action", "w", ws), action)
	if r.status != 201 {
		t.Fatalf("create action: %d %s", r.status, r.body)
	}
	var created struct {
		Data struct{ ID, TemplateID string }
	}
	json.Unmarshal(r.body, &created)
	if r := e.do("GET", base+"/template-id/"+tpl.Data.ID+"/action-name/Closed%20Queue%20Action", token("action", "r", ws), nil); r.status != 200 {
		t.Fatalf("get by name: %d", r.status)
	}
	for _, bad := range []struct{ body, says string }{
		{strings.Replace(action, "Count GTE 1", "Sum GTE 1", 1), "Sum"},
		{strings.Replace(action, `"isActive": true,`, "", 1), "isActive"},
		{strings.Replace(action, "${person.phone[0]}", "${persn.phone[0]}", 1), "persn"},
	} {
		if r := e.do("POST", base+"/template-id/"+tpl.Data.ID, token("action", "w", ws), strings.Replace(bad.body, "Closed Queue Action", "Other", 1)); r.status != 400 || !strings.Contains(string(r.body), bad.says) {
			t.Errorf("bad action (%s): %d %s", bad.says, r.status, r.body)
		}
	}
	// The partner refuses with 400: a permanent failure, a dead letter.
	res := e.post(ev("cq-1", "Closed Queue", "+12263762555", "phone", map[string]any{"category": "late"}))
	person := res.json(t)["meta"].(map[string]any)["personId"].(string)
	var dead struct{ Data []struct{ ID, State string } }
	waitFor(t, "a dead letter", func() bool {
		json.Unmarshal(e.do("GET", base+"/dead-letters?personId="+person, tok, nil).body, &dead)
		return len(dead.Data) == 1
	})
	refuse.Store(false)
	if r := e.do("POST", base+"/dead-letters/"+dead.Data[0].ID+"/retry?personId="+person, tok, nil); r.status != 202 {
		t.Fatalf("retry: %d %s", r.status, r.body)
	}
	var hist struct{ Data []struct{ State string } }
	waitFor(t, "the retried delivery sent", func() bool {
		json.Unmarshal(e.do("GET", base+"/history?personId="+person+"&actionId="+created.Data.ID, tok, nil).body, &hist)
		return len(hist.Data) == 1 && hist.Data[0].State == "sent"
	})
	if got.Load() != 2 {
		t.Fatalf("partner saw %d requests, want 2", got.Load())
	}
	if r := e.do("GET", base+"/history?actionId="+created.Data.ID, tok, nil); r.status != 200 || !strings.Contains(string(r.body), `"resultCount":1`) {
		t.Fatalf("the workspace's history of the action: %d %s", r.status, r.body)
	}
	// A template change that the action would not survive is refused, and the old
	// template stays in force.
	tplPath := "/admin/v1/api/profile-view-template/workspace-id/" + ws + "/template-id/" + tpl.Data.ID
	changed := `{"name":"Closed Queue","attributes":[{"displayName":"Calls","event":"Queued Caller","metaData":"queue","metaDataType":"string","lookBackDurationType":"days","lookBackPeriod":1,"aggregationMode":"Count"}]}`
	if r := e.do("PUT", tplPath, tok, changed); r.status != 409 || !strings.Contains(string(r.body), `journey action \"Closed Queue Action\"`) {
		t.Fatalf("a change that breaks the action: %d %s", r.status, r.body)
	}
	if r := e.do("GET", tplPath, tok, nil); !strings.Contains(string(r.body), `"event":"Closed Queue"`) {
		t.Fatalf("the template changed anyway: %s", r.body)
	}
	if r := e.do("DELETE", base+"/template-id/"+tpl.Data.ID+"/action-id/"+created.Data.ID, token("action", "w", ws), nil); r.status != 200 {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	if r := e.do("PUT", tplPath, tok, changed); r.status != 200 {
		t.Fatalf("the same change without the action: %d %s", r.status, r.body)
	}
}
