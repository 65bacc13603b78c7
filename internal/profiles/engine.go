// Package profiles runs progressive profiles: it keeps the live set of profile templates
// (from admins' rule files and from the API), derives their state inside the ledger's
// commits, backfills templates that are new or changed, and answers profile views.
//
// The definitions themselves (parsing, compiling, the aggregation arithmetic) belong to
// package rules; storage belongs to package store. This package is the glue with the
// lifecycle: it owns which templates apply to which workspace, and when.
package profiles

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/exprbudget"
	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/rules"
)

// Errors callers branch on.
var (
	ErrNotFound = errors.New("template not found")
	ErrReadOnly = errors.New("template comes from a rule file and is read-only here")
	ErrExists   = errors.New("a template with this name exists")
	// ErrInUse refuses a template change that journey actions of the template do not
	// survive (an attribute they name is gone): change or delete them first.
	ErrInUse = errors.New("the change breaks journey actions of this template; change or delete them first")
	// ErrTooMany refuses a new template or action past the workspace's limit
	// (WithLimits); the error says which.
	ErrTooMany = errors.New("workspace limit reached")
)

// Collections of documents the engine keeps in the ledger.
const (
	collection = "profile-templates"
	// doneCollection marks, per workspace, the template definitions already backfilled,
	// so that a restart does not compute rule files' templates again.
	doneCollection = "profile-backfills"
)

// definition identifies what a template computes: its attributes' state keys.
func definition(c *rules.Compiled) string {
	keys := make([]string, len(c.Attrs))
	for i, a := range c.Attrs {
		keys[i] = a.Key
	}
	sort.Strings(keys)
	return strings.Join(keys, ",")
}

// Engine is safe for concurrent use. Its Derive and Rebuild run on the ledger's
// committer; everything else on callers' goroutines.
type Engine struct {
	log   *slog.Logger
	store store.Store // set by Attach, before the first event
	now   func() time.Time
	// checks are what actions saved through the API are checked against besides their
	// template (the configured connectors), as rule files are.
	checks rules.Options
	// suppressed is told of each trigger a cooldown kept from firing; nil: nobody.
	suppressed func(connector string)
	// maxTemplates and maxActions bound what one workspace holds (rule files' included)
	// when one more is created through the API; 0: no limit. creating makes the count
	// and the creation one step.
	maxTemplates, maxActions int
	creating                 sync.Mutex

	// files is the set compiled from rule files: it applies to every workspace.
	files       atomic.Pointer[[]*rules.Compiled]
	fileActions atomic.Pointer[[]*rules.CompiledAction]

	mu         sync.RWMutex
	api        map[store.Workspace]map[string]*rules.Compiled       // by template id
	apiActions map[store.Workspace]map[string]*rules.CompiledAction // by action id
	// sets caches, per workspace, every template that applies there, indexed by event
	// type; rebuilt when templates change.
	sets map[store.Workspace]*set

	// results are answers already computed for readers (see resultCache).
	results *resultCache

	backfills sync.Map // template id → *Backfill
	wg        sync.WaitGroup
	ctx       context.Context
	cancel    context.CancelFunc
}

// set is what Derive needs for one workspace.
type set struct {
	templates []*rules.Compiled
	byEvent   map[string][]*rules.CompiledAttr
	// decode says, by event type, what deriving needs decoded of an event: nothing
	// (absent), some keys of its data (what its attributes read), or all of it (an
	// action may fire and render it).
	decode  map[string]*decoding
	horizon time.Duration // the longest window
	actions []*rules.CompiledAction
}

// decoding is what deriving decodes of the events of one type.
type decoding struct {
	all  bool
	keys []string // of data, when not all
}

func (d *decoding) env(raw []byte) (*rules.EventEnv, error) {
	if d.all {
		return rules.NewEventEnv(raw)
	}
	return rules.NewEventEnvKeys(raw, d.keys)
}

