// Package samples_test runs the request collection of the samples
// (jds.postman_collection.json) against a real jds, started in-process on the sample rule
// and flow files, the way a person runs it in Postman against `jds --config
// samples/jds.yaml`.
package samples_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/openjds/jds/config"
	"github.com/openjds/jds/connectors"
	"github.com/openjds/jds/internal/jdstest"
	"github.com/openjds/jds/internal/sas"
)

// The parts of a Postman Collection v2.1 that the runner reads.
type collection struct {
	Info struct {
		Name   string `json:"name"`
		Schema string `json:"schema"`
	} `json:"info"`
	Item     []item `json:"item"`
	Variable []struct {
		Key   string `json:"key"`
		Value string `json:"value"`
	} `json:"variable"`
}

type item struct {
	Name    string     `json:"name"`
	Item    []item     `json:"item"` // a folder's items
	Request *request   `json:"request"`
	Event   []event    `json:"event"`
	Example []response `json:"response"` // saved example responses
}

type request struct {
	Method string   `json:"method"`
	Header []header `json:"header"`
	Body   *struct {
		Mode string `json:"mode"`
		Raw  string `json:"raw"`
	} `json:"body"`
	URL struct {
		Raw string `json:"raw"`
	} `json:"url"`
}

type header struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

type event struct {
	Listen string `json:"listen"`
	Script struct {
		Exec []string `json:"exec"`
	} `json:"script"`
}

type response struct {
	Name   string   `json:"name"`
	Code   int      `json:"code"`
	Header []header `json:"header"`
	Body   string   `json:"body"`
}

// step is one request of the collection, with the folder it is in.
type step struct {
	folder string
	item
}

func steps(folder string, items []item) []step {
	var out []step
	for _, it := range items {
		if it.Request == nil {
			out = append(out, steps(it.Name, it.Item)...)
			continue
		}
		out = append(out, step{folder, it})
	}
	return out
}

func load(t *testing.T) collection {
	t.Helper()
	raw, err := os.ReadFile("jds.postman_collection.json")
	if err != nil {
		t.Fatal(err)
	}
	var c collection
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("jds.postman_collection.json: %v", err)
	}
	return c
}

// The collection is a Postman v2.1 collection with the variables and folders the README
// describes, every request has a test script, and every flow call a saved answer.
func TestCollectionShape(t *testing.T) {
	c := load(t)
	if c.Info.Schema != "https://schema.getpostman.com/json/collection/v2.1.0/collection.json" {
		t.Errorf("schema: %q", c.Info.Schema)
	}
	vars := map[string]string{}
	for _, v := range c.Variable {
		vars[v.Key] = v.Value
	}
	for k, want := range map[string]string{"baseUrl": "http://localhost:8080", "workspace": "default",
		"adminToken": "", "flowToken": "", "caller": "12263762555"} {
		if got, ok := vars[k]; !ok || got != want {
			t.Errorf("variable %s = %q (defined: %v), want %q", k, got, ok, want)
		}
	}
	var folders []string
	for _, it := range c.Item {
		folders = append(folders, it.Name)
	}
	want := []string{"0. Before you start", "1. Payment reminder", "2. Repeat caller", "3. After hours", "4. G2 calls"}
	if !reflect.DeepEqual(folders, want) {
		t.Errorf("folders: %q, want %q", folders, want)
	}
	for _, s := range steps("", c.Item) {
		if len(s.Event) == 0 || s.Event[0].Listen != "test" || len(s.Event[0].Script.Exec) == 0 {
			t.Errorf("%s / %s: no test script", s.folder, s.Name)
		}
		if strings.Contains(s.Request.URL.Raw, "/v1/flows/") && len(s.Example) != 1 {
			t.Errorf("%s / %s: a flow call needs one saved example response", s.folder, s.Name)
		}
	}
}

const (
	org    = "dev"
	secret = "a-secret-for-the-collection-test"
)

// start runs jds on the sample rules and flows, with an empty data directory, the sms
// connector sending to a fake Twilio, and the callback connector logging.
func start(t *testing.T) (*jdstest.Env, *jdstest.Partner) {
	t.Helper()
	twilio := jdstest.NewPartner(t, http.StatusCreated, `{"sid":"SM0123456789abcdef0123456789abcdef","status":"queued"}`)
	e := jdstest.Start(t, nil, func(cfg *config.Config) {
		cfg.RulesDir = "../samples/rules"
		cfg.FlowsDir = "../samples/flows"
		cfg.Keys = []config.Key{{Name: "collection", Organization: org, Secret: secret}}
		cfg.Connectors = []connectors.Instance{
			{Name: "sms", Kind: "twilio", Config: map[string]any{"accountSid": "AC0123456789abcdef0123456789abcdef",
				"authToken": "secret", "from": "+15550100000", "baseURL": twilio.URL}},
			{Name: "callback", Kind: "log"},
		}
	})
	return e, twilio
}

