package rules

import (
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/openjds/jds/internal/exprbudget"
)

func TestParseTemplate(t *testing.T) {
	type part struct{ lit, src string }
	tests := []struct {
		in   string
		want []part
		err  string
	}{
		{"", nil, ""},
		{"plain $5 and $ {x}", []part{{lit: "plain $5 and $ {x}"}}, ""},
		{"${a}", []part{{src: "a"}}, ""},
		{"x${a}y${ b }z", []part{{lit: "x"}, {src: "a"}, {lit: "y"}, {src: " b "}, {lit: "z"}}, ""},
		{"$${a} and $$${b} and $$5 and $5", []part{{lit: "${a} and $"}, {src: "b"}, {lit: " and $5 and $5"}}, ""},
		{"${ {'a': 1}.a }", []part{{src: " {'a': 1}.a "}}, ""},
		{`${"}" + '{' + ` + "`}`" + `}!`, []part{{src: `"}" + '{' + ` + "`}`"}, {lit: "!"}}, ""},
		{`${"a\"}"}`, []part{{src: `"a\"}"`}}, ""},
		{"${a", nil, "unterminated placeholder: ${ without its closing } at 0"},
		{"ok ${ {a: 1}", nil, "unterminated placeholder: ${ without its closing } at 3"},
		{`${"}`, nil, "unterminated string in placeholder at 2"},
		{"${ }", nil, "empty placeholder ${} at 0"},
	}
	for _, tc := range tests {
		parts, err := parseTemplate(tc.in)
		if tc.err != "" {
			if err == nil || err.msg+" at "+strconv.Itoa(err.off) != tc.err {
				t.Errorf("%q: error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		var got []part
		for _, p := range parts {
			got = append(got, part{p.lit, p.src})
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q: %q, want %q", tc.in, got, tc.want)
		}
	}
}

// renderAction compiles an action with one trigger against closedQueue.
func renderAction(t *testing.T, tr Trigger) *CompiledAction {
	t.Helper()
	c, err := CompileAction(&Action{ID: "a1", Name: "Closed Queue SMS", Condition: "true", ActionTriggers: []Trigger{tr}}, closedQueue(t))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func testRenderEnv(t *testing.T) RenderEnv {
	return RenderEnv{
		Person: PersonEnv{ID: "p1", FirstName: "Zoë", LastName: `O"Brien`, Phone: []string{"+12263762555", "+1 555\n0100"},
			Email: []string{"zoe@example.com"}, CustomerID: []string{"C-1"}, SocialID: []string{"@zoe"}, TemporaryID: []string{"tmp-1"}},
		Profile: map[string]Result{
			"closedQueueCalls": {Result: "1", Value: int64(1)}, "callsToday": {Result: "2", Value: int64(2)},
			"lastQueue": {Result: "Bill \"ing\"\n", Value: "Bill \"ing\"\n"}, "avgWait": {Result: "12.5", Value: 12.5},
			"queues":   {Result: "Billing,Sales", Value: []any{"Billing", "Sales"}},
			"lastCall": {Result: "2023-03-31T00:39:46.917Z", Value: "2023-03-31T00:39:46.917Z"},
		},
		Event: envOf(t, "Closed Queue", `{"category":"closed","queue":"Billing <after hours> & co","wait":90,"note":"line1\nline2 \"quoted\"","tags":["a","b"]}`),
	}
}

func TestRenderVariables(t *testing.T) {
	tests := []struct{ tmpl, want string }{
		{"${person.id} ${person.firstName} ${person.lastName}", `p1 Zoë O"Brien`},
		{"${person.phone[0]} ${person.email[0]} ${person.customerId[0]} ${person.socialId[0]} ${person.temporaryId[0]}", "+12263762555 zoe@example.com C-1 @zoe tmp-1"},
		{"${person.aliases}", `["+12263762555","+1 555\n0100","zoe@example.com","C-1","@zoe","tmp-1"]`},
		{"${len(person.phone)}", "2"},
		{"${profile.closedQueueCalls} ${profile.avgWait} ${profile.queues} ${profile.lastCall}", `1 12.5 ["Billing","Sales"] 2023-03-31T00:39:46.917Z`},
		{`${profile["Calls in the last day"] ?? "none"}`, "none"},
		{"${event.id} ${event.type} ${event.source} ${event.identity} ${event.identitytype}", "e1 Closed Queue web +12263762555 phone"},
		{"${event.time} ${event.time + duration('90m')}", "2023-03-31T00:39:46.917Z 2023-03-31T02:09:46.917Z"},
		{"${event.data.wait / 60} ${event.data.wait * 1.5} ${event.data.tags} ${event.ext.channel}", "1.5 135 [\"a\",\"b\"] sms"},
		{"${event.data.queue}", "Billing <after hours> & co"},
		{"${action.id} ${action.name} ${action.template}", "a1 Closed Queue SMS t"},
		{"${duration('90m')} ${true} ${1e21} ${0.1 + 0.2}", "1h30m0s true 1e+21 0.30000000000000004"},
		{"${upper(person.firstName)}: ${profile.closedQueueCalls > 0 ? 'yes' : 'no'}", "ZOË: yes"},
	}
	env := testRenderEnv(t)
	for _, tc := range tests {
		c := renderAction(t, Trigger{Type: "Connector", Connector: "sms", Attributes: map[string]string{"x": tc.tmpl}})
		out, err := c.Render(env)
		if err != nil {
			t.Errorf("%s: %v", tc.tmpl, err)
			continue
		}
		if got := out[0].Attributes["x"]; got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.tmpl, got, tc.want)
		}
	}
	// The whole event, as CloudEvents JSON.
	c := renderAction(t, Trigger{Type: "Connector", Connector: "sms", Attributes: map[string]string{"x": "${event}"}})
	out, err := c.Render(env)
	if err != nil {
		t.Fatal(err)
	}
	var ev map[string]any
	if err := json.Unmarshal([]byte(out[0].Attributes["x"]), &ev); err != nil || ev["id"] != "e1" || ev["time"] != "2023-03-31T00:39:46.917Z" ||
		ev["channel"] != "sms" || ev["data"].(map[string]any)["wait"] != 90.0 {
		t.Errorf("event: %s %v", out[0].Attributes["x"], err)
	}
}

func TestRenderWebhook(t *testing.T) {
	env := testRenderEnv(t)
	c := renderAction(t, Trigger{Type: "webhook",
		WebhookURL:          "https://crm.example/persons/${person.phone[1]}/notes?q=${event.data.queue}&n=${profile.closedQueueCalls}#${person.lastName}",
		AuthorizationScheme: "Bearer", Authorization: "${person.customerId[0]}",
		At:         `${event.time + duration("2h")}`,
		Attributes: map[string]string{"httpverb": "patch"}})
	out, err := c.Render(env)
	if err != nil {
		t.Fatal(err)
	}
	want := RenderedTrigger{Type: "Webhook", Method: "PATCH",
		URL:                 "https://crm.example/persons/+1%20555%0A0100/notes?q=Billing+%3Cafter+hours%3E+%26+co&n=1#O%22Brien",
		AuthorizationScheme: "Bearer", Authorization: "C-1",
		At: time.Date(2023, 3, 31, 2, 39, 46, 917e6, time.UTC)}
	if !reflect.DeepEqual(out[0], want) {
		t.Errorf("got  %+v\nwant %+v", out[0], want)
	}
}

func TestRenderJSONBody(t *testing.T) {
	env := testRenderEnv(t)
	tests := []struct {
		name, body, ctype string
		want              string
	}{
		{"API example",
			`{"SMS":"${person.phone[0]}","MessageToSend":"Can we call you back?"}`, "application/json",
			`{"SMS":"+12263762555","MessageToSend":"Can we call you back?"}`},
		{"quotes and newlines inside strings",
			`{"name": "${person.lastName}", "queue": "Queue: ${profile.lastQueue}!", "note": "${event.data.note}", "phone": "${person.phone[1]}"}`, "application/json",
			`{"name": "O\"Brien", "queue": "Queue: Bill \"ing\"\n!", "note": "line1\nline2 \"quoted\"", "phone": "+1 555\n0100"}`},
		{"values standing alone",
			`{"calls": ${profile.closedQueueCalls}, "wait": ${profile.avgWait}, "queue": ${profile.lastQueue}, "queues": ${profile.queues}, "at": ${event.time}, "none": ${profile["Calls in the last day"]}, "data": ${event.data.tags}}`, "application/json",
			`{"calls": 1, "wait": 12.5, "queue": "Bill \"ing\"\n", "queues": ["Billing","Sales"], "at": "2023-03-31T00:39:46.917Z", "none": null, "data": ["a","b"]}`},
		{"arrays and maps inside strings are JSON text",
			`["${profile.queues}", ${ {"n": profile.closedQueueCalls} }]`, "application/json",
			`["[\"Billing\",\"Sales\"]", {"n":1}]`},
		{"HTML characters stay", `{"q": "${event.data.queue}", "r": ${event.data.queue}}`, "application/json",
			`{"q": "Billing <after hours> & co", "r": "Billing <after hours> & co"}`},
		{"escaped placeholder", `{"price": "$${amount}", "note": "\\${x}"}`, "application/json",
			`{"price": "${amount}", "note": "\\${x}"}`},
		{"text body", `Hello ${person.lastName}, "${profile.lastQueue}"`, "text/plain; charset=utf-8",
			"Hello O\"Brien, \"Bill \"ing\"\n\""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// a backslash before a placeholder inside a JSON string is refused; this one is escaped
			tc.body = strings.Replace(tc.body, `\\${x}`, `\\$${x}`, 1)
			c := renderAction(t, Trigger{Type: "Webhook", WebhookURL: "https://h.example/x", Attributes: map[string]string{"requestbody": tc.body}})
			out, err := c.Render(env)
			if err != nil {
				t.Fatal(err)
			}
			if got := string(out[0].Body); got != tc.want {
				t.Errorf("body:\n got %s\nwant %s", got, tc.want)
			}
			if out[0].ContentType != tc.ctype {
				t.Errorf("content type %q", out[0].ContentType)
			}
			if tc.ctype == "application/json" && !json.Valid(out[0].Body) {
				t.Errorf("not valid JSON: %s", out[0].Body)
			}
		})
	}
}

func TestRenderBodies(t *testing.T) {
	env := testRenderEnv(t)
	// A form body: every value query-escaped.
	c := renderAction(t, Trigger{Type: "Webhook", WebhookURL: "https://h.example/x",
		Attributes: map[string]string{"requestbody": "to=${person.phone[0]}&text=${event.data.note}", "contenttype": "application/x-www-form-urlencoded"}})
	out, err := c.Render(env)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(out[0].Body); got != "to=%2B12263762555&text=line1%0Aline2+%22quoted%22" || out[0].ContentType != "application/x-www-form-urlencoded" {
		t.Errorf("form: %s %q", got, out[0].ContentType)
	}
	// A declared text type keeps a body that looks like JSON as text.
	c = renderAction(t, Trigger{Type: "Webhook", WebhookURL: "https://h.example/x",
		Attributes: map[string]string{"requestbody": `{"a": "${person.lastName}"}`, "contenttype": "text/plain"}})
	if out, err = c.Render(env); err != nil || string(out[0].Body) != `{"a": "O"Brien"}` {
		t.Errorf("text: %s %v", out[0].Body, err)
	}
	// Connector attributes: JSON when they are JSON with the placeholders, text otherwise.
	c = renderAction(t, Trigger{Type: "Connector", Connector: "sms", Attributes: map[string]string{
		"payload": `{"text": "${event.data.note}"}`, "text": `[Reminder] ${person.lastName}`}})
	out, err = c.Render(env)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"payload": `{"text": "line1\nline2 \"quoted\""}`, "text": `[Reminder] O"Brien`}
	if !reflect.DeepEqual(out[0].Attributes, want) || out[0].Connector != "sms" || out[0].Body != nil {
		t.Errorf("connector: %+v", out[0])
	}
}

