package server_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/openjds/jds/internal/jdstest"
)

type workspaceJSON struct {
	ID                  string   `json:"id"`
	Name                string   `json:"name"`
	Description         string   `json:"description"`
	WxccSubscriptionIDs []string `json:"wxccSubscriptionIds"`
	OrganizationID      string   `json:"organizationId"`
	Settings            struct {
		General struct {
			DataRetentionDays *int `json:"dataRetentionDays"`
		} `json:"general"`
	} `json:"settings"`
	CreatedAt *string `json:"createdAt"`
	UpdatedAt *string `json:"updatedAt"`
	Implicit  bool    `json:"implicit"`
}

type subscriptionJSON struct {
	ID             string   `json:"id"`
	Name           string   `json:"name"`
	EventTypes     []string `json:"eventTypes"`
	DestinationURL string   `json:"destinationUrl"`
	Status         string   `json:"status"`
	Connector      string   `json:"connector"`
}

// data decodes the data of an answer with the wanted status.
func data[T any](t *testing.T, r jdstest.Response, status int) T {
	t.Helper()
	var body struct{ Data T }
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatalf("%v: %s", err, r.Body)
	}
	return body.Data
}

func workspaceIDs(ws []workspaceJSON) []string {
	var ids []string
	for _, w := range ws {
		ids = append(ids, w.ID)
	}
	return ids
}

