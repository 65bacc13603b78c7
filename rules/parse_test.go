package rules

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the '# want:' lines of the .bad.yaml fixtures")

const wantPrefix = "# want: "

// splitWant separates a bad fixture from the errors it expects, listed at its end as
// "# want: " lines (at the end, so that they move no line of the file).
func splitWant(data string) (body string, want []string) {
	lines := strings.Split(strings.TrimRight(data, "\n"), "\n")
	i := len(lines)
	for i > 0 && strings.HasPrefix(lines[i-1], wantPrefix) {
		i--
	}
	for _, l := range lines[i:] {
		want = append(want, strings.TrimPrefix(l, wantPrefix))
	}
	return strings.Join(lines[:i], "\n") + "\n", want
}

func TestParseFileBad(t *testing.T) {
	files, _ := filepath.Glob("testdata/bad/*.bad.yaml")
	if len(files) == 0 {
		t.Fatal("no fixtures")
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			body, want := splitWant(string(data))
			f, err := ParseFile(path, []byte(body))
			if err == nil {
				t.Fatalf("parsed without error: %d templates", len(f.Templates))
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("errors.Is(err, ErrInvalid) is false for %v", err)
			}
			got := Problems(err)
			if *update {
				var b strings.Builder
				b.WriteString(body)
				for _, g := range got {
					b.WriteString(wantPrefix + g + "\n")
				}
				if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

func TestParseFileGood(t *testing.T) {
	files, _ := filepath.Glob("testdata/good/*.good.yaml")
	files = append(files, "../samples/rules/use-cases.yaml")
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			f, err := ParseFile(path, data)
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Templates) == 0 || len(f.Compiled) != len(f.Templates) {
				t.Fatalf("%d templates, %d compiled", len(f.Templates), len(f.Compiled))
			}
			for _, tpl := range f.Templates {
				if tpl.Source != path {
					t.Errorf("source %q", tpl.Source)
				}
				// What the API returns for it parses back to the same template.
				raw, err := json.Marshal(tpl)
				if err != nil {
					t.Fatal(err)
				}
				back, err := ParseTemplateJSON(raw)
				if err != nil {
					t.Fatalf("%s\n%v", raw, err)
				}
				back.Source = tpl.Source
				if !reflect.DeepEqual(normalJSON(t, back), normalJSON(t, tpl)) {
					t.Errorf("round trip:\n%s\n%s", normalJSON(t, back), normalJSON(t, tpl))
				}
			}
		})
	}
}

func normalJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var x any
	json.Unmarshal(b, &x)
	b, _ = json.Marshal(x)
	return string(b)
}

func TestParseFileEmpty(t *testing.T) {
	for _, data := range []string{"", "# only a comment\n", "templates: []\n", "templates:\n"} {
		f, err := ParseFile("x.yaml", []byte(data))
		if err != nil || len(f.Templates) != 0 {
			t.Errorf("%q: %v, %v", data, f, err)
		}
	}
}

// The API example of API.md, byte for byte.
const apiExample = `{"name": "Repeat Caller", "attributes": [{
  "version": "0.1", "displayName": "Calls in the last day", "event": "Queued Caller",
  "metaData": "queue", "metaDataType": "string", "limit": 1000,
  "lookBackDurationType": "days", "lookBackPeriod": 1, "aggregationMode": "Count",
  "rules": {"logic": "SINGLE", "condition": "Queued Caller,queue,string,Value EQ Billing"},
  "verbose": false, "widgetAttributes": {"type": "table"}}]}`

