package rules

import (
	"strings"
	"testing"
)

// An action's mode is live (the default, empty) or shadow, in any case; another is
// refused naming the field, in the API's JSON and in a rule file.
func TestActionMode(t *testing.T) {
	const action = `{"name": "Text", "isActive": true, "cooldownPeriodInMinutes": 0, "mode": %q,
	 "rules": {"logic": "SINGLE", "condition": "Closed Queue,,string,Count GTE 1"},
	 "actionTriggers": [{"type": "Webhook", "webhookURL": "https://example.com/sms"}]}`
	for mode, want := range map[string]string{"Shadow": ActionShadow, "live": ActionLive, "": ""} {
		a, err := ParseActionJSON([]byte(strings.Replace(action, "%q", `"`+mode+`"`, 1)))
		if err != nil || a.Mode != want || a.Shadow() != (want == ActionShadow) {
			t.Errorf("mode %q: %v %q", mode, err, a.Mode)
		}
	}
	_, err := ParseActionJSON([]byte(strings.Replace(action, "%q", `"dry"`, 1)))
	if err == nil || !strings.Contains(err.Error(), `mode: must be live or shadow, got "dry"`) {
		t.Errorf("mode dry: %v", err)
	}
	f, err := ParseFile("shadow.yaml", []byte(`
templates:
  - name: Closed Queue
    attributes:
      - {name: calls, displayName: Calls, event: Closed Queue, aggregationMode: Count, lookBack: 1d}
actions:
  - name: Text
    template: Closed Queue
    isActive: true
    mode: shadow
    cooldown: 1h
    condition: calls >= 1
    actionTriggers:
      - {type: Webhook, webhookURL: "https://example.com/sms"}
`))
	if err != nil || !f.CompiledActions[0].Action.Shadow() {
		t.Fatalf("a rule file's shadow action: %v", err)
	}
}
