package profiles

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/identity"
	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/rules"
)

// MaxExplainEvents bounds the events one explained view scans (for all its attributes).
const MaxExplainEvents = 10_000

// AttributeExplain says which stored events an attribute counts at an instant, and why
// the others of its event type do not (ext, ?explain=true on views).
type AttributeExplain struct {
	// Events are the ids of the events counted, most recent first.
	Events   []string      `json:"events"`
	Window   ExplainWindow `json:"window"`
	Excluded Excluded      `json:"excluded"`
	// Truncated is set when the person's history in the window held more events than
	// MaxExplainEvents: the lists and counts then miss the oldest.
	Truncated bool `json:"truncated,omitempty"`
}

// ExplainWindow is an attribute's window at the instant of the view: from < time <= to.
type ExplainWindow struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Excluded counts the events of the attribute's type that it does not count: dated
// outside its window (in the future, or older, within the template's longest window),
// not matching (its metaData missing or of another type, its rules or condition false),
// and matching but beyond its limit of the most recent.
type Excluded struct {
	OutOfWindow int `json:"outOfWindow"`
	NotMatching int `json:"notMatching"`
	OverLimit   int `json:"overLimit"`
}

// explainAttrs classifies the person's stored events for each attribute of c at now,
// from the history (newest first) down to the template's longest window.
func (e *Engine) explainAttrs(ctx context.Context, w store.Workspace, p *identity.Person, c *rules.Compiled, now time.Time) ([]*AttributeExplain, error) {
	out := make([]*AttributeExplain, len(c.Attrs))
	var horizon time.Duration
	for i, a := range c.Attrs {
		out[i] = &AttributeExplain{Events: []string{}, Window: ExplainWindow{
			From: now.Add(-a.Window).UTC().Format(event.TimeLayout), To: now.UTC().Format(event.TimeLayout)}}
		horizon = max(horizon, a.Window)
	}
	if p.ID == "" {
		return out, nil
	}
	budget := MaxExplainEvents
	err := e.store.Export(ctx, w, p.ID, func(*identity.Person) error { return nil }, func(raw []byte) error {
		if budget <= 0 {
			return errScanCap
		}
		budget--
		var env *rules.EventEnv
		for i, a := range c.Attrs {
			if env == nil {
				var err error
				if env, err = rules.NewEventEnv(raw); err != nil {
					return err
				}
				if !env.Time.After(now.Add(-horizon)) {
					return errStop
				}
			}
			if env.Type != a.Event {
				continue
			}
			x := out[i]
			switch {
			case env.Time.After(now) || !env.Time.After(now.Add(-a.Window)):
				x.Excluded.OutOfWindow++
			default:
				if _, ok, err := a.Match(env); !ok || err != nil {
					x.Excluded.NotMatching++
				} else if len(x.Events) >= a.Limit {
					x.Excluded.OverLimit++
				} else {
					x.Events = append(x.Events, env.ID)
				}
			}
		}
		return nil
	})
	switch {
	case errors.Is(err, errScanCap):
		for _, x := range out {
			x.Truncated = true
		}
	case err != nil && !errors.Is(err, errStop):
		return nil, err
	}
	return out, nil
}

// ActionExplanation says whether an action would fire now for a person, and why.
type ActionExplanation struct {
	ActionID   string `json:"actionId"`
	ActionName string `json:"actionName"`
	PersonID   string `json:"personId"`
	At         string `json:"at"`
	// WouldFire: the action is active, its rule and condition hold, and no cooldown
	// holds it back — what an event changing an attribute it reads would do now.
	WouldFire bool `json:"wouldFire"`
	IsActive  bool `json:"isActive"`
	rules.Explanation
	Cooldown Cooldown `json:"cooldown"`
}

// Cooldown is an action's cooldown for a person.
type Cooldown struct {
	Minutes int `json:"minutes"`
	// LastFired is when the action last fired for the person; nil when never.
	LastFired *string `json:"lastFired"`
	// Until is when the cooldown ends; nil when none runs.
	Until *string `json:"until"`
	// Holds is set while the cooldown keeps the action from firing.
	Holds bool `json:"holds"`
}

// ExplainAction evaluates an action for a person at this instant, as a commit would
// (its rule and condition over the template's aggregates, its cooldown), and says why.
func (e *Engine) ExplainAction(ctx context.Context, w store.Workspace, p *identity.Person, a *rules.CompiledAction) (*ActionExplanation, error) {
	now := e.now()
	results, err := e.resultsAt(ctx, w, p, a.Template, now)
	if err != nil {
		return nil, err
	}
	x := &ActionExplanation{ActionID: a.Action.ID, ActionName: a.Action.Name, PersonID: p.ID,
		At: now.UTC().Format(event.TimeLayout), IsActive: a.Action.IsActive, Explanation: a.Explain(results),
		Cooldown: Cooldown{Minutes: a.Action.CooldownPeriodInMinutes}}
	if p.ID != "" {
		key := firedKey(a.Action.ID)
		states, err := e.store.States(ctx, w, p, []string{key})
		if err != nil {
			return nil, fmt.Errorf("reading the last firing: %w", err)
		}
		for _, ps := range states[key] {
			if ps.PersonID != p.ID {
				continue // the live person's own firing is the one a commit reads
			}
			ns, err := strconv.ParseInt(string(ps.Value), 10, 64)
			if err != nil {
				continue
			}
			last := time.Unix(0, ns).UTC()
			until := last.Add(a.Cooldown)
			ls, us := last.Format(event.TimeLayout), until.Format(event.TimeLayout)
			x.Cooldown.LastFired = &ls
			if now.Sub(last) < a.Cooldown {
				x.Cooldown.Until, x.Cooldown.Holds = &us, true
			}
		}
	}
	x.WouldFire = x.IsActive && x.Holds && !x.Cooldown.Holds
	return x, nil
}
