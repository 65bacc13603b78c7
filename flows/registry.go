package flows

import (
	"context"
	"sync/atomic"

	"github.com/openjds/jds/rules/ruledir"
)

// Registry holds the flows in force. A reload swaps the whole set at once, so that a
// call sees either the old flows or the new ones, never a mix.
type Registry struct {
	set atomic.Pointer[Set]
	o   Options
}

// NewRegistry returns an empty registry; its Loader fills it.
func NewRegistry(o Options) *Registry { return &Registry{o: o} }

// Get returns the flow named name, or nil.
func (r *Registry) Get(name string) *Flow { return r.set.Load().Get(name) }

// Flows lists the flows in force, by name.
func (r *Registry) Flows() []*Flow {
	set := r.set.Load()
	if set == nil {
		return nil
	}
	out := make([]*Flow, 0, len(set.flows))
	for _, name := range set.Names() {
		out = append(out, set.flows[name])
	}
	return out
}

// Loader loads a flows directory into the registry, for a ruledir.Manager: a directory
// with any bad file leaves the flows in force as they were.
func (r *Registry) Loader() ruledir.Loader {
	return func(_ context.Context, dir string) (ruledir.Loaded, error) {
		set, err := Load(r.o, dir)
		if err != nil {
			return ruledir.Loaded{}, err
		}
		r.set.Store(set)
		return ruledir.Loaded{Files: set.Files, Counts: map[string]int{"flows": len(set.flows)}}, nil
	}
}