func TestParseTemplateJSONExample(t *testing.T) {
	tpl, err := ParseTemplateJSON([]byte(apiExample))
	if err != nil {
		t.Fatal(err)
	}
	want := &Template{Name: "Repeat Caller", Attributes: []Attribute{{
		Version: "0.1", DisplayName: "Calls in the last day", Event: "Queued Caller",
		MetaData: "queue", MetaDataType: "string", Limit: 1000,
		LookBackDurationType: "days", LookBackPeriod: 1, AggregationMode: "Count",
		Rules:            &RuleBlock{Logic: "SINGLE", Condition: "Queued Caller,queue,string,Value EQ Billing"},
		WidgetAttributes: map[string]any{"type": "table"},
	}}}
	if !reflect.DeepEqual(tpl, want) {
		t.Fatalf("got %+v\nwant %+v", tpl, want)
	}
	// Marshalled, it has the shape of the example (verbose false is omitted).
	got, _ := json.Marshal(tpl)
	var a, b map[string]any
	json.Unmarshal(got, &a)
	json.Unmarshal([]byte(apiExample), &b)
	b["attributes"].([]any)[0].(map[string]any)["verbose"] = nil
	delete(b["attributes"].([]any)[0].(map[string]any), "verbose")
	if !reflect.DeepEqual(a, b) {
		t.Errorf("marshalled:\n%s", got)
	}
}

func TestParseTemplateJSON(t *testing.T) {
	attr := func(extra string) string {
		return `{"name":"T","attributes":[{"displayName":"A","event":"E","lookBackDurationType":"days","lookBackPeriod":1,"aggregationMode":"Count"` + extra + `}]}`
	}
	tests := []struct {
		name string
		json string
		want []string // problems; nil: valid
	}{
		{"minimal", attr(""), nil},
		{"case-insensitive enumerations", `{"name":"T","attributes":[{"displayName":"A","event":"E","metaData":"x","metaDataType":"INTEGER","lookBackDurationType":"Hours","lookBackPeriod":2,"aggregationMode":"sum","rules":{"logic":"and","args":["E,x,integer,value gte 1",{"logic":"or","args":["E,y,string,Value has a"]}]}}]}`, nil},
		{"source and id are accepted", `{"id":"t1","source":"api","name":"T","attributes":[{"displayName":"A","event":"E","lookBackDurationType":"days","lookBackPeriod":1,"aggregationMode":"Count"}]}`, nil},
		{"condition without logic is SINGLE", attr(`,"rules":{"condition":"E,x,string,Value EQ 1"}`), nil},
		{"expr condition", attr(`,"condition":"data.queue == \"Billing\" && data.wait > 60 && event.source != \"\""`), nil},
		{"not JSON", `{"name":`, []string{"invalid JSON: unexpected end of input"}},
		{"syntax error", `{"name" "x"}`, []string{"invalid JSON at byte 8: invalid character '\"' after object key"}},
		{"trailing data", attr("") + ` {}`, []string{"unexpected data after the JSON value"}},
		{"not an object", `[]`, []string{"expected an object, got a list"}},
		{"unknown field", attr(`,"evnt":"x"`), []string{`attributes[0]: unknown key "evnt" (did you mean "event"?)`}},
		{"lookBack is YAML only", attr(`,"lookBack":"1d"`), []string{`attributes[0]: unknown key "lookBack" (known: version, displayName, name, event, metaData, metaDataType, limit, lookBackDurationType, lookBackPeriod, aggregationMode, rules, condition, verbose, widgetAttributes)`}},
		{"bad mode", strings.Replace(attr(""), `"Count"`, `"Total"`, 1),
			[]string{`attributes[0].aggregationMode: must be one of Value, Count, Sum, Min, Max, Average, Distinct, got "Total"`}},
		{"wrong types", `{"name":1,"attributes":[{"displayName":"A","event":"E","lookBackDurationType":"days","lookBackPeriod":"1","aggregationMode":"Count","limit":1.5,"verbose":"yes"}]}`,
			[]string{`name: expected a string, got 1`, `attributes[0].lookBackPeriod: expected an integer, got "1"`,
				`attributes[0].limit: expected an integer, got 1.5`, `attributes[0].verbose: expected true or false, got "yes"`}},
		{"duplicate key", `{"name":"T","name":"U","attributes":[]}`, []string{`name: duplicate key`, `attributes: a template needs at least one attribute`}},
		{"everything missing", `{"attributes":[{}]}`, []string{"name: required", "attributes[0].displayName: required",
			"attributes[0].event: required: the event type to count",
			"attributes[0].aggregationMode: required: one of Value, Count, Sum, Min, Max, Average, Distinct",
			"attributes[0].lookBackDurationType: required: minutes, hours or days"}},
		{"rule names another event", attr(`,"rules":{"logic":"SINGLE","condition":"F,x,string,Value EQ 1"}`),
			[]string{`attributes[0].rules.condition: the condition names event "F", but the attribute counts "E" events (column 1)`}},
		{"bad expr", attr(`,"condition":"evnt.data.x == 1"`), []string{`attributes[0].condition: unknown name evnt (column 1)`}},
		{"expr column", attr(`,"condition":"data.x == 1 &&& true"`), []string{`attributes[0].condition: unexpected token Operator("&") (column 15)`}},
		{"arg of a wrong kind", attr(`,"rules":{"logic":"OR","args":[1]}`), []string{`attributes[0].rules.args[0]: expected a condition string or a rule block, got 1`}},
		{"nested block problem", attr(`,"rules":{"logic":"OR","args":[{"logic":"AND","args":["E,x,string,Value ~ 1"]}]}`),
			[]string{`attributes[0].rules.args[0].args[0]: operator must be one of EQ NEQ GT GTE LT LTE HAS, got "~" (column 18)`}},
		{"too deep", strings.Repeat(`[`, 200) + strings.Repeat(`]`, 200), []string{"invalid JSON: nested deeper than 100 levels"}},
		{"limit too large", attr(`,"limit":10001`), []string{"attributes[0].limit: must be between 1 and 10000, got 10001"}},
		{"minutes bound", strings.Replace(strings.Replace(attr(""), `"days"`, `"minutes"`, 1), `"lookBackPeriod":1`, `"lookBackPeriod":52560001`, 1),
			[]string{"attributes[0].lookBackPeriod: must be between 1 and 52560000 minutes, got 52560001"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tpl, err := ParseTemplateJSON([]byte(tc.json))
			got := Problems(err)
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("problems:\n%q\nwant:\n%q", got, tc.want)
			}
			if err != nil && !errors.Is(err, ErrInvalid) {
				t.Errorf("not ErrInvalid: %v", err)
			}
			if err == nil && tpl == nil {
				t.Fatal("nil template")
			}
		})
	}
}

