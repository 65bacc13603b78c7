package rules

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// The API example of API.md, byte for byte.
const actionExample = `{"name": "Closed Queue Action", "isActive": true, "cooldownPeriodInMinutes": 60,
 "rules": {"logic": "SINGLE", "condition": "Closed Queue,category,string,Count GTE 1"},
 "actionTriggers": [{"type": "Webhook", "webhookURL": "https://hooks.example/events/6M347NJ6HY",
   "attributes": {"httpverb": "post",
     "requestbody": "{\"SMS\":\"${person.phone[0]}\",\"MessageToSend\":\"Can we call you back?\"}"}}]}`

// closedQueue is the template of use case 3, with more attributes for conditions.
func closedQueue(t testing.TB) *Compiled {
	t.Helper()
	return mustCompile(t,
		Attribute{Name: "closedQueueCalls", Event: "Closed Queue", MetaData: "category", AggregationMode: "Count"},
		Attribute{Name: "callsToday", Event: "Queued Caller", AggregationMode: "Count"},
		Attribute{Name: "lastQueue", Event: "Queued Caller", MetaData: "queue", AggregationMode: "Value"},
		Attribute{Name: "avgWait", Event: "Queued Caller", MetaData: "wait", MetaDataType: "double", AggregationMode: "Average"},
		Attribute{Name: "queues", Event: "Queued Caller", MetaData: "queue", AggregationMode: "Distinct"},
		Attribute{Name: "lastCall", Event: "Queued Caller", MetaData: "at", MetaDataType: "utc_datetime", AggregationMode: "Max"},
		Attribute{DisplayName: "Calls in the last day", Event: "Queued Caller", MetaData: "queue", AggregationMode: "Count"},
	)
}

func TestParseActionJSONExample(t *testing.T) {
	a, err := ParseActionJSON([]byte(actionExample))
	if err != nil {
		t.Fatal(err)
	}
	want := &Action{Name: "Closed Queue Action", IsActive: true, CooldownPeriodInMinutes: 60,
		Rules: &RuleBlock{Logic: "SINGLE", Condition: "Closed Queue,category,string,Count GTE 1"},
		ActionTriggers: []Trigger{{Type: "Webhook", WebhookURL: "https://hooks.example/events/6M347NJ6HY",
			Attributes: map[string]string{"httpverb": "post",
				"requestbody": `{"SMS":"${person.phone[0]}","MessageToSend":"Can we call you back?"}`}}}}
	if !reflect.DeepEqual(a, want) {
		t.Fatalf("got %+v\nwant %+v", a, want)
	}
	// Marshalled, it has the shape of the example.
	got, _ := json.Marshal(a)
	if normalJSON(t, json.RawMessage(got)) != normalJSON(t, json.RawMessage(actionExample)) {
		t.Errorf("marshalled:\n%s", got)
	}
	c, err := CompileAction(a, closedQueue(t))
	if err != nil {
		t.Fatal(err)
	}
	if c.Action.Template != "t" || c.Cooldown.Minutes() != 60 || len(c.Attrs()) != 1 || c.Attrs()[0].Name != "closedQueueCalls" {
		t.Errorf("compiled: %+v, attrs %v", c.Action, c.Attrs())
	}
}

