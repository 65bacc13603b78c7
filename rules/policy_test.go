package rules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const policyFile = `policies:
  - name: sms etiquette
    connectors: [sms]
    quietHours: {from: "21:00", to: "08:00", timezone: America/New_York, timezoneAttribute: tz}
    maxPerPerson: {count: 2, per: 1d}
    optOut: {event: SMS Reply, field: reply.text, stopWords: [STOP], startWords: [START]}
  - name: office hours
    connectors: [crm]
    quietHours: {from: "12:00", to: "13:00"}
`

// Quiet hours wrap around midnight, follow the zone's daylight saving time, and a
// person's zone (an attribute, or the event's field) beats the policy's.
func TestPolicyQuietHours(t *testing.T) {
	f, err := Options{Connectors: Connectors{"sms": {Kind: "log"}, "crm": {Kind: "log"}}}.ParseFile("p.yaml", []byte(policyFile))
	if err != nil {
		t.Fatal(err)
	}
	sms, office := f.Policies[0], f.Policies[1]
	ny := sms.Zone(nil, nil)
	for _, c := range []struct {
		p    *CompiledPolicy
		at   string
		loc  *time.Location
		want string // "" outside quiet hours
	}{
		{sms, "2026-03-11T01:00:00Z", ny, "2026-03-11T12:00:00Z"}, // 21:00 EDT → 08:00 EDT
		{sms, "2026-03-07T12:59:00Z", ny, "2026-03-07T13:00:00Z"}, // 07:59 EST → 08:00 EST
		{sms, "2026-03-08T05:00:00Z", ny, "2026-03-08T12:00:00Z"}, // 00:00 EST, the night the clocks go forward
		{sms, "2026-03-11T12:00:00Z", ny, ""},                     // 08:00 EDT
		{sms, "2026-03-11T00:59:00Z", ny, ""},                     // 20:59 EDT
		{office, "2026-03-11T12:30:00Z", time.UTC, "2026-03-11T13:00:00Z"},
		{office, "2026-03-11T13:00:00Z", time.UTC, ""},
		{office, "2026-03-11T23:00:00Z", time.UTC, ""},
	} {
		at, _ := time.Parse(time.RFC3339, c.at)
		end, ok := c.p.QuietUntil(at, c.loc)
		if got := ""; ok {
			got = end.Format(time.RFC3339)
			if got != c.want {
				t.Errorf("%s at %s: quiet until %s, want %q", c.p.Policy.Name, c.at, got, c.want)
			}
		} else if c.want != "" {
			t.Errorf("%s at %s: not quiet, want until %s", c.p.Policy.Name, c.at, c.want)
		}
	}
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	env := &EventEnv{Data: map[string]any{"tz": "Asia/Tokyo"}}
	if z := sms.Zone(nil, env); z.String() != tokyo.String() {
		t.Errorf("the event's zone: %v", z)
	}
	if z := sms.Zone(map[string]Result{"tz": {Value: "Europe/Paris"}}, env); z.String() != "Europe/Paris" {
		t.Errorf("the attribute's zone: %v", z)
	}
	if z := sms.Zone(nil, &EventEnv{Data: map[string]any{"tz": "Nowhere/Else"}}); z != ny {
		t.Errorf("a bad zone falls back to the policy's: %v", z)
	}
	reply := func(text string) *EventEnv {
		return &EventEnv{Type: "SMS Reply", Data: map[string]any{"reply": map[string]any{"text": text}}}
	}
	for text, want := range map[string][2]bool{" stop\n": {true, true}, "Start": {false, true}, "stop please": {false, false}} {
		if out, ok := sms.Reply(reply(text)); out != want[0] || ok != want[1] {
			t.Errorf("reply %q: %v %v, want %v", text, out, ok, want)
		}
	}
}

// jds check: every problem of a policy, with its line and column.
func TestPolicyFileErrors(t *testing.T) {
	bad := `policies:
  - name: sms etiquette
    connectors: [smss]
    quietHours: {from: "9pm", to: "08:00", timezone: Mars/Olympus}
    maxPerPerson: {count: 0, per: 24x}
    optOut: {event: SMS Reply, stopWords: [STOP], startWords: [stop], colour: red}
  - name: nothing
    connectors: [sms]
`
	_, err := Options{Connectors: Connectors{"sms": {Kind: "log"}}}.ParseFile("p.yaml", []byte(bad))
	want := []string{
		`p.yaml:3:18: policies[0].connectors[0]: no connector named "smss" is configured (did you mean "sms"?)`,
		`p.yaml:4:24: policies[0].quietHours.from: expected a time of day like 21:00, got "9pm"`,
		`p.yaml:4:54: policies[0].quietHours.timezone: unknown time zone "Mars/Olympus": expected an IANA name like America/New_York`,
		`p.yaml:5:27: policies[0].maxPerPerson.count: must be at least 1, got 0`,
		`p.yaml:5:35: policies[0].maxPerPerson.per: expected a duration like 90s, 30m, 24h, 7d or 1d12h, got "24x"`,
		`p.yaml:6:13: policies[0].optOut.field: required: the key of the reply's text in the event's data`,
		`p.yaml:6:64: policies[0].optOut.startWords[0]: "stop" is both a stop word and a start word`,
		`p.yaml:6:71: policies[0].optOut: unknown key "colour" (known: event, field, stopWords, startWords)`,
		`p.yaml:7:5: policies[1]: a policy needs quietHours, maxPerPerson or optOut`,
	}
	if err == nil {
		t.Fatal("no error")
	}
	got := strings.Split(err.Error(), "\n")
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant\n%s", err, strings.Join(want, "\n"))
	}

	// Through the API, another organization's instance is not configured.
	o := Options{Connectors: Connectors{"sms": {Kind: "log", Organizations: []string{"acme"}}}, Organization: "globex"}
	_, err = o.ParsePoliciesJSON([]byte(`[{"name": "p", "connectors": ["sms"], "maxPerPerson": {"count": 1, "per": "1d"}}]`))
	if err == nil || !strings.Contains(err.Error(), `[0].connectors[0]: no connector named "sms" is configured`) {
		t.Errorf("another organization's connector: %v", err)
	}
	o.Organization = "acme"
	if ps, err := o.ParsePoliciesJSON([]byte(`[{"name": "p", "connectors": ["sms"], "maxPerPerson": {"count": 1, "per": "1d"}}]`)); err != nil || len(ps) != 1 || ps[0].Policy.Source != "api" {
		t.Errorf("the organization's connector: %v %v", ps, err)
	}

	// Two files, one name.
	dir := t.TempDir()
	one := "policies:\n  - {name: p, connectors: [sms], maxPerPerson: {count: 1, per: 1d}}\n"
	for _, n := range []string{"a.yaml", "b.yaml"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(one), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := LoadFiles(dir); err == nil || !strings.Contains(err.Error(), `policy "p" is also defined in`) {
		t.Errorf("a name in two files: %v", err)
	}
}

