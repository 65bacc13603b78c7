package server_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/openjds/jds/config"
	"github.com/openjds/jds/internal/jdstest"
)

// exprBomb is the expression of issue 17 (1): a million "a"s, each doubled depth times.
func exprBomb(depth int) string {
	s := `repeat(\"a\",999999)`
	for range depth {
		s = `replace(` + s + `,\"a\",\"aa\")`
	}
	return "len(" + s + ")"
}

// closedQueueTemplateJSON makes the Closed Queue template of workspace w through the
// API and returns its id.
func (e *env) closedQueueTemplateJSON(w string) string {
	e.t.Helper()
	r := e.Do("POST", "/admin/v1/api/profile-view-template/workspace-id/"+w, jdstest.Token("admin", "rw", w), `{"name":"Closed Queue","attributes":[{"displayName":"Closed queue calls today","event":"Closed Queue","metaData":"category","metaDataType":"string","lookBackDurationType":"days","lookBackPeriod":1,"aggregationMode":"Count"}]}`)
	if r.Status != 201 {
		e.t.Fatalf("template: %d %s", r.Status, r.Body)
	}
	var tpl struct{ Data struct{ ID string } }
	json.Unmarshal(r.Body, &tpl)
	return tpl.Data.ID
}

// webhookTrigger is an action trigger that posts body to url.
func webhookTrigger(url, body string) string {
	b, _ := json.Marshal(body)
	return `{"type": "Webhook", "webhookURL": "` + url + `", "attributes": {"httpverb": "post", "requestbody": ` + string(b) + `}}`
}

func closedQueueAction(name string, triggers ...string) string {
	return `{"name": "` + name + `", "isActive": true, "cooldownPeriodInMinutes": 60,
	 "rules": {"logic": "SINGLE", "condition": "Closed Queue,category,string,Count GTE 1"},
	 "actionTriggers": [` + strings.Join(triggers, ",") + `]}`
}

// Issue 17 (1): the expression bomb is refused when a template or an action is made
// through the API, with 400 naming the field and the budget.
func TestExpressionBombRefusedAtCreation(t *testing.T) {
	e := start(t, func(cfg *config.Config) { cfg.Egress.Allow = []string{"127.0.0.0/8"} })
	tid := e.closedQueueTemplateJSON(ws)
	for _, depth := range []int{8, 10} {
		bomb := exprBomb(depth)
		tpl := `{"name":"Bomb","attributes":[{"displayName":"Bombs","event":"Closed Queue","lookBackDurationType":"days","lookBackPeriod":1,"aggregationMode":"Count","condition":"` + bomb + ` > 0"}]}`
		r := e.Do("POST", "/admin/v1/api/profile-view-template/workspace-id/"+ws, jdstest.Token("admin", "rw", ws), tpl)
		if r.Status != 400 || !strings.Contains(string(r.Body), "attributes[0].condition") || !strings.Contains(string(r.Body), "expression budget") ||
			!strings.Contains(string(r.Body), "over the limit of 1048576 bytes") {
			t.Errorf("template with the bomb %d deep: %d %s", depth, r.Status, r.Body)
		}
		action := closedQueueAction("Bomb", webhookTrigger("http://127.0.0.1:9/x", `{"n": ${`+strings.ReplaceAll(bomb, `\"`, `"`)+`}}`))
		r = e.Do("POST", "/admin/v1/api/journey-actions/workspace-id/"+ws+"/template-id/"+tid, jdstest.Token("action", "w", ws), action)
		if r.Status != 400 || !strings.Contains(string(r.Body), "actionTriggers[0].attributes.requestbody") || !strings.Contains(string(r.Body), "expression budget") {
			t.Errorf("action with the bomb %d deep: %d %s", depth, r.Status, r.Body)
		}
	}
	// Past the node budget.
	long := strings.Repeat("1 + ", 600) + "1"
	action := closedQueueAction("Long", webhookTrigger("http://127.0.0.1:9/x", `{"n": ${`+long+`}}`))
	r := e.Do("POST", "/admin/v1/api/journey-actions/workspace-id/"+ws+"/template-id/"+tid, jdstest.Token("action", "w", ws), action)
	if r.Status != 400 || !strings.Contains(string(r.Body), "more than 500 nodes") {
		t.Errorf("action past the node budget: %d %s", r.Status, r.Body)
	}
}

