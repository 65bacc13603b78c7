package server_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/openjds/jds/internal/jdstest"
)

// g2Answer is what the G2 reads answer: the events under both keys.
type g2Answer struct {
	Meta   map[string]any `json:"meta"`
	Events []struct {
		ID   string `json:"id"`
		Type string `json:"type"`
	} `json:"events"`
	Data []struct {
		ID string `json:"id"`
	} `json:"data"`
}

func (a g2Answer) ids() []string {
	out := []string{}
	for _, e := range a.Events {
		out = append(out, e.ID)
	}
	return out
}

func (e *env) g2Get(path string) g2Answer {
	e.t.Helper()
	r := e.Do("GET", path, jdstest.Token("tape", "r", ws), nil)
	if r.Status != 200 {
		e.t.Fatalf("%s: %d %s", path, r.Status, r.Body)
	}
	var a g2Answer
	if err := json.Unmarshal(r.Body, &a); err != nil {
		e.t.Fatalf("%s: %v: %s", path, err, r.Body)
	}
	return a
}

// postJourney posts events for two callers, a minute apart, alternating types:
// bob (+12263762555) has b0…b5, ann (ann@example.com) a0…a3.
func postJourney(t *testing.T, e *env) {
	t.Helper()
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	var batch []any
	for i := range 6 {
		batch = append(batch, ev(fmt.Sprintf("b%d", i), []string{"Payment", "Queued Caller"}[i%2], "+1 226 376 2555", "phone",
			map[string]any{"category": "Water"}, "time", t0.Add(time.Duration(2*i)*time.Minute).Format(time.RFC3339)))
	}
	for i := range 4 {
		batch = append(batch, ev(fmt.Sprintf("a%d", i), []string{"Payment", "Web Visit"}[i%2], "ann@example.com", "email",
			map[string]any{"category": "Power"}, "time", t0.Add(time.Duration(2*i+1)*time.Minute).Format(time.RFC3339)))
	}
	if r := e.Do("POST", "/publish/v1/api/events?workspaceId="+ws, admin, batch); r.Status != 202 {
		t.Fatal(r.Status, string(r.Body))
	}
}