// A policy test that expects wrongly fails, naming what was held; quiet hours defer.
func TestPolicyTests(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "p.yaml"), []byte(policyFile), 0o600); err != nil {
		t.Fatal(err)
	}
	test := `tests:
  - name: late texts wait, the third of a day is suppressed
    policy: sms etiquette
    at: 2026-03-11T13:00:00Z
    deliveries:
      - {name: late, time: 2026-03-11T02:00:00Z}
      - {name: morning, time: -1m}
      - {name: noon}
    expect: {deferred: [late], suppressed: [morning]}
  - name: unknown
    policy: nope
    at: 2026-03-11T12:00:00Z
`
	path := filepath.Join(dir, "p.test.yaml")
	if err := os.WriteFile(path, []byte(test), 0o600); err != nil {
		t.Fatal(err)
	}
	rep, err := RunTestFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failed() != 2 || len(rep.Tests[0].Failures) != 1 ||
		!strings.HasSuffix(rep.Tests[0].Failures[0], "suppressed: got [noon], want [morning]") ||
		!strings.Contains(rep.Tests[1].Failures[0], `no policy named "nope"`) {
		t.Errorf("report: %+v", rep.Tests)
	}
}

type fakePerson struct {
	out  bool
	sent []time.Time
}

func (f fakePerson) OptedOut(*CompiledPolicy) (bool, error)    { return f.out, nil }
func (f fakePerson) Sent(*CompiledPolicy) ([]time.Time, error) { return f.sent, nil }

// Several policies on one connector: a deferral that ends in another policy's quiet
// hours is deferred again; suppression comes first and counts nothing; another
// connector is not held.
func TestPolicyDecide(t *testing.T) {
	f, err := ParseFile("p.yaml", []byte(`policies:
  - {name: night, connectors: [sms], quietHours: {from: "21:00", to: "08:00"}}
  - {name: breakfast, connectors: [sms, email], quietHours: {from: "08:00", to: "09:00"}, maxPerPerson: {count: 1, per: 1h}}
  - {name: stop, connectors: [sms], optOut: {event: SMS Reply, field: body, stopWords: [STOP]}}
`))
	if err != nil {
		t.Fatal(err)
	}
	utc := func(*CompiledPolicy) *time.Location { return time.UTC }
	late := time.Date(2026, 3, 11, 23, 0, 0, 0, time.UTC)
	h, count, err := Decide(f.Policies, "sms", late, late, utc, fakePerson{})
	if err != nil || h.Outcome != OutcomeDeferred || h.Policy != "breakfast" || !h.Due.Equal(time.Date(2026, 3, 12, 9, 0, 0, 0, time.UTC)) ||
		len(count) != 1 || count[0].Policy.Name != "breakfast" {
		t.Errorf("late: %+v %v %v", h, count, err)
	}
	if h, count, _ := Decide(f.Policies, "sms", late, late, utc, fakePerson{out: true}); h.Outcome != OutcomeSuppressed || h.Policy != "stop" || count != nil {
		t.Errorf("opted out: %+v %v", h, count)
	}
	noon := time.Date(2026, 3, 11, 12, 0, 0, 0, time.UTC)
	if h, _, _ := Decide(f.Policies, "email", noon, noon, utc, fakePerson{sent: []time.Time{noon.Add(-59 * time.Minute)}}); h.Outcome != OutcomeSuppressed || h.Reason != ReasonMaxPerPerson {
		t.Errorf("email within the hour: %+v", h)
	}
	if h, _, _ := Decide(f.Policies, "email", noon, noon, utc, fakePerson{sent: []time.Time{noon.Add(-time.Hour)}}); h.Outcome != "" || !h.Due.Equal(noon) {
		t.Errorf("email an hour later: %+v", h)
	}
	if h, count, _ := Decide(f.Policies, "crm", late, late, utc, fakePerson{out: true}); h.Outcome != "" || count != nil {
		t.Errorf("another connector: %+v %v", h, count)
	}
}
