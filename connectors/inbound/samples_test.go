package inbound_test

import (
	"testing"
	"time"

	_ "time/tzdata" // the sample reads New York time

	"github.com/openjds/jds/rules"
	"github.com/openjds/jds/rules/ruledir"
)

// TestSampleCallbackAction: the sample action of use case 3 schedules the callback at
// the hour the SMS reply asks for, or at the next opening hour (New York time).
func TestSampleCallbackAction(t *testing.T) {
	set, err := ruledir.Load("../../samples/rules")
	if err != nil {
		t.Fatal(err)
	}
	var action *rules.CompiledAction
	for _, a := range set.Actions {
		if a.Action.Name == "Callback From SMS Reply" {
			action = a
		}
	}
	if action == nil {
		t.Fatal("no action Callback From SMS Reply in samples/rules")
	}
	ny, _ := time.LoadLocation("America/New_York")
	for _, tc := range []struct {
		reply string
		at    time.Time // when the reply arrived, New York time
		want  time.Time
	}{
		{"10", time.Date(2024, 5, 1, 7, 30, 0, 0, ny), time.Date(2024, 5, 1, 10, 0, 0, 0, ny)},
		{"Tomorrow at 3pm please", time.Date(2024, 5, 1, 20, 0, 0, 0, ny), time.Date(2024, 5, 2, 15, 0, 0, 0, ny)},
		{"10am", time.Date(2024, 5, 1, 11, 0, 0, 0, ny), time.Date(2024, 5, 2, 10, 0, 0, 0, ny)},
		{"11pm", time.Date(2024, 5, 1, 22, 0, 0, 0, ny), time.Date(2024, 5, 2, 9, 0, 0, 0, ny)}, // closed: next opening
		{"yes", time.Date(2024, 5, 1, 23, 15, 0, 0, ny), time.Date(2024, 5, 2, 9, 0, 0, 0, ny)},
		{"yes", time.Date(2024, 5, 1, 13, 15, 0, 0, ny), time.Date(2024, 5, 1, 13, 15, 0, 0, ny)}, // open now: at once
	} {
		ev, err := rules.NewEventEnv([]byte(`{"id":"r1","specversion":"1.0","type":"SMS Reply","source":"twilio","identity":"+15550111","identitytype":"phone","time":"` +
			tc.at.UTC().Format(time.RFC3339) + `","data":{"body":"` + tc.reply + `"}}`))
		if err != nil {
			t.Fatal(err)
		}
		out, err := action.Render(rules.RenderEnv{
			Person:  rules.PersonEnv{Phone: []string{"+15550111"}},
			Profile: map[string]rules.Result{"lastReply": {Result: tc.reply, Value: tc.reply}, "closedQueueCalls": {Result: "1", Value: int64(1)}, "smsReplies": {Result: "1", Value: int64(1)}},
			Event:   ev,
		})
		if err != nil {
			t.Fatalf("%q: %v", tc.reply, err)
		}
		if !out[0].At.Equal(tc.want) || out[0].Connector != "callback" || out[0].Attributes["to"] != "+15550111" {
			t.Errorf("reply %q at %s: at %s, want %s (%+v)", tc.reply, tc.at, out[0].At.In(ny), tc.want, out[0])
		}
	}
}
