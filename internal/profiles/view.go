package profiles

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/gencache"
	"github.com/openjds/jds/internal/identity"
	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/rules"
)

// View is a person's progressive profile for one template, JDS-shaped.
type View struct {
	OrganizationID string          `json:"organizationId"`
	WorkspaceID    string          `json:"workspaceId"`
	PersonID       string          `json:"personId"`
	TemplateID     string          `json:"templateId"`
	TemplateName   string          `json:"templateName"`
	Timestamp      string          `json:"timestamp"`
	Attributes     []AttributeView `json:"attributes"`
	SystemMetadata SystemMetadata  `json:"systemMetadata"`
	// SystemMetdata is SystemMetadata again, under the key the live service spells so:
	// its widgets read systemMetdata.journeyActionTriggerHistories.
	SystemMetdata SystemMetadata `json:"systemMetdata"`
	// Backfill is set while the template is still being computed from the ledger: the
	// values may then miss events older than the template (ext).
	Backfill *Backfill `json:"backfill,omitempty"`
}

// SystemMetadata carries what the system did for the person.
type SystemMetadata struct {
	JourneyActionTriggerHistories []Firing `json:"journeyActionTriggerHistories"`
}

// Firing is one firing of a journey action for the person, newest first in views.
type Firing struct {
	ActionID    string `json:"actionId"`
	ActionName  string `json:"actionName"`
	TriggeredAt string `json:"triggeredAt"`
	EventID     string `json:"eventId"`
	// Deliveries are the states of the firing's deliveries (ext): pending, sent, dead,
	// suppressed (by a contact policy), shadow (an action in shadow mode).
	Deliveries []string `json:"deliveries"`
}

// maxFirings bounds the firings a profile view lists: delivery records are kept for
// good, and a customer texted every cooldown for years would otherwise send every one
// of them to the agent's widget on every read.
const maxFirings = 100

// firings groups a person's deliveries (newest first) by the firing that queued them:
// the newest maxFirings firings.
func firings(ds []*store.Delivery) []Firing {
	out := []Firing{}
	index := map[[2]string]int{}
	for _, d := range ds {
		// Only what names the firing: a payload's profile, aliases and body are not
		// built for every read of the view.
		var p struct {
			ActionID string `json:"actionId"`
			Action   string `json:"action"`
			EventID  string `json:"eventId"`
		}
		if json.Unmarshal(d.Payload, &p) != nil || p.ActionID == "" {
			continue
		}
		k := [2]string{p.ActionID, p.EventID}
		i, ok := index[k]
		if !ok && len(out) == maxFirings {
			continue // an older firing
		}
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, Firing{ActionID: p.ActionID, ActionName: p.Action, EventID: p.EventID,
				TriggeredAt: d.CreatedAt.UTC().Format(event.TimeLayout)})
		}
		out[i].Deliveries = append(out[i].Deliveries, d.State)
	}
	return out
}

// AttributeView is one attribute's answer.
type AttributeView struct {
	QueryTemplate rules.Attribute `json:"queryTemplate"`
	DisplayName   string          `json:"displayName"`
	Name          string          `json:"name"`
	Result        string          `json:"result"`
	Value         any             `json:"value"`
	Error         *string         `json:"error"`
	// JourneyEvents are the events that counted, each a JSON string of the event, as
	// the live service sends them (widgets JSON.parse each entry).
	JourneyEvents []string `json:"journeyEvents,omitempty"`
	// Explain says which events counted and why others did not (ext, ViewExplained).
	Explain *AttributeExplain `json:"explain,omitempty"`
}

// View computes a person's profile for a template at this instant, from the state the
// ledger's commits keep: the cost does not grow with the length of the history.
func (e *Engine) View(ctx context.Context, w store.Workspace, p *identity.Person, c *rules.Compiled) (*View, error) {
	return e.view(ctx, w, p, c, false)
}

// ViewExplained is View with each attribute's explanation: the events it counts and
// why the others of its type do not, from the person's history at the same instant
// (bounded by the template's longest window and MaxExplainEvents).
func (e *Engine) ViewExplained(ctx context.Context, w store.Workspace, p *identity.Person, c *rules.Compiled) (*View, error) {
	return e.view(ctx, w, p, c, true)
}

func (e *Engine) view(ctx context.Context, w store.Workspace, p *identity.Person, c *rules.Compiled, explain bool) (*View, error) {
	now := e.now()
	v := &View{
		OrganizationID: w.Org,
		WorkspaceID:    w.Name,
		PersonID:       p.ID,
		TemplateID:     c.Template.ID,
		TemplateName:   c.Template.Name,
		Timestamp:      now.UTC().Format(event.TimeLayout),
		Attributes:     make([]AttributeView, len(c.Attrs)),
		SystemMetadata: SystemMetadata{JourneyActionTriggerHistories: []Firing{}},
	}
	if p.ID != "" {
		ds, err := e.store.Deliveries(ctx, w, p.ID, "")
		if err != nil {
			return nil, fmt.Errorf("reading action firings: %w", err)
		}
		v.SystemMetadata.JourneyActionTriggerHistories = firings(ds)
	}
	if bf := e.BackfillOf(c.Template.ID); bf != nil && bf.State != "done" {
		v.Backfill = bf
	}
	err := e.aggregate(ctx, w, p, c, now, func(i int, res rules.Result, owner map[uint64]string, stateErr *string) error {
		a := c.Template.Attributes[i]
		av := AttributeView{QueryTemplate: a, DisplayName: a.DisplayName, Name: c.Attrs[i].Name,
			Result: res.Result, Value: res.Value, Error: stateErr}
		if a.Verbose {
			refs := make([]store.EventRef, len(res.Entries))
			for j, en := range res.Entries {
				refs[j] = store.EventRef{PersonID: owner[en.Seq], Time: en.Time, Seq: en.Seq}
			}
			raws, err := e.store.EventsByRef(ctx, w, refs)
			if err != nil {
				return err
			}
			av.JourneyEvents = make([]string, 0, len(raws))
			for _, raw := range raws {
				if raw != nil {
					av.JourneyEvents = append(av.JourneyEvents, string(raw))
				}
			}
		}
		v.Attributes[i] = av
		return nil
	})
	if err != nil {
		return nil, err
	}
	if explain {
		xs, err := e.explainAttrs(ctx, w, p, c, now)
		if err != nil {
			return nil, fmt.Errorf("explaining the profile: %w", err)
		}
		for i := range v.Attributes {
			v.Attributes[i].Explain = xs[i]
		}
	}
	v.SystemMetdata = v.SystemMetadata
	return v, nil
}

