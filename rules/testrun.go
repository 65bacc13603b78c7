package rules

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/openjds/jds/internal/filter"
	"github.com/openjds/jds/internal/strict"
)

// A rule test file (*.test.yaml) checks templates the way `promtool test rules` checks
// Prometheus rules: given events, at given instants, each attribute must answer what
// the test expects. It runs the same Match, Update and Aggregate as the server.
//
//	ruleFiles: [use-cases.yaml]      # optional, relative to this file
//	tests:
//	  - name: the sixth call offers a callback
//	    template: Repeat Caller
//	    at: 2023-04-01T12:00:00Z     # the evaluation instant; events arrive at it
//	    events:
//	      - type: Queued Caller
//	        time: -5h                # offset from at, or an RFC 3339 time
//	        data: {queue: Billing}
//	        repeat: 6                # optional: 6 such events,
//	        every: 10m               # 10 minutes apart
//	    expect:
//	      callsToday: 6              # attribute name (or displayName): result
//	    evaluations:                 # optional: later instants, offsets from at
//	      - at: +24h
//	        expect: {callsToday: 0}

// TestReport is the outcome of one test file.
type TestReport struct {
	Path  string
	Tests []TestResult
}

// TestResult is the outcome of one test: no failures means it passed.
type TestResult struct {
	Name     string
	Failures []string // "file:line:col: what was wrong"
}

// Failed counts the tests that failed.
func (r *TestReport) Failed() int {
	n := 0
	for _, t := range r.Tests {
		if len(t.Failures) > 0 {
			n++
		}
	}
	return n
}

type testFile struct {
	ruleFiles []string
	tests     []*testCase
	policies  map[string]*CompiledPolicy // by name, for policy tests
}

type testCase struct {
	name     string
	template string
	tplNode  *strict.Node
	at       time.Time
	events   []testEvent
	evals    []testEval
	pos      *strict.Node
	// A policy test (policytest.go) names a policy instead of a template.
	policy       string
	deliveries   []testDelivery
	policyExpect *policyExpect
}

type testEvent struct {
	id, typ, source string
	time            time.Time
	data            map[string]any
}

type testEval struct {
	at     time.Time
	expect []testExpect
}

type testExpect struct {
	attr string
	want string
	n    *strict.Node
}

// RunTestFile reads a test file and runs it against the templates of its ruleFiles
// or, when it names none, of the rule files in its directory.
func RunTestFile(path string) (*TestReport, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	tf, err := parseTestFile(path, data)
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(path)
	paths := []string{dir}
	if len(tf.ruleFiles) > 0 {
		paths = paths[:0]
		for _, f := range tf.ruleFiles {
			if !filepath.IsAbs(f) {
				f = filepath.Join(dir, f)
			}
			paths = append(paths, f)
		}
	}
	files, err := LoadFiles(paths...)
	if err != nil {
		return nil, err
	}
	byName := map[string]*Compiled{}
	policies := map[string]*CompiledPolicy{}
	for _, f := range files {
		for _, c := range f.Compiled {
			byName[c.Template.Name] = c
		}
		for _, p := range f.Policies {
			policies[p.Policy.Name] = p
		}
	}
	tf.policies = policies
	return runTests(path, tf, func(name string) (*Compiled, error) {
		if c := byName[name]; c != nil {
			return c, nil
		}
		return nil, fmt.Errorf("no template named %q in %s", name, strings.Join(paths, ", "))
	}), nil
}

// RunTests runs the tests of a test file, finding templates by name with load. The
// error reports a malformed test file (every problem, with file:line:col); failed
// expectations are in the report.
func RunTests(path string, data []byte, load func(name string) (*Compiled, error)) (*TestReport, error) {
	tf, err := parseTestFile(path, data)
	if err != nil {
		return nil, err
	}
	return runTests(path, tf, load), nil
}

