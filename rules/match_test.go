package rules

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

func mustCompile(t testing.TB, attrs ...Attribute) *Compiled {
	t.Helper()
	for i := range attrs {
		if attrs[i].DisplayName == "" {
			attrs[i].DisplayName = fmt.Sprintf("a%d", i)
		}
		if attrs[i].LookBackDurationType == "" {
			attrs[i].LookBackDurationType, attrs[i].LookBackPeriod = "days", 1
		}
		if attrs[i].Event == "" {
			attrs[i].Event = "E"
		}
	}
	c, err := Compile(&Template{Name: "t", Attributes: attrs})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func envOf(t testing.TB, typ string, data string) *EventEnv {
	t.Helper()
	raw := fmt.Sprintf(`{"id":"e1","specversion":"1.0","type":%q,"source":"web","identity":"+12263762555","identitytype":"phone","time":"2023-03-31T00:39:46.917Z","datacontenttype":"application/json","channel":"sms","data":%s}`, typ, data)
	env, err := NewEventEnv([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	return env
}

// TestRuleGrammar: every operator over every type, as an attribute rule on events.
func TestRuleGrammar(t *testing.T) {
	data := `{"s":"Billing","i":42,"istr":"42","f":2.5,"fstr":"2.5","t":"2023-03-31T00:39:46.917Z","tms":1680223186917,"n":{"k":"v"},"dot.key":"d","b":true}`
	tests := []struct {
		cond string
		want bool
	}{
		{"E,s,string,Value EQ Billing", true},
		{"E,s,string,Value EQ billing", false},
		{"E,s,string,Value NEQ Sales", true},
		{"E,s,string,Value GT Apple", true},
		{"E,s,string,Value GTE Billing", true},
		{"E,s,string,Value LT Billing", false},
		{"E,s,string,Value LTE Billing", true},
		{"E,s,string,Value HAS ill", true},
		{"E,s,string,Value HAS xyz", false},
		{"E,s,string,value eq Billing", true}, // case-insensitive mode and operator
		{"E,s,string,Value == Billing", true}, // symbols too
		{`E,s,string,Value EQ "Billing"`, true},
		{`E,s,string,Value EQ " Billing"`, false},
		{"E,i,string,Value EQ 42", true}, // a number read as text
		{"E,b,string,Value EQ true", true},
		{"E,i,integer,Value EQ 42", true},
		{"E,istr,integer,Value EQ 42", true}, // numeric strings convert
		{"E,i,integer,Value NEQ 41", true},
		{"E,i,integer,Value GT 41", true},
		{"E,i,integer,Value GT 42", false},
		{"E,i,integer,Value GTE 42", true},
		{"E,i,integer,Value LT 43", true},
		{"E,i,integer,Value LTE 41", false},
		{"E,f,integer,Value EQ 2", false}, // 2.5 is no integer: the field does not convert
		{"E,f,double,Value EQ 2.5", true},
		{"E,fstr,double,Value GT 2", true},
		{"E,i,double,Value LT 42.5", true},
		{"E,f,double,Value GTE 2.5", true},
		{"E,f,double,Value LTE 2.4", false},
		{"E,f,double,Value NEQ 2.5", false},
		{"E,t,utc_datetime,Value EQ 2023-03-31T02:39:46.917+02:00", true},
		{"E,t,utc_datetime,Value GT 2023-03-31T00:00:00Z", true},
		{"E,t,utc_datetime,Value LT 2023-03-31T00:00:00Z", false},
		{"E,tms,utc_datetime,Value EQ 2023-03-31T00:39:46.917Z", true}, // Unix milliseconds
		{"E,s,utc_datetime,Value NEQ 2023-03-31T00:00:00Z", false},     // not a time: never holds
		{"E,n.k,string,Value EQ v", true},
		{"E,dot.key,string,Value EQ d", true},
		{"E,missing,string,Value NEQ x", false}, // a missing field makes every comparison false
		{"E,n,string,Value EQ x", false},        // objects are no strings
	}
	env := envOf(t, "E", data)
	for _, tc := range tests {
		c := mustCompile(t, Attribute{AggregationMode: "Count", Rules: &RuleBlock{Logic: "SINGLE", Condition: tc.cond}})
		_, ok, err := c.Attrs[0].Match(env)
		if err != nil || ok != tc.want {
			t.Errorf("%s: %v, %v; want %v", tc.cond, ok, err, tc.want)
		}
	}
}

func TestRuleLogic(t *testing.T) {
	env := envOf(t, "E", `{"a":"1","b":"2"}`)
	yes, no := RuleArg{Condition: "E,a,string,Value EQ 1"}, RuleArg{Condition: "E,b,string,Value EQ 1"}
	tests := []struct {
		name string
		b    *RuleBlock
		want bool
	}{
		{"and true", &RuleBlock{Logic: "AND", Args: []RuleArg{yes, yes}}, true},
		{"and false", &RuleBlock{Logic: "AND", Args: []RuleArg{yes, no}}, false},
		{"or true", &RuleBlock{Logic: "OR", Args: []RuleArg{no, yes}}, true},
		{"or false", &RuleBlock{Logic: "OR", Args: []RuleArg{no, no}}, false},
		{"nested", &RuleBlock{Logic: "AND", Args: []RuleArg{yes, {Block: &RuleBlock{Logic: "OR", Args: []RuleArg{no, yes}}}}}, true},
		{"nested false", &RuleBlock{Logic: "OR", Args: []RuleArg{no, {Block: &RuleBlock{Logic: "AND", Args: []RuleArg{no, yes}}}}}, false},
		{"single in args", &RuleBlock{Logic: "OR", Args: []RuleArg{{Block: &RuleBlock{Logic: "SINGLE", Condition: yes.Condition}}}}, true},
	}
	for _, tc := range tests {
		c := mustCompile(t, Attribute{AggregationMode: "Count", Rules: tc.b})
		if _, ok, _ := c.Attrs[0].Match(env); ok != tc.want {
			t.Errorf("%s: %v", tc.name, ok)
		}
	}
}

func TestRuleDepth(t *testing.T) {
	b := &RuleBlock{Logic: "SINGLE", Condition: "E,a,string,Value EQ 1"}
	for range 40 {
		b = &RuleBlock{Logic: "AND", Args: []RuleArg{{Block: b}}}
	}
	_, err := Compile(&Template{Name: "t", Attributes: []Attribute{{DisplayName: "a", Event: "E", AggregationMode: "Count",
		LookBackDurationType: "days", LookBackPeriod: 1, Rules: b}}})
	if err == nil || !strings.Contains(err.Error(), "nested deeper than 32") {
		t.Errorf("%v", err)
	}
}

func TestMatch(t *testing.T) {
	env := envOf(t, "Payment", `{"status":"overdue","category":"Water","Notification":"1","Past Due Amount":"$544.73","amount":"544.73","order":{"total":12},"wait":30}`)
	tests := []struct {
		name  string
		attr  Attribute
		ok    bool
		value Value
		err   string
	}{
		{"other type", Attribute{Event: "Other", AggregationMode: "Count"}, false, nil, ""},
		{"count needs no field", Attribute{Event: "Payment", MetaData: "nope", AggregationMode: "Count"}, true, nil, ""},
		{"value of a string", Attribute{Event: "Payment", MetaData: "Past Due Amount", AggregationMode: "Value"}, true, "$544.73", ""},
		{"integer from a numeric string", Attribute{Event: "Payment", MetaData: "Notification", MetaDataType: "integer", AggregationMode: "Value"}, true, int64(1), ""},
		{"sum of a string attribute reads numbers", Attribute{Event: "Payment", MetaData: "amount", AggregationMode: "Sum"}, true, 544.73, ""},
		{"sum of a non-numeric string does not count", Attribute{Event: "Payment", MetaData: "Past Due Amount", AggregationMode: "Sum"}, false, nil, ""},
		{"nested", Attribute{Event: "Payment", MetaData: "order.total", MetaDataType: "integer", AggregationMode: "Max"}, true, int64(12), ""},
		{"missing field", Attribute{Event: "Payment", MetaData: "nope", AggregationMode: "Value"}, false, nil, ""},
		{"expr true", Attribute{Event: "Payment", AggregationMode: "Count", Condition: `data.status == "overdue" && data.order.total > 10 && ext.channel == "sms" && identitytype == "phone"`}, true, nil, ""},
		{"expr false", Attribute{Event: "Payment", AggregationMode: "Count", Condition: `data.category == "Gas"`}, false, nil, ""},
		{"expr on time", Attribute{Event: "Payment", AggregationMode: "Count", Condition: `time.Year() == 2023 && time < date("2023-04-01")`}, true, nil, ""},
		{"expr with event", Attribute{Event: "Payment", AggregationMode: "Count", Condition: `event.type == "Payment" && event.data.wait == 30`}, true, nil, ""},
		{"expr runtime error", Attribute{Event: "Payment", AggregationMode: "Count", Condition: `data.nope > 3`}, false, nil, `attribute "a0": condition: invalid operation`},
		{"rules and condition both hold", Attribute{Event: "Payment", AggregationMode: "Count",
			Rules: &RuleBlock{Logic: "SINGLE", Condition: "Payment,status,string,Value EQ overdue"}, Condition: `data.category == "Gas"`}, false, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := mustCompile(t, tc.attr)
			v, ok, err := c.Attrs[0].Match(env)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || ok != tc.ok || !reflect.DeepEqual(v, tc.value) {
				t.Errorf("got %#v %v %v, want %#v %v", v, ok, err, tc.value, tc.ok)
			}
		})
	}
}

func TestConvert(t *testing.T) {
	ts := time.Date(2023, 3, 31, 0, 39, 46, 917e6, time.UTC)
	tests := []struct {
		in   any
		k    valueKind
		want Value
	}{
		{"x", vString, "x"}, {int64(3), vString, "3"}, {2.5, vString, "2.5"}, {1e21, vString, "1e+21"}, {true, vString, "true"},
		{nil, vString, nil}, {map[string]any{}, vString, nil}, {[]any{"a"}, vString, nil},
		{int64(3), vInt, int64(3)}, {3.0, vInt, int64(3)}, {3.5, vInt, nil}, {"3", vInt, int64(3)}, {"3.0", vInt, int64(3)},
		{" 3", vInt, nil}, {"0x10", vInt, nil}, {"1e3", vInt, int64(1000)}, {"9223372036854775807", vInt, int64(9223372036854775807)},
		{1e19, vInt, nil}, {true, vInt, nil},
		{int64(3), vFloat, 3.0}, {"544.73", vFloat, 544.73}, {"$544.73", vFloat, nil}, {"NaN", vFloat, nil}, {"Inf", vFloat, nil},
		{"1e999", vFloat, nil}, {"-0.5", vFloat, -0.5}, {math.Inf(1), vFloat, nil}, {math.Inf(1), vString, nil},
		{"2023-03-31T02:39:46.917+02:00", vTime, ts}, {int64(1680223186917), vTime, ts}, {"2023-03-31", vTime, nil}, {2.5, vTime, nil},
	}
	for _, tc := range tests {
		got, ok := convert(tc.in, tc.k)
		if !reflect.DeepEqual(got, tc.want) || ok != (tc.want != nil) {
			t.Errorf("convert(%#v, %s) = %#v, %v; want %#v", tc.in, tc.k, got, ok, tc.want)
		}
	}
}

func TestNewEventEnv(t *testing.T) {
	env := envOf(t, "E", `{"big":9007199254740993,"f":1.5,"list":[1,"a"]}`)
	if env.ID != "e1" || env.Source != "web" || env.Identity != "+12263762555" || env.IdentityType != "phone" ||
		!env.Time.Equal(time.Date(2023, 3, 31, 0, 39, 46, 917e6, time.UTC)) || env.Event != env {
		t.Errorf("%+v", env)
	}
	if env.Data["big"] != int64(9007199254740993) || env.Data["f"] != 1.5 || !reflect.DeepEqual(env.Data["list"], []any{int64(1), "a"}) {
		t.Errorf("data %#v", env.Data)
	}
	if !reflect.DeepEqual(env.Ext, map[string]any{"channel": "sms"}) {
		t.Errorf("ext %#v", env.Ext)
	}
	for _, bad := range []string{``, `[]`, `null`, `{"time":"yesterday"}`} {
		if _, err := NewEventEnv([]byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestStateKey(t *testing.T) {
	base := Attribute{DisplayName: "A", Event: "E", MetaData: "x", MetaDataType: "integer", AggregationMode: "Sum", LookBackDurationType: "days", LookBackPeriod: 1}
	key := func(a Attribute) string { return mustCompile(t, a).Attrs[0].Key }
	k := key(base)
	same := []func(a *Attribute){
		func(a *Attribute) { a.DisplayName = "B"; a.Name = "b" },
		func(a *Attribute) { a.AggregationMode = "Average" }, // same values kept
		func(a *Attribute) { a.AggregationMode = "Value" },
		func(a *Attribute) { a.Verbose = true; a.WidgetAttributes = map[string]any{"x": 1} },
		func(a *Attribute) { a.LookBackDurationType, a.LookBackPeriod = "hours", 24 },
		func(a *Attribute) { a.AggregationMode = "sum"; a.MetaDataType = "Integer" },
		func(a *Attribute) { a.Limit = 1000 },
	}
	for i, f := range same {
		a := base
		f(&a)
		if key(a) != k {
			t.Errorf("change %d changed the key", i)
		}
	}
	differ := []func(a *Attribute){
		func(a *Attribute) { a.Event = "F" },
		func(a *Attribute) { a.MetaData = "y" },
		func(a *Attribute) { a.MetaDataType = "double" },
		func(a *Attribute) { a.AggregationMode = "Count" },
		func(a *Attribute) { a.LookBackPeriod = 2 },
		func(a *Attribute) { a.Limit = 10 },
		func(a *Attribute) { a.Condition = "data.x > 1" },
		func(a *Attribute) { a.Rules = &RuleBlock{Logic: "SINGLE", Condition: "E,x,integer,Value GT 1"} },
	}
	for i, f := range differ {
		a := base
		f(&a)
		if key(a) == k {
			t.Errorf("change %d kept the key", i)
		}
	}
	// Count keeps no value: its metaData does not matter.
	c1 := Attribute{DisplayName: "A", Event: "E", MetaData: "x", AggregationMode: "Count", LookBackDurationType: "days", LookBackPeriod: 1}
	c2 := c1
	c2.MetaData = "y"
	if key(c1) != key(c2) {
		t.Error("the metaData of a Count changed its key")
	}
}

func TestCompileDoesNotChangeItsInput(t *testing.T) {
	tpl := &Template{Name: "t", Attributes: []Attribute{{DisplayName: "a", Event: "E", AggregationMode: "count",
		LookBackDurationType: "DAYS", LookBackPeriod: 1, Rules: &RuleBlock{Logic: "and", Args: []RuleArg{{Condition: "E,x,string,Value EQ 1"}}}}}}
	before, _ := json.Marshal(tpl)
	c, err := Compile(tpl)
	if err != nil {
		t.Fatal(err)
	}
	after, _ := json.Marshal(tpl)
	if string(before) != string(after) {
		t.Errorf("input changed:\n%s\n%s", before, after)
	}
	if c.Template.Attributes[0].Rules.Logic != "AND" || c.Template.Attributes[0].AggregationMode != "Count" {
		t.Errorf("copy not normalised: %+v", c.Template.Attributes[0])
	}
	if c.Attr("a") == nil || c.Attr("zz") != nil {
		t.Error("Attr by name")
	}
}
