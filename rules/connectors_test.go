package rules

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// fixtureConnectors are the connectors testdata/connectors is checked against: sms
// reads what the twilio kind reads, callback (a log) reads anything.
var fixtureConnectors = Options{Connectors: Connectors{
	"sms":      {Kind: "twilio", Attributes: []string{"to", "body", "from", "messagingServiceSid"}, Required: []string{"to", "body"}},
	"callback": {Kind: "log"},
}}

func TestConnectorFixtures(t *testing.T) {
	files, _ := filepath.Glob("testdata/connectors/*.yaml")
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
			// On its own every fixture is a good rule file: only the connectors make
			// the bad ones bad.
			if _, err := ParseFile(path, []byte(body)); err != nil {
				t.Fatalf("without connectors: %v", err)
			}
			f, err := fixtureConnectors.ParseFile(path, []byte(body))
			if strings.HasSuffix(path, ".good.yaml") {
				if err != nil {
					t.Fatal(err)
				}
				if len(f.CompiledActions) != len(f.Actions) {
					t.Fatalf("%d of %d actions compiled", len(f.CompiledActions), len(f.Actions))
				}
				return
			}
			if err == nil {
				t.Fatal("parsed without error")
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

// An action in another file than its template is compiled by LoadFiles, after every
// file parsed: its connectors are checked then, with positions in its own file.
func TestConnectorsAcrossFiles(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.yaml"), []byte(`templates:
  - name: Calls
    attributes:
      - {name: calls, displayName: Calls, event: Call, aggregationMode: Count, lookBack: 1d}
`), 0o644)
	os.WriteFile(filepath.Join(dir, "b.yaml"), []byte(`actions:
  - name: Text
    template: Calls
    isActive: true
    cooldown: 1h
    condition: calls > 0
    actionTriggers: [{type: Connector, connector: smss, attributes: {to: x, body: y}}]
`), 0o644)
	if _, err := LoadFiles(dir); err != nil {
		t.Fatalf("without connectors: %v", err)
	}
	_, err := fixtureConnectors.LoadFiles(dir)
	want := filepath.Join(dir, "b.yaml") + `:7:51: actions[0].actionTriggers[0].connector: no connector named "smss" is configured (did you mean "sms"?)`
	if got := Problems(err); len(got) != 1 || got[0] != want {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}

func TestConnectorsOfAPIActions(t *testing.T) {
	f, err := ParseFile("t.yaml", []byte(`templates: [{name: Calls, attributes: [{name: calls, displayName: Calls, event: Call, aggregationMode: Count, lookBack: 1d}]}]`))
	if err != nil {
		t.Fatal(err)
	}
	tpl := f.Compiled[0]
	a, err := ParseActionJSON([]byte(`{"name": "Text", "isActive": true, "cooldownPeriodInMinutes": 0, "condition": "calls > 0",
		"actionTriggers": [{"type": "Connector", "connector": "sms", "attributes": {"to": "x", "text": "y"}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := CompileAction(a, tpl); err != nil {
		t.Fatalf("without connectors: %v", err)
	}
	_, err = fixtureConnectors.CompileAction(a, tpl)
	want := []string{`actionTriggers[0].attributes.text: the twilio connector "sms" reads no attribute "text" (did you mean "body"?)`}
	if got := Problems(err); !reflect.DeepEqual(got, want) || !errors.Is(err, ErrInvalid) {
		t.Fatalf("got %q, want %q", got, want)
	}
	// With no connector configured, every Connector trigger is an error.
	_, err = Options{Connectors: Connectors{}}.CompileAction(a, tpl)
	if got := Problems(err); len(got) != 1 || !strings.Contains(got[0], "the configuration has no connectors") {
		t.Fatalf("no connectors: %q", got)
	}
}
