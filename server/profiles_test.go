package server_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openjds/jds/internal/jdstest"
)

const repeatCaller = `{"name": "Repeat Caller", "attributes": [{
  "version": "0.1", "displayName": "Calls in the last day", "event": "Queued Caller",
  "metaData": "queue", "metaDataType": "string", "limit": 1000,
  "lookBackDurationType": "days", "lookBackPeriod": 1, "aggregationMode": "Count",
  "rules": {"logic": "SINGLE", "condition": "Queued Caller,queue,string,Value EQ Billing"},
  "verbose": true, "widgetAttributes": {"type": "table"}}]}`

type profileView struct {
	PersonID     string
	TemplateID   string
	TemplateName string
	Attributes   []struct {
		DisplayName   string
		Result        string
		Value         any
		JourneyEvents []string // JSON strings of events, as the live service sends them
	}
}

func (e *env) profile(path string) profileView {
	e.t.Helper()
	r := e.Do("GET", "/v1/api/progressive-profile-view/workspace-id/"+ws+"/"+path, jdstest.Token("profile", "r", ws), nil)
	if r.Status != 200 {
		e.t.Fatalf("profile %s: %d %s", path, r.Status, r.Body)
	}
	var body struct{ Data []profileView }
	if err := json.Unmarshal(r.Body, &body); err != nil || len(body.Data) != 1 {
		e.t.Fatalf("profile %s: %v %s", path, err, r.Body)
	}
	return body.Data[0]
}

