package ruledir

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/openjds/jds/connectors"
	"github.com/openjds/jds/rules"
)

func TestStatusTimesHaveMilliseconds(t *testing.T) {
	at := time.Date(2026, 11, 25, 21, 46, 4, 833206874, time.UTC)
	raw, err := json.Marshal(Status{Dir: "d", LoadedAt: at, CheckedAt: at, OK: true, Files: []string{}, Errors: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	got := string(raw)
	if !strings.Contains(got, `"loadedAt":"2026-11-25T21:46:04.833Z"`) || strings.Count(got, "loadedAt") != 1 || !strings.Contains(got, `"ok":true`) {
		t.Errorf("status JSON: %s", got)
	}
	raw, _ = json.Marshal(Status{})
	if !strings.Contains(string(raw), `"loadedAt":null`) {
		t.Errorf("never loaded: %s", raw)
	}
}

func TestConnectors(t *testing.T) {
	got := Connectors([]connectors.Instance{{Name: "sms", Kind: "twilio", Organizations: []string{"acme"}}, {Name: "audit", Kind: "log"}, {Name: "x", Kind: "nope"}})
	want := rules.Connectors{
		"sms":   {Kind: "twilio", Attributes: []string{"to", "body", "from", "messagingServiceSid"}, Required: []string{"to", "body"}, Organizations: []string{"acme"}},
		"audit": {Kind: "log"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	if Connectors(nil) == nil {
		t.Error("no instances must check every Connector trigger, not none")
	}
}

// A reload checks actions against the connectors configured: a file naming one that is
// not is refused, and the set in force stays.
func TestReloadChecksConnectors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "r.yaml")
	write := func(connector string) {
		os.WriteFile(file, []byte(`templates:
  - name: Calls
    attributes: [{name: calls, displayName: Calls, event: Call, aggregationMode: Count, lookBack: 1d}]
actions:
  - name: Text
    template: Calls
    isActive: true
    cooldown: 1h
    condition: calls > 0
    actionTriggers: [{type: Connector, connector: `+connector+`, attributes: {to: "+15550100", body: hi}}]
`), 0o644)
	}
	checks := rules.Options{Connectors: Connectors([]connectors.Instance{{Name: "sms", Kind: "twilio"}})}
	var applied []*Set
	m := NewManager(dir, checks, slog.New(slog.DiscardHandler), func(_ context.Context, s *Set) error {
		applied = append(applied, s)
		return nil
	})
	write("sms")
	if err := m.Reload(context.Background()); err != nil || len(applied) != 1 {
		t.Fatalf("good file: %v, %d applied", err, len(applied))
	}
	write("smss")
	err := m.Reload(context.Background())
	if err == nil || !strings.Contains(err.Error(), `r.yaml:10:51: actions[0].actionTriggers[0].connector: no connector named "smss" is configured (did you mean "sms"?)`) {
		t.Fatalf("reload: %v", err)
	}
	if st := m.Status(); st.OK || len(applied) != 1 || st.Counts["actions"] != 1 {
		t.Errorf("the bad file replaced the working set: %+v, %d applied", st, len(applied))
	}
	// Rule files serve every organization: a connector that serves only some of them
	// would spend its credentials on the others' events.
	checks.Connectors = Connectors([]connectors.Instance{{Name: "sms", Kind: "twilio", Organizations: []string{"acme"}}})
	checks.Organizations = []string{"acme", "globex"}
	m = NewManager(dir, checks, slog.New(slog.DiscardHandler), func(_ context.Context, s *Set) error { return nil })
	write("sms")
	err = m.Reload(context.Background())
	if err == nil || !strings.Contains(err.Error(), `r.yaml:10:51: actions[0].actionTriggers[0].connector: rule files serve every organization, and the connector "sms" serves only acme (not globex)`) {
		t.Fatalf("reload with a connector of one organization: %v", err)
	}
}