// The G3 workspace admin: workspaces that hold events are listed beside those created
// through the API; a workspace's token sees only its own; a workspace that holds data is
// deleted only with purge=true.
func TestWorkspaceAdmin(t *testing.T) {
	e := start(t, inboundConfig(t))
	const base = "/admin/v1/api/workspace"
	if r := e.post(ev("e1", "Call", "+12263762555", "phone", map[string]any{})); r.Status != 202 {
		t.Fatalf("post: %d %s", r.Status, r.Body)
	}
	list := data[[]workspaceJSON](t, e.Do("GET", base+"?organizationId="+org, admin, nil), 200)
	if len(list) != 1 || list[0].ID != ws || !list[0].Implicit || list[0].OrganizationID != org || list[0].WxccSubscriptionIDs == nil || list[0].CreatedAt != nil {
		t.Fatalf("implicit workspace: %+v", list)
	}

	created := data[workspaceJSON](t, e.Do("POST", base, admin, map[string]any{"name": "billing", "description": "Billing team",
		"settings": map[string]any{"general": map[string]any{"dataRetentionDays": 30}}}), 201)
	if created.ID != "billing" || created.Description != "Billing team" || created.Implicit || created.CreatedAt == nil ||
		created.Settings.General.DataRetentionDays == nil || *created.Settings.General.DataRetentionDays != 30 {
		t.Fatalf("created: %+v", created)
	}
	data[workspaceJSON](t, e.Do("POST", base, admin, map[string]any{"id": "main", "name": "Main Project"}), 201)
	for _, c := range []struct {
		name  string
		token string
		body  any
		code  int
		want  string
	}{
		{"exists", admin, map[string]any{"name": "billing"}, 409, `workspace \"billing\" exists`},
		{"implicit exists", admin, map[string]any{"name": ws}, 409, "exists"},
		{"name is no id", admin, map[string]any{"name": "Main Project"}, 400, "name: not a valid workspace id; give id"},
		{"no name", admin, map[string]any{"id": "x"}, 400, "name: required"},
		{"retention", admin, map[string]any{"name": "x", "settings": map[string]any{"general": map[string]any{"dataRetentionDays": -1}}}, 400,
			"settings.general.dataRetentionDays: must be from 0"},
		{"unknown field", admin, map[string]any{"name": "x", "colour": "red"}, 400, "colour"},
		{"a workspace's token", jdstest.Token("admin", "rw", "billing"), map[string]any{"name": "x"}, 403, "sn: must be *"},
		{"read-only", jdstest.Token("admin", "r", "*"), map[string]any{"name": "x"}, 403, "sp: must include w"},
	} {
		if r := e.Do("POST", base, c.token, c.body); r.Status != c.code || !strings.Contains(string(r.Body), c.want) {
			t.Errorf("POST %s: %d %s, want %d with %q", c.name, r.Status, r.Body, c.code, c.want)
		}
	}
	if got := workspaceIDs(data[[]workspaceJSON](t, e.Do("GET", base, admin, nil), 200)); !slices.Equal(got, []string{"billing", "main", ws}) {
		t.Errorf("list = %v", got)
	}
	if got := workspaceIDs(data[[]workspaceJSON](t, e.Do("GET", base, jdstest.Token("admin", "r", "billing"), nil), 200)); !slices.Equal(got, []string{"billing"}) {
		t.Errorf("list with billing's token = %v", got)
	}
	if r := e.Do("GET", base, jdstest.Token("tape", "r", "*"), nil); r.Status != 403 {
		t.Errorf("list with a tape token: %d %s", r.Status, r.Body)
	}

	// GET and PUT one; PUT keeps the creation and replaces the settings.
	one := data[workspaceJSON](t, e.Do("GET", base+"/workspace-id/billing", admin, nil), 200)
	if one.Name != "billing" || *one.CreatedAt != *created.CreatedAt {
		t.Errorf("GET billing: %+v", one)
	}
	put := data[workspaceJSON](t, e.Do("PUT", base+"/workspace-id/billing", admin, map[string]any{"name": "Billing", "description": "renamed", "id": "billing", "organizationId": org, "wxccSubscriptionIds": []string{}}), 200)
	if put.Name != "Billing" || put.Description != "renamed" || *put.CreatedAt != *created.CreatedAt || put.Settings.General.DataRetentionDays != nil {
		t.Errorf("PUT billing: %+v", put)
	}
	if put := data[workspaceJSON](t, e.Do("PUT", base+"/workspace-id/"+ws, admin, map[string]any{"name": "Sandbox"}), 200); put.Implicit || put.Name != "Sandbox" {
		t.Errorf("PUT of an implicit workspace: %+v", put)
	}
	for path, want := range map[string]int{"/workspace-id/nope": 404} {
		if r := e.Do("GET", base+path, admin, nil); r.Status != want {
			t.Errorf("GET %s: %d %s", path, r.Status, r.Body)
		}
		if r := e.Do("PUT", base+path, admin, map[string]any{"name": "x"}); r.Status != want {
			t.Errorf("PUT %s: %d %s", path, r.Status, r.Body)
		}
	}
	if r := e.Do("PUT", base+"/workspace-id/billing", admin, map[string]any{"id": "other", "name": "x"}); r.Status != 400 || !strings.Contains(string(r.Body), "id: not the path's workspace") {
		t.Errorf("PUT renaming: %d %s", r.Status, r.Body)
	}
	if r := e.Do("GET", base+"/workspace-id/billing", jdstest.Token("admin", "rw", "main"), nil); r.Status != 403 {
		t.Errorf("GET billing with main's token: %d", r.Status)
	}

	// Deleting: refused while the workspace holds data, erased with purge=true.
	if r := e.Do("DELETE", base+"/workspace-id/"+ws, admin, nil); r.Status != 409 || !strings.Contains(string(r.Body), "purge: required while the workspace holds data") {
		t.Fatalf("DELETE of a workspace with data: %d %s", r.Status, r.Body)
	}
	if got := e.journey("+12263762555"); !slices.Equal(got, []string{"e1"}) {
		t.Fatalf("a refused delete lost events: %v", got)
	}
	if r := e.Do("DELETE", base+"/workspace-id/"+ws+"?purge=yes", admin, nil); r.Status != 400 {
		t.Errorf("purge=yes: %d %s", r.Status, r.Body)
	}
	r := e.Do("DELETE", base+"/workspace-id/"+ws+"?purge=true", admin, nil)
	var removed struct {
		Meta struct {
			Removed struct{ Persons, Events int }
		}
		Data workspaceJSON
	}
	if err := json.Unmarshal(r.Body, &removed); err != nil || r.Status != 200 || removed.Meta.Removed.Persons != 1 || removed.Meta.Removed.Events != 1 || removed.Data.Name != "Sandbox" {
		t.Fatalf("DELETE ?purge=true: %d %s", r.Status, r.Body)
	}
	if got := e.journey("+12263762555"); len(got) != 0 {
		t.Errorf("purged events are still there: %v", got)
	}
	data[workspaceJSON](t, e.Do("DELETE", base+"/workspace-id/billing", admin, nil), 200)
	if r := e.Do("GET", base+"/workspace-id/billing", admin, nil); r.Status != 404 {
		t.Errorf("GET of a deleted workspace: %d %s", r.Status, r.Body)
	}
	if got := workspaceIDs(data[[]workspaceJSON](t, e.Do("GET", base, admin, nil), 200)); !slices.Equal(got, []string{"main"}) {
		t.Errorf("list after the deletes = %v", got)
	}
}

