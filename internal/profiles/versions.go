package profiles

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"

	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/rules"
)

// Versions: every save of a template or journey action made through the API (create,
// replace, rollback) is kept as a version, numbered from 1, in a store document of its
// own ("<id>@<n>" in profile-template-versions or journey-action-versions), with a head
// document ("<id>") holding the first and last numbers kept. The last is the current
// definition. Only the last KeepVersions are kept per definition; deleting the
// definition deletes its versions. A definition stored before versions were kept has
// one, its current state, which the next save writes out as version 1.
//
// Versions are written by the node that saves: two nodes changing one definition at the
// same instant may lose a version of it (the definition itself stays the last saved).
// Rule files' definitions are versioned by their files (git), not here.

// KeepVersions is how many versions of one definition are kept.
const KeepVersions = 50

// Collections of the versions, per collection of definitions.
var versionCollections = map[string]string{
	collection:       "profile-template-versions",
	actionCollection: "journey-action-versions",
}

// Version is one saved state of a template or journey action made through the API.
type Version struct {
	Version int `json:"version"`
	// SavedAt and SavedBy are the definition's updatedAt and updatedBy (its creation's
	// for the first version).
	SavedAt    string          `json:"savedAt,omitempty"`
	SavedBy    string          `json:"savedBy,omitempty"`
	Current    bool            `json:"current"`
	Definition json.RawMessage `json:"definition,omitempty"`
}

// versionHead is the range of versions kept of a definition.
type versionHead struct {
	First int `json:"first"`
	Last  int `json:"last"`
}

func versionID(id string, n int) string { return id + "@" + strconv.Itoa(n) }

func newVersion(n int, raw []byte) *Version {
	var a rules.Audit
	_ = json.Unmarshal(raw, &a) // a definition the engine wrote
	at, by := a.UpdatedAt, a.UpdatedBy
	if at == "" {
		at, by = a.CreatedAt, a.CreatedBy
	}
	return &Version{Version: n, SavedAt: at, SavedBy: by, Definition: raw}
}

// head reads the versions kept of a definition; none (zero) when nothing was kept yet.
func (e *Engine) head(ctx context.Context, w store.Workspace, vc, id string) (versionHead, error) {
	var h versionHead
	raw, err := e.store.GetDoc(ctx, w, vc, id)
	if errors.Is(err, store.ErrNotFound) {
		return h, nil
	}
	if err != nil {
		return h, err
	}
	return h, json.Unmarshal(raw, &h)
}

func (e *Engine) putVersion(ctx context.Context, w store.Workspace, vc, id string, v *Version) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return e.store.PutDoc(ctx, w, vc, versionID(id, v.Version), raw)
}