func TestRenderErrors(t *testing.T) {
	env := testRenderEnv(t)
	tests := []struct {
		name string
		tr   Trigger
		env  func(*RenderEnv)
		err  string
	}{
		{"index out of range", Trigger{Type: "Webhook", WebhookURL: "https://h.example/x", Attributes: map[string]string{"requestbody": `{"SMS": "${person.phone[0]}"}`}},
			func(e *RenderEnv) { e.Person.Phone = nil },
			`action "Closed Queue SMS": actionTriggers[0].attributes.requestbody: ${person.phone[0]}: index out of range: 0 (array length is 0) (1:13)`},
		{"nil in text", Trigger{Type: "Connector", Connector: "sms", Attributes: map[string]string{"text": "wait ${profile.avgWait}"}},
			func(e *RenderEnv) { delete(e.Profile, "avgWait") },
			`action "Closed Queue SMS": actionTriggers[0].attributes.text: ${profile.avgWait}: no value (nil); write ${x ?? ""} to render nothing when x has none`},
		{"nil in a JSON string", Trigger{Type: "Webhook", WebhookURL: "https://h.example/x", Attributes: map[string]string{"requestbody": `{"q": "${event.data.nope}"}`}},
			nil, `action "Closed Queue SMS": actionTriggers[0].attributes.requestbody: ${event.data.nope}: no value (nil); write ${x ?? ""} to render nothing when x has none`},
		{"runtime type error", Trigger{Type: "Webhook", WebhookURL: "https://h.example/${event.data.nope + 1}"},
			nil, `action "Closed Queue SMS": actionTriggers[0].webhookURL: ${event.data.nope + 1}: invalid operation: <nil> + int (1:17)`},
		{"line break in a header", Trigger{Type: "Webhook", WebhookURL: "https://h.example/x", AuthorizationScheme: "Bearer", Authorization: "${person.phone[1]}"},
			nil, `action "Closed Queue SMS": actionTriggers[0].authorization: ${person.phone[1]}: a header value cannot hold a line break`},
		{"at not a time", Trigger{Type: "Connector", Connector: "sms", At: "${event.data.wait}"},
			nil, `action "Closed Queue SMS": actionTriggers[0].at: expected a time, got int64`},
		{"NaN as a JSON value", Trigger{Type: "Webhook", WebhookURL: "https://h.example/x", Attributes: map[string]string{"requestbody": `[${profile.avgWait}]`}},
			func(e *RenderEnv) { e.Profile["avgWait"] = Result{Value: nan()} },
			`action "Closed Queue SMS": actionTriggers[0].attributes.requestbody: ${profile.avgWait}: NaN is not a JSON number`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := renderAction(t, tc.tr)
			e := env
			e.Profile = map[string]Result{}
			for k, v := range env.Profile {
				e.Profile[k] = v
			}
			if tc.env != nil {
				tc.env(&e)
			}
			_, err := c.Render(e)
			if err == nil || err.Error() != tc.err {
				t.Fatalf("error:\n%v\nwant\n%s", err, tc.err)
			}
			var re *RenderError
			if !errors.Is(err, ErrRender) || !errors.As(err, &re) || re.Field == "" {
				t.Errorf("not a RenderError: %#v", err)
			}
		})
	}
	// No event at all renders as an empty one.
	c := renderAction(t, Trigger{Type: "Connector", Connector: "sms", Attributes: map[string]string{"x": "<${event.id}>"}})
	if out, err := c.Render(RenderEnv{}); err != nil || out[0].Attributes["x"] != "<>" {
		t.Errorf("%v %v", out, err)
	}
}

