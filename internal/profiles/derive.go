package profiles

import (
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"github.com/openjds/jds/connectors"
	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/exprbudget"
	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/rules"
)

// Deriver keeps progressive profiles inside the store's commits: it is the store's
// store.Deriver (Derive, Rebuild) and the ingest pipeline's store.Preparer (Prepare),
// over the Sets in force. Journey actions are evaluated inside the commit of the event
// that changed the profile, right after its state: when an action's rule holds and its
// cooldown has passed, its triggers are rendered and queued in the store's outbox in
// that same commit. So an event is never stored without the deliveries it fired, and a
// firing is never lost or doubled by a crash; the delivery worker sends them.
type Deriver struct {
	sets *Sets
	log  *slog.Logger
	// suppressed is told of each trigger a cooldown kept from firing; nil: nobody.
	suppressed func(connector string)
	// fired is told of each firing, once its deliveries are queued; nil: nobody. A
	// backtest's deriver records firings this way.
	fired func(a *rules.CompiledAction, eventID string, at time.Time, results map[string]rules.Result)
	// held is told of each delivery a contact policy held back; nil: nobody.
	held func(policy, outcome string)
}

// NewDeriver returns the deriver of the templates and actions in sets. suppressed, if
// not nil, is told of every delivery an action's cooldown suppressed: once per trigger
// of an action whose rule held while its cooldown ran, with the trigger's connector (""
// for an inline Webhook). It runs inside the commit of the event and must not block (a
// metric's counter); a commit that is run again counts again.
func NewDeriver(sets *Sets, log *slog.Logger, suppressed func(connector string)) *Deriver {
	return &Deriver{sets: sets, log: log, suppressed: suppressed}
}

// prepared is what Prepare computes for an event, off the commit path: the decoded
// event when deriving needs it, and which attributes of the set count the event, with
// what value.
type prepared struct {
	set     *set
	env     *rules.EventEnv
	matches []match // parallel to set.byEvent[type]
}

// match is whether one attribute counts an event, and the value it keeps.
type match struct {
	v  rules.Value
	ok bool
}

// Prepare implements store.Preparer: events that some attribute may count are decoded
// and matched on the caller's goroutine, so that the committer only updates states.
func (d *Deriver) Prepare(w store.Workspace, ev *event.Event) {
	s := d.sets.setFor(w)
	attrs := s.byEvent[ev.Type]
	if len(attrs) == 0 {
		return
	}
	if p, err := prepare(d.log, s, attrs, ev.Type, ev.Raw); err == nil {
		ev.Prepared = p
	} // else Derive decodes again, and reports it
}

// prepare decodes an event when s needs it decoded, and matches it against attrs (the
// attributes of s that count its type).
func prepare(log *slog.Logger, s *set, attrs []*rules.CompiledAttr, typ string, raw []byte) (*prepared, error) {
	p := &prepared{set: s}
	if d := s.decode[typ]; d != nil {
		env, err := d.env(raw)
		if err != nil {
			return nil, err
		}
		p.env = env
	}
	p.matches = matchAll(log, attrs, p.env)
	return p, nil
}

// matchAll says which attributes count an event. env may be nil when none reads more
// than the event's type. A condition over its expression budget is logged when log is
// set (not in rebuilds, which replay old events).
func matchAll(log *slog.Logger, attrs []*rules.CompiledAttr, env *rules.EventEnv) []match {
	out := make([]match, len(attrs))
	for i, a := range attrs {
		if !a.ReadsEvent() {
			out[i].ok = true
			continue
		}
		v, ok, err := a.Match(env)
		// An expression that fails on one event (a type it did not expect, or its
		// budget spent) does not count that event; it must not fail the commit of
		// everyone's events.
		out[i] = match{v: v, ok: ok && err == nil}
		if log != nil && errors.Is(err, exprbudget.ErrBudget) {
			log.Warn("attribute condition over its expression budget: the event does not count", "attribute", a.Name, "event", env.ID, "err", err)
		}
	}
	return out
}

// Derive implements store.Deriver: it updates the state of every attribute the event
// counts for, and fires the actions that read them.
func (d *Deriver) Derive(st store.State, ev store.StoredEvent) error {
	return d.derive(st, d.sets.setFor(st.Workspace()), ev)
}

