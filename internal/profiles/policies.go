package profiles

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/rules"
)

// Contact policies hold back the deliveries of every journey action through the
// connectors they name. They apply inside the commit of the event that fires the
// action, so that what they count is exact and atomic with it, and what they keep is
// derived state of the person (so it follows merges):
//
//   - opt-out: the person's latest reply among the policy's stop and start words,
//     derived from their events (Derive, and Rebuild from the whole history); a
//     stopped person's deliveries are recorded suppressed;
//   - maxPerPerson: the firing times of the deliveries the policy let through, in the
//     window; one past the count is suppressed;
//   - quietHours: a delivery due inside them is deferred to their end, in the person's
//     time zone.
//
// A held delivery is recorded with the policy's name (store.PolicyHold): a suppressed
// one is never sent, a deferred one is queued for its new due time.

// policies are the contact policies in force: rule files' apply to every workspace,
// and each workspace may have its own list through the API.
type policies struct {
	mu    sync.RWMutex
	files []*rules.CompiledPolicy
	api   map[store.Workspace][]*rules.CompiledPolicy
	// all are, per workspace with policies of its own, the rule files' followed by
	// them: what deriving reads on every event, made once.
	all map[store.Workspace][]*rules.CompiledPolicy
}

// Policies lists the contact policies of a workspace: rule files' first, then the
// API's.
func (ss *Sets) Policies(w store.Workspace) []*rules.CompiledPolicy {
	ss.policies.mu.RLock()
	defer ss.policies.mu.RUnlock()
	if all, ok := ss.policies.all[w]; ok {
		return all
	}
	return ss.policies.files
}

// setFilePolicies swaps in the contact policies of the rule files.
func (ss *Sets) setFilePolicies(ps []*rules.CompiledPolicy) {
	ss.policies.mu.Lock()
	defer ss.policies.mu.Unlock()
	ss.policies.files = ps
	for w, api := range ss.policies.api {
		ss.policies.all[w] = append(slices.Clip(ps), api...)
	}
}

func (ss *Sets) putAPIPolicies(w store.Workspace, ps []*rules.CompiledPolicy) {
	ss.policies.mu.Lock()
	defer ss.policies.mu.Unlock()
	if ss.policies.api == nil {
		ss.policies.api = map[store.Workspace][]*rules.CompiledPolicy{}
		ss.policies.all = map[store.Workspace][]*rules.CompiledPolicy{}
	}
	if len(ps) == 0 {
		delete(ss.policies.api, w)
		delete(ss.policies.all, w)
		return
	}
	ss.policies.api[w] = ps
	ss.policies.all[w] = append(slices.Clip(ss.policies.files), ps...)
}

// APIPolicies lists the contact policies a workspace has through the API.
func (ss *Sets) APIPolicies(w store.Workspace) []*rules.CompiledPolicy {
	ss.policies.mu.RLock()
	defer ss.policies.mu.RUnlock()
	return ss.policies.api[w]
}

// policyCollection holds, per workspace, one document: the list of its API policies.
const (
	policyCollection = "contact-policies"
	policyDoc        = "policies"
)

// SavePolicies replaces the contact policies of a workspace made through the API with
// the list raw holds (JSON, as rules.Options.ParsePoliciesJSON reads it); their names
// must differ from the rule files'. An empty list removes them. They apply from the
// next event.
func (e *Engine) SavePolicies(ctx context.Context, w store.Workspace, raw []byte) ([]*rules.CompiledPolicy, error) {
	o := e.checksFor(w)
	ps, err := o.ParsePoliciesJSON(raw)
	if err != nil {
		return nil, err
	}
	e.policies.mu.RLock()
	files := e.policies.files
	e.policies.mu.RUnlock()
	for i, p := range ps {
		for _, f := range files {
			if strings.EqualFold(f.Policy.Name, p.Policy.Name) {
				return nil, &rules.Error{Path: fmt.Sprintf("[%d].name", i), Msg: fmt.Sprintf("%q is the name of a policy of %s", p.Policy.Name, f.Policy.Source)}
			}
		}
	}
	if len(ps) == 0 {
		err = e.store.DeleteDoc(ctx, w, policyCollection, policyDoc)
		if errors.Is(err, store.ErrNotFound) {
			err = nil
		}
	} else {
		err = e.store.PutDoc(ctx, w, policyCollection, policyDoc, raw)
	}
	if err != nil {
		return nil, err
	}
	e.putAPIPolicies(w, ps)
	e.backfillOptOuts(ps, []store.Workspace{w})
	return ps, nil
}

// SetFilePolicies swaps in the contact policies of the rule files, and computes the
// opt-outs of those new or changed from the replies stored in every workspace.
func (e *Engine) SetFilePolicies(ctx context.Context, ps []*rules.CompiledPolicy) error {
	e.setFilePolicies(ps)
	workspaces, err := e.store.Workspaces(ctx)
	if err != nil {
		return err
	}
	e.backfillOptOuts(ps, workspaces)
	return nil
}

