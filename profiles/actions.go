package profiles

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/openjds/jds/connectors"
	"github.com/openjds/jds/ledger"
	"github.com/openjds/jds/rules"
)

// Journey actions are evaluated inside the commit of the event that changed the
// profile, right after its state: when an action's rule holds and its cooldown has
// passed, its triggers are rendered and queued in the ledger's outbox in that same
// commit. So an event is never stored without the deliveries it fired, and a firing is
// never lost or doubled by a crash; the delivery worker sends them.

// firedKey is the derived-state name holding when an action last fired for a person.
func firedKey(actionID string) string { return "fired:" + actionID }

// fire evaluates the actions that read any of the attributes the event just changed.
func (e *Engine) fire(st *ledger.State, s *set, changed map[string]bool, env *rules.EventEnv, ev ledger.StoredEvent) error {
	for _, a := range s.actions {
		if !a.Action.IsActive || !reads(a, changed) {
			continue
		}
		if err := e.fireOne(st, a, env, ev); err != nil {
			return err
		}
	}
	return nil
}

func reads(a *rules.CompiledAction, changed map[string]bool) bool {
	for _, attr := range a.Attrs() {
		if changed[attr.Key] {
			return true
		}
	}
	return false
}

func (e *Engine) fireOne(st *ledger.State, a *rules.CompiledAction, env *rules.EventEnv, ev ledger.StoredEvent) error {
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
	holds, err := a.Holds(results)
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
		return nil
	}
	p, err := st.Record()
	if err != nil {
		return err
	}
	triggers, err := a.Render(rules.RenderEnv{
		Person: rules.PersonEnv{ID: p.ID, FirstName: p.FirstName, LastName: p.LastName, Phone: p.Phone, Email: p.Email,
			CustomerID: p.CustomerID, SocialID: p.SocialID, TemporaryID: p.TemporaryID},
		Profile: results,
		Event:   env,
	})
	if err != nil {
		// A trigger that cannot be rendered for this person (no phone to text, say)
		// does not fire; it must not fail the commit of the event.
		e.log.Warn("journey action not rendered", "action", a.Action.Name, "event", env.ID, "person", p.ID, "err", err)
		return nil
	}
	for _, t := range triggers {
		d := connectors.Delivery{
			Connector: t.Connector, ActionID: a.Action.ID, Action: a.Action.Name, EventID: env.ID, PersonID: p.ID,
			URL: t.URL, Method: t.Method, Body: string(t.Body), Attributes: t.Attributes,
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

func joinAuth(scheme, value string) string {
	if scheme == "" {
		return value
	}
	return scheme + " " + value
}
