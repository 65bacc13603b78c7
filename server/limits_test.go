package server_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/openjds/jds/config"
)

// repeatf makes n strings from format and their index.
func repeatf(format string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf(format, i)
	}
	return out
}

// Every list a request carries has a cap, and a request past one is a 400 naming the
// field and the cap, answered before the store is asked anything (the person ids and
// the template below do not exist, and no 404 comes back).
func TestRequestListCaps(t *testing.T) {
	const maxAliases = 150 // identity.maxAliasesPerPerson, the alias cap
	e := start(t, func(c *config.Config) { c.Identity.MaxAliasesPerPerson = maxAliases })
	person := "/admin/v1/api/person"
	tpl := "/admin/v1/api/profile-view-template/workspace-id/" + ws
	r := e.Do("POST", tpl, admin, `{"name":"T","attributes":[{"displayName":"calls","event":"E","aggregationMode":"Count","lookBackDurationType":"days","lookBackPeriod":1}]}`)
	if r.Status != 201 {
		t.Fatalf("creating the template: %d %s", r.Status, r.Body)
	}
	var created struct{ Data struct{ ID string } }
	json.Unmarshal(r.Body, &created)
	attribute := func(i int, rules string) string {
		return fmt.Sprintf(`{"displayName":"a%d","event":"E","aggregationMode":"Count","lookBackDurationType":"days","lookBackPeriod":1%s}`, i, rules)
	}
	orRules := func(n int, cond string) string {
		raw, _ := json.Marshal(map[string]any{"logic": "OR", "args": repeatf(cond, n)})
		return string(raw)
	}
	trigger := `{"type":"Webhook","webhookURL":"https://hooks.example/events/1","attributes":{"httpverb":"post"}}`
	action := func(triggers int, rules string) string {
		return `{"name":"A","isActive":true,"cooldownPeriodInMinutes":1,"rules":` + rules +
			`,"actionTriggers":[` + strings.Repeat(trigger+",", triggers-1) + trigger + `]}`
	}
	ops := make([]map[string]any, 101)
	for i := range ops {
		ops[i] = map[string]any{"op": "replace", "path": "/firstName", "value": fmt.Sprint(i)}
	}
	tests := []struct {
		name, method, path string
		body               any
		headers            []string
		want               string // one of the errors
	}{
		{"merge", "POST", person + "/merge/workspace-id/" + ws + "/primary-person-id/nobody",
			map[string]any{"personIdsToMerge": repeatf("p%d", 101)}, nil, "personIdsToMerge: 101 given, at most 100"},
		{"create, one kind", "POST", person + "/workspace-id/" + ws,
			map[string]any{"phone": repeatf("+1555000%04d", 151)}, nil, "phone: 151 given, at most 150"},
		{"create, in total", "POST", person + "/workspace-id/" + ws,
			map[string]any{"phone": repeatf("+1555000%04d", 80), "email": repeatf("a%d@example.com", 80)}, nil, "aliases: 160 given in total, at most 150"},
		{"add-identities", "PATCH", person + "/add-identities/workspace-id/" + ws + "/person-id/nobody",
			map[string]any{"email": repeatf("a%d@example.com", 151)}, nil, "email: 151 given, at most 150"},
		{"merge-identities", "POST", person + "/merge-identities/workspace-id/" + ws,
			map[string]any{"customerId": repeatf("c%d", 100), "socialId": repeatf("s%d", 51)}, nil, "aliases: 151 given in total, at most 150"},
		{"remove-identities", "PATCH", person + "/remove-identities/workspace-id/" + ws + "/person-id/nobody",
			repeatf("c%d", 151), nil, "body: 151 given, at most 150"},
		{"JSON Patch", "PATCH", person + "/workspace-id/" + ws + "/person-id/nobody",
			ops, []string{"Content-Type", "application/json-patch+json"}, "body: 101 given, at most 100"},
		{"JSON Patch values", "PATCH", person + "/workspace-id/" + ws + "/person-id/nobody",
			[]map[string]any{{"op": "replace", "path": "/phone", "value": repeatf("+1555000%04d", 151)}},
			[]string{"Content-Type", "application/json-patch+json"}, "body: 151 aliases written, at most 150"},
		{"alias lookup", "GET", person + "/workspace-id/" + ws + "/aliases/" + strings.Join(repeatf("c%d", 101), ","),
			nil, nil, "aliases: 101 given, at most 100"},
		{"template attributes", "POST", tpl,
			`{"name":"Big","attributes":[` + strings.Join(func() []string {
				out := make([]string, 101)
				for i := range out {
					out[i] = attribute(i, "")
				}
				return out
			}(), ",") + `]}`, nil, "attributes: 101 given, at most 100"},
		{"template rules", "PUT", tpl + "/template-id/nobody",
			`{"name":"Big","attributes":[` + attribute(0, `,"rules":`+orRules(100, "E,queue,string,Value EQ q%d")) + `]}`,
			nil, "attributes[0].rules: 101 given, at most 100"},
		{"action triggers", "POST", "/admin/v1/api/journey-actions/workspace-id/" + ws + "/template-id/" + created.Data.ID,
			action(21, `{"logic":"SINGLE","condition":"E,,string,Count GTE 1"}`), nil, "actionTriggers: 21 given, at most 20"},
		{"action rules", "POST", "/admin/v1/api/journey-actions/workspace-id/" + ws + "/template-id/" + created.Data.ID,
			action(1, orRules(100, "E,,string,Count GTE %d")), nil, "rules: 101 given, at most 100"},
		{"history pages", "GET", "/v1/api/events/workspace-id/" + ws + "?identity=c1&pageSize=1000&page=1001",
			nil, nil, "page: page 1001 of 1000 skips 1001000 items, at most 1000000"},
		{"person pages", "GET", person + "/workspace-id/" + ws + "?pageSize=1000&page=1001",
			nil, nil, "page: page 1001 of 1000 skips 1001000 items, at most 1000000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Do(tc.method, tc.path, admin, tc.body, tc.headers...)
			var body struct {
				Message string
				Errors  []string
			}
			json.Unmarshal(r.Body, &body)
			if r.Status != 400 || !strings.Contains(strings.Join(body.Errors, "\n"), tc.want) || !strings.Contains(body.Message, "at most") {
				t.Fatalf("%s %s = %d %s, want 400 with %q", tc.method, tc.path[:min(len(tc.path), 80)], r.Status, r.Body, tc.want)
			}
		})
	}
}