func (e *env) waitBackfill(id string) {
	e.t.Helper()
	for range 200 {
		r := e.Do("GET", "/admin/v1/api/profile-view-template/workspace-id/"+ws+"/template-id/"+id, jdstest.Token("profile", "r", ws), nil)
		var body struct {
			Data struct{ Backfill struct{ State string } }
		}
		json.Unmarshal(r.Body, &body)
		if body.Data.Backfill.State == "done" {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	e.t.Fatal("backfill did not finish")
}

func TestProfileTemplatesAndViews(t *testing.T) {
	c := &jdstest.Clock{}
	t0 := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	c.Set(t0)
	e := startClocked(t, c, nil)
	queued := func(id, queue string, at time.Time) {
		t.Helper()
		if r := e.post(ev(id, "Queued Caller", "+12263762555", "phone", map[string]any{"queue": queue}, "time", at.Format(time.RFC3339))); r.Status != 202 {
			t.Fatal(r.Status, string(r.Body))
		}
	}
	// Events that exist before the template: the backfill must count them.
	queued("q1", "Billing", t0.Add(-2*time.Hour))
	queued("q2", "Billing", t0.Add(-1*time.Hour))
	queued("q3", "Sales", t0.Add(-1*time.Hour))

	tplPath := "/admin/v1/api/profile-view-template/workspace-id/" + ws
	r := e.Do("POST", tplPath, jdstest.Token("profile", "w", ws), repeatCaller)
	if r.Status != 201 {
		t.Fatalf("create template: %d %s", r.Status, r.Body)
	}
	var created struct{ Data struct{ ID string } }
	json.Unmarshal(r.Body, &created)
	id := created.Data.ID
	e.waitBackfill(id)

	count := func(path string) string {
		t.Helper()
		v := e.profile(path)
		return v.Attributes[0].Result
	}
	byName := "identity/12263762555/template-name/" + url.PathEscape("Repeat Caller")
	if got := count(byName); got != "2" {
		t.Fatalf("backfilled count = %s, want 2", got)
	}
	// A new event counts in the same commit: the read right after the 202 sees it.
	queued("q4", "Billing", t0)
	v := e.profile("identity/%2B12263762555/template-id/" + id)
	if v.Attributes[0].Result != "3" || v.Attributes[0].Value != 3.0 || v.TemplateName != "Repeat Caller" {
		t.Fatalf("after a new event: %+v", v)
	}
	var first struct{ ID string }
	if len(v.Attributes[0].JourneyEvents) > 0 {
		json.Unmarshal([]byte(v.Attributes[0].JourneyEvents[0]), &first)
	}
	if fmt.Sprint(len(v.Attributes[0].JourneyEvents)) != "3" || first.ID != "q4" {
		t.Fatalf("verbose journey events: %+v", v.Attributes[0].JourneyEvents)
	}
	if got := count("person-id/" + v.PersonID + "/template-name/Repeat%20Caller"); got != "3" {
		t.Fatalf("by person id: %s", got)
	}
	// Events leave the window as time passes, with no new event.
	c.Add(22*time.Hour + 30*time.Minute)
	if got := count(byName); got != "2" {
		t.Fatalf("after 22.5 h = %s, want 2 (q1 aged out)", got)
	}
	c.Add(2 * time.Hour)
	if got := count(byName); got != "0" {
		t.Fatalf("after 24.5 h = %s, want 0", got)
	}
	// A caller nobody knows has an empty profile.
	if got := count("identity/15550009999/template-name/Repeat%20Caller"); got != "0" {
		t.Fatalf("unknown caller: %s", got)
	}
	// Errors name what is wrong.
	for _, bad := range []struct{ body, says string }{
		{`{"name":"X","attributes":[{"displayName":"a","event":"E","lookBackDurationType":"weeks","lookBackPeriod":1,"aggregationMode":"Count"}]}`, "lookBackDurationType"},
		{`{"name":"X","attributes":[{"displayName":"a","event":"E","lookBackDurationType":"days","lookBackPeriod":1,"aggregationMode":"Median"}]}`, "aggregationMode"},
		{`{"name":"X","attributes":[{"displayName":"a","event":"E","lookBackDurationType":"days","lookBackPeriod":1,"aggregationMode":"Count","condition":"evnt.data.x == 1"}]}`, "condition"},
		{`{"name":"X","attributes":[], "extra": 1}`, "extra"},
		{repeatCaller, "exists"},
	} {
		r := e.Do("POST", tplPath, jdstest.Token("profile", "w", ws), bad.body)
		if r.Status/100 != 4 || !strings.Contains(string(r.Body), bad.says) {
			t.Errorf("template %.60s: %d %s", bad.body, r.Status, r.Body)
		}
	}
	// Replace: the changed definition is backfilled from the ledger.
	c.Set(t0)
	changed := strings.Replace(repeatCaller, "Value EQ Billing", "Value EQ Sales", 1)
	if r := e.Do("PUT", tplPath+"/template-id/"+id, jdstest.Token("profile", "w", ws), changed); r.Status != 200 {
		t.Fatalf("replace: %d %s", r.Status, r.Body)
	}
	e.waitBackfill(id)
	if got := count(byName); got != "1" {
		t.Fatalf("after replace = %s, want 1 (q3)", got)
	}
	// List, get by name, delete.
	r = e.Do("GET", tplPath, jdstest.Token("profile", "r", ws), nil)
	if r.Status != 200 || !strings.Contains(string(r.Body), `"readOnly":false`) {
		t.Fatalf("list: %d %s", r.Status, r.Body)
	}
	if r := e.Do("GET", tplPath+"/template-name/Repeat%20Caller", jdstest.Token("profile", "r", ws), nil); r.Status != 200 {
		t.Fatalf("get by name: %d", r.Status)
	}
	if r := e.Do("DELETE", tplPath+"/template-id/"+id, jdstest.Token("profile", "w", ws), nil); r.Status != 200 {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	if r := e.Do("GET", "/v1/api/progressive-profile-view/workspace-id/"+ws+"/"+byName, jdstest.Token("profile", "r", ws), nil); r.Status != 404 {
		t.Fatalf("view of a deleted template: %d", r.Status)
	}
}

// Answers that readers get again and again (kept by the service until they can change)
// follow new events, events coming into and leaving the window, and the mode of each
// attribute, even where two attributes keep the same state.
func TestProfileAnswersFollowTimeAndEvents(t *testing.T) {
	c := &jdstest.Clock{}
	t0 := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	c.Set(t0)
	e := startClocked(t, c, nil)
	attr := func(name, mode string) string {
		return `{"displayName": "` + name + `", "event": "Payment", "metaData": "amount", "metaDataType": "integer",
		  "lookBackDurationType": "days", "lookBackPeriod": 1, "aggregationMode": "` + mode + `"}`
	}
	tpl := `{"name": "Payments", "attributes": [` + attr("total", "Sum") + `,` + attr("largest", "Max") + `]}`
	r := e.Do("POST", "/admin/v1/api/profile-view-template/workspace-id/"+ws, jdstest.Token("profile", "w", ws), tpl)
	if r.Status != 201 {
		t.Fatalf("create template: %d %s", r.Status, r.Body)
	}
	var created struct{ Data struct{ ID string } }
	json.Unmarshal(r.Body, &created)
	e.waitBackfill(created.Data.ID)
	pay := func(id string, amount int, at time.Time) {
		t.Helper()
		if r := e.post(ev(id, "Payment", "+12263762555", "phone", map[string]any{"amount": amount}, "time", at.Format(time.RFC3339))); r.Status != 202 {
			t.Fatal(r.Status, string(r.Body))
		}
	}
	pay("p1", 5, t0.Add(-2*time.Hour))
	pay("p2", 7, t0.Add(-time.Hour))
	pay("p3", 100, t0.Add(time.Hour)) // future-dated: counts from t0+1h
	answers := func() string {
		t.Helper()
		v := e.profile("identity/12263762555/template-name/Payments")
		return v.Attributes[0].Result + " " + v.Attributes[1].Result
	}
	for _, step := range []struct {
		advance time.Duration
		pay     int
		want    string
	}{
		{0, 0, "12 7"},
		{0, 0, "12 7"},            // the same answer, read again
		{time.Hour, 0, "112 100"}, // t0+1h: p3 counts
		{20*time.Hour + 59*time.Minute, 0, "112 100"}, // t0+21h59m
		{time.Minute, 0, "107 100"},                   // t0+22h: p1 leaves the window
		{0, 1, "108 100"},                             // a new event
		{time.Hour, 0, "101 100"},                     // t0+23h: p2 leaves
	} {
		c.Add(step.advance)
		if step.pay > 0 {
			pay("p4", step.pay, c.Now())
		}
		if got := answers(); got != step.want {
			t.Fatalf("at t0+%s: total, largest = %s, want %s", c.Now().Sub(t0), got, step.want)
		}
	}
}

// writeRules writes a rule file into the service's rules directory.
func writeRules(t *testing.T, e *env, name, body string) {
	t.Helper()
	jdstest.WriteFile(t, filepath.Join(e.Config.RulesDir, name), body)
}

func TestRuleFileTemplatesReloadSafely(t *testing.T) {
	c := &jdstest.Clock{}
	t0 := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	c.Set(t0)
	e := startClocked(t, c, nil)
	e.post(ev("c1", "Closed Queue", "+12263762555", "phone", map[string]any{"category": "Billing"}, "time", t0.Add(-time.Hour).Format(time.RFC3339)))
	writeRules(t, e, "closed.yaml", `
templates:
  - name: Closed Queue
    attributes:
      - name: closedQueueCalls
        displayName: Closed queue calls today
        event: Closed Queue
        aggregationMode: Count
        lookBack: 1d
`)
	reload := func() jdstest.Response {
		return e.Do("POST", "/admin/v1/api/rules/reload", admin, nil)
	}
	if r := reload(); r.Status != 200 || !strings.Contains(string(r.Body), `"templates":1`) {
		t.Fatalf("reload: %d %s", r.Status, r.Body)
	}
	e.waitBackfill("file-closed-queue")
	view := "identity/12263762555/template-name/Closed%20Queue"
	if got := e.profile(view).Attributes[0].Result; got != "1" {
		t.Fatalf("file template after backfill = %s", got)
	}
	// Rule-file templates are read-only in the API.
	tpl := "/admin/v1/api/profile-view-template/workspace-id/" + ws + "/template-id/file-closed-queue"
	if r := e.Do("DELETE", tpl, jdstest.Token("profile", "w", ws), nil); r.Status != 409 || !strings.Contains(string(r.Body), "read-only") {
		t.Fatalf("deleting a file template: %d %s", r.Status, r.Body)
	}
	// A broken file does not replace the working set: the error is reported, and the
	// template keeps counting.
	writeRules(t, e, "broken.yaml", "templates:\n  - name: Broken\n    attributes:\n      - displayName: x\n        event: E\n        aggregationMode: Median\n        lookBack: 1d\n")
	r := reload()
	if r.Status != 422 || !strings.Contains(string(r.Body), "broken.yaml:6:26") {
		t.Fatalf("broken reload: %d %s", r.Status, r.Body)
	}
	e.post(ev("c2", "Closed Queue", "+12263762555", "phone", map[string]any{}, "time", t0.Format(time.RFC3339)))
	if got := e.profile(view).Attributes[0].Result; got != "2" {
		t.Fatalf("after a failed reload = %s, want 2", got)
	}
	st := e.Do("GET", "/admin/v1/api/rules", admin, nil)
	if !strings.Contains(string(st.Body), `"ok":false`) || !strings.Contains(string(st.Body), "Median") {
		t.Fatalf("status: %s", st.Body)
	}
	metrics := string(e.Do("GET", "/metrics", "", nil).Body)
	for _, want := range []string{"jds_rules_last_reload_success 0", "jds_rules_reload_failures_total 1", "jds_profile_backfills_running 0"} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	// Mending the file is enough: the directory is watched.
	os.Remove(filepath.Join(e.Config.RulesDir, "broken.yaml"))
	for i := 0; ; i++ {
		st := e.Do("GET", "/admin/v1/api/rules", admin, nil)
		if strings.Contains(string(st.Body), `"ok":true`) {
			break
		}
		if i == 200 {
			t.Fatalf("the watcher did not reload: %s", st.Body)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

func TestProfileStreamSendsTheViewWhenItChanges(t *testing.T) {
	c := &jdstest.Clock{}
	t0 := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	c.Set(t0)
	e := startClocked(t, c, nil)
	if r := e.Do("POST", "/admin/v1/api/profile-view-template/workspace-id/"+ws, jdstest.Token("profile", "w", ws), repeatCaller); r.Status != 201 {
		t.Fatal(r.Status, string(r.Body))
	}
	st := e.openStream("/v1/api/progressive-profile-view/stream/workspace-id/"+ws+"/identity/12263762555/template-name/Repeat%20Caller", jdstest.Token("profile", "r", ws))
	result := func() string {
		t.Helper()
		for {
			m := st.next(t)
			if m.event != "profile" {
				continue
			}
			var v profileView
			if err := json.Unmarshal([]byte(m.data), &v); err != nil {
				t.Fatal(err)
			}
			return v.Attributes[0].Result
		}
	}
	if got := result(); got != "0" {
		t.Fatalf("first view = %s", got)
	}
	e.post(ev("s1", "Queued Caller", "+12263762555", "phone", map[string]any{"queue": "Billing"}, "time", t0.Format(time.RFC3339)))
	if got := result(); got != "1" {
		t.Fatalf("after an event = %s", got)
	}
	// Ageing out changes the view too, with no event.
	c.Add(25 * time.Hour)
	if got := result(); got != "0" {
		t.Fatalf("after the window = %s", got)
	}
}