// An old IVR flow asks for the latest payment with OData options: it gets that one
// event, not 50 unfiltered ones; $skip pages; old widgets' btoa(person) resolves.
func TestG2HistoryHonoursQueryOptions(t *testing.T) {
	e := start(t, nil)
	postJourney(t, e)
	tape := jdstest.Token("tape", "r", ws)
	historic := func(person, query string) (int, []string, map[string]any) {
		t.Helper()
		r := e.Do("GET", "/v1/journey/streams/historic/"+url.PathEscape(person)+"?"+query, tape, nil)
		if r.Status != 200 {
			t.Fatalf("%s?%s: %d %s", person, query, r.Status, r.Body)
		}
		return r.Status, eventIDs(t, r), r.JSON(t)["meta"].(map[string]any)
	}
	q := "$top=1&$filter=" + url.QueryEscape("type eq 'Payment'")
	if _, ids, _ := historic("12263762555", q); !reflect.DeepEqual(ids, []string{"b4"}) {
		t.Errorf("$top=1&$filter=type eq 'Payment': %v, want [b4]", ids)
	}
	if _, ids, _ := historic("12263762555", q+"&$skip=1"); !reflect.DeepEqual(ids, []string{"b2"}) {
		t.Errorf("$skip=1: %v, want [b2]", ids)
	}
	if _, ids, _ := historic("12263762555", "$top=2&$skip=3"); !reflect.DeepEqual(ids, []string{"b2", "b1"}) {
		t.Errorf("$top=2&$skip=3: %v, want [b2 b1]", ids)
	}
	// btoa("+12263762555") and btoa("ann@example.com"), as the SAS-era widgets sent them.
	for person, want := range map[string][]string{"+12263762555": {"b5", "b4"}, "ann@example.com": {"a3", "a2"}} {
		enc := base64.StdEncoding.EncodeToString([]byte(person))
		_, ids, m := historic(enc, "$top=2")
		if !reflect.DeepEqual(ids, want) || m["identity"] != person || m["personId"] == nil {
			t.Errorf("btoa(%s) = %s: %v %v, want %v", person, enc, ids, m, want)
		}
	}
	if _, ids, m := historic(base64.StdEncoding.EncodeToString([]byte("+15550000000")), ""); len(ids) != 0 || m["personId"] != nil {
		t.Errorf("btoa of an unknown alias: %v %v", ids, m)
	}

	// The G2 reads: one person's, and the workspace's tape, newest first across persons.
	one := e.g2Get("/v1/journey/events/" + url.PathEscape("ann@example.com") + "?" + q)
	if !reflect.DeepEqual(one.ids(), []string{"a2"}) || len(one.Data) != 1 || one.Data[0].ID != "a2" || one.Meta["personId"] == nil {
		t.Errorf("/v1/journey/events/{identity}: %+v", one)
	}
	if got := e.g2Get("/v1/journey/events/" + base64.StdEncoding.EncodeToString([]byte("ann@example.com")) + "?$top=1"); !reflect.DeepEqual(got.ids(), []string{"a3"}) {
		t.Errorf("/v1/journey/events/{btoa}: %v", got.ids())
	}
	all := e.g2Get("/v1/journey/events?$top=5")
	if want := []string{"b5", "b4", "a3", "b3", "a2"}; !reflect.DeepEqual(all.ids(), want) || len(all.Data) != 5 {
		t.Errorf("tape: %v, want %v", all.ids(), want)
	}
	paid := e.g2Get("/v1/journey/events?$skip=2&$filter=" + url.QueryEscape("type eq 'Payment'"))
	if want := []string{"b2", "a0", "b0"}; !reflect.DeepEqual(paid.ids(), want) || paid.Meta["resultCount"] != 3.0 {
		t.Errorf("tape, payments after two: %v %v, want %v", paid.ids(), paid.Meta, want)
	}
	if got := e.g2Get("/v1/journey/events?identity=ann%40example.com&$top=1"); !reflect.DeepEqual(got.ids(), []string{"a3"}) {
		t.Errorf("tape with ?identity=: %v", got.ids())
	}
	if got := e.g2Get("/v1/journey/events?data=" + url.QueryEscape("category eq 'Power'") + "&$top=2"); !reflect.DeepEqual(got.ids(), []string{"a3", "a2"}) {
		t.Errorf("tape with data=: %v", got.ids())
	}

	// Bad options are 400s naming the option, never ignored.
	for _, bad := range []struct{ path, says string }{
		{"/v1/journey/streams/historic/12263762555?$orderby=time", "$orderby: unknown query option; supported: $filter, $top, $skip"},
		{"/v1/journey/events?$count=true", "$count: unknown query option"},
		{"/v1/journey/events/12263762555?$top=1001", "$top: must be an integer from 1 to 1000"},
		{"/v1/journey/events?$top=0", "$top: must be an integer from 1 to 1000"},
		{"/v1/journey/events?$skip=-1", "$skip: must be an integer from 0"},
		{"/v1/journey/events?$skip=x", "$skip: must be an integer from 0"},
		{"/v1/journey/events?$skip=1&page=1", "$skip: given with page; use one"},
		{"/v1/journey/events?$filter=" + url.QueryEscape("type eq"), "$filter: at position"},
		{"/v1/journey/events?filter=x&$filter=" + url.QueryEscape("type eq 'a'"), "$filter: given with filter; use one"},
	} {
		r := e.Do("GET", bad.path+"&workspaceId="+ws, tape, nil)
		if r.Status != 400 || !strings.Contains(string(r.Body), bad.says) {
			t.Errorf("%s: %d %s, want 400 saying %s", bad.path, r.Status, r.Body, bad.says)
		}
	}
}