// Backfill is the progress of computing a template from the ledger.
type Backfill struct {
	State     string    `json:"state"` // running, done, failed
	Done      int64     `json:"done"`
	Total     int64     `json:"total"`
	StartedAt time.Time `json:"startedAt"`
	Error     string    `json:"error,omitempty"`
}

// Option configures an Engine.
type Option func(*Engine)

// WithChecks makes the engine check the actions saved through the API as o asks,
// besides against their template: with o.Connectors, a Connector trigger naming a
// connector that is not configured is refused, as it is in a rule file.
func WithChecks(o rules.Options) Option { return func(e *Engine) { e.checks = o } }

// OnSuppressed has fn told of every delivery an action's cooldown suppressed: once per
// trigger of an action whose rule held while its cooldown ran, with the trigger's
// connector ("" for an inline Webhook). fn runs inside the commit of the event and
// must not block (a metric's counter); a commit that is run again counts again.
func OnSuppressed(fn func(connector string)) Option { return func(e *Engine) { e.suppressed = fn } }

// WithLimits bounds the templates and the journey actions a workspace may hold: past
// them, creating one more through the API fails with ErrTooMany. Rule files' count
// too, but are never refused. 0: no limit.
func WithLimits(templates, actions int) Option {
	return func(e *Engine) { e.maxTemplates, e.maxActions = templates, actions }
}

// New returns an engine; Attach gives it its store.
func New(log *slog.Logger, now func() time.Time, opts ...Option) *Engine {
	if now == nil {
		now = time.Now
	}
	e := &Engine{log: log, now: now, api: map[store.Workspace]map[string]*rules.Compiled{},
		apiActions: map[store.Workspace]map[string]*rules.CompiledAction{}, sets: map[store.Workspace]*set{},
		results: newResultCache(16 << 20)}
	e.files.Store(&[]*rules.Compiled{})
	e.fileActions.Store(&[]*rules.CompiledAction{})
	e.ctx, e.cancel = context.WithCancel(context.Background())
	for _, o := range opts {
		o(e)
	}
	return e
}

// Attach connects the engine to its store and loads the templates made through the API.
// A template whose backfill did not finish (a crash, a shutdown) is backfilled again.
func (e *Engine) Attach(ctx context.Context, s store.Store) error {
	e.store = s
	err := s.AllDocs(ctx, collection, func(w store.Workspace, id string, raw []byte) error {
		t, err := rules.ParseTemplateJSON(raw)
		if err != nil {
			return fmt.Errorf("stored template %s in %s: %w", id, w, err)
		}
		t.ID, t.Source = id, "api"
		c, err := rules.Compile(t)
		if err != nil {
			return fmt.Errorf("stored template %s in %s: %w", id, w, err)
		}
		e.putAPI(w, c)
		return nil
	})
	if err != nil {
		return err
	}
	if err := e.loadActions(ctx); err != nil {
		return err
	}
	for w, templates := range e.api {
		for _, c := range templates {
			if err := e.backfillUnlessDone(ctx, c, []store.Workspace{w}); err != nil {
				return err
			}
		}
	}
	return nil
}

// backfillUnlessDone backfills a template in the workspaces where its definition was
// never completely computed.
func (e *Engine) backfillUnlessDone(ctx context.Context, c *rules.Compiled, workspaces []store.Workspace) error {
	var todo []store.Workspace
	for _, w := range workspaces {
		_, err := e.store.GetDoc(ctx, w, doneCollection, definition(c))
		switch {
		case errors.Is(err, store.ErrNotFound):
			todo = append(todo, w)
		case err != nil:
			return err
		}
	}
	if len(todo) > 0 {
		e.backfill(c, todo)
	}
	return nil
}

// Close stops backfills in progress and waits for them.
func (e *Engine) Close() {
	e.cancel()
	e.wg.Wait()
}