func TestParseActionJSON(t *testing.T) {
	// act builds an action; extra members are added at the end, trigger replaces the trigger.
	act := func(extra, trigger string) string {
		if trigger == "" {
			trigger = `{"type":"Webhook","webhookURL":"https://h.example/x"}`
		}
		return `{"name":"A","isActive":true,"cooldownPeriodInMinutes":60,"condition":"x > 1","actionTriggers":[` + trigger + `]` + extra + `}`
	}
	tests := []struct {
		name string
		json string
		want []string // problems; nil: valid
	}{
		{"minimal", act("", ""), nil},
		{"read-only members", `{"id":"a1","templateId":"t1","templateName":"T","source":"api","name":"A","isActive":false,"cooldownPeriodInMinutes":0,"rules":{"condition":"E,x,string,Count GTE 1"},"actionTriggers":[{"type":"Connector","connector":"sms"}]}`, nil},
		{"every trigger field", act("", `{"type":"webhook","webhookURL":"http://10.0.0.1:8080/h/${person.id}?q=${event.data.q}","authorizationScheme":"Bearer","authorization":"${event.ext.token}","at":"${event.time + duration(\"1h\")}","attributes":{"httpverb":"Put","requestbody":"[${profile}]","contenttype":"application/json"}}`), nil},
		{"connector", act("", `{"type":"Connector","connector":"sms","attributes":{"to":"${person.phone[0]}","text":"[Reminder] you owe ${profile.amount}","json":"{\"a\": ${event.data}}"}}`), nil},
		{"not JSON", `{"name":`, []string{"invalid JSON: unexpected end of input"}},
		{"not an object", `[]`, []string{"expected an object, got a list"}},
		{"unknown field", act(`,"cooldownPeriodInMinute":1`, ""), []string{`unknown key "cooldownPeriodInMinute" (did you mean "cooldownPeriodInMinutes"?)`}},
		{"YAML-only keys", act(`,"template":"T","cooldown":"1h"`, ""), []string{
			`unknown key "template" (did you mean "templateId"?)`,
			`unknown key "cooldown" (known: id, name, templateId, templateName, source, isActive, mode, cooldownPeriodInMinutes, rules, condition, actionTriggers, createdAt, createdBy, updatedAt, updatedBy, organizationId, workspaceId)`}},
		{"unknown trigger field", act("", `{"type":"Webhook","webhookUrl":"https://h.example/x"}`), []string{
			`actionTriggers[0]: unknown key "webhookUrl" (did you mean "webhookURL"?)`}},
		{"wrong types", `{"name":1,"isActive":"true","cooldownPeriodInMinutes":1.5,"condition":true,"actionTriggers":{}}`, []string{
			"name: expected a string, got 1", `isActive: expected true or false, got "true"`,
			"cooldownPeriodInMinutes: expected an integer, got 1.5", "condition: expected a string, got true",
			"actionTriggers: expected a list, got an object"}},
		{"attributes must be strings", act("", `{"type":"Connector","connector":"sms","attributes":{"n":1,"m":{}}}`), []string{
			"actionTriggers[0].attributes.n: expected a string, got 1", "actionTriggers[0].attributes.m: expected a string, got an object"}},
		{"everything missing", `{}`, []string{"isActive: required: true or false",
			"cooldownPeriodInMinutes: required: minutes between two firings for one person (0 for none)",
			"name: required", "rules: required: a rules block or a condition, over the template's attributes",
			"actionTriggers: an action needs at least one trigger"}},
		{"negative cooldown", strings.Replace(act("", ""), `:60`, `:-1`, 1), []string{"cooldownPeriodInMinutes: must be between 0 and 52560000, got -1"}},
		{"bad rule grammar", strings.Replace(act("", ""), `"condition":"x > 1"`, `"rules":{"logic":"SINGLE","condition":"E,x,string,Count ~ 1"}`, 1), []string{
			`rules.condition: operator must be one of EQ NEQ GT GTE LT LTE HAS, got "~" (column 18)`}},
		{"bad rule logic", strings.Replace(act("", ""), `"condition":"x > 1"`, `"rules":{"logic":"XOR","args":[]}`, 1), []string{
			`rules.logic: must be SINGLE, AND or OR, got "XOR"`}},
		{"bad expr", strings.Replace(act("", ""), `x > 1`, `x >> 1`, 1), []string{`condition: unexpected token Operator(">") (column 4)`}},
		{"no trigger", strings.Replace(act("", ""), `[{"type":"Webhook","webhookURL":"https://h.example/x"}]`, `[]`, 1), []string{"actionTriggers: an action needs at least one trigger"}},
		{"trigger type", act("", `{"type":"Email"}`), []string{`actionTriggers[0].type: must be Webhook or Connector, got "Email"`}},
		{"trigger type missing", act("", `{}`), []string{`actionTriggers[0].type: required: Webhook or Connector`}},
		{"webhook without URL", act("", `{"type":"Webhook","connector":"sms","authorizationScheme":"Basic"}`), []string{
			"actionTriggers[0].connector: only for Connector triggers", "actionTriggers[0].webhookURL: required: the http(s) URL to call",
			"actionTriggers[0].authorization: required with authorizationScheme: the credentials"}},
		{"URL scheme", act("", `{"type":"Webhook","webhookURL":"mailto:x@example.com"}`), []string{"actionTriggers[0].webhookURL: must be an http:// or https:// URL (column 1)"}},
		{"URL host from a value", act("", `{"type":"Webhook","webhookURL":"https://${event.data.host}/x"}`), []string{"actionTriggers[0].webhookURL: must name the host after the scheme, written out (column 1)"}},
		{"URL from a value", act("", `{"type":"Webhook","webhookURL":"${event.data.url}"}`), []string{"actionTriggers[0].webhookURL: must start with http:// or https:// and the host, written out (column 1)"}},
		{"bad URL", act("", `{"type":"Webhook","webhookURL":"https://h.example:x/"}`), []string{`actionTriggers[0].webhookURL: bad URL: invalid port ":x" after host (column 1)`}},
		{"webhook attributes", act("", `{"type":"Webhook","webhookURL":"https://h.example/x","attributes":{"httpverb":"SEND","requestBody":"x","contenttype":"${x}"}}`), []string{
			`actionTriggers[0].attributes.requestBody: unknown Webhook attribute "requestBody" (did you mean "requestbody"?)`,
			`actionTriggers[0].attributes.httpverb: must be one of POST, PUT, PATCH, GET, DELETE (any case), got "SEND"`,
			`actionTriggers[0].attributes.contenttype: must be written out: placeholders are not allowed here`}},
		{"GET with a body", act("", `{"type":"Webhook","webhookURL":"https://h.example/x","attributes":{"httpverb":"get","requestbody":"x"}}`), []string{
			"actionTriggers[0].attributes.requestbody: a GET request has no body"}},
		{"JSON body that is not JSON", act("", `{"type":"Webhook","webhookURL":"https://h.example/x","attributes":{"requestbody":"{\"a\": 1${x}}"}}`), []string{
			"actionTriggers[0].attributes.requestbody: not valid JSON (with each placeholder standing for a value): invalid character 'n' after object key:value pair (column 1)"}},
		{"declared JSON body", act("", `{"type":"Webhook","webhookURL":"https://h.example/x","attributes":{"contenttype":"application/vnd.x+json","requestbody":"a=${x}"}}`), []string{
			"actionTriggers[0].attributes.requestbody: not valid JSON (with each placeholder standing for a value): invalid character 'a' looking for beginning of value (column 1)"}},
		{"connector fields", act("", `{"type":"Connector","webhookURL":"https://h.example/x","authorization":"x"}`), []string{
			"actionTriggers[0].connector: required: the name of the connector instance that delivers it",
			"actionTriggers[0].webhookURL: only for Webhook triggers (a connector has its own settings)",
			"actionTriggers[0].authorization: only for Webhook triggers (a connector has its own settings)"}},
		{"connector from a value", act("", `{"type":"Connector","connector":"${x}"}`), []string{"actionTriggers[0].connector: must be written out: placeholders are not allowed here"}},
		{"bad placeholder", act("", `{"type":"Connector","connector":"sms","attributes":{"a":"x ${person.phone[0]","b":"${}","c":"${person.nope}","d":"${now()}","e":"${\"}\"} ${'"}}`), []string{
			"actionTriggers[0].attributes.a: unterminated placeholder: ${ without its closing } (column 3)",
			"actionTriggers[0].attributes.b: empty placeholder ${} (column 1)",
			"actionTriggers[0].attributes.c: person has no field nope (column 10)",
			"actionTriggers[0].attributes.d: now() is not available: use event.time, the time of the event that fired the action, so that a rendering does not depend on when it happens (column 3)",
			"actionTriggers[0].attributes.e: unterminated string in placeholder (column 10)"}},
		{"unknown variable", act("", `{"type":"Connector","connector":"sms","attributes":{"a":"${persn.id}"}}`), []string{
			"actionTriggers[0].attributes.a: unknown name persn (column 3)"}},
		{"at", act("", `{"type":"Connector","connector":"sms","at":"tomorrow"}`), []string{
			`actionTriggers[0].at: must be one placeholder whose value is a time, like ${event.time + duration("2h")}`}},
		{"at of another type", act("", `{"type":"Connector","connector":"sms","at":"${event.id}"}`), []string{
			"actionTriggers[0].at: must yield a time, not string (column 3)"}},
		{"header with a line break", act("", `{"type":"Webhook","webhookURL":"https://h.example/x","authorizationScheme":"Bearer\n","authorization":"x"}`), []string{
			"actionTriggers[0].authorizationScheme: a header value cannot hold a line break (line 1, column 1 of the text)"}},
		{"multi-line body", act("", `{"type":"Webhook","webhookURL":"https://h.example/x","attributes":{"requestbody":"{\n  \"a\": \"${event.nope}\"}"}}`), []string{
			"actionTriggers[0].attributes.requestbody: event has no field nope (line 2, column 17 of the text)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := ParseActionJSON([]byte(tc.json))
			got := Problems(err)
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("problems:\n%q\nwant:\n%q", got, tc.want)
			}
			if err != nil && !errors.Is(err, ErrInvalid) {
				t.Errorf("not ErrInvalid: %v", err)
			}
			if err == nil && a == nil {
				t.Fatal("nil action")
			}
		})
	}
}

