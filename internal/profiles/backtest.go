package profiles

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/identity"
	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/rules"
)

// Bounds of a backtest (docs/API-NOTES.md lists them).
const (
	// BacktestMaxWindow is the longest from–to a backtest replays.
	BacktestMaxWindow = 366 * 24 * time.Hour
	// BacktestMaxEvents is how many stored events one backtest scans, over all persons;
	// past it the answer is truncated.
	BacktestMaxEvents = 100_000
	// BacktestMaxFirings is how many firings an answer lists (the earliest); the count
	// goes on.
	BacktestMaxFirings = 1000
	// BacktestMaxPersons is how many persons a backtest of a whole workspace replays.
	BacktestMaxPersons = 10_000
)

// Backtest is what to replay: an action (saved or not) over its template, for the
// events of From < time <= To.
type Backtest struct {
	Action   *rules.CompiledAction
	From, To time.Time
	// Persons are the persons to replay; nil: every person of the workspace (at most
	// BacktestMaxPersons).
	Persons []*identity.Person
	// Progress, when set, is told how far the run is after each person.
	Progress func(BacktestProgress)
	// MaxEvents and MaxFirings lower the bounds (0: BacktestMaxEvents,
	// BacktestMaxFirings).
	MaxEvents, MaxFirings int
}

// BacktestProgress is how far a backtest is.
type BacktestProgress struct {
	Persons int `json:"persons"` // replayed so far
	Events  int `json:"events"`  // scanned so far
	Firings int `json:"firings"` // found so far
}

// BacktestFiring is one firing the action would have made.
type BacktestFiring struct {
	PersonID string         `json:"personId"`
	EventID  string         `json:"eventId"`
	Time     string         `json:"time"`   // the event's time, when it would have fired
	Values   map[string]any `json:"values"` // the template's values then, by attribute name
	at       time.Time
}

// BacktestResult is a backtest's answer.
type BacktestResult struct {
	Firings      []BacktestFiring `json:"firings"`
	FiringsTotal int              `json:"firingsTotal"` // all found; Firings lists the earliest BacktestMaxFirings
	Persons      int              `json:"persons"`      // persons replayed
	Events       int              `json:"events"`       // events scanned
	Truncated    bool             `json:"truncated"`    // the event or person cap, or the deadline, ended the run early
	// TruncatedReason says which, when Truncated.
	TruncatedReason string `json:"truncatedReason,omitempty"`
}

// CompileAction checks and compiles an action as SaveAction would save it (its
// template, the configured connectors, the organization's egress), without saving it.
func (e *Engine) CompileAction(w store.Workspace, t *rules.Compiled, a *rules.Action) (*rules.CompiledAction, error) {
	a.TemplateID, a.Template, a.Source = t.Template.ID, t.Template.Name, "api"
	return e.checksFor(w).CompileAction(a, t)
}

