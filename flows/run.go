package flows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/exprbudget"
	"github.com/openjds/jds/internal/filter"
	"github.com/openjds/jds/internal/identity"
	"github.com/openjds/jds/internal/ingest"
	"github.com/openjds/jds/internal/profiles"
	"github.com/openjds/jds/internal/quota"
	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/rules"
)

// Runtime is what flows read and write.
type Runtime struct {
	Store store.Store
	// Ingest takes the events flows write into Store, counted as ingest counts its own.
	Ingest   *ingest.Pipeline
	Profiles *profiles.Engine
	Now      func() time.Time
	// Limits are those of ingest: events a flow writes are checked like posted ones,
	// and the aliases it identifies are normalised the same way.
	Limits event.Limits
	// Quota is the workspaces' ingest quota: events a flow writes past it are not
	// written, and the flow answers its fallback saying so. nil: no quota.
	Quota *quota.Limiter
}

// Request is one call of a flow.
type Request struct {
	Workspace store.Workspace
	// Values are the request's fields: the query string's, then the form's, then the
	// JSON body's (a later source wins on the same name). Expressions see them as
	// request.
	Values map[string]any
	// DryRun evaluates the flow without effects: it identifies nobody, writes no event
	// (so fires no action) and says which events it would have written.
	DryRun bool
	// At, when set, is the instant a dry run evaluates at: now, the windows of
	// profiles and history() (no event dated after it) are those of that instant.
	At time.Time
	// Trace, with DryRun, records the bindings' values and the rules tried.
	Trace bool
}

// Decision is a flow's answer to one call.
type Decision struct {
	Answer   map[string]any // the flat JSON to send
	Rule     string         // the rule that answered; "" when the fallback did
	PersonID string         // the caller's person, "" when unknown
	Events   []Written      // the events the flow wrote
	// Withheld is set when the caller's identity is a placeholder or no alias of the
	// flow's kind: the caller was treated as unknown and no event was written.
	Withheld bool
	// Err says why the fallback answered: a failed evaluation, a store error, a rule
	// that answered nothing. nil when a rule answered.
	Err error
	// Trace is what a traced dry run did; nil otherwise.
	Trace *Trace
}

// Written is an event a flow wrote.
type Written struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

// ErrNoRule is the fallback's reason when no rule holds.
var ErrNoRule = errors.New("no rule holds")

// Run evaluates the flow for one call. It always answers: when anything fails, or no
// rule holds, the answer is the fallback and Err says why.
func (f *Flow) Run(ctx context.Context, rt *Runtime, req Request) Decision {
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	var d Decision
	if err := f.run(ctx, rt, req, &d); err != nil {
		if ctx.Err() != nil && !errors.Is(err, context.Canceled) {
			err = fmt.Errorf("flow %q took longer than its timeout (%s): %w", f.Name, f.timeout, err)
		}
		d.Answer, d.Rule, d.Err = maps.Clone(f.fallback), "", err
	}
	d.trace(func(t *Trace) {
		t.Rule, t.Events = d.Rule, append([]Written{}, d.Events...)
		if d.Err != nil {
			t.Fallback = d.Err.Error()
		}
	})
	return d
}

