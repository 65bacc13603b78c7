package rules

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/openjds/jds/internal/strict"
)

// Policy tests: a test that names a policy instead of a template sends deliveries
// through it, among the events of one person, and expects which it suppresses and
// which it defers:
//
//	- name: STOP silences texts until START
//	  policy: sms etiquette
//	  at: 2026-03-02T15:00:00Z
//	  events:
//	    - {type: SMS Reply, time: -3h, data: {body: STOP}}
//	    - {type: SMS Reply, time: -1h, data: {body: START}}
//	  deliveries:                  # fired at their time (offsets from at), in order
//	    - {name: after stop, time: -2h}
//	    - {name: after start, time: -30m, connector: sms}   # default: the policy's first
//	  expect:
//	    suppressed: [after stop]   # every other delivery goes out
//	    deferred: []               # deferred by quiet hours (the policy's time zone)

// testDelivery is one delivery of a policy test.
type testDelivery struct {
	name, connector string
	time            time.Time
}

// policyExpect is what a policy test expects: the names of the deliveries suppressed
// and deferred.
type policyExpect struct {
	suppressed, deferred []string
	n                    *strict.Node
}

func (d *decoder) testDeliveries(n *strict.Node, path string, at time.Time) []testDelivery {
	var out []testDelivery
	d.list(n, path, func(v *strict.Node, p string) {
		td := testDelivery{time: at}
		d.object(v, p, []field{
			d.text("name", &td.name),
			d.text("connector", &td.connector),
			{name: "time", fn: func(v *strict.Node, p string) {
				if t, ok := d.instant(v, p, at); ok {
					td.time = t
				}
			}},
		})
		if td.name == "" {
			td.name = fmt.Sprint(len(out) + 1)
		}
		out = append(out, td)
	})
	return out
}

func (d *decoder) policyExpectations(n *strict.Node, path string) *policyExpect {
	x := &policyExpect{n: n}
	names := func(out *[]string) func(v *strict.Node, p string) {
		return func(v *strict.Node, p string) {
			d.list(v, p, func(v *strict.Node, p string) {
				var s string
				d.str(v, p, &s)
				*out = append(*out, s)
			})
		}
	}
	d.object(n, path, []field{{name: "suppressed", fn: names(&x.suppressed)}, {name: "deferred", fn: names(&x.deferred)}})
	return x
}

// testPerson is one person's policy state in a policy test.
type testPerson struct {
	out  map[string]bool
	sent map[string][]time.Time
}

func (tp *testPerson) OptedOut(p *CompiledPolicy) (bool, error) { return tp.out[p.Policy.Name], nil }
func (tp *testPerson) Sent(p *CompiledPolicy) ([]time.Time, error) {
	return tp.sent[p.Policy.Name], nil
}

// runPolicyTest sends the test's deliveries through the policy among its events, in
// time order (events first at one instant), and compares what was held with expect.
func runPolicyTest(tc *testCase, p *CompiledPolicy, fail func(n *strict.Node, format string, args ...any)) {
	type step struct {
		at  time.Time
		ev  *testEvent
		del *testDelivery
	}
	var steps []step
	for i := range tc.events {
		steps = append(steps, step{at: tc.events[i].time, ev: &tc.events[i]})
	}
	for i := range tc.deliveries {
		steps = append(steps, step{at: tc.deliveries[i].time, del: &tc.deliveries[i]})
	}
	sort.SliceStable(steps, func(i, j int) bool { return steps[i].at.Before(steps[j].at) })
	person := &testPerson{out: map[string]bool{}, sent: map[string][]time.Time{}}
	var suppressed, deferred []string
	for i, s := range steps {
		if s.ev != nil {
			raw, _ := json.Marshal(map[string]any{"id": s.ev.id, "specversion": "1.0", "type": s.ev.typ, "source": s.ev.source,
				"identity": "jds-test", "identitytype": "temporaryId", "time": s.ev.time.Format(time.RFC3339Nano), "data": s.ev.data})
			env, err := NewEventEnv(raw)
			if err != nil {
				fail(tc.pos, "event %d: %v", i, err)
				continue
			}
			if out, ok := p.Reply(env); ok {
				person.out[p.Policy.Name] = out
			}
			continue
		}
		conn := s.del.connector
		if conn == "" {
			conn = p.Policy.Connectors[0]
		}
		zone := func(p *CompiledPolicy) *time.Location { return p.Zone(nil, nil) }
		h, count, _ := Decide([]*CompiledPolicy{p}, conn, s.at, s.at, zone, person)
		for _, c := range count {
			if h.Outcome != OutcomeSuppressed {
				person.sent[c.Policy.Name] = append(person.sent[c.Policy.Name], s.at)
			}
		}
		switch h.Outcome {
		case OutcomeSuppressed:
			suppressed = append(suppressed, s.del.name)
		case OutcomeDeferred:
			deferred = append(deferred, s.del.name)
		}
	}
	x := tc.policyExpect
	if x == nil {
		x = &policyExpect{n: tc.pos}
	}
	for _, c := range []struct {
		what      string
		got, want []string
	}{{"suppressed", suppressed, x.suppressed}, {"deferred", deferred, x.deferred}} {
		g, w := slices.Sorted(slices.Values(c.got)), slices.Sorted(slices.Values(c.want))
		if !slices.Equal(g, w) {
			fail(x.n, "%s: got [%s], want [%s]", c.what, strings.Join(g, ", "), strings.Join(w, ", "))
		}
	}
}
