package server_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/openjds/jds/internal/jdstest"
)

const bulkPath = "/admin/v1/api/person/bulk/workspace-id/" + ws

type bulkAnswer struct {
	Meta struct {
		Lines, Created, Merged, Failed int
	}
	Data []struct {
		Line     int
		Result   string
		PersonID string
		Errors   []string
	}
}

func (e *env) bulk(body string) (int, bulkAnswer) {
	e.t.Helper()
	r := e.Do("POST", bulkPath, admin, body, "Content-Type", "application/x-ndjson")
	var a bulkAnswer
	if r.Status == 207 {
		if err := json.Unmarshal(r.Body, &a); err != nil {
			e.t.Fatalf("%v: %s", err, r.Body)
		}
	}
	return r.Status, a
}

// The Day-0 upload creates or merges a person per line by its aliases, reports each bad
// line and lands the others, and changes nothing when sent again.
func TestBulkPersonUpload(t *testing.T) {
	e := start(t, nil)
	r := e.post(ev("call-1", "Call", "+15550001111", "phone", map[string]any{}))
	var posted struct{ Meta struct{ PersonID string } }
	json.Unmarshal(r.Body, &posted)

	body := strings.Join([]string{
		`{"firstName":"Ann","lastName":"Lee","phone":["+1 226 376 2555"],"email":["ann@example.com"]}`,
		``,
		`{"firstName":"Bob","email":["bob@example.com"]}`,
		`{"firstName":`,
		`{"email":["not-an-email"]}`,
		`{"firstName":"Nobody"}`,
		`{"customerId":["C-1"],"email":["ANN@example.com"]}`,
		`{"phone":["12263762555"],"colour":"red"}`,
		`{"firstName":"Cy","phone":["15550001111"]}`,
		`{"email":["x@example.com"]} {"email":["y@example.com"]}`,
	}, "\r\n") + "\n"
	status, a := e.bulk(body)
	if status != 207 {
		t.Fatalf("status %d", status)
	}
	type result struct {
		line   int
		result string
		err    string
	}
	want := []result{{1, "created", ""}, {3, "created", ""}, {4, "failed", "body: unexpected EOF"}, {5, "failed", "email[0]:"},
		{6, "failed", "aliases: at least one of phone"}, {7, "merged", ""}, {8, "failed", `unknown field "colour"`}, {9, "merged", ""},
		{10, "failed", "one JSON object per line"}}
	if len(a.Data) != len(want) || a.Meta.Lines != 9 || a.Meta.Created != 2 || a.Meta.Merged != 2 || a.Meta.Failed != 5 {
		t.Fatalf("answer: %+v", a)
	}
	for i, w := range want {
		d := a.Data[i]
		if d.Line != w.line || d.Result != w.result || (w.err == "") != (len(d.Errors) == 0) || w.err != "" && !strings.Contains(d.Errors[0], w.err) ||
			(w.result == "failed") != (d.PersonID == "") {
			t.Errorf("line %d: %+v, want %+v", w.line, d, w)
		}
	}
	ann := a.Data[0].PersonID
	if a.Data[5].PersonID != ann {
		t.Errorf("line 7 merged into %s, want Ann's %s", a.Data[5].PersonID, ann)
	}
	if a.Data[7].PersonID != posted.Meta.PersonID {
		t.Errorf("line 9 merged into %s, want the caller's %s", a.Data[7].PersonID, posted.Meta.PersonID)
	}
	person := func() string {
		r := e.Do("GET", "/admin/v1/api/person/workspace-id/"+ws+"?personId="+ann, admin, nil)
		var p struct{ Data map[string]any }
		json.Unmarshal(r.Body, &p)
		delete(p.Data, "updatedAt")
		b, _ := json.Marshal(p.Data)
		return string(b)
	}
	before := person()
	if !strings.Contains(before, `"customerId":["C-1"]`) || !strings.Contains(before, `"firstName":"Ann"`) {
		t.Errorf("Ann: %s", before)
	}

	// Again: every good line merges into the same person, and nothing changes.
	_, again := e.bulk(body)
	for i, d := range again.Data {
		if d.PersonID != a.Data[i].PersonID || d.Result == "created" {
			t.Errorf("line %d again: %+v, first %+v", d.Line, d, a.Data[i])
		}
	}
	if after := person(); after != before {
		t.Errorf("sending again changed Ann:\n%s\n%s", before, after)
	}
	count := func() int {
		var l struct{ Data []any }
		json.Unmarshal(e.Do("GET", "/admin/v1/api/person/workspace-id/"+ws+"?pageSize=1000", admin, nil).Body, &l)
		return len(l.Data)
	}
	if n := count(); n != 3 {
		t.Errorf("%d persons, want 3", n)
	}

	// Whole-request problems: nothing is stored.
	var tooMany strings.Builder
	for i := range 10_001 {
		fmt.Fprintf(&tooMany, `{"email":["p%d@example.com"]}`+"\n", i)
	}
	for name, c := range map[string]struct {
		body, contentType string
		code              int
		want              string
	}{
		"json":     {`{"email":["z@example.com"]}`, "application/json", 415, "application/x-ndjson"},
		"empty":    {"\n\n", "application/x-ndjson", 400, "body: empty"},
		"too many": {tooMany.String(), "application/x-ndjson", 400, "body: more than 10000 lines"},
	} {
		r := e.Do("POST", bulkPath, admin, c.body, "Content-Type", c.contentType)
		if r.Status != c.code || !strings.Contains(string(r.Body), c.want) {
			t.Errorf("%s: %d %s, want %d with %q", name, r.Status, r.Body, c.code, c.want)
		}
	}
	if n := count(); n != 3 {
		t.Errorf("%d persons after refused requests, want 3", n)
	}
}

