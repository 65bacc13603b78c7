package profiles

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/rules"
)

// Sets are the profile templates and journey actions in force, per workspace: those of
// rule files, which apply to every workspace, and those made through the API. Deriving
// reads them on every event; the Engine changes them. Safe for concurrent use.
type Sets struct {
	// files is the set compiled from rule files: it applies to every workspace.
	files       atomic.Pointer[[]*rules.Compiled]
	fileActions atomic.Pointer[[]*rules.CompiledAction]

	mu         sync.RWMutex
	api        map[store.Workspace]map[string]*rules.Compiled       // by template id
	apiActions map[store.Workspace]map[string]*rules.CompiledAction // by action id
	// policies are the contact policies in force (policies.go).
	policies policies
	// sets caches, per workspace, every template that applies there, indexed by event
	// type; rebuilt when templates change.
	sets map[store.Workspace]*set
}

// NewSets returns empty sets: no template, no action.
func NewSets() *Sets {
	ss := &Sets{api: map[store.Workspace]map[string]*rules.Compiled{},
		apiActions: map[store.Workspace]map[string]*rules.CompiledAction{}, sets: map[store.Workspace]*set{}}
	ss.files.Store(&[]*rules.Compiled{})
	ss.fileActions.Store(&[]*rules.CompiledAction{})
	return ss
}

// setFiles swaps in the templates and actions compiled from rule files.
func (ss *Sets) setFiles(compiled []*rules.Compiled, actions []*rules.CompiledAction) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.files.Store(&compiled)
	ss.fileActions.Store(&actions)
	ss.sets = map[store.Workspace]*set{}
}

// deleteAPI removes an API template, deleteAPIAction an API action.
func (ss *Sets) deleteAPI(w store.Workspace, id string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	delete(ss.api[w], id)
	ss.sets = map[store.Workspace]*set{}
}

func (ss *Sets) deleteAPIAction(w store.Workspace, id string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	delete(ss.apiActions[w], id)
	ss.sets = map[store.Workspace]*set{}
}

// set is what deriving needs for one workspace.
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

func (ss *Sets) putAPI(w store.Workspace, c *rules.Compiled) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	m := ss.api[w]
	if m == nil {
		m = map[string]*rules.Compiled{}
		ss.api[w] = m
	}
	m[c.Template.ID] = c
	ss.sets = map[store.Workspace]*set{}
}

// setFor returns the templates applying to a workspace.
func (ss *Sets) setFor(w store.Workspace) *set {
	ss.mu.RLock()
	s := ss.sets[w]
	ss.mu.RUnlock()
	if s != nil {
		return s
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if s = ss.sets[w]; s != nil {
		return s
	}
	templates := append([]*rules.Compiled(nil), *ss.files.Load()...)
	actions := append([]*rules.CompiledAction(nil), *ss.fileActions.Load()...)
	actionIDs := make([]string, 0, len(ss.apiActions[w]))
	for id := range ss.apiActions[w] {
		actionIDs = append(actionIDs, id)
	}
	sort.Strings(actionIDs)
	for _, id := range actionIDs {
		actions = append(actions, ss.apiActions[w][id])
	}
	ids := make([]string, 0, len(ss.api[w]))
	for id := range ss.api[w] {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		templates = append(templates, ss.api[w][id])
	}
	s = newSet(templates, actions)
	ss.sets[w] = s
	return s
}

// newSet indexes templates and the actions over them for deriving.
func newSet(templates []*rules.Compiled, actions []*rules.CompiledAction) *set {
	s := &set{templates: templates, actions: actions, byEvent: map[string][]*rules.CompiledAttr{}, decode: map[string]*decoding{}}
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

// Templates lists the templates applying to a workspace: rule files' first, then the
// API's, each group by name.
func (ss *Sets) Templates(w store.Workspace) []*rules.Compiled {
	return ss.setFor(w).templates
}

// Template finds a template of a workspace by id or, failing that, by name.
func (ss *Sets) Template(w store.Workspace, idOrName string) (*rules.Compiled, error) {
	ts := ss.Templates(w)
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

// Actions lists the journey actions of a workspace: rule files' first, then the API's.
func (ss *Sets) Actions(w store.Workspace) []*rules.CompiledAction { return ss.setFor(w).actions }

// Action finds a journey action of a workspace by id or, failing that, by name within
// the template (tid may be empty to search every template).
func (ss *Sets) Action(w store.Workspace, tid, idOrName string) (*rules.CompiledAction, error) {
	as := ss.Actions(w)
	for _, a := range as {
		if a.Action.ID == idOrName && (tid == "" || a.Template.Template.ID == tid) {
			return a, nil
		}
	}
	for _, a := range as {
		if strings.EqualFold(a.Action.Name, idOrName) && (tid == "" || a.Template.Template.ID == tid) {
			return a, nil
		}
	}
	return nil, fmt.Errorf("%w: journey action %q", ErrNotFound, idOrName)
}

func (ss *Sets) putAPIAction(w store.Workspace, c *rules.CompiledAction) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	m := ss.apiActions[w]
	if m == nil {
		m = map[string]*rules.CompiledAction{}
		ss.apiActions[w] = m
	}
	m[c.Action.ID] = c
	ss.sets = map[store.Workspace]*set{}
}
