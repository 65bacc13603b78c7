package event

import (
	"encoding/json"
	"strings"

	"github.com/openjds/jds/filter"
)

// Matcher applies a history request's two filters to stored events: attr over the event's
// attributes (id, type, source, time, identity, ... and extensions), data over the keys of
// its data object. Either may be nil. Both given: both must hold.
type Matcher struct {
	Attr, Data *filter.Filter
}

// Func returns the predicate for ledger queries, or nil when nothing is filtered.
func (m Matcher) Func() func(raw []byte) bool {
	if m.Attr == nil && m.Data == nil {
		return nil
	}
	return m.Match
}

// Match decodes one canonical event and applies the filters.
func (m Matcher) Match(raw []byte) bool {
	var ev map[string]any
	if err := json.Unmarshal(raw, &ev); err != nil {
		return false
	}
	if m.Attr != nil && !m.Attr.Match(func(name string) (any, bool) { return lookup(ev, name) }) {
		return false
	}
	if m.Data != nil {
		data, _ := ev["data"].(map[string]any)
		if !m.Data.Match(func(name string) (any, bool) { return lookup(data, name) }) {
			return false
		}
	}
	return true
}

// lookup resolves a field name in a decoded object: the name as a key first (keys may
// hold spaces and dots: "Past Due Amount"), then as a dotted path ("order.total").
func lookup(obj map[string]any, name string) (any, bool) {
	if v, ok := obj[name]; ok {
		return v, true
	}
	cur := obj
	for {
		head, rest, more := strings.Cut(name, ".")
		if !more {
			return nil, false
		}
		next, ok := cur[head].(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok := next[rest]; ok {
			return v, true
		}
		cur, name = next, rest
	}
}