type exportLine struct {
	Person struct {
		ID    string
		Phone []string
		Email []string
	}
	Events []struct{ ID string }
}

// The export streams every person with its events, newest first, one line each, across
// more persons than one page of the store.
func TestWorkspaceExport(t *testing.T) {
	e := start(t, nil)
	for i, id := range []string{"a1", "a2", "a3"} {
		e.post(ev(id, "Call", "+12263762555", "phone", map[string]any{}, "time", fmt.Sprintf("2026-01-0%dT10:00:00Z", i+1)))
	}
	e.post(ev("b1", "Visit", "anon-1", "temporaryId", map[string]any{}))
	e.post(ev("b2", "Login", "b@example.com", "email", map[string]any{}, "previousidentity", "anon-1"))
	if r := e.Do("POST", "/publish/v1/api/event?workspaceId=other", admin, ev("o1", "Call", "+15550009999", "phone", map[string]any{})); r.Status != 202 {
		t.Fatal(r.Status)
	}
	var lines strings.Builder
	for i := range 600 {
		fmt.Fprintf(&lines, `{"customerId":["c%03d"]}`+"\n", i)
	}
	if status, a := e.bulk(lines.String()); status != 207 || a.Meta.Created != 600 {
		t.Fatalf("upload: %d %+v", status, a.Meta)
	}

	r := e.Do("GET", "/admin/v1/api/export/workspace-id/"+ws, admin, nil)
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/x-ndjson" {
		t.Fatalf("export: %d %s %.300s", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	byAlias := map[string][]string{}
	n := 0
	sc := bufio.NewScanner(bytes.NewReader(r.Body))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l exportLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("line %d: %v: %s", n+1, err, sc.Bytes())
		}
		n++
		ids := []string{}
		for _, ev := range l.Events {
			ids = append(ids, ev.ID)
		}
		for _, a := range slices.Concat(l.Person.Phone, l.Person.Email) {
			byAlias[a] = ids
		}
	}
	if n != 602 {
		t.Errorf("%d lines, want 602 (600 uploaded, 2 from events)", n)
	}
	if got := byAlias["+12263762555"]; !slices.Equal(got, []string{"a3", "a2", "a1"}) {
		t.Errorf("the caller's events: %v", got)
	}
	if got := byAlias["b@example.com"]; len(got) != 2 {
		t.Errorf("the stitched person's events (its own and the merged visitor's): %v", got)
	}
	if _, ok := byAlias["+15550009999"]; ok {
		t.Error("another workspace's person is in the export")
	}
	if r := e.Do("GET", "/admin/v1/api/export/workspace-id/"+ws, jdstest.Token("tape", "r", ws), nil); r.Status != 403 {
		t.Errorf("export with a tape token: %d", r.Status)
	}
}
