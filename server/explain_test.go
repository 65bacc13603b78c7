package server_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openjds/jds/internal/jdstest"
)

const noticesRules = `
templates:
  - name: Notices
    attributes:
      - {name: overdue, displayName: Overdue notices today, event: Payment, aggregationMode: Count, lookBack: 1d, limit: 2, condition: 'data.status == "overdue"'}
      - {name: weekly, displayName: Payments this week, event: Payment, aggregationMode: Count, lookBack: 7d}
actions:
  - name: Remind
    template: Notices
    isActive: true
    cooldown: 1h
    condition: overdue >= 2 && weekly < 10
    actionTriggers:
      - {type: Connector, connector: callback}
`

type explained struct {
	Name    string
	Explain *struct {
		Events   []string
		Window   struct{ From, To string }
		Excluded struct{ OutOfWindow, NotMatching, OverLimit int }
	}
}

func explainView(t *testing.T, e *env, query string) []explained {
	t.Helper()
	r := e.Do("GET", "/v1/api/progressive-profile-view/workspace-id/"+ws+"/identity/12265550001/template-name/Notices"+query, jdstest.Token("profile", "r", ws), nil)
	if r.Status != 200 {
		t.Fatalf("view: %d %s", r.Status, r.Body)
	}
	var body struct {
		Data []struct{ Attributes []explained }
	}
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatal(err)
	}
	return body.Data[0].Attributes
}

// ?explain=true lists the events each attribute counts and why the others of its
// type do not: outside its window (older, or dated in the future), not matching, over
// its limit.
func TestProfileViewExplain(t *testing.T) {
	c := &jdstest.Clock{}
	now := time.Date(2026, 2, 10, 12, 0, 0, 0, time.UTC)
	c.Set(now)
	e := startTrust(t, c, noticesRules)
	post := func(id, status string, at time.Duration) {
		r := e.post(ev(id, "Payment", "+12265550001", "phone", map[string]any{"status": status}, "time", now.Add(at).Format(time.RFC3339)))
		if r.Status != 202 {
			t.Fatalf("%s: %d %s", id, r.Status, r.Body)
		}
	}
	post("old", "overdue", -48*time.Hour)        // out of overdue's day, inside weekly's week
	post("o1", "overdue", -3*time.Hour)          // over overdue's limit of 2
	post("paid", "paid", -2*time.Hour)           // not matching overdue
	post("o2", "overdue", -time.Hour)            // counted
	post("o3", "overdue", -30*time.Minute)       // counted
	post("future", "overdue", 2*time.Hour)       // dated ahead: out of every window now
	post("ancient", "overdue", -30*24*time.Hour) // beyond the template's longest window: not scanned
	if got := explainView(t, e, ""); got[0].Explain != nil {
		t.Fatalf("a view without explain=true explains: %+v", got[0])
	}
	got := explainView(t, e, "?explain=true")
	ov, wk := got[0].Explain, got[1].Explain
	if ov == nil || wk == nil {
		t.Fatalf("no explanation: %+v", got)
	}
	if !slices.Equal(ov.Events, []string{"o3", "o2"}) || ov.Excluded.OutOfWindow != 2 || ov.Excluded.NotMatching != 1 || ov.Excluded.OverLimit != 1 {
		t.Errorf("overdue: %+v", *ov)
	}
	if ov.Window.From != "2026-02-09T12:00:00.000Z" || ov.Window.To != "2026-02-10T12:00:00.000Z" {
		t.Errorf("overdue's window: %+v", ov.Window)
	}
	if !slices.Equal(wk.Events, []string{"o3", "o2", "paid", "o1", "old"}) || wk.Excluded.OutOfWindow != 1 || wk.Excluded.NotMatching != 0 || wk.Excluded.OverLimit != 0 {
		t.Errorf("weekly: %+v", *wk)
	}
	// The other view paths explain too; a bad flag is refused.
	r := e.Do("GET", "/v1/api/progressive-profile-view/workspace-id/"+ws+"/identity/12265550001/template-id/file-notices?explain=yes", jdstest.Token("profile", "r", ws), nil)
	if r.Status != 400 || !strings.Contains(string(r.Body), `explain: must be true or false, got \"yes\"`) {
		t.Errorf("explain=yes: %d %s", r.Status, r.Body)
	}
}