// Values is a person's profile for a template at this instant, by attribute name, as
// expressions see it (IVR flows): the values alone, without events or firings. An
// attribute whose state cannot be read is an error.
func (e *Engine) Values(ctx context.Context, w store.Workspace, p *identity.Person, c *rules.Compiled) (map[string]any, error) {
	out := make(map[string]any, len(c.Attrs))
	err := e.aggregate(ctx, w, p, c, e.now(), func(i int, res rules.Result, _ map[uint64]string, stateErr *string) error {
		if stateErr != nil {
			return fmt.Errorf("attribute %s: %s", c.Attrs[i].Name, *stateErr)
		}
		out[c.Attrs[i].Name] = res.Value
		return nil
	})
	return out, err
}

// aggregate computes each attribute of a template for a person at now, from its state
// and the states of the persons merged into it, and hands each result to fn with the
// state's error, if any, and, for a verbose attribute, the person whose state holds each
// entry (by sequence).
func (e *Engine) aggregate(ctx context.Context, w store.Workspace, p *identity.Person, c *rules.Compiled, now time.Time,
	fn func(i int, res rules.Result, owner map[uint64]string, stateErr *string) error) error {
	names := make([]string, len(c.Attrs))
	for i, a := range c.Attrs {
		names[i] = a.Key
	}
	states := map[string][]store.PersonState{}
	if p.ID != "" { // an unknown caller has no state
		var err error
		if states, err = e.store.States(ctx, w, p, names); err != nil {
			return fmt.Errorf("reading profile state: %w", err)
		}
	}
	for i, a := range c.Attrs {
		var key []byte // verbose attributes need each entry's person: they are not cached
		if !a.Verbose {
			key = resultKey(p.ID, a.Key, string(a.Mode), states[a.Key])
			if res, ok := e.results.get(key, now); ok {
				if err := fn(i, res, nil, nil); err != nil {
					return err
				}
				continue
			}
		}
		var lists [][]rules.Entry
		var stateErr *string
		var owner map[uint64]string // entry sequence → person whose state holds it (verbose only)
		if a.Verbose {
			owner = map[uint64]string{}
		}
		for _, ps := range states[a.Key] {
			entries, err := rules.DecodeState(ps.Value)
			if err != nil {
				msg := fmt.Sprintf("state of person %s is unreadable: %v", ps.PersonID, err)
				stateErr = &msg
				continue
			}
			if owner != nil {
				for _, en := range entries {
					owner[en.Seq] = ps.PersonID
				}
			}
			lists = append(lists, entries)
		}
		res := a.Aggregate(now, lists...)
		if key != nil && stateErr == nil {
			e.results.put(key, now, res)
		}
		if err := fn(i, res, owner, stateErr); err != nil {
			return err
		}
	}
	return nil
}

// resultCache keeps the answers of attributes for readers, by person, attribute and the
// versions of the states they were computed from, with the instant they were computed
// at: an answer holds from then until its Until as long as those states do not change
// (rules.Result). Reading a person whose state holds a thousand entries then costs what
// reading one with a single entry costs, until an event changes it.
type resultCache struct {
	mu sync.Mutex
	c  *gencache.Sized[cachedResult]
}

type cachedResult struct {
	at  time.Time
	res rules.Result
}

func newResultCache(maxBytes int) *resultCache {
	return &resultCache{c: gencache.New(maxBytes, func(r cachedResult) int { return 96 + 2*len(r.res.Result) })}
}

// resultKey names an attribute's answer for a person: by its state and its mode (modes
// may share a state) and by the versions of the states, so that a changed state is a new
// key.
func resultKey(personID, attrKey, mode string, states []store.PersonState) []byte {
	k := make([]byte, 0, 64+len(states)*48)
	for _, part := range []string{personID, attrKey, mode} {
		k = append(append(k, part...), 0)
	}
	for _, ps := range states {
		k = append(append(k, ps.PersonID...), '@')
		k = append(strconv.AppendUint(k, ps.Version, 10), 0)
	}
	return k
}

// get returns the answer cached under key if it holds at now.
func (c *resultCache) get(key []byte, now time.Time) (rules.Result, bool) {
	c.mu.Lock()
	r, ok := c.c.Get(key)
	c.mu.Unlock()
	if !ok || now.Before(r.at) || (!r.res.Until.IsZero() && !now.Before(r.res.Until)) {
		return rules.Result{}, false
	}
	return r.res, true
}

func (c *resultCache) put(key []byte, at time.Time, res rules.Result) {
	c.mu.Lock()
	c.c.Put(string(key), cachedResult{at: at, res: res})
	c.mu.Unlock()
}

func marshalTemplate(t *rules.Template) ([]byte, error) {
	raw, err := json.Marshal(t)
	if err != nil {
		return nil, fmt.Errorf("encoding template %q: %w", t.Name, err)
	}
	return raw, nil
}
