package rules

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/openjds/jds/internal/egress"
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

// A connector instance that lists organizations serves only those: an action made
// through the API by another organization may not name it (nor learn its name from
// the suggestions), and a rule file's action, which serves every organization, may
// name it only when it serves them all.
func TestConnectorsBelongToOrganizations(t *testing.T) {
	f, err := ParseFile("t.yaml", []byte(`templates: [{name: Calls, attributes: [{name: calls, displayName: Calls, event: Call, aggregationMode: Count, lookBack: 1d}]}]`))
	if err != nil {
		t.Fatal(err)
	}
	tpl := f.Compiled[0]
	conns := Connectors{
		"acme-sms": {Kind: "twilio", Attributes: []string{"to", "body"}, Required: []string{"to", "body"}, Organizations: []string{"acme"}},
		"shared":   {Kind: "log"},
	}
	action := func(source, connector string) *Action {
		return &Action{Name: "Text", IsActive: true, Condition: "calls > 0", Source: source,
			ActionTriggers: []Trigger{{Type: "Connector", Connector: connector, Attributes: map[string]string{"to": "x", "body": "y"}}}}
	}
	for _, tc := range []struct {
		name   string
		o      Options
		a      *Action
		wantIn string // "" when it compiles
	}{
		{"its organization", Options{Organization: "acme"}, action("api", "acme-sms"), ""},
		{"another organization", Options{Organization: "globex"}, action("api", "acme-sms"),
			`actionTriggers[0].connector: the connector "acme-sms" is not available to organization "globex"`},
		{"an open instance", Options{Organization: "globex"}, action("api", "shared"), ""},
		{"another's name not suggested", Options{Organization: "globex"}, action("api", "acme-smss"),
			`no connector named "acme-smss" is configured (configured: shared)`},
		{"rule file, every organization served", Options{Organizations: []string{"acme"}}, action("rules/a.yaml", "acme-sms"), ""},
		{"rule file, another organization", Options{Organizations: []string{"acme", "globex"}}, action("rules/a.yaml", "acme-sms"),
			`actionTriggers[0].connector: rule files serve every organization, and the connector "acme-sms" serves only acme (not globex)`},
		{"rule file, organizations unknown", Options{}, action("rules/a.yaml", "acme-sms"), `serves only acme`},
		{"rule file, open instance", Options{Organizations: []string{"acme", "globex"}}, action("rules/a.yaml", "shared"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.o.Connectors = conns
			_, err := tc.o.CompileAction(tc.a, tpl)
			got := strings.Join(Problems(err), "\n")
			switch {
			case tc.wantIn == "" && err != nil:
				t.Fatalf("refused: %s", got)
			case tc.wantIn != "" && !strings.Contains(got, tc.wantIn):
				t.Fatalf("got %q, want it to say %q", got, tc.wantIn)
			case tc.wantIn != "" && tc.o.Organization == "globex" && strings.Contains(got, "acme"+`"`) && !strings.Contains(got, "acme-sms"):
				t.Fatalf("another organization's name leaked: %q", got)
			}
		})
	}
}

// Webhook targets of actions made through the API are checked against the egress
// policy when saved; rule files' are the operator's.
func TestEgressOfAPIActions(t *testing.T) {
	f, err := ParseFile("t.yaml", []byte(`templates: [{name: Calls, attributes: [{name: calls, displayName: Calls, event: Call, aggregationMode: Count, lookBack: 1d}]}]`))
	if err != nil {
		t.Fatal(err)
	}
	tpl := f.Compiled[0]
	hook := func(source, url string) *Action {
		return &Action{Name: "Hook", IsActive: true, Condition: "calls > 0", Source: source,
			ActionTriggers: []Trigger{{Type: "Webhook", WebhookURL: url}}}
	}
	o := Options{Egress: egress.New(nil)}
	for _, tc := range []struct{ url, wantIn string }{
		{"https://crm.example.com/calls/${person.id}", ""},
		{"http://169.254.169.254/latest/meta-data/", "actionTriggers[0].webhookURL: 169.254.169.254 is a link-local address"},
		{"http://127.0.0.1:8080/x?p=${person.id}", "127.0.0.1 is a loopback address"},
		{"http://[::ffff:10.0.0.1]/", "is a private address"},
		{"http://localhost:9/", "localhost is a loopback name"},
		{"http://user:pw@0.0.0.0/", "0.0.0.0 is an unspecified address"},
		{"http://2130706433/", "numeric host"},
		{"https://10.0.0.${person.id}/", "the host must be written out in full"},
	} {
		t.Run(tc.url, func(t *testing.T) {
			_, err := o.CompileAction(hook("api", tc.url), tpl)
			got := strings.Join(Problems(err), "\n")
			switch {
			case tc.wantIn == "" && err != nil:
				t.Fatalf("refused: %s", got)
			case tc.wantIn != "" && (!strings.Contains(got, tc.wantIn) || !strings.Contains(got, "egress")):
				t.Fatalf("got %q, want it to say %q and name egress", got, tc.wantIn)
			}
			if _, err := o.CompileAction(hook("rules/ops.yaml", tc.url), tpl); err != nil {
				t.Fatalf("a rule file's target: %v", err)
			}
		})
	}
}
