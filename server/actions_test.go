package server_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/openjds/jds/config"
	"github.com/openjds/jds/connectors"
	"github.com/openjds/jds/internal/jdstest"
)

// Use case 3 through the real service: a caller hears the closed-queue message, the
// event fires the journey action in its own commit, and the SMS webhook receives the
// rendered message once; the cooldown keeps a second call from texting again.
func TestClosedQueueActionSendsOneSMS(t *testing.T) {
	partner := jdstest.NewPartner(t, 202, "")
	c := &jdstest.Clock{}
	t0 := time.Date(2026, 3, 10, 22, 0, 0, 0, time.UTC)
	c.Set(t0)
	e := startClocked(t, c, func(cfg *config.Config) {
		cfg.Connectors = []connectors.Instance{{Name: "sms", Kind: "webhook", Config: map[string]any{"url": partner.URL}}}
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
        webhookURL: `+partner.URL+`/sms
        attributes:
          httpverb: post
          requestbody: '{"to": "${person.phone[0]}", "text": "Sorry we missed you. Can we call you back?", "calls": ${profile.closedQueueCalls}, "event": "${event.id}"}'
  - name: Disabled
    template: Closed Queue
    isActive: false
    cooldown: 1m
    condition: closedQueueCalls >= 1
    actionTriggers:
      - {type: Webhook, webhookURL: `+partner.URL+`/never}
`)
	if r := e.Do("POST", "/admin/v1/api/rules/reload", admin, nil); r.Status != 200 {
		t.Fatalf("reload: %d %s", r.Status, r.Body)
	}
	e.post(ev("late-1", "Closed Queue", "226-376-2555", "phone", map[string]any{"queue": "Billing"}))
	jdstest.WaitFor(t, "the SMS", func() bool { return len(partner.Received()) == 1 })
	var sms map[string]any
	if err := json.Unmarshal([]byte(partner.Received()[0]), &sms); err != nil {
		t.Fatalf("the body is not JSON: %v %q", err, partner.Received()[0])
	}
	if sms["to"] != "+12263762555" || sms["calls"] != 1.0 || sms["event"] != "late-1" {
		t.Fatalf("rendered body: %v", sms)
	}
	// A second closed-queue call within the cooldown does not text again.
	c.Add(time.Hour)
	e.post(ev("late-2", "Closed Queue", "+12263762555", "phone", map[string]any{}))
	time.Sleep(100 * time.Millisecond)
	if n := len(partner.Received()); n != 1 {
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
	jdstest.WaitFor(t, "the firing recorded as sent", func() bool {
		r := e.Do("GET", "/v1/api/progressive-profile-view/workspace-id/"+ws+"/identity/12263762555/template-name/Closed%20Queue", jdstest.Token("profile", "r", ws), nil)
		json.Unmarshal(r.Body, &body)
		h := body.Data[0].SystemMetadata.JourneyActionTriggerHistories
		return len(h) == 1 && h[0].ActionName == "Closed Queue SMS" && h[0].EventID == "late-1" && strings.Join(h[0].Deliveries, ",") == "sent"
	})
	// After the cooldown, the next one fires again.
	c.Add(24 * time.Hour)
	e.post(ev("late-3", "Closed Queue", "+12263762555", "phone", map[string]any{}))
	jdstest.WaitFor(t, "the second SMS", func() bool { return len(partner.Received()) == 2 })
	reqs := partner.Requests()
	if reqs[0].Header.Get("Idempotency-Key") == reqs[1].Header.Get("Idempotency-Key") {
		t.Fatal("two firings must have two idempotency keys")
	}
	var events []string // X-JDS-Event-ID
	for _, r := range reqs {
		events = append(events, r.Header.Get("X-JDS-Event-ID"))
	}
	if events[0] != "late-1" || events[1] != "late-3" {
		t.Fatalf("deliveries name their triggering events: %v", events)
	}
}

// Journey actions through the JDS-shaped API: create, read, bad definitions; a partner
// that refuses makes a dead letter, which the API lists and retries.
func TestJourneyActionsAPIAndDeadLetters(t *testing.T) {
	partner := jdstest.NewPartner(t, 400, "") // refuses until told otherwise
	c := &jdstest.Clock{}
	c.Set(time.Date(2026, 3, 10, 22, 0, 0, 0, time.UTC))
	// The partner listens on loopback, which tenants' targets reach only when listed.
	e := startClocked(t, c, func(cfg *config.Config) { cfg.Egress.Allow = []string{"127.0.0.0/8"} })
	tok := jdstest.Token("admin", "rw", ws)
	r := e.Do("POST", "/admin/v1/api/profile-view-template/workspace-id/"+ws, tok, `{"name":"Closed Queue","attributes":[{"displayName":"Closed queue calls today","event":"Closed Queue","metaData":"category","metaDataType":"string","lookBackDurationType":"days","lookBackPeriod":1,"aggregationMode":"Count"}]}`)
	if r.Status != 201 {
		t.Fatalf("template: %d %s", r.Status, r.Body)
	}
	var tpl struct{ Data struct{ ID string } }
	json.Unmarshal(r.Body, &tpl)
	base := "/admin/v1/api/journey-actions/workspace-id/" + ws
	action := `{"name": "Closed Queue Action", "isActive": true, "cooldownPeriodInMinutes": 60,
	 "rules": {"logic": "SINGLE", "condition": "Closed Queue,category,string,Count GTE 1"},
	 "actionTriggers": [{"type": "Webhook", "webhookURL": "` + partner.URL + `/events/6M347NJ6HY",
	   "attributes": {"httpverb": "post", "requestbody": "{\"SMS\":\"${person.phone[0]}\",\"MessageToSend\":\"Can we call you back?\"}"}}]}`
	r = e.Do("POST", base+"/template-id/"+tpl.Data.ID, jdstest.Token("action", "w", ws), action)
	if r.Status != 201 {
		t.Fatalf("create action: %d %s", r.Status, r.Body)
	}
	var created struct {
		Data struct{ ID, TemplateID string }
	}
	json.Unmarshal(r.Body, &created)
	if r := e.Do("GET", base+"/template-id/"+tpl.Data.ID+"/action-name/Closed%20Queue%20Action", jdstest.Token("action", "r", ws), nil); r.Status != 200 {
		t.Fatalf("get by name: %d", r.Status)
	}
	for _, bad := range []struct{ body, says string }{
		{strings.Replace(action, "Count GTE 1", "Sum GTE 1", 1), "Sum"},
		{strings.Replace(action, `"isActive": true,`, "", 1), "isActive"},
		{strings.Replace(action, "${person.phone[0]}", "${persn.phone[0]}", 1), "persn"},
		// A connector that is not configured (the defaults' are sms and callback).
		{strings.Replace(action, `"type": "Webhook", "webhookURL": "`+partner.URL+`/events/6M347NJ6HY",`, `"type": "Connector", "connector": "smss",`, 1),
			`no connector named \"smss\" is configured (did you mean \"sms\"?)`},
	} {
		if r := e.Do("POST", base+"/template-id/"+tpl.Data.ID, jdstest.Token("action", "w", ws), strings.Replace(bad.body, "Closed Queue Action", "Other", 1)); r.Status != 400 || !strings.Contains(string(r.Body), bad.says) {
			t.Errorf("bad action (%s): %d %s", bad.says, r.Status, r.Body)
		}
	}
	// The partner refuses with 400: a permanent failure, a dead letter.
	res := e.post(ev("cq-1", "Closed Queue", "+12263762555", "phone", map[string]any{"category": "late"}))
	person := res.JSON(t)["meta"].(map[string]any)["personId"].(string)
	var dead struct{ Data []struct{ ID, State string } }
	jdstest.WaitFor(t, "a dead letter", func() bool {
		json.Unmarshal(e.Do("GET", base+"/dead-letters?personId="+person, tok, nil).Body, &dead)
		return len(dead.Data) == 1
	})
	partner.SetStatus(200)
	if r := e.Do("POST", base+"/dead-letters/"+dead.Data[0].ID+"/retry?personId="+person, tok, nil); r.Status != 202 {
		t.Fatalf("retry: %d %s", r.Status, r.Body)
	}
	var hist struct{ Data []struct{ State string } }
	jdstest.WaitFor(t, "the retried delivery sent", func() bool {
		json.Unmarshal(e.Do("GET", base+"/history?personId="+person+"&actionId="+created.Data.ID, tok, nil).Body, &hist)
		return len(hist.Data) == 1 && hist.Data[0].State == "sent"
	})
	if got := len(partner.Requests()); got != 2 {
		t.Fatalf("partner saw %d requests, want 2", got)
	}
	if r := e.Do("GET", base+"/history?actionId="+created.Data.ID, tok, nil); r.Status != 200 || !strings.Contains(string(r.Body), `"resultCount":1`) {
		t.Fatalf("the workspace's history of the action: %d %s", r.Status, r.Body)
	}
	// A template change that the action would not survive is refused, and the old
	// template stays in force.
	tplPath := "/admin/v1/api/profile-view-template/workspace-id/" + ws + "/template-id/" + tpl.Data.ID
	changed := `{"name":"Closed Queue","attributes":[{"displayName":"Calls","event":"Queued Caller","metaData":"queue","metaDataType":"string","lookBackDurationType":"days","lookBackPeriod":1,"aggregationMode":"Count"}]}`
	if r := e.Do("PUT", tplPath, tok, changed); r.Status != 409 || !strings.Contains(string(r.Body), `journey action \"Closed Queue Action\"`) {
		t.Fatalf("a change that breaks the action: %d %s", r.Status, r.Body)
	}
	if r := e.Do("GET", tplPath, tok, nil); !strings.Contains(string(r.Body), `"event":"Closed Queue"`) {
		t.Fatalf("the template changed anyway: %s", r.Body)
	}
	if r := e.Do("DELETE", base+"/template-id/"+tpl.Data.ID+"/action-id/"+created.Data.ID, jdstest.Token("action", "w", ws), nil); r.Status != 200 {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	if r := e.Do("PUT", tplPath, tok, changed); r.Status != 200 {
		t.Fatalf("the same change without the action: %d %s", r.Status, r.Body)
	}
}
