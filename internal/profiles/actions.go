package profiles

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/openjds/jds/connectors"
	"github.com/openjds/jds/internal/exprbudget"
	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/rules"
)

// Journey actions are evaluated inside the commit of the event that changed the
// profile, right after its state: when an action's rule holds and its cooldown has
// passed, its triggers are rendered and queued in the ledger's outbox in that same
// commit. So an event is never stored without the deliveries it fired, and a firing is
// never lost or doubled by a crash; the delivery worker sends them.

// firedKey is the derived-state name holding when an action last fired for a person.
func firedKey(actionID string) string { return "fired:" + actionID }

// fire evaluates the actions that read any of the attributes the event just changed:
// those of attrs that it matched. Their conditions and placeholders share one
// expression budget for the event, which bounds what one event of any workspace can
// cost the committer, whatever the number of its actions.
func (e *Engine) fire(st store.State, s *set, attrs []*rules.CompiledAttr, matches []match, env *rules.EventEnv, ev store.StoredEvent) error {
	budget := exprbudget.NewBudget(exprbudget.Units)
	for _, a := range s.actions {
		if !a.Action.IsActive || !reads(a, attrs, matches) {
			continue
		}
		if err := e.fireOne(st, a, env, ev, budget); err != nil {
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

func (e *Engine) fireOne(st store.State, a *rules.CompiledAction, env *rules.EventEnv, ev store.StoredEvent, budget *exprbudget.Budget) error {
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
		e.log.Warn("journey action rule failed", "action", a.Action.Name, "event", env.ID, "err", err)
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
		if e.suppressed != nil {
			for _, t := range a.Action.ActionTriggers {
				e.suppressed(t.Connector)
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
			e.log.Warn("journey action not rendered", "action", a.Action.Name, "event", env.ID, "person", p.ID, "err", err)
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
	for i, t := range triggers {
		d := connectors.Delivery{
			Connector: t.Connector, ActionID: a.Action.ID, Action: a.Action.Name, EventID: env.ID, PersonID: p.ID,
			Aliases: aliases, Profile: profile,
			URL: t.URL, Method: t.Method, Body: string(t.Body), Attributes: t.Attributes,
			// A target written through the API is the tenant's: the egress policy
			// applies to it at delivery, and its answer is not kept.
			Tenant: t.Connector == "" && a.Action.Source == "api",
		}
		if t.ContentType != "" || t.Authorization != "" {
			d.Headers = map[string]string{}
			if t.ContentType != "" {
				d.Headers["Content-Type"] = t.ContentType
			}
			if t.Authorization != "" {
				d.Headers["Authorization"] = joinAuth(t.AuthorizationScheme, t.Authorization)
			}
		}
		payload, err := json.Marshal(d)
		if err != nil {
			return err
		}
		if errs[i] != nil {
			// Over its expression budget: the firing stands, and this delivery is dead
			// at once with the reason, for the tenant to see in its dead letters.
			e.log.Warn("journey action trigger over its expression budget: dead-lettered", "action", a.Action.Name, "event", env.ID, "person", p.ID, "err", errs[i])
			if _, err := st.EnqueueDead(payload, errs[i].Error()); err != nil {
				return err
			}
			continue
		}
		due := now
		if !t.At.IsZero() {
			due = t.At
		}
		if _, err := st.Enqueue(payload, due); err != nil {
			return err
		}
	}
	return st.Set(firedKey(a.Action.ID), []byte(strconv.FormatInt(now.UnixNano(), 10)))
}

// checksFor are the checks of an action made through the API in workspace w: its
// Connector triggers may name only instances that serve w's organization.
func (e *Engine) checksFor(w store.Workspace) rules.Options {
	o := e.checks
	o.Organization = w.Org
	return o
}

func joinAuth(scheme, value string) string {
	if scheme == "" {
		return value
	}
	return scheme + " " + value
}

// actionCollection holds the journey actions made through the API, per workspace.
const actionCollection = "journey-actions"

// Actions lists the journey actions of a workspace: rule files' first, then the API's.
func (e *Engine) Actions(w store.Workspace) []*rules.CompiledAction { return e.setFor(w).actions }

// Action finds a journey action of a workspace by id or, failing that, by name within
// the template (tid may be empty to search every template).
func (e *Engine) Action(w store.Workspace, tid, idOrName string) (*rules.CompiledAction, error) {
	as := e.Actions(w)
	for _, a := range as {
		if a.Action.ID == idOrName && (tid == "" || a.Template.Template.ID == tid) {
			return a, nil
		}
	}
	for _, a := range as {
		if strings.EqualFold(a.Action.Name, idOrName) && (tid == "" || a.Template.Template.ID == tid) {
			return a, nil
		}
	}
	return nil, fmt.Errorf("%w: journey action %q", ErrNotFound, idOrName)
}

// SaveAction stores a journey action of a template made through the API: a new one when
// a.ID is empty, else a replacement. It is live for the next event.
func (e *Engine) SaveAction(ctx context.Context, w store.Workspace, t *rules.Compiled, a *rules.Action) (*rules.CompiledAction, error) {
	if a.ID == "" {
		e.creating.Lock()
		defer e.creating.Unlock()
		if n := len(e.Actions(w)); e.maxActions > 0 && n >= e.maxActions {
			return nil, fmt.Errorf("%w: workspace %s has %d journey actions, the most limits.actionsPerWorkspace allows; delete one first", ErrTooMany, w, n)
		}
		for _, other := range e.Actions(w) {
			if other.Template.Template.ID == t.Template.ID && strings.EqualFold(other.Action.Name, a.Name) {
				return nil, fmt.Errorf("%w: journey action %q in template %q", ErrExists, a.Name, t.Template.Name)
			}
		}
		a.ID = uuid.NewString()
	} else if old, err := e.Action(w, t.Template.ID, a.ID); err != nil {
		return nil, err
	} else if old.Action.Source != "api" {
		return nil, fmt.Errorf("%w: %s", ErrReadOnly, old.Action.Source)
	}
	a.TemplateID, a.Template, a.Source = t.Template.ID, t.Template.Name, "api"
	c, err := e.checksFor(w).CompileAction(a, t)
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(a)
	if err != nil {
		return nil, fmt.Errorf("encoding journey action %q: %w", a.Name, err)
	}
	if err := e.store.PutDoc(ctx, w, actionCollection, a.ID, raw); err != nil {
		return nil, err
	}
	e.putAPIAction(w, c)
	return c, nil
}

// DeleteAction removes a journey action made through the API.
func (e *Engine) DeleteAction(ctx context.Context, w store.Workspace, a *rules.CompiledAction) error {
	if a.Action.Source != "api" {
		return fmt.Errorf("%w: %s", ErrReadOnly, a.Action.Source)
	}
	if err := e.store.DeleteDoc(ctx, w, actionCollection, a.Action.ID); err != nil {
		return err
	}
	e.mu.Lock()
	delete(e.apiActions[w], a.Action.ID)
	e.sets = map[store.Workspace]*set{}
	e.mu.Unlock()
	return nil
}

func (e *Engine) putAPIAction(w store.Workspace, c *rules.CompiledAction) {
	e.mu.Lock()
	defer e.mu.Unlock()
	m := e.apiActions[w]
	if m == nil {
		m = map[string]*rules.CompiledAction{}
		e.apiActions[w] = m
	}
	m[c.Action.ID] = c
	e.sets = map[store.Workspace]*set{}
}

// loadActions compiles the API's stored actions against their templates; an action
// whose template is gone is skipped with a warning.
func (e *Engine) loadActions(ctx context.Context) error {
	return e.store.AllDocs(ctx, actionCollection, func(w store.Workspace, id string, raw []byte) error {
		a, err := rules.ParseActionJSON(raw)
		if err != nil {
			return fmt.Errorf("stored journey action %s in %s: %w", id, w, err)
		}
		a.ID, a.Source = id, "api"
		t, err := e.Template(w, a.TemplateID)
		if err != nil {
			e.log.Warn("journey action without its template: not loaded", "action", a.Name, "template", a.TemplateID, "workspace", w.String())
			return nil
		}
		c, err := rules.CompileAction(a, t)
		if err != nil {
			return fmt.Errorf("stored journey action %s in %s: %w", id, w, err)
		}
		// Saved when its connectors were configured: one removed since does not keep
		// jds from starting, but every delivery through it will fail.
		if _, err := e.checksFor(w).CompileAction(a, t); err != nil && e.checks.Connectors != nil {
			e.log.Warn("journey action will not deliver", "action", a.Name, "workspace", w.String(), "err", err)
		}
		e.putAPIAction(w, c)
		return nil
	})
}