func (f *Flow) run(ctx context.Context, rt *Runtime, req Request, d *Decision) error {
	now := rt.Now()
	if !req.At.IsZero() {
		now = req.At.UTC()
	}
	if req.Trace {
		d.Trace = &Trace{At: now.Format(event.TimeLayout), Bindings: []TraceBinding{}, Rules: []TraceRule{}}
	}
	caller, err := callerIdentity(req.Values, f.field)
	if err != nil {
		return err
	}
	env := map[string]any{"request": req.Values, "now": now}
	if f.identify != nil && req.DryRun {
		d.trace(func(t *Trace) { t.IdentifySkipped = true })
	} else if f.identify != nil {
		if err := f.identifyCaller(ctx, rt, req.Workspace, env); err != nil {
			return err
		}
	}
	// A withheld number ("anonymous") or one that is no alias of the flow's kind is an
	// unknown caller: the rules answer as for anyone unknown, and no event is written.
	_, err = identity.Normalize(f.kind, caller, rt.Limits.DefaultRegion)
	known := err == nil && rt.Limits.Guard.Check(caller) == nil
	person := &identity.Person{}
	if !known {
		d.Withheld = true
	} else if p, err := rt.Store.Resolve(ctx, req.Workspace, caller); err == nil {
		person = p
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	d.PersonID = person.ID
	pe := rules.NewPersonEnv(person)
	env["person"] = &pe
	r := &reads{ctx: ctx, rt: rt, ws: req.Workspace, person: person, filters: f.filters, at: req.At}
	env["history"], env["last"], env["profile"] = r.history, r.last, r.profile

	for _, b := range f.bindings {
		v, err := exprbudget.Run(b.prog, env)
		if err != nil {
			return fmt.Errorf("bindings.%s: %s", b.name, rules.ExprMessage(err))
		}
		env[b.name] = v
		d.trace(func(t *Trace) { t.Bindings = append(t.Bindings, TraceBinding{Name: b.name, Value: traceValue(v)}) })
	}
	for i := range f.rules {
		ru := &f.rules[i]
		if ru.when != nil {
			ok, err := exprbudget.Run(ru.when, env)
			if err != nil {
				d.trace(func(t *Trace) { t.Rules = append(t.Rules, TraceRule{Name: ru.name, Error: rules.ExprMessage(err)}) })
				return fmt.Errorf("%s: when: %s", ru.name, rules.ExprMessage(err))
			}
			if ok != true {
				d.trace(func(t *Trace) { t.Rules = append(t.Rules, TraceRule{Name: ru.name}) })
				continue
			}
		}
		d.trace(func(t *Trace) { t.Rules = append(t.Rules, TraceRule{Name: ru.name, Holds: true}) })
		answer := make(map[string]any, len(ru.respond))
		for _, a := range ru.respond {
			v := a.value
			if a.text != nil {
				if v, err = a.text.Value(env); err != nil {
					return fmt.Errorf("%s: respond.%s: %w", ru.name, a.key, err)
				}
				if v, err = flat(v); err != nil {
					return fmt.Errorf("%s: respond.%s: %w", ru.name, a.key, err)
				}
			}
			answer[a.key] = v
		}
		if known {
			if err := f.write(ctx, rt, req.Workspace, ru, caller, now, env, req.DryRun, d); err != nil {
				return err
			}
		}
		d.Answer, d.Rule = answer, ru.name
		return nil
	}
	return ErrNoRule
}

// callerIdentity reads the caller's identity from the request.
func callerIdentity(values map[string]any, field string) (string, error) {
	v, ok := lookup(values, field)
	var s string
	switch x := v.(type) {
	case string:
		s = strings.TrimSpace(x)
	case json.Number:
		s = x.String()
	case int64:
		s = strconv.FormatInt(x, 10)
	case int:
		s = strconv.Itoa(x)
	case float64:
		s = strconv.FormatFloat(x, 'f', -1, 64)
	}
	if !ok || s == "" {
		return "", fmt.Errorf("the request has no %q: it carries the caller's identity (send it in the JSON body, the form or the query string)", field)
	}
	return s, nil
}

// lookup finds a field: the name as a key first, then as a dotted path into objects.
func lookup(m map[string]any, name string) (any, bool) {
	if v, ok := m[name]; ok {
		return v, true
	}
	cur := any(m)
	for part := range strings.SplitSeq(name, ".") {
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = obj[part]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// flat keeps an answer flat: scalars stay as they are, lists and objects become their
// JSON text (flow builders map top-level fields only).
func flat(v any) (any, error) {
	switch x := v.(type) {
	case nil, string, bool, int, int64, float64, json.Number:
		return v, nil
	case time.Time:
		return x.UTC().Format(event.TimeLayout), nil
	case time.Duration:
		return x.String(), nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("writing the value as JSON: %w", err)
	}
	return string(b), nil
}

func (f *Flow) identifyCaller(ctx context.Context, rt *Runtime, ws store.Workspace, env map[string]any) error {
	s := f.identify
	req := identity.IdentifyRequest{Override: s.override}
	var err error
	if req.FirstName, err = renderOpt(s.firstName, env); err != nil {
		return fmt.Errorf("identify.firstName: %w", err)
	}
	if req.LastName, err = renderOpt(s.lastName, env); err != nil {
		return fmt.Errorf("identify.lastName: %w", err)
	}
	for _, a := range s.aliases {
		for _, t := range a.texts {
			v, err := t.Render(env)
			if err != nil {
				return fmt.Errorf("identify.%s: %w", a.kind, err)
			}
			if v = strings.TrimSpace(v); v == "" {
				continue // an optional alias the flow did not send
			}
			n, err := identity.Normalize(a.kind, v, rt.Limits.DefaultRegion)
			if err != nil {
				return fmt.Errorf("identify.%s: %w", a.kind, err)
			}
			req.Aliases = append(req.Aliases, identity.Alias{Kind: a.kind, Value: n})
		}
	}
	if len(req.Aliases) == 0 {
		return nil
	}
	_, _, err = rt.Store.Identify(ctx, ws, req)
	return err
}

func renderOpt(t *rules.Text, env map[string]any) (string, error) {
	if t == nil {
		return "", nil
	}
	return t.Render(env)
}

// write stores the events of the rule that answered, for the caller, durably, before
// the answer goes out: a journey action they trigger fires in the same commit.
// A dry run builds and checks them the same way and stops before the ingest pipeline:
// Decision.Events lists what it would have written.
func (f *Flow) write(ctx context.Context, rt *Runtime, ws store.Workspace, ru *rule, caller string, now time.Time, env map[string]any, dryRun bool, d *Decision) error {
	if len(ru.events) == 0 {
		return nil
	}
	evs := make([]*event.Event, 0, len(ru.events))
	for i, spec := range ru.events {
		path := fmt.Sprintf("%s: events[%d]", ru.name, i)
		m := map[string]any{"specversion": "1.0", "identity": caller, "identitytype": f.kind.String(),
			"time": now.UTC().Format(event.TimeLayout)}
		id := uuid.NewString()
		if spec.id != nil {
			var err error
			if id, err = spec.id.Render(env); err != nil {
				return fmt.Errorf("%s.id: %w", path, err)
			}
		}
		m["id"] = id
		var err error
		if m["type"], err = spec.typ.Render(env); err != nil {
			return fmt.Errorf("%s.type: %w", path, err)
		}
		if m["source"], err = spec.source.Render(env); err != nil {
			return fmt.Errorf("%s.source: %w", path, err)
		}
		data, err := eval(spec.data, env)
		if err != nil {
			return fmt.Errorf("%s.data: %w", path, err)
		}
		if data == nil {
			data = map[string]any{}
		}
		m["data"] = data
		raw, err := json.Marshal(m)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		ev, bad := event.Decode(raw, now, rt.Limits)
		if bad != nil {
			if dryRun {
				return fmt.Errorf("%s: %s", path, strings.Join(bad.Errors, "; "))
			}
			rt.Ingest.Refused(1)
			return fmt.Errorf("%s: %s", path, strings.Join(bad.Errors, "; "))
		}
		evs = append(evs, ev)
	}
	if dryRun {
		for _, ev := range evs {
			d.Events = append(d.Events, Written{ID: ev.ID, Type: ev.Type})
		}
		return nil
	}
	if err := rt.Quota.Take(ws, len(evs)); err != nil {
		return fmt.Errorf("%s: writing events: %w", ru.name, err)
	}
	res, err := rt.Ingest.Append(ctx, ws, evs)
	if err != nil {
		return fmt.Errorf("%s: writing events: %w", ru.name, err)
	}
	for i, ev := range evs {
		d.Events = append(d.Events, Written{ID: ev.ID, Type: ev.Type})
		d.PersonID = res[i].PersonID
	}
	return nil
}

// eval computes a value tree.
func eval(v value, env map[string]any) (any, error) {
	switch x := v.(type) {
	case *rules.Text:
		return x.Value(env)
	case []kv:
		m := make(map[string]any, len(x))
		for _, e := range x {
			r, err := eval(e.val, env)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", e.key, err)
			}
			m[e.key] = r
		}
		return m, nil
	case []value:
		l := make([]any, len(x))
		for i, e := range x {
			r, err := eval(e, env)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			l[i] = r
		}
		return l, nil
	}
	return v, nil
}

// reads are the helpers expressions call, bound to one request.
type reads struct {
	ctx     context.Context
	rt      *Runtime
	ws      store.Workspace
	person  *identity.Person
	filters map[string]*filter.Filter
	// at, when set, is a dry run's instant: history() leaves out the events dated
	// after it, profile() answers at it.
	at time.Time
}

// history returns the caller's latest events that match the filters ("" for none),
// newest first, at most top (1 to 1000).
func (r *reads) history(attr, data string, top int) ([]*rules.EventEnv, error) {
	if top < 1 || top > maxHistory {
		return nil, fmt.Errorf("history(): top must be from 1 to %d, got %d", maxHistory, top)
	}
	if r.person.ID == "" {
		return []*rules.EventEnv{}, nil
	}
	var m event.Matcher
	var err error
	if m.Attr, err = r.filter(attr, "filter"); err != nil {
		return nil, err
	}
	if m.Data, err = r.filter(data, "data"); err != nil {
		return nil, err
	}
	match := m.Func()
	if !r.at.IsZero() {
		match = notAfter(r.at, match)
	}
	raws, err := r.rt.Store.History(r.ctx, r.ws, r.person, store.Query{Limit: top, Match: match, Types: m.Types()})
	if err != nil {
		return nil, err
	}
	out := make([]*rules.EventEnv, 0, len(raws))
	for _, raw := range raws {
		env, err := rules.NewEventEnv(raw)
		if err != nil {
			return nil, err
		}
		out = append(out, env)
	}
	return out, nil
}

// last is the caller's latest event that matches the filters, or nil.
func (r *reads) last(attr, data string) (*rules.EventEnv, error) {
	evs, err := r.history(attr, data, 1)
	if err != nil || len(evs) == 0 {
		return nil, err
	}
	return evs[0], nil
}

func (r *reads) filter(src, param string) (*filter.Filter, error) {
	if src == "" {
		return nil, nil
	}
	if f := r.filters[src]; f != nil {
		return f, nil
	}
	f, err := filter.Compile(src)
	if err != nil {
		return nil, fmt.Errorf("history(): %s: %w", param, err)
	}
	return f, nil
}

// profile is the caller's progressive profile for a template (by name or id): each
// attribute's value by attribute name (nil when it has none).
func (r *reads) profile(template string) (map[string]any, error) {
	c, err := r.rt.Profiles.Template(r.ws, template)
	if err != nil {
		return nil, fmt.Errorf("profile(%q): %w", template, err)
	}
	var values map[string]any
	if r.at.IsZero() {
		values, err = r.rt.Profiles.Values(r.ctx, r.ws, r.person, c)
	} else {
		values, err = r.rt.Profiles.ValuesAt(r.ctx, r.ws, r.person, c, r.at)
	}
	if err != nil {
		return nil, fmt.Errorf("profile(%q): %w", template, err)
	}
	return values, nil
}