// derive applies an event to the state of the attributes of s that count it, and fires
// the actions of s that read them. Live commits and backtests both run it.
func (d *Deriver) derive(st store.State, s *set, ev store.StoredEvent) error {
	if err := d.replies(st, ev); err != nil {
		return err
	}
	attrs := s.byEvent[ev.Type]
	if len(attrs) == 0 {
		return nil
	}
	p, _ := ev.Prepared.(*prepared)
	if p == nil || p.set != s { // not prepared, or prepared with a set replaced since
		var err error
		if p, err = prepare(d.log, s, attrs, ev.Type, ev.Raw); err != nil {
			return err
		}
	}
	if err := update(st, attrs, p.matches, ev); err != nil {
		return err
	}
	if len(s.actions) == 0 {
		return nil
	}
	return d.fire(st, s, attrs, p.matches, p.env, ev)
}

// update applies an event to the state of the attributes that count it.
func update(st store.State, attrs []*rules.CompiledAttr, matches []match, ev store.StoredEvent) error {
	for i, a := range attrs {
		if !matches[i].ok {
			continue
		}
		old, err := st.Get(a.Key)
		if err != nil {
			return err
		}
		next, err := a.Update(old, rules.Entry{Time: ev.Time, Seq: ev.Seq, Value: matches[i].v}, st.Now())
		if err != nil {
			return err
		}
		if err := st.Set(a.Key, next); err != nil {
			return err
		}
	}
	return nil
}

// Rebuild implements store.Deriver: it recomputes every attribute from the person's
// events inside the longest window.
func (d *Deriver) Rebuild(st store.State, events store.EventSource) error {
	s := d.sets.setFor(st.Workspace())
	if err := rebuild(st, s.byEvent, s.horizon, events); err != nil {
		return err
	}
	return rebuildReplies(st, d.policiesOf(st.Workspace()), events)
}

func rebuild(st store.State, byEvent map[string][]*rules.CompiledAttr, horizon time.Duration, events store.EventSource) error {
	if len(byEvent) == 0 {
		return nil
	}
	for _, attrs := range byEvent {
		for _, a := range attrs {
			if err := st.Delete(a.Key); err != nil {
				return err
			}
		}
	}
	return events(st.Now().Add(-horizon), func(ev store.StoredEvent) error {
		attrs := byEvent[ev.Type]
		if len(attrs) == 0 {
			return nil
		}
		env, err := rules.NewEventEnv(ev.Raw)
		if err != nil {
			return err
		}
		return update(st, attrs, matchAll(nil, attrs, env), ev)
	})
}

// firedKey is the derived-state name holding when an action last fired for a person.
func firedKey(actionID string) string { return "fired:" + actionID }

// fire evaluates the actions that read any of the attributes the event just changed:
// those of attrs that it matched. Their conditions and placeholders share one
// expression budget for the event, which bounds what one event of any workspace can
// cost the committer, whatever the number of its actions.
func (d *Deriver) fire(st store.State, s *set, attrs []*rules.CompiledAttr, matches []match, env *rules.EventEnv, ev store.StoredEvent) error {
	budget := exprbudget.NewBudget(exprbudget.Units)
	for _, a := range s.actions {
		if !a.Action.IsActive || !reads(a, attrs, matches) {
			continue
		}
		if err := d.fireOne(st, a, env, ev, budget); err != nil {
			return err
		}
	}
	return nil
}

func reads(a *rules.CompiledAction, attrs []*rules.CompiledAttr, matches []match) bool {
	for _, attr := range a.Attrs() {
		for i, changed := range attrs {
			if matches[i].ok && changed.Key == attr.Key {
				return true
			}
		}
	}
	return false
}

