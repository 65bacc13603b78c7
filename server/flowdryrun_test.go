package server_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openjds/jds/internal/jdstest"
)

type dryRunAnswer struct {
	Route, Amount string
	Trace         struct {
		At       string
		Bindings []struct {
			Name  string
			Value json.RawMessage
		}
		Rules []struct {
			Name  string
			Holds bool
		}
		Rule   string
		Events []struct{ ID, Type string }
	}
}

func dryRun(t *testing.T, e *env, flow, query string, body any) (dryRunAnswer, jdstest.Response) {
	t.Helper()
	r := e.Do("POST", "/v1/flows/"+flow+"?dryRun=true"+query, jdstest.Token("flow", "r", ws), body)
	if r.Status != 200 {
		t.Fatalf("dry run: %d %s", r.Status, r.Body)
	}
	if r.Header.Get("X-JDS-Dry-Run") != "true" {
		t.Errorf("no X-JDS-Dry-Run header: %v", r.Header)
	}
	var a dryRunAnswer
	if err := json.Unmarshal(r.Body, &a); err != nil {
		t.Fatal(err)
	}
	return a, r
}

// A dry run answers as the flow would, writes nothing, fires nothing (a read token is
// enough), and with trace=true shows the bindings and the rules tried. At a past
// instant, last() sees only the events of then and now is then.
func TestFlowDryRun(t *testing.T) {
	c := &jdstest.Clock{}
	c.Set(time.Date(2023, 4, 10, 9, 0, 0, 0, time.UTC))
	e, partner := startFlows(t, c)
	caller := map[string]any{"ani": "12263762555"}
	e.post(ev("pay-1", "Payment", "+12263762555", "phone",
		map[string]any{"category": "Water", "status": "overdue", "Notification": "1", "Past Due Amount": "$544.73"},
		"time", "2023-04-09T00:39:46.917Z"))

	a, r := dryRun(t, e, "payment-reminder", "&trace=true", caller)
	if a.Route != "remind" || a.Amount != "$544.73" || r.Header.Get("X-JDS-Flow-Rule") != "first notice" {
		t.Errorf("answer: %s", r.Body)
	}
	var tried []string
	for _, ru := range a.Trace.Rules {
		tried = append(tried, ru.Name+"="+map[bool]string{true: "yes", false: "no"}[ru.Holds])
	}
	if !slices.Equal(tried, []string{"nothing overdue=no", "second notice=no", "first notice=yes"}) || a.Trace.Rule != "first notice" {
		t.Errorf("rules tried: %v (%s)", tried, r.Body)
	}
	if len(a.Trace.Bindings) != 2 || a.Trace.Bindings[0].Name != "payment" || !strings.Contains(string(a.Trace.Bindings[0].Value), `"id":"pay-1"`) ||
		a.Trace.Bindings[1].Name != "notice" || string(a.Trace.Bindings[1].Value) != "1" {
		t.Errorf("bindings: %s", r.Body)
	}
	if len(a.Trace.Events) != 1 || a.Trace.Events[0].Type != "Reminder Played" || a.Trace.At != "2023-04-10T09:00:00.000Z" {
		t.Errorf("trace: %s", r.Body)
	}
	if h := e.Do("GET", historyPath("12263762555", ""), admin, nil); strings.Contains(string(h.Body), "Reminder Played") {
		t.Errorf("a dry run wrote its event: %s", h.Body)
	}
	// Before the notice, last() finds nothing; 120 days on, the notice is older than the
	// flow's 90 days (now is the instant given).
	if a, _ := dryRun(t, e, "payment-reminder", "&at=2023-04-08T00:00:00Z", caller); a.Route != "menu" {
		t.Errorf("before the notice: %+v", a)
	}
	if a, _ := dryRun(t, e, "payment-reminder", "&at=2023-08-10T00:00:00Z", caller); a.Route != "menu" {
		t.Errorf("120 days on: %+v", a)
	}
	// A flow whose event fires a journey action: neither happens.
	if a, _ := dryRun(t, e, "after-hours", "&trace=true", map[string]any{"ani": "226-376-2555"}); a.Route != "closed" || len(a.Trace.Events) != 1 || a.Trace.Events[0].Type != "Closed Queue" {
		t.Errorf("after-hours: %+v", a)
	}
	time.Sleep(100 * time.Millisecond)
	if n := len(partner.Received()); n != 0 {
		t.Errorf("a dry run sent %d messages", n)
	}
	if h := e.Do("GET", historyPath("12263762555", ""), admin, nil); strings.Contains(string(h.Body), "Closed Queue") {
		t.Errorf("a dry run wrote its event: %s", h.Body)
	}
	// Without dryRun the same flow needs w, and writes.
	if r := e.Do("POST", "/v1/flows/payment-reminder", jdstest.Token("flow", "r", ws), caller); r.Status != 403 {
		t.Errorf("a writing flow with an r token, not a dry run: %d", r.Status)
	}
	for _, tc := range []struct{ query, want string }{
		{"?dryRun=true&at=yesterday", `at: must be an RFC 3339 time, got \"yesterday\"`},
		{"?dryRun=maybe", `dryRun: must be true or false`},
		{"?dryRun=true&trace=1", `trace: must be true or false`},
	} {
		r := e.Do("POST", "/v1/flows/payment-reminder"+tc.query, flowToken, caller)
		if r.Status != 400 || !strings.Contains(string(r.Body), tc.want) {
			t.Errorf("%s: %d %s", tc.query, r.Status, r.Body)
		}
	}
}

// profile() in a dry run answers at the instant given: before now from the history,
// after now from the live state as its windows will be then.
func TestFlowDryRunProfilesAtAnInstant(t *testing.T) {
	c := &jdstest.Clock{}
	t0 := time.Date(2023, 4, 1, 12, 0, 0, 0, time.UTC)
	c.Set(t0)
	e, _ := startFlows(t, c)
	caller := map[string]any{"ani": "12263762555"}
	for i := range 5 {
		e.post(ev("q"+string(rune('a'+i)), "Queued Caller", "12263762555", "phone", map[string]any{"queue": "Billing"},
			"time", t0.Add(time.Duration(i-5)*time.Hour).Format(time.RFC3339)))
	}
	if got, _ := e.call("repeat-caller", caller); got["callsToday"] != 5.0 {
		t.Fatalf("now: %v", got)
	}
	calls := func(at time.Time) any {
		r := e.Do("POST", "/v1/flows/repeat-caller?dryRun=true&at="+at.Format(time.RFC3339), flowToken, caller)
		return r.JSON(t)["callsToday"]
	}
	if got := calls(t0.Add(-3*time.Hour - 30*time.Minute)); got != 2.0 { // the calls at -5h and -4h had been made
		t.Errorf("at -3h30m: %v", got)
	}
	if got := calls(t0.Add(20 * time.Hour)); got != 3.0 { // -5h and -4h have left the day
		t.Errorf("at +20h: %v", got)
	}
	if got := calls(t0.Add(-6 * time.Hour)); got != 0.0 {
		t.Errorf("before the calls: %v", got)
	}
}
