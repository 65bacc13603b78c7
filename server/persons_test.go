package server_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/openjds/jds/config"
	"github.com/openjds/jds/internal/jdstest"
)

const personBase = "/admin/v1/api/person"

type person struct {
	ID          string
	FirstName   string
	LastName    string
	Phone       []string
	Email       []string
	CustomerID  []string `json:"customerId"`
	TemporaryID []string `json:"temporaryId"`
	Aliases     []string
	Merges      []struct{ PersonID string }
	CreatedAt   string
	UpdatedAt   string
}

func personOf(t *testing.T, r jdstest.Response) person {
	t.Helper()
	var body struct{ Data person }
	if err := json.Unmarshal(r.Body, &body); err != nil || body.Data.ID == "" {
		t.Fatalf("not a person: %v %s", err, r.Body)
	}
	return body.Data
}

func (e *env) idmt(method, path string, body any, headers ...string) jdstest.Response {
	e.t.Helper()
	return e.Do(method, personBase+path, jdstest.Token("idmt", "rw", ws), body, headers...)
}

func TestPersonEndpoints(t *testing.T) {
	e := start(t, nil)
	// Create; the alias in another notation is the same alias (409).
	r := e.idmt("POST", "/workspace-id/"+ws, map[string]any{"firstName": "Ann", "lastName": "Lee", "phone": []string{"226-376-2555"}, "email": []string{"Ann@Example.com"}})
	if r.Status != 201 {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	ann := personOf(t, r)
	if fmt.Sprint(ann.Aliases) != "[+12263762555 ann@example.com]" || ann.FirstName != "Ann" || ann.CreatedAt == "" {
		t.Fatalf("created %+v", ann)
	}
	if r := e.idmt("POST", "/workspace-id/"+ws, map[string]any{"phone": []string{"+1 226 376 2555"}}); r.Status != 409 || !strings.Contains(string(r.Body), `"message":"alias \"+12263762555\" belongs to person `+ann.ID+`"`) {
		t.Fatalf("conflict: %d %s", r.Status, r.Body)
	}
	for _, bad := range []struct {
		body any
		says string
	}{
		{map[string]any{"phone": []string{"call me"}}, "phone[0]"},
		{map[string]any{"email": []string{"x@y", "nobody"}}, "email[1]"},
		{map[string]any{"customerId": []string{"unknown"}}, "placeholder"},
		{map[string]any{"phone": []string{"000-000-0000"}}, "placeholder"},
		{map[string]any{"nickname": "x"}, "unknown field"},
	} {
		if r := e.idmt("POST", "/workspace-id/"+ws, bad.body); r.Status != 400 || !strings.Contains(string(r.Body), bad.says) {
			t.Errorf("%v: %d %s", bad.body, r.Status, r.Body)
		}
	}
	// Events posted under the phone belong to the created person.
	if r := e.post(ev("e1", "Call", "12263762555", "phone", map[string]any{})); r.JSON(t)["meta"].(map[string]any)["personId"] != ann.ID {
		t.Fatalf("ingest after create: %s", r.Body)
	}
	// Get one, get a page, find by aliases.
	if got := personOf(t, e.idmt("GET", "/workspace-id/"+ws+"?personId="+ann.ID, nil)); got.ID != ann.ID {
		t.Fatal(got)
	}
	if r := e.idmt("GET", "/workspace-id/"+ws+"?personId=nope", nil); r.Status != 404 {
		t.Fatalf("unknown person: %d", r.Status)
	}
	e.idmt("POST", "/workspace-id/"+ws, map[string]any{"customerId": []string{"C-2"}})
	r = e.idmt("GET", "/workspace-id/"+ws+"?pageSize=1&page=1", nil)
	var page struct {
		Meta map[string]any
		Data []person
	}
	json.Unmarshal(r.Body, &page)
	if r.Status != 200 || len(page.Data) != 1 || page.Meta["resultCount"] != 1.0 {
		t.Fatalf("page: %d %s", r.Status, r.Body)
	}
	r = e.idmt("GET", "/workspace-id/"+ws+"/aliases/12263762555,C-2,nobody", nil)
	json.Unmarshal(r.Body, &page)
	if r.Status != 200 || len(page.Data) != 2 || page.Data[0].ID != ann.ID {
		t.Fatalf("find: %d %s", r.Status, r.Body)
	}
	if r := e.idmt("GET", "/workspace-id/"+ws+"/aliases/nobody", nil); r.Status != 404 {
		t.Fatalf("find none: %d", r.Status)
	}
	// JSON Patch on names and alias arrays.
	patch := `[{"op":"replace","path":"/lastName","value":"Smith"},{"op":"add","path":"/customerId/-","value":"C-1"},{"op":"remove","path":"/email/0"}]`
	r = e.idmt("PATCH", "/workspace-id/"+ws+"/person-id/"+ann.ID, patch, "Content-Type", "application/json-patch+json")
	got := personOf(t, r)
	if got.LastName != "Smith" || fmt.Sprint(got.Aliases) != "[+12263762555 C-1]" {
		t.Fatalf("patched %+v", got)
	}
	for _, bad := range []struct{ patch, says string }{
		{`[{"op":"replace","path":"/id","value":"x"}]`, `[0].path: \"/id\" may not be changed`},
		{`[{"op":"remove","path":"/email/5"}]`, "does not apply"},
		{`[{"op":"add","path":"/customerId/-","value":"C-2"}]`, "belongs to person"},
		{`{"op":"x"}`, "not a JSON Patch"},
	} {
		r := e.idmt("PATCH", "/workspace-id/"+ws+"/person-id/"+ann.ID, bad.patch, "Content-Type", "application/json-patch+json")
		if r.Status/100 != 4 || !strings.Contains(string(r.Body), bad.says) {
			t.Errorf("patch %s: %d %s", bad.patch, r.Status, r.Body)
		}
	}
	// Add and remove identities.
	got = personOf(t, e.idmt("PATCH", "/add-identities/workspace-id/"+ws+"/person-id/"+ann.ID, map[string]any{"socialId": []string{"@ann"}, "email": []string{"ann@work.example"}}))
	if len(got.Aliases) != 4 {
		t.Fatalf("added %+v", got)
	}
	got = personOf(t, e.idmt("PATCH", "/remove-identities/workspace-id/"+ws+"/person-id/"+ann.ID, []string{"@ann", "ANN@work.example"}))
	if len(got.Aliases) != 2 {
		t.Fatalf("removed %+v", got)
	}
	if r := e.idmt("PATCH", "/remove-identities/workspace-id/"+ws+"/person-id/"+ann.ID, []string{"never@had.it"}); r.Status != 400 {
		t.Fatalf("removing a foreign alias: %d %s", r.Status, r.Body)
	}
	// Export: the person, its aliases and its events, one JSON object a line.
	r = e.idmt("GET", "/export/workspace-id/"+ws+"/person-id/"+ann.ID, nil)
	kinds := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(r.Body))
	for sc.Scan() {
		var line struct{ Type string }
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("export line %q: %v", sc.Text(), err)
		}
		kinds[line.Type]++
	}
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/x-ndjson" || kinds["person"] != 1 || kinds["alias"] != 2 || kinds["event"] != 1 {
		t.Fatalf("export: %d %v %s", r.Status, kinds, r.Body)
	}
	// Only idmt tokens (or admin) may do this.
	if r := e.Do("GET", personBase+"/workspace-id/"+ws, jdstest.Token("tape", "r", ws), nil); r.Status != 403 {
		t.Fatalf("history token on persons: %d", r.Status)
	}
	if r := e.Do("POST", personBase+"/workspace-id/"+ws, jdstest.Token("idmt", "r", ws), map[string]any{}); r.Status != 403 {
		t.Fatalf("read-only token creating: %d", r.Status)
	}
}

