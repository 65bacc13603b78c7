package server_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/openjds/jds/config"
	"github.com/openjds/jds/internal/jdstest"
)

// versionsBody is what the versions list answers.
type versionsBody struct {
	Meta map[string]any
	Data []struct {
		Version    int
		Current    bool
		SavedBy    string
		Definition json.RawMessage
	}
}

func (e *env) versions(path, tok string) versionsBody {
	e.t.Helper()
	r := e.Do("GET", path+"/versions", tok, nil)
	if r.Status != 200 {
		e.t.Fatalf("versions of %s: %d %s", path, r.Status, r.Body)
	}
	var b versionsBody
	if err := json.Unmarshal(r.Body, &b); err != nil {
		e.t.Fatal(err)
	}
	return b
}

// createTemplate creates a template through the API and returns its id.
func (e *env) createTemplate(tok, body string) string {
	e.t.Helper()
	r := e.Do("POST", "/admin/v1/api/profile-view-template/workspace-id/"+ws, tok, body)
	if r.Status != 201 {
		e.t.Fatalf("create a template: %d %s", r.Status, r.Body)
	}
	var tpl struct{ Data struct{ ID string } }
	json.Unmarshal(r.Body, &tpl)
	return tpl.Data.ID
}

// change is one entry of a diff's answer.
type change struct {
	Path     string
	Old, New any
}

func (e *env) diff(path, tok, a, b string) map[string]change {
	e.t.Helper()
	r := e.Do("GET", path+"/versions/"+a+"/diff/"+b, tok, nil)
	if r.Status != 200 {
		e.t.Fatalf("diff %s..%s of %s: %d %s", a, b, path, r.Status, r.Body)
	}
	var body struct{ Data struct{ Changes []change } }
	if err := json.Unmarshal(r.Body, &body); err != nil {
		e.t.Fatal(err)
	}
	out := map[string]change{}
	for _, c := range body.Data.Changes {
		out[c.Path] = c
	}
	return out
}