type actionExplained struct {
	WouldFire, IsActive, Holds bool
	Operator                   string
	Clauses                    []struct {
		Text  string
		Value any
	}
	Attributes map[string]any
	Cooldown   struct {
		Minutes          int
		LastFired, Until *string
		Holds            bool
	}
	PersonID string
}

func explainAction(t *testing.T, e *env, identity string) actionExplained {
	t.Helper()
	r := e.Do("GET", "/admin/v1/api/journey-actions/workspace-id/"+ws+"/template-id/Notices/action-id/Remind/explain?identity="+identity, jdstest.Token("action", "r", ws), nil)
	if r.Status != 200 {
		t.Fatalf("explain: %d %s", r.Status, r.Body)
	}
	var body struct{ Data actionExplained }
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatal(err)
	}
	return body.Data
}

// The action explain route: each clause with its value, the cooldown that holds the
// action back, and whether it would fire now.
func TestExplainAction(t *testing.T) {
	c := &jdstest.Clock{}
	t0 := time.Date(2026, 2, 10, 12, 0, 0, 0, time.UTC)
	c.Set(t0)
	e := startTrust(t, c, noticesRules)
	for i, id := range []string{"n1", "n2"} {
		c.Set(t0.Add(time.Duration(i) * 10 * time.Minute))
		e.post(ev(id, "Payment", "+12265550001", "phone", map[string]any{"status": "overdue"}, "time", c.Now().Format(time.RFC3339)))
	}
	// n2 fired the action at t0+10m: the cooldown holds it back for an hour.
	x := explainAction(t, e, "12265550001")
	if !x.Holds || x.WouldFire || !x.Cooldown.Holds || x.Cooldown.Minutes != 60 || x.Cooldown.LastFired == nil || *x.Cooldown.LastFired != "2026-02-10T12:10:00.000Z" || *x.Cooldown.Until != "2026-02-10T13:10:00.000Z" {
		t.Fatalf("in the cooldown: %+v", x)
	}
	if x.Operator != "&&" || len(x.Clauses) != 2 || x.Clauses[0].Text != "overdue >= 2" || x.Clauses[0].Value != true || x.Clauses[1].Text != "weekly < 10" || x.Clauses[1].Value != true {
		t.Errorf("clauses: %+v", x.Clauses)
	}
	if x.Attributes["overdue"] != 2.0 || x.Attributes["weekly"] != 2.0 {
		t.Errorf("attributes: %v", x.Attributes)
	}
	// After the cooldown it would fire.
	c.Set(t0.Add(2 * time.Hour))
	if x := explainAction(t, e, "12265550001"); !x.WouldFire || x.Cooldown.Holds || x.Cooldown.Until != nil {
		t.Errorf("after the cooldown: %+v", x)
	}
	// Two days on, the notices left the day: the first clause is false.
	c.Set(t0.Add(48 * time.Hour))
	if x := explainAction(t, e, "12265550001"); x.WouldFire || x.Holds || x.Clauses[0].Value != false || x.Clauses[1].Value != true {
		t.Errorf("two days on: %+v", x)
	}
	// Nobody owns the identity: the empty profile, which does not hold.
	if x := explainAction(t, e, "nobody@example.com"); x.WouldFire || x.Holds || x.PersonID != "" {
		t.Errorf("unknown identity: %+v", x)
	}
	r := e.Do("GET", "/admin/v1/api/journey-actions/workspace-id/"+ws+"/template-id/Notices/action-id/Remind/explain", jdstest.Token("action", "r", ws), nil)
	if r.Status != 400 || !strings.Contains(string(r.Body), "identity: required") {
		t.Errorf("no identity: %d %s", r.Status, r.Body)
	}
	r = e.Do("GET", "/admin/v1/api/journey-actions/workspace-id/"+ws+"/template-id/Notices/action-id/nope/explain?identity=x", jdstest.Token("action", "r", ws), nil)
	if r.Status != 404 {
		t.Errorf("unknown action: %d %s", r.Status, r.Body)
	}
}