var (
	placeholder = regexp.MustCompile(`{{([^{}]+)}}`)
	// The one script statement the runner carries out: keeping a response header in a
	// collection variable.
	setFromHeader = regexp.MustCompile(`pm\.collectionVariables\.set\("(\w+)",\s*pm\.response\.headers\.get\("([\w-]+)"\)\)`)
)

// expand replaces {{name}} by the variable's value; an unknown name fails the test.
func expand(t *testing.T, vars map[string]string, where, s string) string {
	t.Helper()
	return placeholder.ReplaceAllStringFunc(s, func(m string) string {
		name := m[2 : len(m)-2]
		v, ok := vars[name]
		if !ok {
			t.Fatalf("%s: unknown variable {{%s}}", where, name)
		}
		return v
	})
}

// target turns a raw URL into one Go can send: the query string encoded the way
// Postman encodes it (spaces and quotes of filters).
func target(t *testing.T, raw string) string {
	t.Helper()
	path, query, _ := strings.Cut(raw, "?")
	if query == "" {
		return path
	}
	q := url.Values{}
	for pair := range strings.SplitSeq(query, "&") {
		k, v, _ := strings.Cut(pair, "=")
		q.Add(k, v)
	}
	return path + "?" + q.Encode()
}

// send sends a step's request, with its placeholders expanded, to the jds of e.
func send(t *testing.T, e *jdstest.Env, vars map[string]string, s step) jdstest.Response {
	t.Helper()
	where := s.folder + " / " + s.Name
	var body any
	if s.Request.Body != nil && s.Request.Body.Raw != "" {
		body = expand(t, vars, where, s.Request.Body.Raw)
	}
	path, ok := strings.CutPrefix(target(t, expand(t, vars, where, s.Request.URL.Raw)), e.URL)
	if !ok {
		t.Fatalf("%s: %s is not on {{baseUrl}}", where, s.Request.URL.Raw)
	}
	var headers []string
	for _, h := range s.Request.Header {
		headers = append(headers, h.Key, expand(t, vars, where, h.Value))
	}
	return e.Do(s.Request.Method, path, "", body, headers...)
}

// jsonEqual compares two JSON texts as values; two empty texts are equal.
func jsonEqual(a, b []byte) (bool, error) {
	if len(bytes.TrimSpace(a)) == 0 || len(bytes.TrimSpace(b)) == 0 {
		return len(bytes.TrimSpace(a)) == len(bytes.TrimSpace(b)), nil
	}
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		return false, err
	}
	if err := json.Unmarshal(b, &y); err != nil {
		return false, err
	}
	return reflect.DeepEqual(x, y), nil
}

// checks are what the test scripts assert of the responses that have no saved example
// (their ids and times change from run to run).
var checks = map[string]func(t *testing.T, body []byte){
	"Journey: the reminder is recorded": func(t *testing.T, body []byte) {
		if e := onlyEvent(t, body); e.Type != "Reminder Played" || e.Data["amount"] != "$544.73" {
			t.Errorf("the reminder is not on the journey: %s", body)
		}
	},
	"Journey: the Closed Queue event": func(t *testing.T, body []byte) {
		if e := onlyEvent(t, body); e.Type != "Closed Queue" || e.Source != "ivr/after-hours" || e.Data["queue"] != "Billing" {
			t.Errorf("the Closed Queue event is not on the journey: %s", body)
		}
	},
	"Profile: the Closed Queue SMS fired": func(t *testing.T, body []byte) {
		var r struct {
			Data []struct {
				Attributes []struct {
					Name  string
					Value any
				}
				SystemMetadata struct {
					JourneyActionTriggerHistories []struct{ ActionName string }
				}
			}
		}
		decode(t, body, &r)
		if len(r.Data) != 1 {
			t.Fatalf("profile: %s", body)
		}
		calls := any(nil)
		for _, a := range r.Data[0].Attributes {
			if a.Name == "closedQueueCalls" {
				calls = a.Value
			}
		}
		firings := r.Data[0].SystemMetadata.JourneyActionTriggerHistories
		if calls != 1.0 || len(firings) != 1 || firings[0].ActionName != "Closed Queue SMS" {
			t.Errorf("profile: closedQueueCalls %v, firings %+v: %s", calls, firings, body)
		}
	},
	"G2: the latest payment ($top, $filter)": func(t *testing.T, body []byte) {
		if e := onlyEvent(t, body); e.Type != "Payment" || e.ID != "g2-payment-12263762555" || e.Data["amount"] != "$120.00" {
			t.Errorf("the latest payment: %s", body)
		}
	},
	"G2: btoa(person), as old widgets send it": func(t *testing.T, body []byte) {
		var r struct {
			Meta struct{ Identity string }
			Data []any
		}
		decode(t, body, &r)
		if r.Meta.Identity != "12263762555" || len(r.Data) != 1 {
			t.Errorf("btoa(person): %s", body)
		}
	},
	"G2: one person's events": func(t *testing.T, body []byte) {
		var r struct{ Events, Data []map[string]any }
		decode(t, body, &r)
		if len(r.Events) != 2 || !reflect.DeepEqual(r.Events, r.Data) {
			t.Errorf("events and data: %s", body)
		}
	},
	"G2: the workspace's tape": func(t *testing.T, body []byte) {
		var r struct{ Events []struct{ Type string } }
		decode(t, body, &r)
		if len(r.Events) == 0 {
			t.Errorf("the tape has no payment: %s", body)
		}
		for _, e := range r.Events {
			if e.Type != "Payment" {
				t.Errorf("the tape, filtered on payments, has a %s", e.Type)
			}
		}
	},
	"Actions: the SMS delivery": func(t *testing.T, body []byte) {
		var r struct {
			Data []struct {
				State   string
				Payload struct{ Connector, Action string }
			}
		}
		decode(t, body, &r)
		if len(r.Data) != 1 || r.Data[0].Payload.Connector != "sms" || r.Data[0].Payload.Action != "Closed Queue SMS" ||
			(r.Data[0].State != "pending" && r.Data[0].State != "sent") {
			t.Errorf("deliveries: %s", body)
		}
	},
}