// Issue 21 (5): every change of an API template is a version: listed, diffed, and
// rolled back as a new version, with the checks of a replacement (an action that does
// not compile on the old version refuses it). A rule file's template is versioned by
// its file: the routes say so.
func TestTemplateVersionsDiffAndRollback(t *testing.T) {
	c := &jdstest.Clock{}
	t0 := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	c.Set(t0)
	e := startClocked(t, c, nil)
	tok := jdstest.Token("profile", "rw", ws)
	base := "/admin/v1/api/profile-view-template/workspace-id/" + ws
	tplJSON := func(event string, days int) string {
		return `{"name":"Closed Queue","attributes":[{"displayName":"Calls","event":"` + event + `","metaData":"category","metaDataType":"string","lookBackDurationType":"days","lookBackPeriod":` + strconv.Itoa(days) + `,"aggregationMode":"Count"}]}`
	}
	tid := e.createTemplate(tok, tplJSON("Queued Caller", 1))
	path := base + "/template-id/" + tid
	for _, body := range []string{tplJSON("Closed Queue", 1), tplJSON("Closed Queue", 7)} {
		c.Add(time.Minute)
		if r := e.Do("PUT", path, tok, body); r.Status != 200 {
			t.Fatalf("replace: %d %s", r.Status, r.Body)
		}
	}
	vs := e.versions(path, tok)
	if len(vs.Data) != 3 || vs.Data[0].Version != 1 || !vs.Data[2].Current || vs.Data[0].Current || vs.Meta["kept"] != 50.0 {
		t.Fatalf("versions after two changes: %+v", vs)
	}
	d := e.diff(path, tok, "1", "2")
	if ch, ok := d["attributes[0].event"]; !ok || ch.Old != "Queued Caller" || ch.New != "Closed Queue" || len(d) != 2 { // and updatedAt
		t.Fatalf("diff 1..2: %+v", d)
	}
	if ch := e.diff(path, tok, "2", "3")["attributes[0].lookBackPeriod"]; ch.Old != 1.0 || ch.New != 7.0 {
		t.Fatalf("diff 2..3: %+v", ch)
	}
	if r := e.Do("GET", path+"/versions/9", tok, nil); r.Status != 404 {
		t.Errorf("a version not kept: %d %s", r.Status, r.Body)
	}
	if r := e.Do("GET", path+"/versions/one", tok, nil); r.Status != 400 {
		t.Errorf("a version that is no number: %d %s", r.Status, r.Body)
	}

	// An action on the template's Closed Queue attribute keeps version 1 out.
	actions := "/admin/v1/api/journey-actions/workspace-id/" + ws + "/template-id/" + tid
	if r := e.Do("POST", actions, jdstest.Token("action", "w", ws), `{"name":"Text","isActive":true,"cooldownPeriodInMinutes":0,
	 "rules":{"logic":"SINGLE","condition":"Closed Queue,category,string,Count GTE 1"},
	 "actionTriggers":[{"type":"Connector","connector":"sms","attributes":{"to":"x","text":"y"}}]}`); r.Status != 201 {
		t.Fatalf("action: %d %s", r.Status, r.Body)
	}
	if r := e.Do("POST", path+"/versions/1/rollback", tok, nil); r.Status != 409 || !strings.Contains(string(r.Body), `journey action \"Text\"`) {
		t.Fatalf("a rollback the action does not survive: %d %s", r.Status, r.Body)
	}
	if r := e.Do("POST", path+"/versions/2/rollback", tok, nil); r.Status != 200 {
		t.Fatalf("rollback to 2: %d %s", r.Status, r.Body)
	}
	if r := e.Do("GET", path, tok, nil); !strings.Contains(string(r.Body), `"lookBackPeriod":1,`) {
		t.Fatalf("the rollback did not restore version 2: %s", r.Body)
	}
	vs = e.versions(path, tok)
	if len(vs.Data) != 4 || !vs.Data[3].Current {
		t.Fatalf("versions after the rollback: %+v", vs)
	}
	for p := range e.diff(path, tok, "2", "4") {
		if p != "updatedAt" {
			t.Errorf("version 4 differs from version 2 at %s", p)
		}
	}

	// A rule file's template: its file is its history.
	writeRules(t, e, "closed.yaml", strings.Replace(closedQueueTemplate, "Closed Queue", "From File", 1))
	e.reloadRules()
	file := base + "/template-id/From%20File"
	for _, r := range []jdstest.Response{e.Do("GET", file+"/versions", tok, nil), e.Do("POST", file+"/versions/1/rollback", tok, nil)} {
		if r.Status != 409 || !strings.Contains(string(r.Body), "versioned by the file (git)") {
			t.Errorf("versions of a rule file's template: %d %s", r.Status, r.Body)
		}
	}

	// Deleting the template deletes its versions with it.
	if r := e.Do("DELETE", path, tok, nil); r.Status != 200 {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	if r := e.Do("GET", path+"/versions", tok, nil); r.Status != 404 {
		t.Errorf("versions of a deleted template: %d %s", r.Status, r.Body)
	}
}

// Issue 21 (5): an action in shadow mode records what it would have sent, in the
// person's history and the workspace's shadow list, and sends nothing, while its live
// twin sends; its cooldown runs as a live one's, so that switched to live (a new
// version) it stays quiet until the cooldown ends. Its versions diff and roll back.
func TestShadowActionRecordsAndSendsNothing(t *testing.T) {
	live, shadow := jdstest.NewPartner(t, 200, ""), jdstest.NewPartner(t, 200, "")
	c := &jdstest.Clock{}
	t0 := time.Date(2026, 3, 10, 22, 0, 0, 0, time.UTC)
	c.Set(t0)
	e := startClocked(t, c, func(cfg *config.Config) { cfg.Egress.Allow = []string{"127.0.0.0/8"} })
	tok := jdstest.Token("admin", "rw", ws)
	tid := e.createTemplate(tok, `{"name":"Closed Queue","attributes":[{"displayName":"Calls","event":"Closed Queue","metaData":"category","metaDataType":"string","lookBackDurationType":"days","lookBackPeriod":1,"aggregationMode":"Count"}]}`)
	base := "/admin/v1/api/journey-actions/workspace-id/" + ws
	action := func(name, mode, url string) string {
		return `{"name":"` + name + `","isActive":true,"cooldownPeriodInMinutes":60,"mode":"` + mode + `",
		 "rules":{"logic":"SINGLE","condition":"Closed Queue,category,string,Count GTE 1"},
		 "actionTriggers":[{"type":"Webhook","webhookURL":"` + url + `/sms","attributes":{"requestbody":"{\"to\":\"${person.phone[0]}\"}"}}]}`
	}
	ids := map[string]string{}
	for _, a := range []struct{ name, mode, url string }{{"Live", "live", live.URL}, {"Shadow", "shadow", shadow.URL}} {
		r := e.Do("POST", base+"/template-id/"+tid, tok, action(a.name, a.mode, a.url))
		if r.Status != 201 || !strings.Contains(string(r.Body), `"mode":"`+a.mode+`"`) {
			t.Fatalf("action %s: %d %s", a.name, r.Status, r.Body)
		}
		var created struct{ Data struct{ ID string } }
		json.Unmarshal(r.Body, &created)
		ids[a.name] = created.Data.ID
	}
	at := func(d time.Duration) string { return c.Now().Add(d).Format(time.RFC3339) }
	res := e.post(ev("cq-1", "Closed Queue", "+12263762555", "phone", map[string]any{"category": "late"}, "time", at(-time.Hour)))
	person := res.JSON(t)["meta"].(map[string]any)["personId"].(string)
	jdstest.WaitFor(t, "the live twin's SMS", func() bool { return len(live.Requests()) == 1 })
	var hist struct {
		Data []struct {
			State   string
			Payload struct{ URL, Body string }
		}
	}
	json.Unmarshal(e.Do("GET", base+"/history?personId="+person+"&actionId="+ids["Shadow"], tok, nil).Body, &hist)
	if len(hist.Data) != 1 || hist.Data[0].State != "shadow" || hist.Data[0].Payload.URL != shadow.URL+"/sms" || hist.Data[0].Payload.Body != `{"to":"+12263762555"}` {
		t.Fatalf("the shadow action's history: %+v", hist)
	}
	if r := e.Do("GET", base+"/shadow", tok, nil); !strings.Contains(string(r.Body), `"resultCount":1`) || !strings.Contains(string(r.Body), `"state":"shadow"`) {
		t.Fatalf("the workspace's shadow deliveries: %d %s", r.Status, r.Body)
	}

	// Within the cooldown, neither fires again; the shadow one is switched to live.
	c.Add(10 * time.Minute)
	e.post(ev("cq-2", "Closed Queue", "+12263762555", "phone", map[string]any{"category": "late"}, "time", at(-time.Minute)))
	shadowPath := base + "/template-id/" + tid + "/action-id/" + ids["Shadow"]
	if r := e.Do("PUT", shadowPath, tok, action("Shadow", "live", shadow.URL)); r.Status != 200 {
		t.Fatalf("switch to live: %d %s", r.Status, r.Body)
	}
	e.post(ev("cq-3", "Closed Queue", "+12263762555", "phone", map[string]any{"category": "late"}, "time", at(-time.Second)))
	json.Unmarshal(e.Do("GET", base+"/history?personId="+person+"&actionId="+ids["Shadow"], tok, nil).Body, &hist)
	if len(hist.Data) != 1 {
		t.Fatalf("the shadow firing's cooldown did not hold: %+v", hist)
	}
	// After it, the action now live sends.
	c.Add(time.Hour)
	e.post(ev("cq-4", "Closed Queue", "+12263762555", "phone", map[string]any{"category": "late"}, "time", at(-time.Second)))
	jdstest.WaitFor(t, "the switched action's SMS", func() bool { return len(shadow.Requests()) == 1 })
	if n := len(live.Requests()); n != 2 {
		t.Fatalf("the live twin sent %d, want 2", n)
	}

	// The switch is a version; the diff names the mode; a rollback puts shadow back.
	if vs := e.versions(shadowPath, tok); len(vs.Data) != 2 || !vs.Data[1].Current {
		t.Fatalf("the action's versions: %+v", vs)
	}
	if ch := e.diff(shadowPath, tok, "1", "2")["mode"]; ch.Old != "shadow" || ch.New != "live" {
		t.Fatalf("diff of the switch: %+v", ch)
	}
	if r := e.Do("POST", shadowPath+"/versions/1/rollback", tok, nil); r.Status != 200 || !strings.Contains(string(r.Body), `"mode":"shadow"`) {
		t.Fatalf("rollback: %d %s", r.Status, r.Body)
	}
	if vs := e.versions(shadowPath, tok); len(vs.Data) != 3 {
		t.Fatalf("versions after the rollback: %+v", vs)
	}
	c.Add(2 * time.Hour)
	e.post(ev("cq-5", "Closed Queue", "+12263762555", "phone", map[string]any{"category": "late"}, "time", at(-time.Second)))
	jdstest.WaitFor(t, "the live twin's third SMS", func() bool { return len(live.Requests()) == 3 })
	time.Sleep(100 * time.Millisecond)
	if n := len(shadow.Requests()); n != 1 {
		t.Fatalf("the action back in shadow sent: %d requests", n)
	}
	json.Unmarshal(e.Do("GET", base+"/history?personId="+person+"&actionId="+ids["Shadow"], tok, nil).Body, &hist)
	if len(hist.Data) != 3 || hist.Data[0].State != "shadow" {
		t.Fatalf("the history after the rollback: %+v", hist)
	}

	// A rule file's action is versioned by its file.
	writeRules(t, e, "crm.yaml", strings.Replace(closedQueueTemplate, "Closed Queue", "From File", 1)+"actions:"+
		strings.Replace(connectorAction("File Action", "sms"), "template: Closed Queue", "template: From File", 1))
	e.reloadRules()
	if r := e.Do("GET", base+"/template-id/From%20File/action-name/File%20Action", tok, nil); r.Status != 200 {
		t.Fatalf("the rule file's action: %d %s", r.Status, r.Body)
	}
	var fileAction struct{ Data struct{ ID string } }
	json.Unmarshal(e.Do("GET", base+"/template-id/From%20File/action-name/File%20Action", tok, nil).Body, &fileAction)
	if r := e.Do("GET", base+"/template-id/From%20File/action-id/"+fileAction.Data.ID+"/versions", tok, nil); r.Status != 409 || !strings.Contains(string(r.Body), "versioned by the file (git)") {
		t.Errorf("versions of a rule file's action: %d %s", r.Status, r.Body)
	}
}

// A shadow action asks no contact policy and counts toward none: with one text a day
// allowed, the live action's text is sent although the shadow one fired first.
func TestShadowActionCountsTowardNoPolicy(t *testing.T) {
	t0 := time.Date(2026, 3, 11, 15, 0, 0, 0, time.UTC)
	e, _, partner := policyEnv(t, t0, `
  - name: one a day
    connectors: [sms]
    maxPerPerson: {count: 1, per: 24h}
`)
	writeRules(t, e, "a-shadow.yaml", "actions:"+strings.Replace(connectorAction("Watch", "sms"), "isActive: true", "isActive: true\n    mode: shadow", 1))
	e.reloadRules()
	person := e.postAt("cq-1", "Closed Queue", "+12125550111", t0.Add(-time.Hour), map[string]any{})
	jdstest.WaitFor(t, "the live text", func() bool { return len(partner.Requests()) == 1 })
	// The partner has answered; the attempt is recorded just after.
	var body []byte
	states := map[string]string{}
	settled := func() bool {
		r := e.Do("GET", "/admin/v1/api/journey-actions/workspace-id/"+ws+"/history?personId="+person, jdstest.Token("action", "r", ws), nil)
		var hist struct {
			Data []struct {
				State   string
				Payload struct{ Action string }
			}
		}
		json.Unmarshal(r.Body, &hist)
		body, states = r.Body, map[string]string{}
		for _, d := range hist.Data {
			states[d.Payload.Action] = d.State
		}
		return len(hist.Data) == 2 && states["Text back"] != "pending"
	}
	jdstest.WaitFor(t, "the live text recorded", settled)
	if len(states) != 2 || states["Watch"] != "shadow" || states["Text back"] != "sent" {
		t.Fatalf("the person's deliveries: %s", body)
	}
}
