// Package profiles runs progressive profiles, in four parts: the Sets of templates and
// journey actions in force per workspace (from admins' rule files and from the API);
// the Deriver, which keeps their state and fires actions inside the store's commits;
// the backfills of templates that are new or changed; and the Engine, the template store
// that callers change and read views through.
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
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

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

// Collections of documents the engine keeps in the store.
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

// Engine is the profiles as callers see them: the template store (the templates and
// journey actions made through the API, kept as store documents and checked before they
// are saved), the Sets they join, the backfills they start, and the profile views. Safe
// for concurrent use. Deriving is the Deriver's, inside the store's commits.
type Engine struct {
	*Sets
	*backfiller
	store store.Store
	log   *slog.Logger
	now   func() time.Time
	// checks are what actions saved through the API are checked against besides their
	// template (the configured connectors), as rule files are.
	checks rules.Options
	// maxTemplates and maxActions bound what one workspace holds (rule files' included)
	// when one more is created through the API; 0: no limit. creating makes the count
	// and the creation one step.
	maxTemplates, maxActions int
	creating                 sync.Mutex
	// versioning makes keeping a version of a definition one step (versions.go).
	versioning sync.Mutex

	// results are answers already computed for readers (see resultCache).
	results *resultCache
}

// Option configures an Engine.
type Option func(*Engine)

// WithChecks makes the engine check the actions saved through the API as o asks,
// besides against their template: with o.Connectors, a Connector trigger naming a
// connector that is not configured is refused, as it is in a rule file.
func WithChecks(o rules.Options) Option { return func(e *Engine) { e.checks = o } }

// WithLimits bounds the templates and the journey actions a workspace may hold: past
// them, creating one more through the API fails with ErrTooMany. Rule files' count
// too, but are never refused. 0: no limit.
func WithLimits(templates, actions int) Option {
	return func(e *Engine) { e.maxTemplates, e.maxActions = templates, actions }
}

// Open returns the engine over st, whose Deriver derives from sets: it loads the
// templates and actions made through the API into sets, and backfills again a template
// whose backfill did not finish (a crash, a shutdown).
func Open(ctx context.Context, st store.Store, sets *Sets, log *slog.Logger, now func() time.Time, opts ...Option) (*Engine, error) {
	if now == nil {
		now = time.Now
	}
	e := &Engine{Sets: sets, backfiller: newBackfiller(st, log, now), store: st, log: log, now: now,
		results: newResultCache(16 << 20)}
	for _, o := range opts {
		o(e)
	}
	if err := st.AllDocs(ctx, collection, e.loadTemplate); err != nil {
		return nil, err
	}
	if err := st.AllDocs(ctx, actionCollection, e.loadAction); err != nil {
		return nil, err
	}
	st.OnDocument(e.reload)
	if err := e.openPolicies(ctx); err != nil {
		return nil, err
	}
	for w, templates := range e.api {
		for _, c := range templates {
			if err := e.backfillUnlessDone(ctx, c, []store.Workspace{w}); err != nil {
				return nil, err
			}
		}
	}
	return e, nil
}

// loadTemplate makes a stored API template live.
func (e *Engine) loadTemplate(w store.Workspace, id string, raw []byte) error {
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
}

// reload follows a template or action another node wrote or deleted (store.Documents'
// OnDocument): the document as it now is replaces what this node holds. The node that
// made the change runs its backfill.
func (e *Engine) reload(w store.Workspace, coll, id string) {
	if coll != collection && coll != actionCollection {
		return
	}
	raw, err := e.store.GetDoc(e.ctx, w, coll, id)
	switch {
	case errors.Is(err, store.ErrNotFound) && coll == collection:
		e.deleteAPI(w, id)
		e.backfills.Delete(id)
		return
	case errors.Is(err, store.ErrNotFound):
		e.deleteAPIAction(w, id)
		return
	case err != nil:
		e.log.Error("reloading a definition another node changed", "collection", coll, "id", id, "workspace", w.String(), "err", err)
		return
	}
	load := e.loadTemplate
	if coll == actionCollection {
		load = e.loadAction
	}
	if err := load(w, id, raw); err != nil {
		e.log.Error("reloading a definition another node changed", "collection", coll, "id", id, "workspace", w.String(), "err", err)
	}
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
	if err := e.putVersioned(ctx, w, collection, t.ID, raw); err != nil {
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
	if err := e.deleteVersions(ctx, w, collection, c.Template.ID); err != nil {
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
	e.deleteAPI(w, c.Template.ID)
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
	e.setFiles(compiled, actions)
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