// journeyEvent is what the checks read of an event.
type journeyEvent struct {
	ID, Type, Source string
	Data             map[string]any
}

// onlyEvent returns the one event of a history answer; more or fewer fail the test.
func onlyEvent(t *testing.T, body []byte) journeyEvent {
	t.Helper()
	var r struct{ Data []journeyEvent }
	decode(t, body, &r)
	if len(r.Data) != 1 {
		t.Fatalf("want one event: %s", body)
	}
	return r.Data[0]
}

func decode(t *testing.T, body []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
}

// The collection, run in order against a fresh jds, gets every saved answer, and the
// late-night caller gets the SMS.
func TestCollectionRunsAgainstTheSamples(t *testing.T) {
	c := load(t)
	e, partner := start(t)
	vars := map[string]string{}
	for _, v := range c.Variable {
		vars[v.Key] = v.Value
	}
	vars["baseUrl"] = e.URL
	expiry := time.Now().Add(time.Hour)
	// What the README tells a person to paste: the admin token jds prints (every
	// workspace) and a flow token for the workspace.
	vars["adminToken"] = sas.Sign(org, sas.WildcardWorkspace, sas.ServiceAdmin, sas.PermReadWrite, expiry, "collection", []byte(secret))
	vars["flowToken"] = sas.Sign(org, vars["workspace"], sas.ServiceFlow, sas.PermReadWrite, expiry, "collection", []byte(secret))

	ran := map[string]bool{}
	for _, s := range steps("", c.Item) {
		where := s.folder + " / " + s.Name
		r := send(t, e, vars, s)
		if len(s.Example) > 0 {
			ex := s.Example[0]
			if r.Status != ex.Code {
				t.Fatalf("%s: status %d, want %d: %s", where, r.Status, ex.Code, r.Body)
			}
			if ok, err := jsonEqual(r.Body, []byte(ex.Body)); err != nil || !ok {
				t.Fatalf("%s: got %s, want the saved example %s (%v)", where, r.Body, ex.Body, err)
			}
			for _, h := range ex.Header {
				if strings.HasPrefix(h.Key, "X-JDS-") && r.Header.Get(h.Key) != h.Value {
					t.Errorf("%s: header %s = %q, want %q", where, h.Key, r.Header.Get(h.Key), h.Value)
				}
			}
		} else if r.Status/100 != 2 {
			t.Fatalf("%s: status %d: %s", where, r.Status, r.Body)
		}
		if check := checks[s.Name]; check != nil {
			check(t, r.Body)
			ran[s.Name] = true
		}
		for _, line := range s.Event[0].Script.Exec {
			if m := setFromHeader.FindStringSubmatch(line); m != nil {
				name, value := m[1], r.Header.Get(m[2])
				if value == "" {
					t.Fatalf("%s: no %s header to keep in {{%s}}", where, m[2], name)
				}
				vars[name] = value
			}
		}
	}
	for name := range checks {
		if !ran[name] {
			t.Errorf("the collection has no request %q", name)
		}
	}

	// The Closed Queue SMS reaches the caller (Twilio's form: To, From, Body).
	jdstest.WaitFor(t, "the SMS", func() bool { return len(partner.Received()) > 0 })
	var sms []url.Values
	for _, body := range partner.Received() {
		form, err := url.ParseQuery(body)
		if err != nil {
			t.Errorf("SMS partner: %v", err)
		}
		sms = append(sms, form)
	}
	if len(sms) != 1 {
		t.Fatalf("SMS sent: %d, want 1: %v", len(sms), sms)
	}
	if sms[0].Get("To") != "+"+vars["caller"] || !strings.Contains(sms[0].Get("Body"), "call you back") {
		t.Errorf("SMS: %v", sms[0])
	}
}