// putVersioned stores a definition (raw, document id of coll) and keeps it as its next
// version, dropping those past KeepVersions.
func (e *Engine) putVersioned(ctx context.Context, w store.Workspace, coll, id string, raw []byte) error {
	vc := versionCollections[coll]
	e.versioning.Lock()
	defer e.versioning.Unlock()
	h, err := e.head(ctx, w, vc, id)
	if err != nil {
		return err
	}
	if h.Last == 0 {
		// Nothing kept yet: what is stored, if anything, is the first version.
		h.First = 1
		prev, err := e.store.GetDoc(ctx, w, coll, id)
		switch {
		case err == nil:
			h.Last = 1
			if err := e.putVersion(ctx, w, vc, id, newVersion(1, prev)); err != nil {
				return err
			}
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
	}
	if err := e.store.PutDoc(ctx, w, coll, id, raw); err != nil {
		return err
	}
	// The definition is saved: it goes live whatever befalls its version.
	if err := e.keepVersion(ctx, w, vc, id, h, raw); err != nil {
		e.log.Error("keeping a version of a definition", "collection", coll, "id", id, "workspace", w.String(), "err", err)
	}
	return nil
}

// keepVersion writes raw as the version after h's last, drops those past KeepVersions
// and writes the head.
func (e *Engine) keepVersion(ctx context.Context, w store.Workspace, vc, id string, h versionHead, raw []byte) error {
	h.Last++
	if err := e.putVersion(ctx, w, vc, id, newVersion(h.Last, raw)); err != nil {
		return err
	}
	for ; h.Last-h.First+1 > KeepVersions; h.First++ {
		if err := e.store.DeleteDoc(ctx, w, vc, versionID(id, h.First)); err != nil {
			return err
		}
	}
	hraw, err := json.Marshal(h)
	if err != nil {
		return err
	}
	return e.store.PutDoc(ctx, w, vc, id, hraw)
}

// deleteVersions deletes the versions kept of a definition that is deleted.
func (e *Engine) deleteVersions(ctx context.Context, w store.Workspace, coll, id string) error {
	vc := versionCollections[coll]
	e.versioning.Lock()
	defer e.versioning.Unlock()
	h, err := e.head(ctx, w, vc, id)
	if err != nil || h.Last == 0 {
		return err
	}
	for n := h.First; n <= h.Last; n++ {
		if err := e.store.DeleteDoc(ctx, w, vc, versionID(id, n)); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	return e.store.DeleteDoc(ctx, w, vc, id)
}

// Ref names a template (by id or name) or, with Action, one of its journey actions.
type Ref struct {
	Template, Action string
}

// versioned resolves ref to the document of an API definition: its collection and id.
// A rule file's definition is ErrReadOnly: its file is its history.
func (e *Engine) versioned(w store.Workspace, ref Ref) (coll, id string, err error) {
	t, err := e.Template(w, ref.Template)
	if err != nil {
		return "", "", err
	}
	src, coll, id := t.Template.Source, collection, t.Template.ID
	if ref.Action != "" {
		a, err := e.Action(w, t.Template.ID, ref.Action)
		if err != nil {
			return "", "", err
		}
		src, coll, id = a.Action.Source, actionCollection, a.Action.ID
	}
	if src != "api" {
		return "", "", fmt.Errorf("%w: %s; a rule file's definitions are versioned by the file (git), not through the API", ErrReadOnly, src)
	}
	return coll, id, nil
}

// kept resolves ref (versioned) and reads the range of its versions; one that has none
// kept yet has one, its stored state.
func (e *Engine) kept(ctx context.Context, w store.Workspace, ref Ref) (coll, id string, h versionHead, err error) {
	if coll, id, err = e.versioned(w, ref); err != nil {
		return "", "", h, err
	}
	h, err = e.head(ctx, w, versionCollections[coll], id)
	if err == nil && h.Last == 0 {
		h = versionHead{First: 1, Last: 1}
	}
	return coll, id, h, err
}

// Versions lists the versions kept of the API definition ref names, oldest first,
// without their definitions.
func (e *Engine) Versions(ctx context.Context, w store.Workspace, ref Ref) ([]*Version, error) {
	coll, id, h, err := e.kept(ctx, w, ref)
	if err != nil {
		return nil, err
	}
	var out []*Version
	for n := h.First; n <= h.Last; n++ {
		v, err := e.version(ctx, w, coll, id, h, n)
		if errors.Is(err, store.ErrNotFound) {
			continue // dropped by a save on another node since the head was read
		}
		if err != nil {
			return nil, err
		}
		v.Definition = nil
		out = append(out, v)
	}
	return out, nil
}

// Version reads version n of the API definition ref names.
func (e *Engine) Version(ctx context.Context, w store.Workspace, ref Ref, n int) (*Version, error) {
	coll, id, h, err := e.kept(ctx, w, ref)
	if err != nil {
		return nil, err
	}
	return e.version(ctx, w, coll, id, h, n)
}

func (e *Engine) version(ctx context.Context, w store.Workspace, coll, id string, h versionHead, n int) (*Version, error) {
	if n < h.First || n > h.Last {
		return nil, fmt.Errorf("version %d is not kept (versions %d to %d are; the last %d of a definition are kept): %w",
			n, h.First, h.Last, KeepVersions, store.ErrNotFound)
	}
	var v *Version
	raw, err := e.store.GetDoc(ctx, w, versionCollections[coll], versionID(id, n))
	if errors.Is(err, store.ErrNotFound) && h.Last == 1 {
		// None kept yet: the stored definition is version 1.
		if raw, err = e.store.GetDoc(ctx, w, coll, id); err == nil {
			v = newVersion(1, raw)
		}
	} else if err == nil {
		v = new(Version)
		err = json.Unmarshal(raw, v)
	}
	if err != nil {
		return nil, fmt.Errorf("version %d: %w", n, err)
	}
	v.Current = n == h.Last
	return v, nil
}

// RollbackTemplate makes version n of an API template the current one, as a new
// version, through Replace: its journey actions must compile on it (ErrInUse). stamp
// sets the audit of the change, given the current one.
func (e *Engine) RollbackTemplate(ctx context.Context, w store.Workspace, ref string, n int, stamp func(a, old *rules.Audit)) (*rules.Compiled, error) {
	v, err := e.Version(ctx, w, Ref{Template: ref}, n)
	if err != nil {
		return nil, err
	}
	t, err := rules.ParseTemplateJSON(v.Definition)
	if err != nil {
		return nil, fmt.Errorf("version %d: %w", n, err)
	}
	old, err := e.Template(w, ref)
	if err != nil {
		return nil, err
	}
	stamp(&t.Audit, &old.Template.Audit)
	return e.Replace(ctx, w, old.Template.ID, t)
}

// RollbackAction makes version n of an API journey action the current one, as a new
// version, through SaveAction: it must compile against its template as it is now.
func (e *Engine) RollbackAction(ctx context.Context, w store.Workspace, ref Ref, n int, stamp func(a, old *rules.Audit)) (*rules.CompiledAction, error) {
	v, err := e.Version(ctx, w, ref, n)
	if err != nil {
		return nil, err
	}
	a, err := rules.ParseActionJSON(v.Definition)
	if err != nil {
		return nil, fmt.Errorf("version %d: %w", n, err)
	}
	t, err := e.Template(w, ref.Template)
	if err != nil {
		return nil, err
	}
	old, err := e.Action(w, t.Template.ID, ref.Action)
	if err != nil {
		return nil, err
	}
	a.ID = old.Action.ID
	stamp(&a.Audit, &old.Action.Audit)
	return e.SaveAction(ctx, w, t, a)
}

// Change is one field that differs between two versions: its JSON path, and its value
// in each (absent where it has none).
type Change struct {
	Path string `json:"path"`
	Old  any    `json:"old,omitempty"`
	New  any    `json:"new,omitempty"`
}

// Diff lists the fields that differ between the definitions of two versions, by path
// (attributes[0].lookBackPeriod), in path order.
func Diff(a, b *Version) ([]Change, error) {
	fa, fb := map[string]any{}, map[string]any{}
	for _, f := range []struct {
		raw  json.RawMessage
		into map[string]any
	}{{a.Definition, fa}, {b.Definition, fb}} {
		var v any
		if err := json.Unmarshal(f.raw, &v); err != nil {
			return nil, err
		}
		flatten("", v, f.into)
	}
	paths := make([]string, 0, len(fa)+len(fb))
	for p := range fa {
		paths = append(paths, p)
	}
	for p := range fb {
		if _, ok := fa[p]; !ok {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	changes := []Change{}
	for _, p := range paths {
		if !reflect.DeepEqual(fa[p], fb[p]) {
			changes = append(changes, Change{Path: p, Old: fa[p], New: fb[p]})
		}
	}
	return changes, nil
}

// flatten puts the leaves of a JSON value into out by path; an empty object or list is
// a leaf.
func flatten(path string, v any, out map[string]any) {
	switch v := v.(type) {
	case map[string]any:
		if len(v) > 0 {
			for k, x := range v {
				p := k
				if path != "" {
					p = path + "." + k
				}
				flatten(p, x, out)
			}
			return
		}
	case []any:
		if len(v) > 0 {
			for i, x := range v {
				flatten(path+"["+strconv.Itoa(i)+"]", x, out)
			}
			return
		}
	}
	out[path] = v
}
