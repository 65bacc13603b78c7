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

// apiClosedQueueTemplate creates the template the actions of these tests read, and
// returns the base path of its actions.
func apiClosedQueueTemplate(t *testing.T, e *env) string {
	t.Helper()
	r := e.Do("POST", "/admin/v1/api/profile-view-template/workspace-id/"+ws, jdstest.Token("admin", "rw", ws),
		`{"name":"Closed Queue","attributes":[{"displayName":"Closed queue calls today","event":"Closed Queue","metaData":"category","metaDataType":"string","lookBackDurationType":"days","lookBackPeriod":1,"aggregationMode":"Count"}]}`)
	if r.Status != 201 {
		t.Fatalf("template: %d %s", r.Status, r.Body)
	}
	var tpl struct{ Data struct{ ID string } }
	json.Unmarshal(r.Body, &tpl)
	return "/admin/v1/api/journey-actions/workspace-id/" + ws + "/template-id/" + tpl.Data.ID
}

func actionWith(name, trigger string) string {
	return `{"name": "` + name + `", "isActive": true, "cooldownPeriodInMinutes": 0,
	 "rules": {"logic": "SINGLE", "condition": "Closed Queue,category,string,Count GTE 1"},
	 "actionTriggers": [` + trigger + `]}`
}

// A tenant's inline webhook may not reach the service's own network: refused when
// saved (400 naming the field and the rule) unless egress.allow lists it, and refused
// again when delivered (a dead letter with the reason, the partner untouched) when the
// allowlist no longer does. The history keeps the partner's status, not its answer.
func TestTenantWebhooksFollowTheEgressPolicy(t *testing.T) {
	partner := jdstest.NewPartner(t, 200, `{"AccessKeyId":"ASIA-instance-credentials"}`)
	c := &jdstest.Clock{}
	c.Set(time.Date(2026, 3, 10, 22, 0, 0, 0, time.UTC))
	e := startClocked(t, c, func(cfg *config.Config) { cfg.Egress.Allow = []string{"127.0.0.0/8"} })
	base := apiClosedQueueTemplate(t, e)
	tok := jdstest.Token("action", "rw", ws)
	hook := func(url string) string { return `{"type": "Webhook", "webhookURL": "` + url + `"}` }
	for _, bad := range []struct{ url, rule string }{
		{"http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"},
		{"http://10.0.0.7:8080/admin", "10.0.0.7 is a private address"},
		{"http://[::ffff:192.168.1.1]/", "is a private address"},
		{"http://localhost:8080/", "localhost is a loopback name"},
		{"http://0.0.0.0/", "0.0.0.0 is an unspecified address"},
	} {
		r := e.Do("POST", base, tok, actionWith("Bad", hook(bad.url)))
		body := string(r.Body)
		if r.Status != 400 || !strings.Contains(body, "actionTriggers[0].webhookURL: ") || !strings.Contains(body, bad.rule) || !strings.Contains(body, "egress.allow") {
			t.Errorf("%s: %d %s", bad.url, r.Status, r.Body)
		}
	}
	// Allowed by egress.allow: sent, and the history shows the status only.
	r := e.Do("POST", base, tok, actionWith("Hook", hook(partner.URL+"/hook")))
	if r.Status != 201 {
		t.Fatalf("allowed target: %d %s", r.Status, r.Body)
	}
	person := e.post(ev("cq-1", "Closed Queue", "+12263762555", "phone", map[string]any{"category": "late"})).JSON(t)["meta"].(map[string]any)["personId"].(string)
	history := "/admin/v1/api/journey-actions/workspace-id/" + ws + "/history?personId=" + person
	var hist struct {
		Data []struct{ State, Response, LastError string }
	}
	jdstest.WaitFor(t, "the delivery sent", func() bool {
		json.Unmarshal(e.Do("GET", history, tok, nil).Body, &hist)
		return len(hist.Data) == 1 && hist.Data[0].State == "sent"
	})
	if raw := e.Do("GET", history, tok, nil).Body; hist.Data[0].Response != "200 OK" || strings.Contains(string(raw), "ASIA") {
		t.Fatalf("the history shows the answer of a tenant's target: %s", raw)
	}

	// Without the allowlist: refused when saved, and the action saved before is
	// refused when it delivers, at once and for good.
	e.Config.Egress.Allow = nil
	e.Restart()
	if r := e.Do("POST", base, tok, actionWith("Again", hook(partner.URL+"/hook"))); r.Status != 400 || !strings.Contains(string(r.Body), "127.0.0.1 is a loopback address") {
		t.Fatalf("loopback without egress.allow: %d %s", r.Status, r.Body)
	}
	e.post(ev("cq-2", "Closed Queue", "+12263762555", "phone", map[string]any{"category": "late"}))
	jdstest.WaitFor(t, "the second delivery dead", func() bool {
		hist.Data = nil
		json.Unmarshal(e.Do("GET", history, tok, nil).Body, &hist)
		return len(hist.Data) == 2 && (hist.Data[0].State == "dead" || hist.Data[1].State == "dead")
	})
	for _, d := range hist.Data {
		if d.State == "dead" && (!strings.Contains(d.LastError, "127.0.0.1 is a loopback address") || d.Response != "") {
			t.Fatalf("the dead letter: %+v\n%s", d, e.Do("GET", history, tok, nil).Body)
		}
	}
	if n := len(partner.Requests()); n != 1 {
		t.Fatalf("the partner saw %d requests, want 1 (before the allowlist changed)", n)
	}
}