func TestCompileAction(t *testing.T) {
	tpl := closedQueue(t)
	webhook := []Trigger{{Type: "Webhook", WebhookURL: "https://h.example/x"}}
	tests := []struct {
		name string
		a    Action
		want []string
	}{
		{"JDS rule", Action{Name: "A", Rules: &RuleBlock{Logic: "and", Args: []RuleArg{{Condition: "Closed Queue,category,string,Count GTE 1"}, {Condition: "Queued Caller,queue,string,Distinct HAS Billing"}}}, ActionTriggers: webhook}, nil},
		{"condition", Action{Name: "A", Condition: `closedQueueCalls >= 1 && callsToday < 6 && lastQueue != "Sales" && (avgWait ?? 0) < 60.5 && "Billing" in queues && profile["Calls in the last day"] > 0`, ActionTriggers: webhook}, nil},
		{"rule naming an attribute not in the template", Action{Name: "A", Rules: &RuleBlock{Condition: "Closed Queue,reason,string,Count GTE 1"}, ActionTriggers: webhook}, []string{
			`rules.condition: no attribute of the template has event "Closed Queue", metaData "reason" and mode Count; it has "closedQueueCalls" (Closed Queue,category,string,Count), "callsToday" (Queued Caller,,string,Count), "lastQueue" (Queued Caller,queue,string,Value), "avgWait" (Queued Caller,wait,double,Average), "queues" (Queued Caller,queue,string,Distinct), "lastCall" (Queued Caller,at,utc_datetime,Max), "Calls in the last day" (Queued Caller,queue,string,Count) (column 1)`}},
		{"rule value of the wrong type", Action{Name: "A", Rules: &RuleBlock{Condition: "Closed Queue,category,string,Count GTE one"}, ActionTriggers: webhook}, []string{
			`rules.condition: expected an integer, got "one" (column 40)`}},
		{"misspelt attribute", Action{Name: "A", Condition: "closedQueueCall >= 1", ActionTriggers: webhook}, []string{"condition: unknown name closedQueueCall (column 1)"}},
		{"misspelt profile attribute", Action{Name: "A", Condition: `profile.closedQueueCall >= 1`, ActionTriggers: webhook}, []string{
			`condition: the template "t" has no attribute named "closedQueueCall" (did you mean "closedQueueCalls"?) (column 9)`}},
		{"types", Action{Name: "A", Condition: `lastQueue > 3`, ActionTriggers: webhook}, []string{"condition: invalid operation: > (mismatched types string and int) (column 11)"}},
		{"not boolean", Action{Name: "A", Condition: `callsToday + 1`, ActionTriggers: webhook}, []string{"condition: expected bool, but got int"}},
		{"now", Action{Name: "A", Condition: `lastCall > now()`, ActionTriggers: webhook}, []string{
			"condition: now() is not available in conditions: they read the profile, whose windows already end at the time of evaluation (column 12)"}},
		{"profile in a placeholder", Action{Name: "A", Condition: "true", ActionTriggers: []Trigger{{Type: "Connector", Connector: "sms", Attributes: map[string]string{"text": "${profile.lastQueue} ${profile.lastQeue}"}}}}, []string{
			`actionTriggers[0].attributes.text: the template "t" has no attribute named "lastQeue" (did you mean "lastQueue"?) (column 32)`}},
		{"at from a profile time", Action{Name: "A", Condition: "true", ActionTriggers: []Trigger{{Type: "Connector", Connector: "sms", At: `${profile.lastCall + duration("24h")}`}}}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := CompileAction(&tc.a, tpl)
			got := Problems(err)
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("problems:\n%q\nwant:\n%q", got, tc.want)
			}
			if err != nil && !errors.Is(err, ErrInvalid) {
				t.Errorf("not ErrInvalid: %v", err)
			}
			if err == nil && c == nil {
				t.Fatal("nil action")
			}
		})
	}
	if _, err := CompileAction(&Action{}, nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("no template: %v", err)
	}
}