func TestParseTemplateJSONNormalises(t *testing.T) {
	tpl, err := ParseTemplateJSON([]byte(`{"name":" T ","attributes":[{"displayName":"A","event":"E","metaData":"x","metaDataType":"Double",
		"lookBackDurationType":"HOURS","lookBackPeriod":2,"aggregationMode":"average","rules":{"logic":"and","args":["E,x,double,Value GT 1"]}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	a := tpl.Attributes[0]
	if tpl.Name != "T" || a.MetaDataType != "double" || a.LookBackDurationType != "hours" || a.AggregationMode != "Average" ||
		a.Limit != 1000 || a.Rules.Logic != "AND" {
		t.Errorf("not normalised: %+v %+v", tpl, a)
	}
}

func TestRuleArgJSON(t *testing.T) {
	in := `{"logic":"OR","args":["A,x,string,Value EQ 1",{"logic":"AND","args":["A,y,string,Value EQ 2","A,z,string,Value EQ 3"]}]}`
	var b RuleBlock
	if err := json.Unmarshal([]byte(in), &b); err != nil {
		t.Fatal(err)
	}
	if b.Args[0].Condition != "A,x,string,Value EQ 1" || b.Args[1].Block == nil || len(b.Args[1].Block.Args) != 2 {
		t.Fatalf("%+v", b)
	}
	out, _ := json.Marshal(b)
	if string(out) != in {
		t.Errorf("marshalled back:\n%s\nwant\n%s", out, in)
	}
	if err := json.Unmarshal([]byte(`{"logic":"OR","args":[1]}`), &b); err == nil {
		t.Error("a number as argument was accepted")
	}
}