// Backtest replays the stored events of b's window, person by person in time order,
// through the Deriver's own code over a state held in memory: each event updates the
// template's state at the event's time, and the action is evaluated as a commit
// evaluates it (its rule and condition over the aggregates at the event's time, its
// cooldown, its rendering), with nothing queued or written. Events of the template's
// longest window before From are replayed first, so that the windows are full at From;
// firings there count for the cooldown but are not listed. The action fires whether
// or not it is active. ctx's deadline ends the run early, as truncated.
func (e *Engine) Backtest(ctx context.Context, w store.Workspace, b Backtest) (*BacktestResult, error) {
	a := *b.Action
	act := *a.Action
	act.IsActive = true // a draft is tested as if it were on
	a.Action = &act
	s := newSet([]*rules.Compiled{a.Template}, []*rules.CompiledAction{&a})
	res := &BacktestResult{Firings: []BacktestFiring{}}
	maxEvents, maxFirings := BacktestMaxEvents, BacktestMaxFirings
	if b.MaxEvents > 0 {
		maxEvents = min(b.MaxEvents, maxEvents)
	}
	if b.MaxFirings > 0 {
		maxFirings = min(b.MaxFirings, maxFirings)
	}
	var person *identity.Person
	d := &Deriver{log: slog.New(slog.DiscardHandler), fired: func(_ *rules.CompiledAction, eventID string, at time.Time, results map[string]rules.Result) {
		if at.Before(b.From) || at.After(b.To) {
			return
		}
		res.FiringsTotal++
		values := make(map[string]any, len(results))
		for name, r := range results {
			values[name] = r.Value
		}
		res.Firings = append(res.Firings, BacktestFiring{PersonID: person.ID, EventID: eventID, Time: at.UTC().Format(event.TimeLayout), Values: values, at: at})
		if len(res.Firings) > 2*maxFirings {
			keepEarliest(res, maxFirings)
		}
	}}
	truncate := func(why string) {
		res.Truncated, res.TruncatedReason = true, why
	}
	budget := maxEvents
	next := personSource(ctx, e.store, w, b.Persons)
	for {
		if ctx.Err() != nil {
			truncate("the deadline passed")
			break
		}
		p, err := next()
		if errors.Is(err, errPersonCap) {
			truncate(fmt.Sprintf("more than %d persons", BacktestMaxPersons))
			break
		}
		if ctx.Err() != nil {
			truncate("the deadline passed")
			break
		}
		if err != nil {
			return nil, err
		}
		if p == nil {
			break
		}
		before := budget
		evs, err := personEvents(ctx, e.store, w, p, b.From.Add(-s.horizon), b.To, &budget)
		res.Events += before - budget
		if errors.Is(err, errScanCap) {
			truncate(fmt.Sprintf("more than %d events", maxEvents))
			break
		}
		if ctx.Err() != nil {
			truncate("the deadline passed")
			break
		}
		if errors.Is(err, store.ErrNotFound) {
			continue // erased or merged meanwhile
		}
		if err != nil {
			return nil, err
		}
		person = p
		st := newMemState(w, p)
		for _, ev := range evs {
			st.now = ev.Time
			if err := d.derive(st, s, ev.StoredEvent); err != nil {
				return nil, fmt.Errorf("replaying event %s of person %s: %w", ev.ID, p.ID, err)
			}
		}
		res.Persons++
		if b.Progress != nil {
			b.Progress(BacktestProgress{Persons: res.Persons, Events: res.Events, Firings: res.FiringsTotal})
		}
	}
	keepEarliest(res, maxFirings)
	return res, nil
}

// keepEarliest sorts the firings by time (then person) and keeps the first n.
func keepEarliest(r *BacktestResult, n int) {
	slices.SortStableFunc(r.Firings, func(a, b BacktestFiring) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return strings.Compare(a.PersonID, b.PersonID)
	})
	if len(r.Firings) > n {
		r.Firings = r.Firings[:n]
	}
}

var errPersonCap = errors.New("persons past the cap")

// personSource yields the persons to replay, one at a time, nil at the end: the given
// ones, or every live person of the workspace a page at a time.
func personSource(ctx context.Context, st store.Identities, w store.Workspace, given []*identity.Person) func() (*identity.Person, error) {
	if given != nil {
		i := 0
		return func() (*identity.Person, error) {
			if i >= len(given) {
				return nil, nil
			}
			i++
			return given[i-1], nil
		}
	}
	const pageSize = 500
	var page []*identity.Person
	offset, done := 0, false
	return func() (*identity.Person, error) {
		if len(page) == 0 && !done {
			if offset >= BacktestMaxPersons {
				more, err := st.Persons(ctx, w, offset, 1)
				if err != nil {
					return nil, err
				}
				if len(more) > 0 {
					return nil, errPersonCap
				}
				return nil, nil
			}
			var err error
			if page, err = st.Persons(ctx, w, offset, min(pageSize, BacktestMaxPersons-offset)); err != nil {
				return nil, err
			}
			offset += len(page)
			done = len(page) == 0
		}
		if len(page) == 0 {
			return nil, nil
		}
		p := page[0]
		page = page[1:]
		return p, nil
	}
}
