package rules

import (
	"reflect"
	"testing"
)

func TestSplitClauses(t *testing.T) {
	for _, tc := range []struct {
		src  string
		op   string
		want []string
	}{
		{"a >= 1 && b < 6 && c", "&&", []string{"a >= 1", "b < 6", "c"}},
		{"a >= 1 && b < 6 || c", "||", []string{"a >= 1 && b < 6", "c"}},
		{"a or (b and c)", "||", []string{"a", "b and c"}},
		{"a >= 1", "", []string{"a >= 1"}},
		{"not (a && b)", "", []string{"not (a && b)"}},
	} {
		op, got := splitClauses(tc.src)
		if op != tc.op || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %q %q", tc.src, op, got)
		}
	}
}

func TestExplainAction(t *testing.T) {
	tpl, err := Compile(&Template{Name: "T", Attributes: []Attribute{
		{Name: "calls", DisplayName: "Calls", Event: "Call", AggregationMode: "Count", LookBackDurationType: "days", LookBackPeriod: 1},
		{Name: "avg", DisplayName: "Average wait", Event: "Call", MetaData: "wait", MetaDataType: "double", AggregationMode: "Average", LookBackDurationType: "days", LookBackPeriod: 1},
	}})
	if err != nil {
		t.Fatal(err)
	}
	a, err := CompileAction(&Action{Name: "A", Condition: "calls >= 2 && avg > 30",
		Rules:          &RuleBlock{Logic: "SINGLE", Condition: "Call,wait,double,Average GT 0"},
		ActionTriggers: []Trigger{{Type: "Connector", Connector: "x"}}}, tpl)
	if err != nil {
		t.Fatal(err)
	}
	x := a.Explain(map[string]Result{"calls": {Value: int64(3)}, "avg": {}})
	// The rule fails first (an attribute without data fails every comparison); the
	// clauses are still each explained, the second with its runtime error.
	if x.Holds || x.Rule == nil || *x.Rule || x.Operator != "&&" || len(x.Clauses) != 2 {
		t.Fatalf("%+v", x)
	}
	if x.Clauses[0].Value != true || x.Clauses[1].Value != nil || x.Clauses[1].Error == "" {
		t.Errorf("clauses: %+v", x.Clauses)
	}
	if x.Attributes["calls"] != int64(3) || x.Attributes["avg"] != nil {
		t.Errorf("attributes: %v", x.Attributes)
	}
	x = a.Explain(map[string]Result{"calls": {Value: int64(3)}, "avg": {Value: 45.0}})
	if !x.Holds || x.Error != "" || x.Rule == nil || !*x.Rule || x.Clauses[1].Value != true {
		t.Errorf("holds: %+v", x)
	}
}