// A WxCC subscription's destination is the workspace's inbound webexcc webhook at the
// host the request came to; the widget finds the workspace by its subscription ids.
func TestWxccSubscriptions(t *testing.T) {
	e := start(t, inboundConfig(t))
	const sub = "/admin/v1/api/wxcc-subscription/workspace-id/"
	s := data[subscriptionJSON](t, e.Do("POST", sub+ws, admin, nil), 201)
	if s.ID == "" || s.Status != "active" || s.Connector != "wxcc-subscription" || !slices.Equal(s.EventTypes, []string{"task:*", "agent:*"}) ||
		s.DestinationURL != e.URL+"/v1/connectors/wxcc-subscription/webhook" {
		t.Fatalf("subscription: %+v", s)
	}
	proxied := data[subscriptionJSON](t, e.Do("POST", sub+ws, admin, map[string]any{"name": "tasks", "eventTypes": []string{"task:new", "task:ended"}},
		"X-Forwarded-Proto", "https", "X-Forwarded-Host", "jds.example.com"), 201)
	if proxied.DestinationURL != "https://jds.example.com/v1/connectors/wxcc-subscription/webhook" || proxied.Name != "tasks" {
		t.Errorf("behind a proxy: %+v", proxied)
	}
	for name, c := range map[string]struct {
		path string
		body any
		code int
		want string
	}{
		"no webexcc connector":    {sub + "billing", nil, 409, "verify: {scheme: webexcc"},
		"bad event type":          {sub + ws, map[string]any{"eventTypes": []string{"task"}}, 400, "eventTypes[0]"},
		"unknown connector":       {sub + ws, map[string]any{"connector": "crm"}, 400, "connector: not a webexcc inbound webhook"},
		"not a subscription body": {sub + ws, map[string]any{"destinationUrl": "https://x"}, 400, "destinationUrl"},
	} {
		if r := e.Do("POST", c.path, admin, c.body); r.Status != c.code || !strings.Contains(string(r.Body), c.want) {
			t.Errorf("%s: %d %s, want %d with %q", name, r.Status, r.Body, c.code, c.want)
		}
	}
	if got := data[[]subscriptionJSON](t, e.Do("GET", sub+ws, admin, nil), 200); len(got) != 2 || got[0].ID != s.ID {
		t.Errorf("GET subscriptions: %+v", got)
	}
	// The v10 widget's discovery: the workspace whose wxccSubscriptionIds is not empty.
	list := data[[]workspaceJSON](t, e.Do("GET", "/admin/v1/api/workspace?organizationId="+org, admin, nil), 200)
	if len(list) != 1 || list[0].ID != ws || !slices.Equal(list[0].WxccSubscriptionIDs, []string{s.ID, proxied.ID}) {
		t.Errorf("workspaces: %+v", list)
	}
	if r := e.Do("DELETE", sub+ws+"?subscriptionId=nope", admin, nil); r.Status != 404 {
		t.Errorf("DELETE of an unknown id: %d %s", r.Status, r.Body)
	}
	if got := data[[]subscriptionJSON](t, e.Do("DELETE", sub+ws+"?subscriptionId="+s.ID, admin, nil), 200); len(got) != 1 || got[0].ID != s.ID {
		t.Errorf("DELETE one: %+v", got)
	}
	if got := data[[]subscriptionJSON](t, e.Do("DELETE", sub+ws, admin, nil), 200); len(got) != 1 || got[0].ID != proxied.ID {
		t.Errorf("DELETE the rest: %+v", got)
	}
	if got := data[[]subscriptionJSON](t, e.Do("GET", sub+ws, admin, nil), 200); len(got) != 0 {
		t.Errorf("after DELETE: %+v", got)
	}
}

// A workspace holds at most 100 WxCC subscriptions: one more is a 409 naming the limit,
// and a workspace's list reads only its own.
func TestWxccSubscriptionsAreCapped(t *testing.T) {
	e := start(t, inboundConfig(t))
	const sub = "/admin/v1/api/wxcc-subscription/workspace-id/"
	for i := range 100 {
		if r := e.Do("POST", sub+ws, admin, nil); r.Status != 201 {
			t.Fatalf("subscription %d: %d %s", i, r.Status, r.Body)
		}
	}
	r := e.Do("POST", sub+ws, admin, nil)
	if r.Status != 409 || !strings.Contains(string(r.Body), "workspace limit reached: workspace "+org+"/"+ws+" has 100 WxCC subscriptions, at most 100") {
		t.Fatalf("the 101st: %d %s", r.Status, r.Body)
	}
	if got := data[[]subscriptionJSON](t, e.Do("GET", sub+ws, admin, nil), 200); len(got) != 100 {
		t.Fatalf("GET: %d subscriptions", len(got))
	}
}
