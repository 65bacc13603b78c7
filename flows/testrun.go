package flows

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/ingest"
	"github.com/openjds/jds/internal/profiles"
	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/internal/strict"
	"github.com/openjds/jds/rules"
)

// A flow test file (*.test.yaml in the flows directory) checks a flow the way `jds
// test` checks rule files: given the caller's events, a call must get the expected
// answer. Each test runs the real flow against a fresh in-memory ledger with the
// profile templates and journey actions of ruleFiles.
//
//	flow: payment-reminder.yaml        # the flow under test, relative to this file
//	ruleFiles: [../rules]              # optional: templates profile() reads, actions
//	tests:
//	  - name: the first notice reminds
//	    at: 2026-04-10T09:00:00Z       # the clock; events' times are offsets from it
//	    events:                        # the caller's history before the call
//	      - type: Payment
//	        time: -2d
//	        data: {category: Water, status: overdue, Notification: "1"}
//	        repeat: 1                  # optional: that many such events,
//	        every: 1h                  # this far apart
//	    request: {ani: "12263762555"}  # the call's fields
//	    expect: {route: remind}        # the whole answer
//	    expectEvents: [Reminder Played] # optional: types of the events the flow writes

type testFile struct {
	Flow      string     `yaml:"flow"`
	RuleFiles []string   `yaml:"ruleFiles"`
	Tests     []testCase `yaml:"tests"`
}

type testCase struct {
	Name         string         `yaml:"name"`
	At           time.Time      `yaml:"at"`
	Events       []testEvent    `yaml:"events"`
	Request      map[string]any `yaml:"request"`
	Expect       map[string]any `yaml:"expect"`
	ExpectEvents []string       `yaml:"expectEvents"`
	line         int
}

type testEvent struct {
	ID     string         `yaml:"id"`
	Type   string         `yaml:"type"`
	Source string         `yaml:"source"`
	Time   string         `yaml:"time"`
	Data   map[string]any `yaml:"data"`
	Repeat int            `yaml:"repeat"`
	Every  string         `yaml:"every"`
}

// testLimits are ingest's defaults that matter to tests: phones without a country code
// are North American, as in the samples.
var testLimits = event.Limits{DefaultRegion: "US"}

// IsTestData reports whether a test file's content is a flow test (it names a flow)
// rather than a rule test.
func IsTestData(data []byte) bool {
	root, errs := strict.FromYAML("", "a test file", data)
	return len(errs) == 0 && root != nil && root.Kind == strict.Map &&
		slices.ContainsFunc(root.Keys, func(k *strict.Node) bool { return k.Text == "flow" })
}