// A connector instance that lists organizations is theirs: another organization's
// action may not name it (nor learn its name), one of its organizations' may, and a
// rule file (which serves every organization) may not.
func TestConnectorsBelongToOrganizations(t *testing.T) {
	e := start(t, func(cfg *config.Config) {
		cfg.Connectors = []connectors.Instance{
			{Name: "acme-sms", Kind: "log", Organizations: []string{"acme"}},
			{Name: "ours", Kind: "log", Organizations: []string{jdstest.Org}},
		}
	})
	base := apiClosedQueueTemplate(t, e)
	tok := jdstest.Token("action", "rw", ws)
	conn := func(name string) string {
		return `{"type": "Connector", "connector": "` + name + `", "attributes": {"text": "hi"}}`
	}
	r := e.Do("POST", base, tok, actionWith("Theirs", conn("acme-sms")))
	if r.Status != 400 || !strings.Contains(string(r.Body), `actionTriggers[0].connector: the connector \"acme-sms\" is not available to organization \"`+jdstest.Org+`\"`) {
		t.Fatalf("another organization's connector: %d %s", r.Status, r.Body)
	}
	if r := e.Do("POST", base, tok, actionWith("Typo", conn("acme-smss"))); r.Status != 400 || strings.Contains(string(r.Body), `did you mean \"acme-sms\"`) {
		t.Fatalf("another organization's connector suggested: %d %s", r.Status, r.Body)
	}
	if r := e.Do("POST", base, tok, actionWith("Ours", conn("ours"))); r.Status != 201 {
		t.Fatalf("its own connector: %d %s", r.Status, r.Body)
	}
	writeRules(t, e, "ops.yaml", `
templates:
  - name: Calls
    attributes: [{name: calls, displayName: Calls, event: Call, aggregationMode: Count, lookBack: 1d}]
actions:
  - name: Text
    template: Calls
    isActive: true
    cooldown: 1h
    condition: calls > 0
    actionTriggers: [{type: Connector, connector: acme-sms, attributes: {text: hi}}]
`)
	r = e.Do("POST", "/admin/v1/api/rules/reload", jdstest.AdminToken(), nil)
	if r.Status != 422 || !strings.Contains(string(r.Body), `rule files serve every organization, and the connector \"acme-sms\" serves only acme (not `+jdstest.Org+`)`) {
		t.Fatalf("a rule file naming one organization's connector: %d %s", r.Status, r.Body)
	}
}
