package rules

import (
	"strings"
	"testing"
	"time"
)

func TestActionRule(t *testing.T) {
	c := mustCompile(t,
		Attribute{Name: "closed", Event: "Closed Queue", MetaData: "category", AggregationMode: "Count"},
		Attribute{Name: "spent", Event: "Payment", MetaData: "amount", MetaDataType: "double", AggregationMode: "Sum"},
		Attribute{Name: "avg", Event: "Payment", MetaData: "amount", MetaDataType: "double", AggregationMode: "Average"},
		Attribute{Name: "channels", Event: "Visit", MetaData: "channel", AggregationMode: "Distinct"},
		Attribute{Name: "lastPaid", Event: "Payment", MetaData: "paidAt", MetaDataType: "utc_datetime", AggregationMode: "Max"},
		Attribute{Name: "status", Event: "Payment", MetaData: "status", AggregationMode: "Value"},
		Attribute{Name: "notices", Event: "Payment", MetaData: "n", MetaDataType: "integer", AggregationMode: "Value"},
	)
	results := map[string]Result{
		"closed":   {Result: "1", Value: int64(1)},
		"spent":    {Result: "12.5", Value: 12.5},
		"avg":      {},
		"channels": {Result: "sms,email", Value: []any{"sms", "email"}},
		"lastPaid": {Result: "2023-03-31T00:39:46.917Z", Value: "2023-03-31T00:39:46.917Z"},
		"status":   {Result: "overdue", Value: "overdue"},
		"notices":  {Result: "2", Value: int64(2)},
	}
	tests := []struct {
		cond string
		want bool
	}{
		{"Closed Queue,category,string,Count GTE 1", true}, // the API.md example
		{"Closed Queue,category,string,Count GT 1", false},
		{"Closed Queue,category,integer,Count EQ 1", true}, // the type only disambiguates
		{"Payment,amount,double,Sum GT 12", true},
		{"Payment,amount,double,Sum LTE 12.4", false},
		{"Payment,amount,double,Average GT 0", false}, // no data: every comparison fails
		{"Payment,amount,double,Average NEQ 0", false},
		{"Visit,channel,string,Distinct HAS email", true},
		{"Visit,channel,string,Distinct HAS web", false},
		{"Visit,channel,string,Distinct EQ sms,email", true},
		{"Payment,paidAt,utc_datetime,Max GT 2023-03-30T00:00:00Z", true},
		{"Payment,paidAt,utc_datetime,Max LT 2023-03-31T02:00:00+02:00", false},
		{"Payment,status,string,Value EQ overdue", true},
		{"Payment,status,string,Value HAS due", true},
		{"Payment,n,integer,Value GTE 2", true},
	}
	for _, tc := range tests {
		r, err := CompileActionRule(&RuleBlock{Logic: "SINGLE", Condition: tc.cond}, c.Attrs)
		if err != nil {
			t.Errorf("%s: %v", tc.cond, err)
			continue
		}
		got, err := r.Eval(results)
		if err != nil || got != tc.want {
			t.Errorf("%s: %v %v, want %v", tc.cond, got, err, tc.want)
		}
	}

	r, err := CompileActionRule(&RuleBlock{Logic: "AND", Args: []RuleArg{
		{Condition: "Closed Queue,category,string,Count GTE 1"},
		{Block: &RuleBlock{Logic: "OR", Args: []RuleArg{{Condition: "Payment,status,string,Value EQ paid"}, {Condition: "Closed Queue,category,string,Count LT 5"}}}},
	}}, c.Attrs)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Attrs()) != 2 || r.Attrs()[0].Name != "closed" || r.Attrs()[1].Name != "status" {
		t.Errorf("attrs %v", r.Attrs())
	}
	if ok, err := r.Eval(results); !ok || err != nil {
		t.Errorf("nested: %v %v", ok, err)
	}
	if _, err := r.Eval(map[string]Result{}); err == nil || !strings.Contains(err.Error(), `no result for attribute "closed"`) {
		t.Errorf("missing result: %v", err)
	}

	bad := []struct{ cond, err string }{
		{"Closed Queue,category,string,Sum GTE 1", `rules.condition: no attribute of the template has event "Closed Queue", metaData "category" and mode Sum; it has "closed" (Closed Queue,category,string,Count), "spent" (Payment,amount,double,Sum), "avg" (Payment,amount,double,Average), "channels" (Visit,channel,string,Distinct), "lastPaid" (Payment,paidAt,utc_datetime,Max), "status" (Payment,status,string,Value), "notices" (Payment,n,integer,Value) (column 1)`},
		{"Closed Queue,category,string,Count GTE 1.5", `rules.condition: expected an integer, got "1.5" (column 40)`},
		{"Payment,amount,double,Sum HAS 1", `rules.condition: HAS applies to string values and to Distinct, not to double (column 31)`},
		{"Visit,channel,string,Distinct GT a", `rules.condition: the Distinct aggregation supports HAS, EQ and NEQ, not GT (column 34)`},
		{"Closed Queue,category,string,Count", `rules.condition: the operator is missing; expected one of EQ NEQ GT GTE LT LTE HAS (column 35)`},
	}
	for _, tc := range bad {
		_, err := CompileActionRule(&RuleBlock{Logic: "SINGLE", Condition: tc.cond}, c.Attrs)
		if err == nil || err.Error() != tc.err {
			t.Errorf("%s:\n got %v\nwant %s", tc.cond, err, tc.err)
		}
	}
}