func nan() float64 { var z float64; return z / z }

// Issue 17 (1): the placeholders of one firing share one expression budget; a trigger
// over it fails with exprbudget.ErrBudget, alone, and the triggers before it render.
func TestRenderEachSharesOneBudget(t *testing.T) {
	costly := "${count(1..6000, true)}" // 6,000 steps: more than half the budget
	c, err := CompileAction(&Action{ID: "a1", Name: "Costly", Condition: "true", ActionTriggers: []Trigger{
		{Type: "Connector", Connector: "sms", Attributes: map[string]string{"x": costly}},
		{Type: "Connector", Connector: "sms", Attributes: map[string]string{"x": costly}},
	}}, closedQueue(t))
	if err != nil {
		t.Fatal(err)
	}
	out, errs := c.RenderEach(testRenderEnv(t))
	if errs[0] != nil || out[0].Attributes["x"] != "6000" {
		t.Fatalf("first trigger: %v %v", out[0], errs[0])
	}
	if !errors.Is(errs[1], exprbudget.ErrBudget) || !errors.Is(errs[1], ErrRender) ||
		!strings.Contains(errs[1].Error(), `actionTriggers[1].attributes.x: ${count(1..6000, true)}: expression budget`) {
		t.Fatalf("second trigger: %v", errs[1])
	}
	// A budget the condition has spent leaves nothing to render with.
	b := exprbudget.NewBudget(exprbudget.Units)
	env := testRenderEnv(t)
	env.Budget = b
	if _, errs := c.RenderEach(env); errs[0] != nil || errs[1] == nil {
		t.Fatalf("with a budget: %v", errs)
	}
	if _, errs = c.RenderEach(env); !errors.Is(errs[0], exprbudget.ErrBudget) {
		t.Fatalf("with the budget spent: %v", errs)
	}
	// Render reports the first failure.
	if _, err := c.Render(testRenderEnv(t)); !errors.Is(err, exprbudget.ErrBudget) {
		t.Fatalf("Render: %v", err)
	}
}
