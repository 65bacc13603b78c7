package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openjds/jds/config"
	"github.com/openjds/jds/connectors"
	"github.com/openjds/jds/internal/jdstest"
)

// jds backtest and jds flows run against a running jds.
func TestBacktestAndFlowsRunCommands(t *testing.T) {
	c := &jdstest.Clock{}
	t0 := time.Date(2026, 2, 2, 8, 0, 0, 0, time.UTC)
	c.Set(t0)
	e := jdstest.Start(t, c, func(cfg *config.Config) {
		cfg.Connectors = []connectors.Instance{{Name: "callback", Kind: "log"}}
	})
	jdstest.WriteFile(t, filepath.Join(e.Config.FlowsDir, "calls.yaml"), `
identity: ani
bindings:
  calls: len(history("type eq 'Queued Caller'", "", 10))
rules:
  - {name: many, when: calls >= 2, respond: {route: callback}, events: [{type: Offered}]}
  - {name: few, respond: {route: queue}}
fallback: {route: queue}
`)
	if r := e.Do("POST", "/admin/v1/api/flows/reload", jdstest.AdminToken(), nil); r.Status != 200 {
		t.Fatalf("reload: %d %s", r.Status, r.Body)
	}
	for i, id := range []string{"q1", "q2", "q3"} {
		at := t0.Add(time.Duration(i) * time.Hour)
		c.Set(at)
		r := e.Do("POST", "/publish/v1/api/event?workspaceId=sandbox", jdstest.AdminToken(), map[string]any{"id": id, "specversion": "1.0",
			"type": "Queued Caller", "source": "test", "identity": "+12265550001", "identitytype": "phone", "time": at.Format(time.RFC3339), "data": map[string]any{}})
		if r.Status != 202 {
			t.Fatalf("post: %d %s", r.Status, r.Body)
		}
	}
	rulesFile := filepath.Join(t.TempDir(), "calls.yaml")
	jdstest.WriteFile(t, rulesFile, `
templates:
  - name: Calls
    attributes:
      - {name: calls, displayName: Calls today, event: Queued Caller, aggregationMode: Count, lookBack: 1d}
actions:
  - name: Second call
    template: Calls
    isActive: false
    cooldown: 0m
    condition: calls >= 2
    actionTriggers: [{type: Connector, connector: callback}]
`)
	remote := []string{"--url", e.URL, "--token", jdstest.Token("admin", "rw", "sandbox"), "--workspace", "sandbox"}
	var out, errs bytes.Buffer
	code := Main(context.Background(), append([]string{"backtest", "--rules", rulesFile, "--from", t0.Format(time.RFC3339), "--to", t0.Add(time.Hour * 5).Format(time.RFC3339)}, remote...), &out, &errs)
	if code != 0 || !strings.Contains(out.String(), `"eventId": "q2"`) || !strings.Contains(out.String(), `"eventId": "q3"`) || !strings.Contains(out.String(), `"firingsTotal": 2`) {
		t.Fatalf("backtest: %d %s %s", code, out.String(), errs.String())
	}
	out.Reset()
	errs.Reset()
	// At t0+30m only q1 had happened: the flow would have queued the caller.
	code = Main(context.Background(), append([]string{"flows", "run", "calls", "--ani", "226 555 0001", "--at", t0.Add(30 * time.Minute).Format(time.RFC3339)}, remote...), &out, &errs)
	if code != 0 || !strings.Contains(out.String(), "# X-JDS-Dry-Run: true") || !strings.Contains(out.String(), `"route": "queue"`) || !strings.Contains(out.String(), `"name": "calls"`) {
		t.Fatalf("flows run: %d %s %s", code, out.String(), errs.String())
	}
	out.Reset()
	code = Main(context.Background(), append([]string{"flows", "run", "calls", "--ani", "226 555 0001"}, remote...), &out, &errs)
	if code != 0 || !strings.Contains(out.String(), `"route": "callback"`) || !strings.Contains(out.String(), `"type": "Offered"`) {
		t.Fatalf("flows run now: %d %s %s", code, out.String(), errs.String())
	}
	// Bad input is the server's 400, reported.
	errs.Reset()
	code = Main(context.Background(), append([]string{"backtest", "--rules", rulesFile, "--from", "2026-03-01T00:00:00Z", "--to", "2026-02-01T00:00:00Z"}, remote...), &out, &errs)
	if code != 1 || !strings.Contains(errs.String(), "from: must be before to") {
		t.Fatalf("bad window: %d %s", code, errs.String())
	}
}