func TestMergeIdentitiesUnmergeAndErase(t *testing.T) {
	e := start(t, nil)
	e.post(ev("web1", "webvisit", "tmp-42", "temporaryId", map[string]any{}))
	e.post(ev("call1", "Call", "+12263762555", "phone", map[string]any{}))
	e.post(ev("mail1", "Mail", "ann@example.com", "email", map[string]any{}))
	historyOf := func(ident string) string {
		return fmt.Sprint(eventIDs(t, e.Do("GET", historyPath(ident, ""), admin, nil)))
	}
	before := map[string]string{}
	for _, id := range []string{"tmp-42", "+12263762555", "ann@example.com"} {
		before[id] = historyOf(id)
	}
	// One call identifies the caller: the three persons become one.
	body := map[string]any{"firstName": "Ann", "phone": []string{"12263762555"}, "email": []string{"ann@example.com"}, "temporaryId": []string{"tmp-42"}, "customerId": []string{"C-7"}}
	r := e.idmt("POST", "/merge-identities/workspace-id/"+ws, body)
	if r.Status != 200 {
		t.Fatalf("merge-identities: %d %s", r.Status, r.Body)
	}
	one := personOf(t, r)
	if len(one.Aliases) != 4 || len(one.Merges) != 2 || one.FirstName != "Ann" {
		t.Fatalf("identified %+v", one)
	}
	if got := len(eventIDs(t, e.Do("GET", historyPath("C-7", ""), admin, nil))); got != 3 {
		t.Fatalf("identified history has %d events", got)
	}
	// The same call again changes nothing.
	again := personOf(t, e.idmt("POST", "/merge-identities/workspace-id/"+ws, body))
	if again.ID != one.ID || again.UpdatedAt != one.UpdatedAt || len(again.Merges) != 2 {
		t.Fatalf("second call changed %+v", again)
	}
	// Unmerge twice: everyone is back with their own history.
	for range 2 {
		if r := e.idmt("POST", "/unmerge/workspace-id/"+ws+"/person-id/"+one.ID, nil); r.Status != 200 {
			t.Fatalf("unmerge: %d %s", r.Status, r.Body)
		}
	}
	for id, h := range before {
		if got := historyOf(id); got != h {
			t.Errorf("history of %s after unmerge = %s, want %s", id, got, h)
		}
	}
	if r := e.idmt("POST", "/unmerge/workspace-id/"+ws+"/person-id/"+one.ID, nil); r.Status != 409 {
		t.Fatalf("nothing to unmerge: %d %s", r.Status, r.Body)
	}
	// Merge into a primary.
	var found struct{ Data []person }
	json.Unmarshal(e.idmt("GET", "/workspace-id/"+ws+"/aliases/12263762555", nil).Body, &found)
	r = e.idmt("POST", "/merge/workspace-id/"+ws+"/primary-person-id/"+one.ID, map[string]any{"personIdsToMerge": []string{found.Data[0].ID}})
	if r.Status != 202 || len(personOf(t, r).Merges) != 1 {
		t.Fatalf("merge: %d %s", r.Status, r.Body)
	}
	// Erase: the person, the one merged into it, their aliases and events; the response
	// says what went. Posting under the alias afterwards starts a new person.
	r = e.idmt("DELETE", "/workspace-id/"+ws+"/person-id/"+one.ID, nil)
	var erased struct {
		Meta struct{ Removed map[string]int }
	}
	json.Unmarshal(r.Body, &erased)
	if r.Status != 200 || erased.Meta.Removed["persons"] != 2 || erased.Meta.Removed["events"] != 2 {
		t.Fatalf("erase: %d %s", r.Status, r.Body)
	}
	if got := historyOf("+12263762555"); got != "[]" {
		t.Fatalf("erased history still readable: %s", got)
	}
	r = e.post(ev("web1", "webvisit", "tmp-42", "temporaryId", map[string]any{}))
	if r.JSON(t)["data"].(map[string]any)["duplicate"] != false || historyOf("tmp-42") != "[web1]" {
		t.Fatalf("re-ingest after erase: %s", r.Body)
	}
}

func TestBlockedIdentitiesOnIngest(t *testing.T) {
	e := start(t, func(c *config.Config) { c.Identity.BlockedAliases = []string{"anonymous"} })
	if r := e.post(ev("b1", "T", "Anonymous", "customerId", map[string]any{})); r.Status != 400 || !strings.Contains(string(r.Body), "placeholder") {
		t.Fatalf("blocked identity: %d %s", r.Status, r.Body)
	}
	e.post(ev("b2", "T", "C-1", "customerId", map[string]any{}))
	r := e.post(ev("b3", "T", "C-2", "customerId", map[string]any{}, "previousidentity", "0"))
	if r.Status != 202 {
		t.Fatalf("a blocked previousidentity is ignored, the event lands: %d", r.Status)
	}
	metrics := string(e.Do("GET", "/metrics", "", nil).Body)
	if !strings.Contains(metrics, `jds_identity_guardrail_total{guardrail="blocked"} 2`) {
		t.Fatalf("guardrail hits not counted:\n%s", metrics)
	}
}