func TestActionRuleAmbiguous(t *testing.T) {
	c := mustCompile(t,
		Attribute{Name: "a", Event: "E", MetaData: "x", MetaDataType: "integer", AggregationMode: "Max"},
		Attribute{Name: "b", Event: "E", MetaData: "x", MetaDataType: "double", AggregationMode: "Max"},
		Attribute{Name: "c", Event: "E", MetaData: "x", MetaDataType: "double", AggregationMode: "Max", Limit: 5},
	)
	r, err := CompileActionRule(&RuleBlock{Logic: "SINGLE", Condition: "E,x,integer,Max GT 1"}, c.Attrs)
	if err != nil || r.Attrs()[0].Name != "a" {
		t.Fatalf("the type picks a: %v", err)
	}
	_, err = CompileActionRule(&RuleBlock{Logic: "SINGLE", Condition: "E,x,double,Max GT 1"}, c.Attrs)
	if err == nil || !strings.Contains(err.Error(), "ambiguous") {
		t.Errorf("b or c: %v", err)
	}
}

// TestActionRuleOverAggregates: the API.md scenario end to end, Match → Update → Aggregate → Eval.
func TestActionRuleOverAggregates(t *testing.T) {
	c := mustCompile(t, Attribute{Name: "closed", Event: "Closed Queue", MetaData: "category", AggregationMode: "Count"})
	a := c.Attrs[0]
	r, err := CompileActionRule(&RuleBlock{Logic: "SINGLE", Condition: "Closed Queue,category,string,Count GTE 1"}, c.Attrs)
	if err != nil {
		t.Fatal(err)
	}
	eval := func(state []byte, now time.Time) bool {
		es, _ := DecodeState(state)
		ok, err := r.Eval(map[string]Result{a.Name: a.Aggregate(now, es)})
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if eval(nil, t0) {
		t.Error("fired with no event")
	}
	env := envOf(t, "Closed Queue", `{"origin":"Closed Queue"}`)
	_, ok, _ := a.Match(env)
	if !ok {
		t.Fatal("no match")
	}
	s, _ := a.Update(nil, Entry{Time: env.Time, Seq: 1}, env.Time)
	if !eval(s, env.Time) || eval(s, env.Time.Add(24*time.Hour)) {
		t.Error("should hold at once and not a day later")
	}
}