// optOutDefinition identifies what an opt-out computes, for the record of its backfills.
func optOutDefinition(p *rules.CompiledPolicy) string {
	o := p.Policy.OptOut
	return fmt.Sprintf("optout:%q:%q:%q:%q:%q", p.Policy.Name, o.Event, o.Field, o.StopWords, o.StartWords)
}

// backfillOptOuts computes, in the background, the opt-out state of the policies ps
// from the replies already stored (a STOP sent before the policy existed counts), in the
// workspaces where their definition was never computed, a few persons per unit of work.
func (e *Engine) backfillOptOuts(ps []*rules.CompiledPolicy, workspaces []store.Workspace) {
	var todo []*rules.CompiledPolicy
	for _, p := range ps {
		if p.Policy.OptOut != nil {
			todo = append(todo, p)
		}
	}
	if len(todo) == 0 || len(workspaces) == 0 {
		return
	}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		for _, p := range todo {
			for _, w := range workspaces {
				def := optOutDefinition(p)
				_, err := e.store.GetDoc(e.ctx, w, doneCollection, def)
				if err == nil {
					continue
				}
				if errors.Is(err, store.ErrNotFound) {
					err = e.store.Backfill(e.ctx, w, func(st store.State, events store.EventSource) error {
						return rebuildReplies(st, []*rules.CompiledPolicy{p}, events)
					}, nil)
				}
				if err == nil {
					err = e.store.PutDoc(e.ctx, w, doneCollection, def, []byte("{}"))
				}
				if err != nil {
					e.log.Error("computing opt-outs from stored replies failed", "policy", p.Policy.Name, "workspace", w.String(), "err", err)
					return
				}
			}
		}
	}()
}

// loadPolicies makes a workspace's stored API policies live.
func (e *Engine) loadPolicies(w store.Workspace, _ string, raw []byte) error {
	ps, err := rules.ParsePoliciesJSON(raw)
	if err != nil {
		return fmt.Errorf("stored contact policies of %s: %w", w, err)
	}
	e.putAPIPolicies(w, ps)
	return nil
}

// reloadPolicies follows the policies another node changed (store.Documents'
// OnDocument).
func (e *Engine) reloadPolicies(w store.Workspace, coll, _ string) {
	if coll != policyCollection {
		return
	}
	raw, err := e.store.GetDoc(e.ctx, w, policyCollection, policyDoc)
	switch {
	case errors.Is(err, store.ErrNotFound):
		e.putAPIPolicies(w, nil)
	case err != nil:
		e.log.Error("reloading the contact policies another node changed", "workspace", w.String(), "err", err)
	default:
		if err := e.loadPolicies(w, policyDoc, raw); err != nil {
			e.log.Error("reloading the contact policies another node changed", "workspace", w.String(), "err", err)
		}
	}
}

// openPolicies loads the API policies of every workspace and follows other nodes'
// changes.
func (e *Engine) openPolicies(ctx context.Context) error {
	if err := e.store.AllDocs(ctx, policyCollection, e.loadPolicies); err != nil {
		return err
	}
	e.store.OnDocument(e.reloadPolicies)
	e.policies.mu.RLock()
	defer e.policies.mu.RUnlock()
	for w, ps := range e.policies.api {
		e.backfillOptOuts(ps, []store.Workspace{w})
	}
	return nil
}

// OnHeld makes the deriver tell fn of every delivery a contact policy held back: the
// policy's name and the outcome (store.OutcomeSuppressed, store.OutcomeDeferred). It
// runs inside the commit and must not block (a metric's counter). Call before use.
func (d *Deriver) OnHeld(fn func(policy, outcome string)) { d.held = fn }

// policiesOf are the contact policies the deriver applies in a workspace: none for a
// replay's deriver (backtests, explanations), which has no Sets and counts firings.
func (d *Deriver) policiesOf(w store.Workspace) []*rules.CompiledPolicy {
	if d.sets == nil {
		return nil
	}
	return d.sets.Policies(w)
}

// optOut is a person's opt-out state for one policy: their latest reply among its words.
type optOut struct {
	out bool
	at  time.Time // the reply's event time
}

func decodeOptOut(raw []byte) (optOut, bool) {
	flag, at, ok := strings.Cut(string(raw), ":")
	ns, err := strconv.ParseInt(at, 10, 64)
	if !ok || err != nil {
		return optOut{}, false
	}
	return optOut{out: flag == "out", at: time.Unix(0, ns).UTC()}, true
}

func (o optOut) encode() []byte {
	flag := "in"
	if o.out {
		flag = "out"
	}
	return []byte(flag + ":" + strconv.FormatInt(o.at.UnixNano(), 10))
}

// replies updates the opt-out state of the policies of the event's workspace whose
// replies the event may be.
func (d *Deriver) replies(st store.State, ev store.StoredEvent) error {
	return applyReplies(st, d.policiesOf(st.Workspace()), ev)
}

