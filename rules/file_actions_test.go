package rules

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseFileActions(t *testing.T) {
	const path = "testdata/good/actions.good.yaml"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := ParseFile(path, data)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Actions) != 2 || len(f.CompiledActions) != 2 {
		t.Fatalf("%d actions, %d compiled", len(f.Actions), len(f.CompiledActions))
	}
	for i, a := range f.Actions {
		c := f.CompiledActions[i]
		if c.Action != a || a.Source != path || a.Template != "Closed Queue" || c.Template != f.Compiled[0] {
			t.Errorf("action %d: %+v", i, a)
		}
		// What the API returns for it parses back, and compiles to the same action.
		raw, err := json.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseActionJSON(raw)
		if err != nil {
			t.Fatalf("%s\n%v", raw, err)
		}
		cb, err := CompileAction(back, f.Compiled[0])
		if err != nil {
			t.Fatal(err)
		}
		cb.Action.Source = a.Source
		if !reflect.DeepEqual(normalJSON(t, cb.Action), normalJSON(t, a)) {
			t.Errorf("round trip:\n%s\n%s", normalJSON(t, cb.Action), normalJSON(t, a))
		}
	}
	sms := f.CompiledActions[0]
	if sms.Cooldown.Hours() != 24 || !sms.Action.IsActive || sms.Action.CooldownPeriodInMinutes != 1440 {
		t.Errorf("cooldown: %+v", sms.Action)
	}

	// Use case 3 end to end: the first closed-queue call of the day fires, the SMS is
	// rendered for the connector named sms.
	results := map[string]Result{"closedQueueCalls": {Value: int64(1)}, "callsToday": {Value: int64(1)}}
	if ok, err := sms.Holds(results); !ok || err != nil {
		t.Fatalf("holds: %v %v", ok, err)
	}
	results["closedQueueCalls"] = Result{Value: int64(0)}
	if ok, err := sms.Holds(results); ok || err != nil {
		t.Fatalf("holds without a closed-queue call: %v %v", ok, err)
	}
	out, err := sms.Render(RenderEnv{Person: PersonEnv{FirstName: "Ann", Phone: []string{"+12263762555"}},
		Profile: results, Event: envOf(t, "Closed Queue", `{"category":"after hours"}`)})
	if err != nil {
		t.Fatal(err)
	}
	want := []RenderedTrigger{{Type: "Connector", Connector: "sms", Attributes: map[string]string{
		"to":   "+12263762555",
		"body": "Sorry we missed you, Ann. Reply YES and we will call you back tomorrow morning."}}}
	if !reflect.DeepEqual(out, want) {
		t.Errorf("rendered:\n%+v\nwant\n%+v", out, want)
	}
}

// writeFiles writes rule files into a temporary directory.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const cqTemplate = `templates:
  - name: Closed Queue
    attributes:
      - {name: closedQueueCalls, displayName: Closed queue calls, event: Closed Queue, aggregationMode: Count, lookBack: 1d}
`

func cqAction(name, template, cond string) string {
	return `  - name: ` + name + `
    template: ` + template + `
    isActive: true
    cooldown: 1h
    condition: ` + cond + `
    actionTriggers: [{type: Connector, connector: sms, attributes: {to: "${person.phone[0]}"}}]