// A G2 body (person, previously, dataContentType "string", data as a JSON string or an
// object) is accepted on POST /v1/journey/events, alone or in a batch; its problems are
// 400s naming the G2 member.
func TestG2IngestBody(t *testing.T) {
	e := start(t, nil)
	ds := jdstest.Token("ds", "w", ws)
	read := func(file string) string {
		t.Helper()
		raw, err := os.ReadFile("../internal/event/testdata/g2/" + file)
		if err != nil {
			t.Fatal(err)
		}
		return string(raw)
	}
	post := func(body string) jdstest.Response {
		t.Helper()
		return e.Do("POST", "/v1/journey/events", ds, body, "Content-Type", "application/cloudevents+json")
	}
	// The product's own WxCC task event: dataContentType "string" beside an object.
	if r := post(read("wxcc-task-new.json")); r.Status != 202 || r.JSON(t)["meta"].(map[string]any)["personId"] == "" {
		t.Fatalf("wxcc task: %d %s", r.Status, r.Body)
	}
	// An anonymous visit, then the browser SDK's identify: previously links it.
	anon := `{"specVersion":"1.0","id":"visit-1","source":"website","type":"Page Visit","person":"anon-5b2f0c1e","previously":"","dataContentType":"string","data":"{\"page\":\"/tv\"}"}`
	if r := post(anon); r.Status != 202 {
		t.Fatalf("anonymous visit: %d %s", r.Status, r.Body)
	}
	if r := post("[" + read("sdk-string-data.json") + "]"); r.Status != 202 || r.JSON(t)["data"].(map[string]any)["accepted"] != 1.0 {
		t.Fatalf("batch of one G2 body: %d %s", r.Status, r.Body)
	}
	bob := e.g2Get("/v1/journey/events/bob%40example.com")
	if want := []string{"checkout-0042", "visit-1"}; !reflect.DeepEqual(bob.ids(), want) {
		t.Errorf("bob's journey: %v, want %v (previously links the anonymous visit)", bob.ids(), want)
	}
	r := e.Do("GET", "/v1/journey/events/%2B14085550123?$top=1", jdstest.Token("tape", "r", ws), nil)
	var task struct {
		Events []struct {
			IdentityType    string         `json:"identitytype"`
			DataContentType string         `json:"datacontenttype"`
			Data            map[string]any `json:"data"`
		} `json:"events"`
	}
	if err := json.Unmarshal(r.Body, &task); err != nil || len(task.Events) != 1 {
		t.Fatalf("the task event: %v %s", err, r.Body)
	}
	if ev := task.Events[0]; ev.IdentityType != "phone" || ev.DataContentType != "application/json" || ev.Data["taskId"] != "3a7c9e10-2b4d-4f6a-9c8e-1d2f3a4b5c6d" {
		t.Errorf("the task event as stored: %+v", ev)
	}
	v := e.g2Get("/v1/journey/events/anon-5b2f0c1e")
	if len(v.Events) != 2 {
		t.Errorf("the anonymous id now reads bob's journey: %v", v.ids())
	}

	for _, bad := range []struct{ body, says string }{
		{`{"specVersion":"1.0","id":"x1","source":"s","type":"t","data":{}}`, "person: required"},
		{`{"specVersion":"1.0","id":"x2","source":"s","type":"t","person":"a@b.c","data":"{oops"}`, "data: a string must hold a JSON object"},
		{`{"specVersion":"1.0","id":"x3","source":"s","type":"t","person":"a@b.c","dataContentType":"text/xml","data":{}}`, `dataContentType: must be \"string\" or application/json`},
		{`{"specVersion":"1.1","id":"x4","source":"s","type":"t","person":"a@b.c","data":{}}`, `specVersion: must be \"1.0\"`},
	} {
		r := post(bad.body)
		if r.Status != 400 || !strings.Contains(string(r.Body), bad.says) {
			t.Errorf("%s: %d %s, want 400 saying %s", bad.body, r.Status, r.Body, bad.says)
		}
	}
	// The G3 path takes CloudEvents attributes only.
	if r := e.Do("POST", "/publish/v1/api/event?workspaceId="+ws, ds, read("wxcc-task-new.json")); r.Status != 400 || !strings.Contains(string(r.Body), "identity: required") {
		t.Errorf("a G2 body on the G3 path: %d %s", r.Status, r.Body)
	}
}

// A live stream honours $filter as it does filter: old widgets appended it.
func TestG2StreamHonoursFilterOption(t *testing.T) {
	e := start(t, nil)
	s := e.openStream("/v1/journey/streams/%2B12263762555?workspaceId="+ws+"&$filter="+url.QueryEscape("type eq 'Payment'"), jdstest.Token("stream", "r", ws))
	for _, typ := range []string{"Queued Caller", "Payment"} {
		if r := e.post(ev("s-"+typ, typ, "+12263762555", "phone", map[string]any{})); r.Status != 202 {
			t.Fatal(r.Status, string(r.Body))
		}
	}
	if m := s.nextEvent(t); m.id != "s-Payment" {
		t.Errorf("first event on the stream: %s, want s-Payment only", m.id)
	}
	r := e.Do("GET", "/v1/journey/streams/x?workspaceId="+ws+"&filter=a&$filter="+url.QueryEscape("type eq 'a'"), jdstest.Token("stream", "r", ws), nil)
	if r.Status != 400 || !strings.Contains(string(r.Body), "$filter: given with filter; use one") {
		t.Errorf("filter and $filter: %d %s", r.Status, r.Body)
	}
}