func runTests(path string, tf *testFile, load func(string) (*Compiled, error)) *TestReport {
	rep := &TestReport{Path: path}
	for _, tc := range tf.tests {
		res := TestResult{Name: tc.name}
		fail := func(n *strict.Node, format string, args ...any) {
			res.Failures = append(res.Failures, fmt.Sprintf("%s:%d:%d: ", path, n.Line, n.Col)+fmt.Sprintf(format, args...))
		}
		if tc.policy != "" {
			if p := tf.policies[tc.policy]; p != nil {
				runPolicyTest(tc, p, fail)
			} else {
				fail(tc.tplNode, "no policy named %q in the rule files", tc.policy)
			}
			rep.Tests = append(rep.Tests, res)
			continue
		}
		c, err := load(tc.template)
		if err != nil || c == nil {
			if err == nil {
				err = fmt.Errorf("no template named %q", tc.template)
			}
			fail(tc.tplNode, "%v", err)
			rep.Tests = append(rep.Tests, res)
			continue
		}
		states := make([][]byte, len(c.Attrs))
		for i, ev := range tc.events {
			raw, _ := json.Marshal(map[string]any{
				"id": ev.id, "specversion": "1.0", "type": ev.typ, "source": ev.source,
				"identity": "jds-test", "identitytype": "temporaryId",
				"time": ev.time.Format(time.RFC3339Nano), "data": ev.data,
			})
			env, err := NewEventEnv(raw)
			if err != nil {
				fail(tc.pos, "event %d: %v", i, err)
				continue
			}
			for j, a := range c.Attrs {
				v, ok, err := a.Match(env)
				if err != nil {
					fail(tc.pos, "event %d: %v", i, err)
				}
				if !ok {
					continue
				}
				if states[j], err = a.Update(states[j], Entry{Time: env.Time, Seq: uint64(i + 1), Value: v}, tc.at); err != nil {
					fail(tc.pos, "event %d: %v", i, err)
				}
			}
		}
		for _, ev := range tc.evals {
			for _, x := range ev.expect {
				a := c.Attr(x.attr)
				if a == nil {
					fail(x.n, "template %q has no attribute %q", c.Template.Name, x.attr)
					continue
				}
				entries, err := DecodeState(states[a.Index])
				if err != nil {
					fail(x.n, "%v", err)
					continue
				}
				got := a.Aggregate(ev.at, entries).Result
				if !sameResult(got, x.want) {
					fail(x.n, "at %s: %s: got %q, want %q", ev.at.Format(time.RFC3339Nano), x.attr, got, x.want)
				}
			}
		}
		rep.Tests = append(rep.Tests, res)
	}
	return rep
}

// sameResult compares a result with what a test expects: as text, as numbers when
// both are numbers (6 and 6.0), as instants when both are times.
func sameResult(got, want string) bool {
	if got == want {
		return true
	}
	if filter.IsNumber(got) && filter.IsNumber(want) {
		g, err1 := strconv.ParseFloat(got, 64)
		w, err2 := strconv.ParseFloat(want, 64)
		return err1 == nil && err2 == nil && g == w
	}
	g, err1 := time.Parse(time.RFC3339Nano, got)
	w, err2 := time.Parse(time.RFC3339Nano, want)
	return err1 == nil && err2 == nil && g.Equal(w)
}

func parseTestFile(path string, data []byte) (*testFile, error) {
	root, errs := strict.FromYAML(path, "a rule file", data)
	if len(errs) > 0 {
		return nil, Invalid(errs)
	}
	tf := &testFile{}
	if root == nil {
		return tf, nil
	}
	d := newDecoder(path, true)
	d.object(root, "", []field{
		{name: "ruleFiles", fn: func(v *strict.Node, p string) {
			d.list(v, p, func(v *strict.Node, p string) {
				var s string
				d.str(v, p, &s)
				tf.ruleFiles = append(tf.ruleFiles, s)
			})
		}},
		{name: "tests", fn: func(v *strict.Node, p string) {
			d.list(v, p, func(v *strict.Node, p string) { tf.tests = append(tf.tests, d.testCase(v, p)) })
		}},
	})
	if len(d.Errs) > 0 {
		return nil, Invalid(d.Errs)
	}
	return tf, nil
}

func (d *decoder) testCase(n *strict.Node, path string) *testCase {
	tc := &testCase{pos: n, tplNode: n}
	var atNode, eventsNode, expectNode, evalsNode, deliveriesNode *strict.Node
	d.object(n, path, []field{
		d.text("name", &tc.name),
		{name: "template", fn: func(v *strict.Node, p string) { tc.tplNode = v; d.str(v, p, &tc.template) }},
		{name: "at", fn: func(v *strict.Node, p string) { atNode = v }},
		{name: "events", fn: func(v *strict.Node, p string) { eventsNode = v }},
		{name: "expect", fn: func(v *strict.Node, p string) { expectNode = v }},
		{name: "evaluations", fn: func(v *strict.Node, p string) { evalsNode = v }},
		{name: "policy", fn: func(v *strict.Node, p string) { tc.tplNode = v; d.str(v, p, &tc.policy) }},
		{name: "deliveries", fn: func(v *strict.Node, p string) { deliveriesNode = v }},
	})
	if n.Kind != strict.Map {
		return tc
	}
	if tc.name == "" {
		tc.name = path
	}
	if tc.policy != "" && tc.template != "" {
		d.Fail(n, join(path, "policy"), "a test names a template or a policy, not both")
	}
	if tc.policy != "" && evalsNode != nil {
		d.Fail(evalsNode, join(path, "evaluations"), "a policy test expects once, at its end: suppressed and deferred")
	}
	if tc.policy == "" && deliveriesNode != nil {
		d.Fail(deliveriesNode, join(path, "deliveries"), "only a policy test (policy: name) sends deliveries")
	}
	if tc.template == "" && tc.policy == "" {
		d.Fail(n, join(path, "template"), "required: the name of the template (or policy) to test")
	}
	if atNode == nil {
		d.Fail(n, join(path, "at"), "required: the evaluation instant, an RFC 3339 time")
		return tc
	}
	t, err := time.Parse(time.RFC3339Nano, atNode.Text)
	if err != nil || atNode.Kind != strict.String {
		d.Fail(atNode, join(path, "at"), "expected an RFC 3339 time like 2023-04-01T12:00:00Z, got %s", atNode.Describe())
		return tc
	}
	tc.at = t.UTC()
	if eventsNode != nil {
		d.list(eventsNode, join(path, "events"), func(v *strict.Node, p string) {
			tc.events = append(tc.events, d.testEvents(v, p, tc.at, len(tc.events))...)
		})
	}
	if tc.policy != "" {
		if deliveriesNode != nil {
			tc.deliveries = d.testDeliveries(deliveriesNode, join(path, "deliveries"), tc.at)
		}
		if expectNode != nil {
			tc.policyExpect = d.policyExpectations(expectNode, join(path, "expect"))
		}
		return tc
	}
	if expectNode != nil {
		tc.evals = append(tc.evals, testEval{at: tc.at, expect: d.expectations(expectNode, join(path, "expect"))})
	}
	if evalsNode != nil {
		d.list(evalsNode, join(path, "evaluations"), func(v *strict.Node, p string) {
			ev := testEval{}
			var at *strict.Node
			d.object(v, p, []field{
				{name: "at", fn: func(v *strict.Node, p string) { at = v }},
				{name: "expect", fn: func(v *strict.Node, p string) { ev.expect = d.expectations(v, p) }},
			})
			if v.Kind != strict.Map {
				return
			}
			if at == nil {
				d.Fail(v, join(p, "at"), "required: an offset from the test's at (+24h) or an RFC 3339 time")
				return
			}
			when, ok := d.instant(at, join(p, "at"), tc.at)
			if !ok {
				return
			}
			if when.Before(tc.at) {
				d.Fail(at, join(p, "at"), "evaluations happen at or after the test's at, when the events have arrived")
				return
			}
			ev.at = when
			tc.evals = append(tc.evals, ev)
		})
	}
	return tc
}

