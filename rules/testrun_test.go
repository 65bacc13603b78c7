package rules

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
)

func TestRunTestFileSamples(t *testing.T) {
	rep, err := RunTestFile("../samples/rules/use-cases.test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Tests) < 4 {
		t.Errorf("%d tests", len(rep.Tests))
	}
	for _, tc := range rep.Tests {
		for _, f := range tc.Failures {
			t.Errorf("%s: %s", tc.Name, f)
		}
	}
}

func TestRunTestsFailures(t *testing.T) {
	data, err := os.ReadFile("../samples/rules/use-cases.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f, err := ParseFile("use-cases.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	load := func(name string) (*Compiled, error) {
		for _, c := range f.Compiled {
			if c.Template.Name == name {
				return c, nil
			}
		}
		return nil, fmt.Errorf("no template named %q", name)
	}
	test := `tests:
  - name: wrong
    template: Repeat Caller
    at: 2023-04-01T12:00:00Z
    events:
      - {type: Queued Caller, time: -1h, repeat: 2, every: 1m, data: {queue: Billing}}
      - {type: Queued Caller, time: "2023-04-01T11:30:00.000Z", data: {queue: Sales}}
    expect:
      callsToday: 2
      queuesToday: [Billing, Sales]
      nope: 1
    evaluations:
      - at: +1d
        expect: {callsToday: "0.0"}
  - name: missing template
    template: Nope
    at: 2023-04-01T12:00:00Z
`
	rep, err := RunTests("x.test.yaml", []byte(test), load)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{
			`x.test.yaml:9:19: at 2023-04-01T12:00:00Z: callsToday: got "3", want "2"`,
			`x.test.yaml:10:20: at 2023-04-01T12:00:00Z: queuesToday: got "Sales,Billing", want "Billing,Sales"`,
			`x.test.yaml:11:13: template "Repeat Caller" has no attribute "nope"`,
		},
		{`x.test.yaml:16:15: no template named "Nope"`},
	}
	if rep.Failed() != 2 {
		t.Errorf("%d failed", rep.Failed())
	}
	for i, tc := range rep.Tests {
		if !reflect.DeepEqual(tc.Failures, want[i]) {
			t.Errorf("test %d failures:\n%s\nwant\n%s", i, strings.Join(tc.Failures, "\n"), strings.Join(want[i], "\n"))
		}
	}

	bad := `tests:
  - name: bad
    template: Repeat Caller
    at: yesterday
  - template: Repeat Caller
    at: 2023-04-01T12:00:00Z
    events: [{time: -1x, data: 3, colour: red}]
    evaluations: [{at: -1h}]
`
	_, err = RunTests("bad.test.yaml", []byte(bad), load)
	wantErrs := []string{
		`bad.test.yaml:4:9: tests[0].at: expected an RFC 3339 time like 2023-04-01T12:00:00Z, got "yesterday"`,
		`bad.test.yaml:7:32: tests[1].events[0].data: expected an object, got 3`,
		`bad.test.yaml:7:35: tests[1].events[0]: unknown key "colour" (known: id, type, source, time, data, repeat, every)`,
		`bad.test.yaml:7:14: tests[1].events[0].type: required`,
		`bad.test.yaml:7:21: tests[1].events[0].time: expected an offset like -3h or +1d, or an RFC 3339 time, got "-1x"`,
		`bad.test.yaml:8:24: tests[1].evaluations[0].at: evaluations happen at or after the test's at, when the events have arrived`,
	}
	if got := Problems(err); !reflect.DeepEqual(got, wantErrs) || !errors.Is(err, ErrInvalid) {
		t.Errorf("errors:\n%s", strings.Join(got, "\n"))
	}
}

func TestParseDuration(t *testing.T) {
	good := map[string]string{"90s": "1m30s", "-3h": "-3h0m0s", "+1d": "24h0m0s", "1d12h": "36h0m0s", "2w": "336h0m0s", "250ms": "250ms"}
	for in, want := range good {
		d, err := parseDuration(in)
		if err != nil || d.String() != want {
			t.Errorf("%s: %v %v", in, d, err)
		}
	}
	for _, in := range []string{"", "-", "3", "h", "1.5h", "3y", "99999999999999999999d", "1d-2h"} {
		if _, err := parseDuration(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
	for in, want := range map[string]string{"90m": "minutes 90", "24h": "days 1", "36h": "hours 36", "2w": "days 14"} {
		u, p, err := parseLookBack(in)
		if err != nil || fmt.Sprintf("%s %d", u, p) != want {
			t.Errorf("%s: %s %d %v", in, u, p, err)
		}
	}
}