// Issue 17 (1): a bomb that only the event's data arms (repeat with a count read from
// the event) fails at evaluation: its delivery is dead with the reason, the action's
// other trigger is delivered, the event is stored, and another workspace's events
// commit and deliver as usual.
func TestExpressionBombFromDataDeadLettersItsDelivery(t *testing.T) {
	partner := jdstest.NewPartner(t, 200, "")
	c := &jdstest.Clock{}
	c.Set(time.Date(2026, 3, 10, 22, 0, 0, 0, time.UTC))
	e := startClocked(t, c, func(cfg *config.Config) { cfg.Egress.Allow = []string{"127.0.0.0/8"} })
	const other = "other"
	base := func(w string) string { return "/admin/v1/api/journey-actions/workspace-id/" + w }

	armed := closedQueueAction("Armed",
		webhookTrigger(partner.URL+"/bomb", `{"n": ${len(replace(repeat("a", event.data.n), "a", "aa"))}}`),
		webhookTrigger(partner.URL+"/fine", `{"ws": "noisy", "event": "${event.id}"}`))
	if r := e.Do("POST", base(ws)+"/template-id/"+e.closedQueueTemplateJSON(ws), jdstest.Token("action", "w", ws), armed); r.Status != 201 {
		t.Fatalf("armed action: %d %s", r.Status, r.Body)
	}
	quiet := closedQueueAction("Quiet", webhookTrigger(partner.URL+"/quiet", `{"ws": "quiet", "event": "${event.id}"}`))
	if r := e.Do("POST", base(other)+"/template-id/"+e.closedQueueTemplateJSON(other), jdstest.Token("action", "w", other), quiet); r.Status != 201 {
		t.Fatalf("quiet action: %d %s", r.Status, r.Body)
	}

	r := e.post(ev("noisy-1", "Closed Queue", "+12263762555", "phone", map[string]any{"category": "late", "n": 900000}))
	if r.Status != 202 && r.Status != 200 {
		t.Fatalf("the noisy event: %d %s", r.Status, r.Body)
	}
	person := r.JSON(t)["meta"].(map[string]any)["personId"].(string)
	if r := e.Do("POST", "/v1/journey/events", jdstest.Token("ds", "w", other), ev("quiet-1", "Closed Queue", "+12263762556", "phone", map[string]any{"category": "late"})); r.Status != 202 && r.Status != 200 {
		t.Fatalf("the quiet event: %d %s", r.Status, r.Body)
	}

	jdstest.WaitFor(t, "the fine and the quiet deliveries", func() bool {
		got := map[string]bool{}
		for _, b := range partner.Received() {
			got[b] = true
		}
		return got[`{"ws": "noisy", "event": "noisy-1"}`] && got[`{"ws": "quiet", "event": "quiet-1"}`]
	})
	for _, rq := range partner.Requests() {
		if strings.HasPrefix(rq.Body, `{"n"`) {
			t.Errorf("the bomb's delivery was sent: %.80s", rq.Body)
		}
	}
	var dead struct {
		Data []struct{ State, LastError string }
	}
	json.Unmarshal(e.Do("GET", base(ws)+"/dead-letters?personId="+person, jdstest.Token("admin", "rw", ws), nil).Body, &dead)
	if len(dead.Data) != 1 || dead.Data[0].State != "dead" ||
		!strings.Contains(dead.Data[0].LastError, "actionTriggers[0].attributes.requestbody") ||
		!strings.Contains(dead.Data[0].LastError, "expression budget: replace would") {
		t.Fatalf("dead letters: %+v", dead.Data)
	}
	if got := e.Do("GET", historyPath("+12263762555", ""), jdstest.Token("tape", "r", ws), nil); !strings.Contains(string(got.Body), "noisy-1") {
		t.Errorf("the noisy event is not stored: %s", got.Body)
	}
}

// Issue 17 (1): the actions one event fires share one expression budget, so that the
// number of a workspace's actions does not multiply what one event can cost the commit:
// of two actions that each spend more than half of it, one is delivered and the other
// dead-lettered with the reason.
func TestActionsOfOneEventShareTheBudget(t *testing.T) {
	partner := jdstest.NewPartner(t, 200, "")
	c := &jdstest.Clock{}
	c.Set(time.Date(2026, 3, 10, 22, 0, 0, 0, time.UTC))
	e := startClocked(t, c, func(cfg *config.Config) { cfg.Egress.Allow = []string{"127.0.0.0/8"} })
	base := "/admin/v1/api/journey-actions/workspace-id/" + ws
	tid := e.closedQueueTemplateJSON(ws)
	for _, name := range []string{"First", "Second"} {
		a := closedQueueAction(name, webhookTrigger(partner.URL+"/"+name, `{"steps": ${count(1..6000, true)}}`))
		if r := e.Do("POST", base+"/template-id/"+tid, jdstest.Token("action", "w", ws), a); r.Status != 201 {
			t.Fatalf("action %s: %d %s", name, r.Status, r.Body)
		}
	}
	r := e.post(ev("costly-1", "Closed Queue", "+12263762555", "phone", map[string]any{"category": "late"}))
	person := r.JSON(t)["meta"].(map[string]any)["personId"].(string)
	var dead struct{ Data []struct{ LastError string } }
	jdstest.WaitFor(t, "one delivery sent and one dead", func() bool {
		json.Unmarshal(e.Do("GET", base+"/dead-letters?personId="+person, jdstest.Token("admin", "rw", ws), nil).Body, &dead)
		return len(partner.Received()) == 1 && len(dead.Data) == 1
	})
	if got := partner.Received()[0]; got != `{"steps": 6000}` {
		t.Errorf("sent %s", got)
	}
	if !strings.Contains(dead.Data[0].LastError, "expression budget: more than 2097152 units of work") {
		t.Errorf("dead letter: %s", dead.Data[0].LastError)
	}
}