// The cap is not a refusal of what was possible before: a merge of 100 persons (each
// with one alias, 101 with the primary's) goes through, and so does a patch of 100
// operations.
func TestMergeOfAHundredPersons(t *testing.T) {
	e := start(t, func(c *config.Config) { c.Identity.MaxAliasesPerPerson = 150 })
	create := func(phone string) string {
		r := e.Do("POST", "/admin/v1/api/person/workspace-id/"+ws, admin, map[string]any{"phone": []string{phone}})
		if r.Status != 201 {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		return r.JSON(t)["data"].(map[string]any)["id"].(string)
	}
	primary := create("+15559990000")
	var others []string
	for i := range 100 {
		others = append(others, create(fmt.Sprintf("+1555999%04d", i+1)))
	}
	r := e.Do("POST", "/admin/v1/api/person/merge/workspace-id/"+ws+"/primary-person-id/"+primary, admin, map[string]any{"personIdsToMerge": others})
	if r.Status != 202 {
		t.Fatalf("merge of 100: %d %s", r.Status, r.Body)
	}
	if got := len(r.JSON(t)["data"].(map[string]any)["phone"].([]any)); got != 101 {
		t.Fatalf("the merged person has %d phones, want 101", got)
	}
	ops := make([]map[string]any, 100)
	for i := range ops {
		ops[i] = map[string]any{"op": "replace", "path": "/firstName", "value": fmt.Sprint("Ann", i)}
	}
	r = e.Do("PATCH", "/admin/v1/api/person/workspace-id/"+ws+"/person-id/"+primary, admin, ops, "Content-Type", "application/json-patch+json")
	if r.Status != 200 || r.JSON(t)["data"].(map[string]any)["firstName"] != "Ann99" {
		t.Fatalf("patch of 100 operations: %d %s", r.Status, r.Body)
	}
}