func (d *Deriver) fireOne(st store.State, a *rules.CompiledAction, env *rules.EventEnv, ev store.StoredEvent, budget *exprbudget.Budget) error {
	now := st.Now()
	results := map[string]rules.Result{}
	for _, attr := range a.Template.Attrs {
		states, err := st.GetMerged(attr.Key)
		if err != nil {
			return err
		}
		lists := make([][]rules.Entry, 0, len(states))
		for _, raw := range states {
			entries, err := rules.DecodeState(raw)
			if err != nil {
				return err
			}
			lists = append(lists, entries)
		}
		results[attr.Name] = attr.Aggregate(now, lists...)
	}
	holds, err := a.HoldsWithin(results, budget)
	if err != nil {
		d.log.Warn("journey action rule failed", "action", a.Action.Name, "event", env.ID, "err", err)
		return nil
	}
	if !holds {
		return nil
	}
	last, err := st.Get(firedKey(a.Action.ID))
	if err != nil {
		return err
	}
	if ns, err := strconv.ParseInt(string(last), 10, 64); err == nil && now.Sub(time.Unix(0, ns)) < a.Cooldown {
		if d.suppressed != nil {
			for _, t := range a.Action.ActionTriggers {
				d.suppressed(t.Connector)
			}
		}
		return nil
	}
	p, err := st.Record()
	if err != nil {
		return err
	}
	triggers, errs := a.RenderEach(rules.RenderEnv{
		Person:  rules.NewPersonEnv(p),
		Profile: results,
		Event:   env,
		Budget:  budget,
	})
	for _, err := range errs {
		if err != nil && !errors.Is(err, exprbudget.ErrBudget) {
			// A trigger that cannot be rendered for this person (no phone to text, say)
			// does not fire; it must not fail the commit of the event.
			d.log.Warn("journey action not rendered", "action", a.Action.Name, "event", env.ID, "person", p.ID, "err", err)
			return nil
		}
	}
	aliases := make([]string, 0, 4)
	for _, al := range p.Aliases() {
		aliases = append(aliases, al.Value)
	}
	profile := make(map[string]any, len(results))
	for name, r := range results {
		profile[name] = r.Value
	}
	policies := d.policiesOf(st.Workspace())
	for i, t := range triggers {
		del := connectors.Delivery{
			Connector: t.Connector, ActionID: a.Action.ID, Action: a.Action.Name, EventID: env.ID, PersonID: p.ID,
			Aliases: aliases, Profile: profile,
			URL: t.URL, Method: t.Method, Body: string(t.Body), Attributes: t.Attributes,
			// A target written through the API is the tenant's: the egress policy
			// applies to it at delivery, and its answer is not kept.
			Tenant: t.Connector == "" && a.Action.Source == "api",
		}
		if t.ContentType != "" || t.Authorization != "" {
			del.Headers = map[string]string{}
			if t.ContentType != "" {
				del.Headers["Content-Type"] = t.ContentType
			}
			if t.Authorization != "" {
				del.Headers["Authorization"] = joinAuth(t.AuthorizationScheme, t.Authorization)
			}
		}
		payload, err := json.Marshal(del)
		if err != nil {
			return err
		}
		if errs[i] != nil && !a.Action.Shadow() {
			// Over its expression budget: the firing stands, and this delivery is dead
			// at once with the reason, for the tenant to see in its dead letters.
			d.log.Warn("journey action trigger over its expression budget: dead-lettered", "action", a.Action.Name, "event", env.ID, "person", p.ID, "err", errs[i])
			if _, err := st.EnqueueDead(payload, errs[i].Error()); err != nil {
				return err
			}
			continue
		}
		due := now
		if !t.At.IsZero() {
			due = t.At
		}
		if a.Action.Shadow() {
			// Recorded for admins to see what it would have sent, never sent: not
			// even as a dead letter, which could be retried. Contact policies are not
			// asked: a shadow delivery must not count toward their limits.
			if _, err := st.EnqueueShadow(payload, due); err != nil {
				return err
			}
			continue
		}
		h, due, err := d.hold(st, policies, t.Connector, now, due, results, env)
		if err != nil {
			return err
		}
		if h != nil {
			_, err = st.EnqueueHeld(payload, due, *h)
		} else {
			_, err = st.Enqueue(payload, due)
		}
		if err != nil {
			return err
		}
	}
	if d.fired != nil {
		d.fired(a, env.ID, now, results)
	}
	return st.Set(firedKey(a.Action.ID), []byte(strconv.FormatInt(now.UnixNano(), 10)))
}

func joinAuth(scheme, value string) string {
	if scheme == "" {
		return value
	}
	return scheme + " " + value
}