// RunTestFile runs a flow test file. The error reports a test file or a flow or rule
// file that cannot be loaded; failed expectations are in the report.
func RunTestFile(path string, o Options) (*rules.TestReport, error) {
	if o.Scratch == nil {
		return nil, errors.New("flow tests need Options.Scratch: a store to run in")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var tf testFile
	root, errs := strict.FromYAML(path, "a flow test file", data)
	d := strict.NewDecoder(path, strict.PathFirst)
	if root != nil {
		d.Decode(root, &tf)
	}
	if err := rules.Invalid(append(errs, d.Errs...)); err != nil {
		return nil, err
	}
	for i := range tf.Tests {
		tf.Tests[i].line = d.Pos[strict.Index("tests", i)].Line
	}
	if tf.Flow == "" {
		return nil, fmt.Errorf("%s: flow: required (the flow file under test)", path)
	}
	dir := filepath.Dir(path)
	rel := func(p string) string {
		if filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(dir, p)
	}
	set, err := Load(o, rel(tf.Flow))
	if err != nil {
		return nil, err
	}
	if len(set.flows) != 1 {
		return nil, fmt.Errorf("%s: flow: %s is not a flow file", path, tf.Flow)
	}
	flow := set.flows[set.Names()[0]]
	var ruleFiles []*rules.File
	if len(tf.RuleFiles) > 0 {
		paths := make([]string, len(tf.RuleFiles))
		for i, p := range tf.RuleFiles {
			paths[i] = rel(p)
		}
		if ruleFiles, err = rules.LoadFiles(paths...); err != nil {
			return nil, err
		}
	}
	report := &rules.TestReport{Path: path}
	for _, tc := range tf.Tests {
		res := rules.TestResult{Name: tc.Name}
		if err := runTest(flow, ruleFiles, tc, &res, o.Scratch); err != nil {
			res.Failures = append(res.Failures, err.Error())
		}
		for i, f := range res.Failures {
			res.Failures[i] = fmt.Sprintf("%s:%d: %s", path, tc.line, f)
		}
		report.Tests = append(report.Tests, res)
	}
	return report, nil
}

func runTest(flow *Flow, ruleFiles []*rules.File, tc testCase, res *rules.TestResult, scratch func(store.Deriver, func() time.Time) (store.Store, error)) error {
	at := tc.At
	if at.IsZero() {
		at = time.Now().UTC()
	}
	clock := func() time.Time { return at }
	ctx := context.Background()
	quiet := slog.New(slog.DiscardHandler)
	sets := profiles.NewSets()
	deriver := profiles.NewDeriver(sets, quiet, nil)
	db, err := scratch(deriver, clock)
	if err != nil {
		return err
	}
	defer db.Close()
	engine, err := profiles.Open(ctx, db, sets, quiet, clock)
	if err != nil {
		return err
	}
	defer engine.Close()
	var templates []*rules.Compiled
	var actions []*rules.CompiledAction
	for _, f := range ruleFiles {
		templates = append(templates, f.Compiled...)
		actions = append(actions, f.CompiledActions...)
	}
	if err := engine.SetFiles(ctx, templates, actions); err != nil {
		return err
	}
	ws := store.Workspace{Org: "test", Name: "test"}
	rt := &Runtime{Store: db, Ingest: ingest.New(db, ingest.Options{Prepare: []store.Preparer{deriver}}), Profiles: engine, Now: clock, Limits: testLimits}
	caller, err := callerIdentity(tc.Request, flow.field)
	if err != nil {
		return fmt.Errorf("request: %v", err)
	}
	var evs []*event.Event
	for i, te := range tc.Events {
		more, err := te.events(i, len(evs), at, caller, flow)
		if err != nil {
			return fmt.Errorf("events[%d]: %v", i, err)
		}
		evs = append(evs, more...)
	}
	if _, err := rt.Ingest.Append(ctx, ws, evs); err != nil {
		return err
	}
	d := flow.Run(ctx, rt, Request{Workspace: ws, Values: tc.Request})
	if d.Err != nil && d.Err != ErrNoRule {
		res.Failures = append(res.Failures, fmt.Sprintf("the fallback answered: %v", d.Err))
	}
	got, _ := json.Marshal(d.Answer)
	if tc.Expect == nil {
		tc.Expect = map[string]any{}
	}
	want, _ := json.Marshal(tc.Expect)
	if !bytes.Equal(got, want) {
		res.Failures = append(res.Failures, fmt.Sprintf("answer: got %s, want %s", got, want))
	}
	if tc.ExpectEvents != nil {
		types := []string{}
		for _, w := range d.Events {
			types = append(types, w.Type)
		}
		g, _ := json.Marshal(types)
		w, _ := json.Marshal(tc.ExpectEvents)
		if !bytes.Equal(g, w) {
			res.Failures = append(res.Failures, fmt.Sprintf("events written: got %s, want %s", g, w))
		}
	}
	return nil
}

// events expands a test event into the events it stands for, for the caller.
func (te testEvent) events(i, seen int, at time.Time, caller string, flow *Flow) ([]*event.Event, error) {
	when := at
	if te.Time != "" {
		if t, err := time.Parse(time.RFC3339Nano, te.Time); err == nil {
			when = t
		} else if off, err := rules.ParseDuration(te.Time); err == nil {
			when = at.Add(off)
		} else {
			return nil, fmt.Errorf("time: expected an offset like -3h or an RFC 3339 time, got %q", te.Time)
		}
	}
	var every time.Duration
	if te.Every != "" {
		var err error
		if every, err = rules.ParseDuration(te.Every); err != nil {
			return nil, fmt.Errorf("every: %v", err)
		}
	}
	n := max(te.Repeat, 1)
	if te.Source == "" {
		te.Source = "jds-test"
	}
	if te.Data == nil {
		te.Data = map[string]any{}
	}
	out := make([]*event.Event, 0, n)
	for k := range n {
		id := te.ID
		if id == "" || n > 1 {
			id = fmt.Sprintf("test-%d", seen+k+1)
		}
		raw, err := json.Marshal(map[string]any{"specversion": "1.0", "id": id, "type": te.Type, "source": te.Source,
			"identity": caller, "identitytype": flow.kind.String(),
			"time": when.Add(time.Duration(k) * every).UTC().Format(time.RFC3339Nano), "data": te.Data})
		if err != nil {
			return nil, err
		}
		ev, bad := event.Decode(raw, at, testLimits)
		if bad != nil {
			return nil, bad
		}
		out = append(out, ev)
	}
	return out, nil
}
