package server_test

import (
	"encoding/json"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/openjds/jds/internal/jdstest"
)

// object decodes a response's data object.
func dataObject(t *testing.T, r jdstest.Response) map[string]any {
	t.Helper()
	d, ok := r.JSON(t)["data"].(map[string]any)
	if !ok {
		t.Fatalf("data is not an object: %s", r.Body)
	}
	return d
}

// wantAudit checks the G3 metadata of a template, action or person.
func wantAudit(t *testing.T, what string, d map[string]any, want map[string]any) {
	t.Helper()
	for k, v := range want {
		if d[k] != v {
			t.Errorf("%s: %s = %v, want %v", what, k, d[k], v)
		}
	}
}

// Templates and actions carry organizationId, workspaceId, createdAt/By and
// updatedAt/By as the live service sends them; a replacement keeps its creation and
// ignores what the client claims; all of it survives a restart.
func TestTemplatesAndActionsCarryTheirAudit(t *testing.T) {
	c := &jdstest.Clock{}
	t0 := time.Now().UTC().Truncate(time.Second)
	c.Set(t0)
	e := startClocked(t, c, nil)
	stamp := func(at time.Time) string { return at.Format("2006-01-02T15:04:05.000Z") }
	tpl := "/admin/v1/api/profile-view-template/workspace-id/" + ws
	r := e.Do("POST", tpl, jdstest.Token("profile", "w", ws), repeatCaller)
	if r.Status != 201 {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	created := dataObject(t, r)
	id := created["id"].(string)
	audit := map[string]any{"organizationId": org, "workspaceId": ws, "createdAt": stamp(t0), "createdBy": jdstest.KeyName,
		"updatedAt": stamp(t0), "updatedBy": jdstest.KeyName}
	wantAudit(t, "created template", created, audit)

	// Read, then PUT back what was read (with a forged creation): the creation stays.
	c.Add(time.Minute)
	got := dataObject(t, e.Do("GET", tpl+"/template-id/"+id, jdstest.Token("profile", "r", ws), nil))
	wantAudit(t, "read template", got, audit)
	delete(got, "readOnly")
	delete(got, "backfill")
	got["createdAt"], got["createdBy"] = "1999-01-01T00:00:00.000Z", "mallory"
	r = e.Do("PUT", tpl+"/template-id/"+id, jdstest.Token("profile", "w", ws), got)
	if r.Status != 200 {
		t.Fatalf("PUT what GET answered: %d %s", r.Status, r.Body)
	}
	audit["updatedAt"] = stamp(t0.Add(time.Minute))
	wantAudit(t, "replaced template", dataObject(t, r), audit)

	act := "/admin/v1/api/journey-actions/workspace-id/" + ws + "/template-id/" + id
	action := `{"name": "Callback", "isActive": true, "cooldownPeriodInMinutes": 60,
	 "rules": {"logic": "SINGLE", "condition": "Queued Caller,queue,string,Count GTE 2"},
	 "actionTriggers": [{"type": "Webhook", "webhookURL": "https://hooks.example.com/events/6M347NJ6HY",
	   "attributes": {"httpverb": "post", "requestbody": "{}"}}]}`
	r = e.Do("POST", act, jdstest.Token("action", "w", ws), action)
	if r.Status != 201 {
		t.Fatalf("create action: %d %s", r.Status, r.Body)
	}
	a := dataObject(t, r)
	actionAudit := map[string]any{"organizationId": org, "workspaceId": ws, "createdAt": stamp(t0.Add(time.Minute)), "createdBy": jdstest.KeyName,
		"updatedAt": stamp(t0.Add(time.Minute)), "updatedBy": jdstest.KeyName}
	wantAudit(t, "created action", a, actionAudit)
	c.Add(time.Minute)
	delete(a, "readOnly")
	r = e.Do("PUT", act+"/action-id/"+a["id"].(string), jdstest.Token("action", "w", ws), a)
	if r.Status != 200 {
		t.Fatalf("PUT the action back: %d %s", r.Status, r.Body)
	}
	actionAudit["updatedAt"] = stamp(t0.Add(2 * time.Minute))
	wantAudit(t, "replaced action", dataObject(t, r), actionAudit)

	e.Restart()
	wantAudit(t, "template after a restart", dataObject(t, e.Do("GET", tpl+"/template-id/"+id, jdstest.Token("profile", "r", ws), nil)), audit)
	wantAudit(t, "action after a restart", dataObject(t, e.Do("GET", act+"/action-id/"+a["id"].(string), jdstest.Token("action", "r", ws), nil)), actionAudit)
}

// Profile views as the live service sends them: meta names the person and template,
// systemMetdata (sic) beside systemMetadata, verbose journeyEvents as JSON strings.
func TestProfileViewShape(t *testing.T) {
	e := start(t, nil)
	r := e.Do("POST", "/admin/v1/api/profile-view-template/workspace-id/"+ws, jdstest.Token("profile", "w", ws), repeatCaller)
	if r.Status != 201 {
		t.Fatalf("template: %d %s", r.Status, r.Body)
	}
	id := dataObject(t, r)["id"].(string)
	e.waitBackfill(id)
	if r := e.post(ev("q1", "Queued Caller", "+12263762555", "phone", map[string]any{"queue": "Billing"})); r.Status != 202 {
		t.Fatal(r.Status, string(r.Body))
	}
	r = e.Do("GET", "/v1/api/progressive-profile-view/workspace-id/"+ws+"/identity/12263762555/template-id/"+id, jdstest.Token("profile", "r", ws), nil)
	var body struct {
		Meta map[string]any
		Data []struct {
			OrganizationID string
			WorkspaceID    string
			PersonID       string
			SystemMetadata map[string]any
			SystemMetdata  map[string]any
			Attributes     []struct{ JourneyEvents []any }
		}
	}
	if err := json.Unmarshal(r.Body, &body); err != nil || r.Status != 200 || len(body.Data) != 1 {
		t.Fatalf("%d %v %s", r.Status, err, r.Body)
	}
	v := body.Data[0]
	if body.Meta["personId"] != v.PersonID || v.PersonID == "" || body.Meta["templateId"] != id || v.OrganizationID != org || v.WorkspaceID != ws {
		t.Errorf("meta: %v, want personId %s and templateId %s; view of %s/%s", body.Meta, v.PersonID, id, v.OrganizationID, v.WorkspaceID)
	}
	h, ok := v.SystemMetdata["journeyActionTriggerHistories"].([]any)
	if !ok || !reflect.DeepEqual(v.SystemMetdata, v.SystemMetadata) {
		t.Errorf("systemMetdata: %v (%v), systemMetadata: %v", v.SystemMetdata, h, v.SystemMetadata)
	}
	if len(v.Attributes) != 1 || len(v.Attributes[0].JourneyEvents) != 1 {
		t.Fatalf("journeyEvents: %s", r.Body)
	}
	s, ok := v.Attributes[0].JourneyEvents[0].(string)
	var event struct{ ID string }
	if !ok || json.Unmarshal([]byte(s), &event) != nil || event.ID != "q1" {
		t.Errorf("journeyEvents[0] is not the JSON string of event q1: %#v", v.Attributes[0].JourneyEvents[0])
	}
}

// Persons carry organizationId and workspaceId; the list honours filter (field names in
// any case), sortBy and sort; event filters take attribute names in any case.
func TestPersonListFilterAndSort(t *testing.T) {
	e := start(t, nil)
	idmt := jdstest.Token("idmt", "rw", ws)
	base := "/admin/v1/api/person/workspace-id/" + ws
	for _, p := range []string{
		`{"firstName": "Bob", "lastName": "Zed", "phone": ["12263762555"]}`,
		`{"firstName": "Ann", "lastName": "Young", "email": ["ann@example.com"]}`,
		`{"firstName": "Cy", "lastName": "Young", "customerId": ["C-1"]}`,
	} {
		r := e.Do("POST", base, idmt, p)
		if r.Status != 201 {
			t.Fatalf("%s: %d %s", p, r.Status, r.Body)
		}
		wantAudit(t, "person", dataObject(t, r), map[string]any{"organizationId": org, "workspaceId": ws})
	}
	names := func(query string) []string {
		t.Helper()
		r := e.Do("GET", base+"?"+query, idmt, nil)
		var body struct {
			Data []struct {
				FirstName, OrganizationID, WorkspaceID string
			}
		}
		if err := json.Unmarshal(r.Body, &body); err != nil || r.Status != 200 {
			t.Fatalf("%s: %d %s", query, r.Status, r.Body)
		}
		out := []string{}
		for _, p := range body.Data {
			if p.OrganizationID != org || p.WorkspaceID != ws {
				t.Errorf("%s: %+v", query, p)
			}
			out = append(out, p.FirstName)
		}
		return out
	}
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"sortBy=firstName", []string{"Ann", "Bob", "Cy"}},
		{"sortBy=FIRSTNAME&sort=desc", []string{"Cy", "Bob", "Ann"}},
		{"filter=" + url.QueryEscape("lastname=='Young'") + "&sortBy=firstName&sort=DESC", []string{"Cy", "Ann"}},
		{"filter=" + url.QueryEscape("lastName eq 'Young' and firstName ne 'Cy'"), []string{"Ann"}},
		{"filter=" + url.QueryEscape("phone=='+12263762555'"), []string{"Bob"}},
		{"filter=" + url.QueryEscape("Email==*@example.com"), []string{"Ann"}},
		{"filter=" + url.QueryEscape("lastName=='Young'") + "&sortBy=firstName&pageSize=1&page=1", []string{"Cy"}},
	} {
		if got := names(c.query); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %v, want %v", c.query, got, c.want)
		}
	}
	for _, bad := range []struct{ query, says string }{
		{"sortBy=age", "sortBy: must be one of id, firstName, lastName, createdAt, updatedAt"},
		{"sortBy=firstName&sort=up", "sort: must be asc or desc"},
		{"filter=" + url.QueryEscape("firstName=="), "filter: at position"},
	} {
		r := e.Do("GET", base+"?"+bad.query, idmt, nil)
		if r.Status != 400 || !strings.Contains(string(r.Body), bad.says) {
			t.Errorf("%s: %d %s, want 400 saying %s", bad.query, r.Status, r.Body, bad.says)
		}
	}

	// G3's RSQL example writes identityType; the attribute is identitytype.
	if r := e.post(ev("e1", "Payment", "+12263762555", "phone", map[string]any{"category": "Water"})); r.Status != 202 {
		t.Fatal(r.Status, string(r.Body))
	}
	for _, f := range []string{"identityType=='phone'", "Type eq 'Payment'", "identityType=='phone';DATA.category=='Water'"} {
		if ids := eventIDs(t, e.Do("GET", historyPath("12263762555", "&filter="+url.QueryEscape(f)), admin, nil)); !reflect.DeepEqual(ids, []string{"e1"}) {
			t.Errorf("filter %s: %v", f, ids)
		}
	}
}
