package profiles

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/openjds/jds/internal/identity"
	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/rules"
)

// Replays: the derived state of one person recomputed from the ledger as it stood at a
// past instant, by the Deriver's own code (derive, rebuild) over a state held in memory.
// Backtests, explanations and flow dry runs read profiles this way; nothing is written.

// memState is a store.State held in memory for one person: what a replay derives into.
// Deliveries are counted, never queued.
type memState struct {
	w      store.Workspace
	person *identity.Person
	now    time.Time
	vals   map[string][]byte
	queued int
}

func newMemState(w store.Workspace, p *identity.Person) *memState {
	return &memState{w: w, person: p, vals: map[string][]byte{}}
}

func (m *memState) Workspace() store.Workspace { return m.w }
func (m *memState) Person() string             { return m.person.ID }
func (m *memState) Now() time.Time             { return m.now }
func (m *memState) Get(name string) ([]byte, error) {
	return m.vals[name], nil
}
func (m *memState) Set(name string, v []byte) error { m.vals[name] = v; return nil }
func (m *memState) Delete(name string) error        { delete(m.vals, name); return nil }

// GetMerged is the person's own value: a replay reads the events of the person and of
// every person merged into it as one history.
func (m *memState) GetMerged(name string) ([][]byte, error) {
	if v, ok := m.vals[name]; ok {
		return [][]byte{v}, nil
	}
	return nil, nil
}
func (m *memState) Record() (*identity.Person, error) { return m.person, nil }
func (m *memState) Clear() error                      { clear(m.vals); return nil }
func (m *memState) Enqueue([]byte, time.Time) (string, error) {
	m.queued++
	return strconv.Itoa(m.queued), nil
}
func (m *memState) EnqueueDead([]byte, string) (string, error) { return m.Enqueue(nil, time.Time{}) }
func (m *memState) EnqueueShadow([]byte, time.Time) (string, error) {
	return m.Enqueue(nil, time.Time{})
}

// EnqueueHeld counts a deferred delivery, which will be sent; a suppressed one is not.
func (m *memState) EnqueueHeld(_ []byte, _ time.Time, h store.PolicyHold) (string, error) {
	if h.Outcome == store.OutcomeDeferred {
		return m.Enqueue(nil, time.Time{})
	}
	return "suppressed", nil
}

// errScanCap stops a replay's read when it has scanned its share of events.
var errScanCap = errors.New("replay: events scanned past the cap")

// errStop ends a read early once the events are older than needed.
var errStop = errors.New("stop")

// eventHead is what a replay reads of an event before deciding whether it needs it.
type eventHead struct {
	ID   string    `json:"id"`
	Type string    `json:"type"`
	Time time.Time `json:"time"`
}

// replayEvent is one stored event as a replay hands it to derive.
type replayEvent struct {
	store.StoredEvent
	ID string
}

// personEvents reads the events of a person (and of the persons merged into it) with
// since < time <= until (since excluded, as windows exclude their lower end; a zero
// since reads from the first), oldest first, numbered in ledger order. It scans the
// history newest first from the newest event and stops below since; *budget is the
// number of events it may scan, decreased by those it scanned: past it, errScanCap.
func personEvents(ctx context.Context, st store.Events, w store.Workspace, p *identity.Person, since, until time.Time, budget *int) ([]replayEvent, error) {
	var out []replayEvent
	err := st.Export(ctx, w, p.ID, func(*identity.Person) error { return nil }, func(raw []byte) error {
		if *budget <= 0 {
			return errScanCap
		}
		*budget--
		var h eventHead
		if err := json.Unmarshal(raw, &h); err != nil {
			return fmt.Errorf("reading a stored event: %w", err)
		}
		if h.Time.After(until) {
			return nil
		}
		if !since.IsZero() && !h.Time.After(since) {
			return errStop
		}
		out = append(out, replayEvent{ID: h.ID, StoredEvent: store.StoredEvent{Time: h.Time.UTC(), Type: h.Type, Raw: raw}})
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return nil, err
	}
	slices.Reverse(out)
	for i := range out {
		out[i].Seq = uint64(i + 1)
	}
	return out, nil
}

// maxReplayEvents bounds the events one profile read at a past instant scans.
const maxReplayEvents = 20_000

// ValuesAt is Values at instant at, which may be in the past: the person's state is
// recomputed from the events of the template's longest window before at, by the same
// code as a rebuild, and aggregated at at. At or after the engine's clock, it is the
// live state's answer at that instant.
func (e *Engine) ValuesAt(ctx context.Context, w store.Workspace, p *identity.Person, c *rules.Compiled, at time.Time) (map[string]any, error) {
	out := make(map[string]any, len(c.Attrs))
	results, err := e.resultsAt(ctx, w, p, c, at)
	if err != nil {
		return nil, err
	}
	for _, a := range c.Attrs {
		out[a.Name] = results[a.Name].Value
	}
	return out, nil
}

// resultsAt computes every attribute of a template for a person at an instant, by
// attribute name; see ValuesAt.
func (e *Engine) resultsAt(ctx context.Context, w store.Workspace, p *identity.Person, c *rules.Compiled, at time.Time) (map[string]rules.Result, error) {
	results := make(map[string]rules.Result, len(c.Attrs))
	if p.ID == "" || !at.Before(e.now()) {
		err := e.aggregate(ctx, w, p, c, at, func(i int, res rules.Result, _ map[uint64]string, stateErr *string) error {
			if stateErr != nil {
				return fmt.Errorf("attribute %s: %s", c.Attrs[i].Name, *stateErr)
			}
			results[c.Attrs[i].Name] = res
			return nil
		})
		return results, err
	}
	s := newSet([]*rules.Compiled{c}, nil)
	budget := maxReplayEvents
	evs, err := personEvents(ctx, e.store, w, p, at.Add(-s.horizon), at, &budget)
	if errors.Is(err, errScanCap) {
		return nil, fmt.Errorf("the profile at %s: more than %d events to replay", at.Format(time.RFC3339), maxReplayEvents)
	}
	if err != nil {
		return nil, err
	}
	st := newMemState(w, p)
	st.now = at
	i := 0
	err = rebuild(st, s.byEvent, s.horizon, func(_ time.Time, fn func(store.StoredEvent) error) error {
		for ; i < len(evs); i++ {
			if err := fn(evs[i].StoredEvent); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, a := range c.Attrs {
		entries, err := rules.DecodeState(st.vals[a.Key])
		if err != nil {
			return nil, err
		}
		results[a.Name] = a.Aggregate(at, entries)
	}
	return results, nil
}