`
}

func TestLoadFilesActions(t *testing.T) {
	// An action may name a template of another file.
	dir := writeFiles(t, map[string]string{
		"a-actions.yaml":  "actions:\n" + cqAction("SMS", "Closed Queue", "closedQueueCalls >= 1") + cqAction("SMS", "Other", "true"),
		"b-template.yaml": cqTemplate + "  - name: Other\n    attributes:\n      - {name: x, displayName: X, event: E, aggregationMode: Count, lookBack: 1h}\n",
	})
	files, err := LoadFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	f := files[0]
	if len(f.CompiledActions) != 2 || f.CompiledActions[0].Template != files[1].Compiled[0] || f.CompiledActions[1].Template != files[1].Compiled[1] ||
		f.CompiledActions[0].Action != f.Actions[0] || f.Actions[0].Source != filepath.Join(dir, "a-actions.yaml") {
		t.Fatalf("%+v", f.CompiledActions)
	}

	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"unknown template", map[string]string{
			"a.yaml": cqTemplate,
			"b.yaml": "actions:\n" + cqAction("SMS", "Closed Queues", "closedQueueCalls >= 1"),
		}, []string{`b.yaml:3:15: actions[0].template: no template named "Closed Queues" in the rule files`}},
		{"problems of an action compiled across files", map[string]string{
			"a.yaml": cqTemplate,
			"b.yaml": "actions:\n" + cqAction("SMS", "Closed Queue", "closedQueueCall >= 1"),
		}, []string{`b.yaml:6:16: actions[0].condition: unknown name closedQueueCall`}},
		{"a condition over the expression budget", map[string]string{
			"a.yaml": cqTemplate,
			"b.yaml": "actions:\n" + cqAction("SMS", "Closed Queue", `len(repeat("ab", 600000)) > closedQueueCalls`),
		}, []string{`b.yaml:6:20: actions[0].condition: expression budget: repeat(...) makes a string of 1200000 bytes, over the limit of 1048576 bytes per value`}},
		{"same action in two files", map[string]string{
			"a.yaml": cqTemplate + "actions:\n" + cqAction("SMS", "Closed Queue", "true"),
			"b.yaml": "actions:\n" + cqAction("SMS", "Closed Queue", "true") + cqAction("Other", "Closed Queue", "true"),
		}, []string{`b.yaml:2:11: actions[0].name: action "SMS" of template "Closed Queue" is also defined in a.yaml:6`}},
		// The actions of b name templates of a, which is broken: they cannot be checked,
		// and "no template named" would be wrong.
		{"a broken file", map[string]string{
			"a.yaml": cqTemplate + "  - name: Broken\n    attributes: [{}]\n",
			"b.yaml": "actions:\n" + cqAction("SMS", "Closed Queue", "closedQueueCall >= 1") + cqAction("Other", "Broken", "true"),
		}, []string{
			"a.yaml:6:18: templates[1].attributes[0].displayName: required",
			"a.yaml:6:18: templates[1].attributes[0].event: required: the event type to count",
			"a.yaml:6:18: templates[1].attributes[0].aggregationMode: required: one of Value, Count, Sum, Min, Max, Average, Distinct",
			"a.yaml:6:18: templates[1].attributes[0].lookBackDurationType: required: minutes, hours or days"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, tc.files)
			_, err := LoadFiles(dir)
			if err == nil {
				t.Fatal("loaded")
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("not ErrInvalid: %v", err)
			}
			got := Problems(err)
			for i := range got {
				got[i] = strings.TrimPrefix(got[i], dir+string(filepath.Separator))
				got[i] = strings.ReplaceAll(got[i], dir+string(filepath.Separator), "")
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestParseFileActionsOnly(t *testing.T) {
	// ParseFile alone leaves an action of another file's template to LoadFiles.
	f, err := ParseFile("x.yaml", []byte("actions:\n"+cqAction("SMS", "Elsewhere", "x > 1")))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Actions) != 1 || len(f.CompiledActions) != 0 {
		t.Errorf("%+v", f)
	}
}

func TestParseFileActionsWithoutTemplate(t *testing.T) {
	// What does not depend on the template is checked by ParseFile alone.
	_, err := ParseFile("x.yaml", []byte("actions:\n"+strings.Replace(cqAction("SMS", "Elsewhere", "x >"), "type: Connector", "type: Pigeon", 1)))
	want := []string{
		"x.yaml:6:18: actions[0].condition: unexpected token EOF",
		`x.yaml:7:29: actions[0].actionTriggers[0].type: must be Webhook or Connector, got "Pigeon"`,
	}
	if got := Problems(err); !reflect.DeepEqual(got, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
