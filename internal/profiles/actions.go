package profiles

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/rules"
)

// checksFor are the checks of an action made through the API in workspace w: its
// Connector triggers may name only instances that serve w's organization.
func (e *Engine) checksFor(w store.Workspace) rules.Options {
	o := e.checks
	o.Organization = w.Org
	return o
}

// actionCollection holds the journey actions made through the API, per workspace.
const actionCollection = "journey-actions"

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
	if err := e.putVersioned(ctx, w, actionCollection, a.ID, raw); err != nil {
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
	if err := e.deleteVersions(ctx, w, actionCollection, a.Action.ID); err != nil {
		return err
	}
	e.deleteAPIAction(w, a.Action.ID)
	return nil
}

// loadAction compiles a stored API action against its template and makes it live; an
// action whose template is gone is skipped with a warning.
func (e *Engine) loadAction(w store.Workspace, id string, raw []byte) error {
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
}