// applyReplies updates the opt-out state of the policies ps that the event is a reply
// to: the latest reply (by event time) wins.
func applyReplies(st store.State, ps []*rules.CompiledPolicy, ev store.StoredEvent) error {
	var env *rules.EventEnv
	for _, p := range ps {
		if p.Policy.OptOut == nil || p.Policy.OptOut.Event != ev.Type {
			continue
		}
		if env == nil {
			var err error
			if env, err = rules.NewEventEnv(ev.Raw); err != nil {
				return nil // a reply that cannot be read opts nobody out; deriving reports it
			}
		}
		out, ok := p.Reply(env)
		if !ok {
			continue
		}
		raw, err := st.Get(p.OptOutState())
		if err != nil {
			return err
		}
		if cur, ok := decodeOptOut(raw); ok && cur.at.After(ev.Time) {
			continue // a later reply is known
		}
		if err := st.Set(p.OptOutState(), optOut{out: out, at: ev.Time}.encode()); err != nil {
			return err
		}
	}
	return nil
}

// rebuildReplies recomputes the opt-out states of the policies ps from the person's
// whole history. A state whose replies are all gone (retention) is kept: a STOP is not
// forgotten.
func rebuildReplies(st store.State, ps []*rules.CompiledPolicy, events store.EventSource) error {
	types := map[string]bool{}
	for _, p := range ps {
		if p.Policy.OptOut != nil {
			types[p.Policy.OptOut.Event] = true
		}
	}
	if len(types) == 0 {
		return nil
	}
	return events(time.Time{}, func(ev store.StoredEvent) error {
		if !types[ev.Type] {
			return nil
		}
		return applyReplies(st, ps, ev)
	})
}

// optedOut reports whether a person (and those merged into it) last replied a stop word.
func optedOut(st store.State, p *rules.CompiledPolicy) (bool, error) {
	vals, err := st.GetMerged(p.OptOutState())
	if err != nil {
		return false, err
	}
	var latest optOut
	for _, raw := range vals {
		if o, ok := decodeOptOut(raw); ok && !o.at.Before(latest.at) {
			latest = o
		}
	}
	return latest.out, nil
}

// sentTimes decodes a list of firing times (Unix nanoseconds, comma-separated).
func sentTimes(raw []byte) []time.Time {
	var out []time.Time
	for f := range strings.SplitSeq(string(raw), ",") {
		if ns, err := strconv.ParseInt(f, 10, 64); err == nil {
			out = append(out, time.Unix(0, ns))
		}
	}
	return out
}

// personPolicies is what policies know of a person, read from the unit of work: the
// person's values and those of the persons merged into it.
type personPolicies struct{ st store.State }

func (pp personPolicies) OptedOut(p *rules.CompiledPolicy) (bool, error) { return optedOut(pp.st, p) }

func (pp personPolicies) Sent(p *rules.CompiledPolicy) ([]time.Time, error) {
	vals, err := pp.st.GetMerged(p.SentState())
	var sent []time.Time
	for _, raw := range vals {
		sent = append(sent, sentTimes(raw)...)
	}
	return sent, err
}

// hold decides what the contact policies ps do to a delivery through connector, fired
// at now and due at due (rules.Decide): nil, or the hold; and the due time it ends
// with. A delivery that goes out (deferred or not) counts toward maxPerPerson.
func (d *Deriver) hold(st store.State, ps []*rules.CompiledPolicy, connector string, now, due time.Time,
	profile map[string]rules.Result, env *rules.EventEnv) (*store.PolicyHold, time.Time, error) {
	if len(ps) == 0 {
		return nil, due, nil
	}
	zone := func(p *rules.CompiledPolicy) *time.Location { return p.Zone(profile, env) }
	h, count, err := rules.Decide(ps, connector, now, due, zone, personPolicies{st})
	if err != nil {
		return nil, due, err
	}
	for _, p := range count {
		raw, err := st.Get(p.SentState())
		if err != nil {
			return nil, due, err
		}
		var kept []string
		for _, t := range sentTimes(raw) {
			if now.Sub(t) < p.Per {
				kept = append(kept, strconv.FormatInt(t.UnixNano(), 10))
			}
		}
		kept = append(kept, strconv.FormatInt(now.UnixNano(), 10))
		if err := st.Set(p.SentState(), []byte(strings.Join(kept, ","))); err != nil {
			return nil, due, err
		}
	}
	if h.Outcome == "" {
		return nil, due, nil
	}
	ph := &store.PolicyHold{Name: h.Policy, Outcome: h.Outcome, Reason: h.Reason}
	if h.Outcome == store.OutcomeDeferred {
		ph.DeferredFrom = due.UTC()
	}
	if d.held != nil {
		d.held(ph.Name, ph.Outcome)
	}
	return ph, h.Due, nil
}