// instant reads an offset from base (-3h, +1d) or an RFC 3339 time.
func (d *decoder) instant(n *strict.Node, path string, base time.Time) (time.Time, bool) {
	if n.Kind == strict.String || n.Kind == strict.Number {
		if t, err := time.Parse(time.RFC3339Nano, n.Text); err == nil {
			return t.UTC(), true
		}
		if off, err := parseDuration(n.Text); err == nil {
			return base.Add(off), true
		}
	}
	d.Fail(n, path, "expected an offset like -3h or +1d, or an RFC 3339 time, got %s", n.Describe())
	return time.Time{}, false
}

func (d *decoder) testEvents(n *strict.Node, path string, at time.Time, seen int) []testEvent {
	ev := testEvent{source: "jds-test", time: at, data: map[string]any{}}
	repeat := 1
	var every time.Duration
	var timeNode, everyNode *strict.Node
	d.object(n, path, []field{
		d.text("id", &ev.id),
		d.text("type", &ev.typ),
		d.text("source", &ev.source),
		{name: "time", fn: func(v *strict.Node, p string) { timeNode = v }},
		{name: "data", fn: func(v *strict.Node, p string) {
			if v.Kind != strict.Map {
				d.Fail(v, p, "expected an object, got %s", v.Describe())
				return
			}
			ev.data = v.Value().(map[string]any)
		}},
		{name: "repeat", fn: func(v *strict.Node, p string) {
			d.integer(v, p, &repeat)
			if repeat < 1 || repeat > 100000 {
				d.Fail(v, p, "must be between 1 and 100000")
				repeat = 1
			}
		}},
		{name: "every", fn: func(v *strict.Node, p string) { everyNode = v }},
	})
	if n.Kind != strict.Map {
		return nil
	}
	if ev.typ == "" {
		d.Fail(n, join(path, "type"), "required")
	}
	if timeNode != nil {
		if t, ok := d.instant(timeNode, join(path, "time"), at); ok {
			ev.time = t
		}
	}
	if everyNode != nil {
		var err error
		if every, err = parseDuration(everyNode.Text); err != nil || everyNode.Kind != strict.String {
			d.Fail(everyNode, join(path, "every"), "expected a duration like 10m")
		}
	}
	out := make([]testEvent, repeat)
	for i := range out {
		out[i] = ev
		out[i].time = ev.time.Add(time.Duration(i) * every)
		if ev.id == "" || repeat > 1 {
			out[i].id = fmt.Sprintf("test-%d", seen+i+1)
		}
	}
	return out
}

func (d *decoder) expectations(n *strict.Node, path string) []testExpect {
	if n.Kind != strict.Map {
		d.Fail(n, path, "expected an object of attribute names and results, got %s", n.Describe())
		return nil
	}
	var out []testExpect
	for i, k := range n.Keys {
		v := n.Vals[i]
		x := testExpect{attr: k.Text, n: v}
		switch v.Kind {
		case strict.Null:
		case strict.List:
			var parts []string
			for _, it := range v.Items {
				parts = append(parts, it.Text)
			}
			x.want = strings.Join(parts, ",")
		case strict.Map:
			d.Fail(v, join(path, k.Text), "expected a result (a scalar, or a list for Distinct)")
			continue
		default:
			x.want = v.Text
		}
		out = append(out, x)
	}
	return out
}