func TestHolds(t *testing.T) {
	tpl := closedQueue(t)
	results := func(closed, calls int64) map[string]Result {
		return map[string]Result{
			"closedQueueCalls": {Value: closed}, "callsToday": {Value: calls}, "lastQueue": {Value: "Billing"},
			"avgWait": {}, "queues": {Value: []any{"Billing", "Sales"}}, "lastCall": {Value: "2023-03-31T00:39:46.917Z"},
			"Calls in the last day": {Value: calls},
		}
	}
	tests := []struct {
		name          string
		rule          string // JDS condition
		cond          string
		closed, calls int64
		want          bool
		err           string
	}{
		{"GTE 1 with 0", "Closed Queue,category,string,Count GTE 1", "", 0, 0, false, ""},
		{"GTE 1 with 1", "Closed Queue,category,string,Count GTE 1", "", 1, 0, true, ""},
		{"GTE 1 with 2", "Closed Queue,category,string,Count GTE 1", "", 2, 0, true, ""},
		{"EQ 1 with 2", "Closed Queue,category,string,Count EQ 1", "", 2, 0, false, ""},
		{"LT 6", "Queued Caller,,string,Count LT 6", "", 0, 5, true, ""},
		{"condition true", "", "closedQueueCalls >= 1 && callsToday < 6", 1, 5, true, ""},
		{"condition false", "", "closedQueueCalls >= 1 && callsToday < 6", 1, 6, false, ""},
		{"rule and condition", "Closed Queue,category,string,Count GTE 1", "callsToday < 6", 1, 7, false, ""},
		{"rule false skips the condition", "Closed Queue,category,string,Count GTE 1", "avgWait > 3", 0, 0, false, ""},
		{"profile map", "", `profile["Calls in the last day"] == 3 && profile.lastQueue == "Billing"`, 0, 3, true, ""},
		{"distinct", "", `"Sales" in queues && len(queues) == 2`, 0, 0, true, ""},
		{"times are times", "", `lastCall.Year() == 2023 && lastCall < date("2023-04-01")`, 0, 0, true, ""},
		{"nil coalescing", "", `(avgWait ?? 0) < 1`, 0, 0, true, ""},
		{"nil compared", "", `avgWait > 3`, 0, 0, false, `action "A": condition: invalid operation: <nil> > int`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := &Action{Name: "A", Condition: tc.cond, ActionTriggers: []Trigger{{Type: "Connector", Connector: "sms"}}}
			if tc.rule != "" {
				a.Rules = &RuleBlock{Logic: "SINGLE", Condition: tc.rule}
			}
			c, err := CompileAction(a, tpl)
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.Holds(results(tc.closed, tc.calls))
			if tc.err != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("%v %v, want %v", got, err, tc.want)
			}
		})
	}

	// Holds needs the results of what it reads, and only those.
	c, err := CompileAction(&Action{Name: "A", Rules: &RuleBlock{Condition: "Closed Queue,category,string,Count GTE 1"},
		Condition: "callsToday < 6 && closedQueueCalls > 0", ActionTriggers: []Trigger{{Type: "Connector", Connector: "sms"}}}, tpl)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range c.Attrs() {
		names = append(names, a.Name)
	}
	if !reflect.DeepEqual(names, []string{"closedQueueCalls", "callsToday"}) {
		t.Errorf("attrs %q", names)
	}
	if ok, err := c.Holds(map[string]Result{"closedQueueCalls": {Value: int64(1)}, "callsToday": {Value: int64(0)}}); !ok || err != nil {
		t.Errorf("%v %v", ok, err)
	}
	if _, err := c.Holds(map[string]Result{"closedQueueCalls": {Value: int64(1)}}); err == nil || !strings.Contains(err.Error(), `no result for attribute "callsToday"`) {
		t.Errorf("missing result: %v", err)
	}
	// profile read as a whole needs every attribute.
	c, err = CompileAction(&Action{Name: "A", Condition: `len(profile) > 0`, ActionTriggers: []Trigger{{Type: "Connector", Connector: "sms"}}}, tpl)
	if err != nil || len(c.Attrs()) != len(tpl.Attrs) {
		t.Errorf("%v %v", c.Attrs(), err)
	}
}