func (e *Engine) putAPI(w store.Workspace, c *rules.Compiled) {
	e.mu.Lock()
	defer e.mu.Unlock()
	m := e.api[w]
	if m == nil {
		m = map[string]*rules.Compiled{}
		e.api[w] = m
	}
	m[c.Template.ID] = c
	e.sets = map[store.Workspace]*set{}
}

// setFor returns the templates applying to a workspace.
func (e *Engine) setFor(w store.Workspace) *set {
	e.mu.RLock()
	s := e.sets[w]
	e.mu.RUnlock()
	if s != nil {
		return s
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if s = e.sets[w]; s != nil {
		return s
	}
	s = &set{byEvent: map[string][]*rules.CompiledAttr{}, decode: map[string]*decoding{}}
	s.templates = append(s.templates, *e.files.Load()...)
	s.actions = append(s.actions, *e.fileActions.Load()...)
	actionIDs := make([]string, 0, len(e.apiActions[w]))
	for id := range e.apiActions[w] {
		actionIDs = append(actionIDs, id)
	}
	sort.Strings(actionIDs)
	for _, id := range actionIDs {
		s.actions = append(s.actions, e.apiActions[w][id])
	}
	ids := make([]string, 0, len(e.api[w]))
	for id := range e.api[w] {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		s.templates = append(s.templates, e.api[w][id])
	}
	seen := map[string]bool{}
	for _, t := range s.templates {
		for _, a := range t.Attrs {
			if seen[a.Key] {
				continue // the same definition in two templates keeps one state
			}
			seen[a.Key] = true
			s.byEvent[a.Event] = append(s.byEvent[a.Event], a)
			s.horizon = max(s.horizon, a.Window)
			if !a.ReadsEvent() {
				continue
			}
			d := s.decoding(a.Event)
			keys, all := a.DataKeys()
			d.all = d.all || all
			d.keys = append(d.keys, keys...)
		}
	}
	for _, a := range s.actions {
		for _, attr := range a.Attrs() {
			s.decoding(attr.Event).all = true
		}
	}
	for _, d := range s.decode {
		d.keys = slices.Compact(slices.Sorted(slices.Values(d.keys)))
	}
	e.sets[w] = s
	return s
}

// decoding returns what deriving decodes of the events of a type, made on first use.
func (s *set) decoding(typ string) *decoding {
	d := s.decode[typ]
	if d == nil {
		d = &decoding{}
		s.decode[typ] = d
	}
	return d
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
func (e *Engine) Prepare(w store.Workspace, ev *event.Event) {
	s := e.setFor(w)
	attrs := s.byEvent[ev.Type]
	if len(attrs) == 0 {
		return
	}
	if p, err := prepare(e.log, s, attrs, ev.Type, ev.Raw); err == nil {
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
func (e *Engine) Derive(st store.State, ev store.StoredEvent) error {
	s := e.setFor(st.Workspace())
	attrs := s.byEvent[ev.Type]
	if len(attrs) == 0 {
		return nil
	}
	p, _ := ev.Prepared.(*prepared)
	if p == nil || p.set != s { // not prepared, or prepared with a set replaced since
		var err error
		if p, err = prepare(e.log, s, attrs, ev.Type, ev.Raw); err != nil {
			return err
		}
	}
	if err := update(st, attrs, p.matches, ev); err != nil {
		return err
	}
	if len(s.actions) == 0 {
		return nil
	}
	return e.fire(st, s, attrs, p.matches, p.env, ev)
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
func (e *Engine) Rebuild(st store.State, events store.EventSource) error {
	s := e.setFor(st.Workspace())
	return rebuild(st, s.byEvent, s.horizon, events)
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

// backfill computes a template's attributes for every person of the workspaces given,
// in the background, recording progress under the template's id.
func (e *Engine) backfill(c *rules.Compiled, workspaces []store.Workspace) {
	byEvent := map[string][]*rules.CompiledAttr{}
	var horizon time.Duration
	for _, a := range c.Attrs {
		byEvent[a.Event] = append(byEvent[a.Event], a)
		horizon = max(horizon, a.Window)
	}
	bf := &Backfill{State: "running", StartedAt: e.now().UTC()}
	e.backfills.Store(c.Template.ID, bf)
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		start := time.Now()
		var done int64
		for _, w := range workspaces {
			err := e.store.Backfill(e.ctx, w, func(st store.State, events store.EventSource) error {
				return rebuild(st, byEvent, horizon, events)
			}, func(d, total int) {
				e.backfills.Store(c.Template.ID, &Backfill{State: "running", StartedAt: bf.StartedAt, Done: done + int64(d), Total: done + int64(total)})
			})
			if err == nil {
				err = e.store.PutDoc(e.ctx, w, doneCollection, definition(c), []byte("{}"))
			}
			if err != nil {
				e.log.Error("backfill failed", "template", c.Template.Name, "workspace", w.String(), "err", err)
				e.backfills.Store(c.Template.ID, &Backfill{State: "failed", StartedAt: bf.StartedAt, Error: err.Error()})
				return
			}
			if v, ok := e.backfills.Load(c.Template.ID); ok {
				done = v.(*Backfill).Done
			}
		}
		e.backfills.Store(c.Template.ID, &Backfill{State: "done", StartedAt: bf.StartedAt, Done: done, Total: done})
		e.log.Info("backfill done", "template", c.Template.Name, "persons", done, "took", time.Since(start).Round(time.Millisecond))
	}()
}

// BackfillProgress sums the backfills now running: how many, and the persons they have
// done and still have to do.
func (e *Engine) BackfillProgress() (running int, done, todo int64) {
	e.backfills.Range(func(_, v any) bool {
		if bf := v.(*Backfill); bf.State == "running" {
			running++
			done += bf.Done
			todo += bf.Total - bf.Done
		}
		return true
	})
	return running, done, todo
}

// BackfillOf returns a template's backfill progress, nil when none ran.
func (e *Engine) BackfillOf(id string) *Backfill {
	if v, ok := e.backfills.Load(id); ok {
		return v.(*Backfill)
	}
	return nil
}

// Templates lists the templates applying to a workspace: rule files' first, then the
// API's, each group by name.
func (e *Engine) Templates(w store.Workspace) []*rules.Compiled {
	return e.setFor(w).templates
}

// Template finds a template of a workspace by id or, failing that, by name.
func (e *Engine) Template(w store.Workspace, idOrName string) (*rules.Compiled, error) {
	ts := e.Templates(w)
	for _, t := range ts {
		if t.Template.ID == idOrName {
			return t, nil
		}
	}
	for _, t := range ts {
		if strings.EqualFold(t.Template.Name, idOrName) {
			return t, nil
		}
	}
	return nil, fmt.Errorf("%w: %q", ErrNotFound, idOrName)
}

// Create stores a new API template, makes it live and backfills it.
func (e *Engine) Create(ctx context.Context, w store.Workspace, t *rules.Template) (*rules.Compiled, error) {
	e.creating.Lock()
	defer e.creating.Unlock()
	if _, err := e.Template(w, t.Name); err == nil {
		return nil, fmt.Errorf("%w: %q", ErrExists, t.Name)
	}
	if n := len(e.Templates(w)); e.maxTemplates > 0 && n >= e.maxTemplates {
		return nil, fmt.Errorf("%w: workspace %s has %d templates, the most limits.templatesPerWorkspace allows; delete one first", ErrTooMany, w, n)
	}
	t.ID, t.Source = uuid.NewString(), "api"
	return e.save(ctx, w, t)
}

// Replace changes an API template; its changed attributes are backfilled.
func (e *Engine) Replace(ctx context.Context, w store.Workspace, id string, t *rules.Template) (*rules.Compiled, error) {
	old, err := e.Template(w, id)
	if err != nil {
		return nil, err
	}
	if old.Template.Source != "api" {
		return nil, fmt.Errorf("%w: %s", ErrReadOnly, old.Template.Source)
	}
	if other, err := e.Template(w, t.Name); err == nil && other.Template.ID != old.Template.ID {
		return nil, fmt.Errorf("%w: %q", ErrExists, t.Name)
	}
	t.ID, t.Source = old.Template.ID, "api"
	return e.save(ctx, w, t)
}

func (e *Engine) save(ctx context.Context, w store.Workspace, t *rules.Template) (*rules.Compiled, error) {
	c, err := rules.Compile(t)
	if err != nil {
		return nil, err
	}
	// The template's journey actions must hold on the new definition, or nothing
	// changes: an action left on the old definition would go on firing as it was.
	actions, err := e.recompileActions(w, c)
	if err != nil {
		return nil, err
	}
	raw, err := marshalTemplate(t)
	if err != nil {
		return nil, err
	}
	if err := e.store.PutDoc(ctx, w, collection, t.ID, raw); err != nil {
		return nil, err
	}
	// Live first, then backfill: events arriving in between are derived by the live set
	// and recomputed by the backfill, which replaces state rather than adding to it.
	e.putAPI(w, c)
	for _, a := range actions {
		e.putAPIAction(w, a)
	}
	e.backfill(c, []store.Workspace{w})
	return c, nil
}

// Delete removes an API template.
func (e *Engine) Delete(ctx context.Context, w store.Workspace, id string) error {
	c, err := e.Template(w, id)
	if err != nil {
		return err
	}
	if c.Template.Source != "api" {
		return fmt.Errorf("%w: %s", ErrReadOnly, c.Template.Source)
	}
	if err := e.store.DeleteDoc(ctx, w, collection, c.Template.ID); err != nil {
		return err
	}
	// Its actions go with it.
	for _, a := range e.Actions(w) {
		if a.Action.Source == "api" && a.Template.Template.ID == c.Template.ID {
			if err := e.DeleteAction(ctx, w, a); err != nil {
				return err
			}
		}
	}
	e.mu.Lock()
	delete(e.api[w], c.Template.ID)
	e.sets = map[store.Workspace]*set{}
	e.mu.Unlock()
	e.backfills.Delete(c.Template.ID)
	return nil
}

// recompileActions compiles the API actions of a changed template against its new
// definition. When one no longer compiles, the error (ErrInUse) names each.
func (e *Engine) recompileActions(w store.Workspace, t *rules.Compiled) ([]*rules.CompiledAction, error) {
	var out []*rules.CompiledAction
	var errs []error
	for _, a := range e.Actions(w) {
		if a.Action.Source != "api" || a.Template.Template.ID != t.Template.ID {
			continue
		}
		c, err := rules.CompileAction(a.Action, t)
		if err != nil {
			errs = append(errs, fmt.Errorf("journey action %q: %w", a.Action.Name, err))
			continue
		}
		out = append(out, c)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%w: %w", ErrInUse, errors.Join(errs...))
	}
	return out, nil
}

// SetFiles swaps in the templates and actions compiled from rule files (all of them,
// atomically), and backfills each template in the workspaces with data where its
// definition never was.
func (e *Engine) SetFiles(ctx context.Context, compiled []*rules.Compiled, actions []*rules.CompiledAction) error {
	e.mu.Lock()
	e.files.Store(&compiled)
	e.fileActions.Store(&actions)
	e.sets = map[store.Workspace]*set{}
	e.mu.Unlock()
	if e.store == nil {
		return nil
	}
	workspaces, err := e.store.Workspaces(ctx)
	if err != nil {
		return err
	}
	for _, c := range compiled {
		if err := e.backfillUnlessDone(ctx, c, workspaces); err != nil {
			return err
		}
	}
	return nil
}
