package event

import (
	"slices"
	"strings"

	"github.com/openjds/jds/internal/filter"
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

// Types returns the event types the attribute filter lets through, when it names them
// (type eq 'Payment', type in (...), joined by and and or), so that a store may read only
// events of those types; nil when it does not. Match still decides.
func (m Matcher) Types() []string {
	types, ok := m.Attr.RequiredText(func(name string) bool { return strings.ToLower(name) == "type" })
	if !ok || len(types) == 0 { // none: no event matches, which Match finds alone
		return nil
	}
	return types
}

// Match applies the filters to one canonical event. It decodes only what they read:
// attributes come before data in canonical JSON, so a filter on plain attribute names
// (type eq 'Payment') is answered from the head of the event, and the data object is
// decoded only for events that pass it.
func (m Matcher) Match(raw []byte) bool {
	if m.Attr != nil {
		get := func(name string) (any, bool) { return Member(raw, name) }
		if slices.ContainsFunc(m.Attr.Fields(), func(f string) bool { return strings.Contains(f, ".") }) {
			// A dotted name may reach into an extension object: decode the whole event.
			v, err := DecodeJSON(raw)
			ev, ok := v.(map[string]any)
			if err != nil || !ok {
				return false
			}
			get = func(name string) (any, bool) { return lookup(ev, name) }
		}
		if !m.Attr.Match(foldAttribute(get)) {
			return false
		}
	}
	if m.Data != nil {
		v, _ := Member(raw, "data")
		data, _ := v.(map[string]any)
		if !m.Data.Match(func(name string) (any, bool) { return lookup(data, name) }) {
			return false
		}
	}
	return true
}

// foldAttribute serves attribute names in any letter case (identityType, as G3's RSQL
// examples write it): attribute and extension names are lower case, so a name not found
// as written is tried with its first segment lower-cased. Keys inside data keep their
// case.
func foldAttribute(get filter.Getter) filter.Getter {
	return func(name string) (any, bool) {
		if v, ok := get(name); ok {
			return v, true
		}
		head, rest, dotted := strings.Cut(name, ".")
		if lower := strings.ToLower(head); lower != head {
			if dotted {
				return get(lower + "." + rest)
			}
			return get(lower)
		}
		return nil, false
	}
}

// Member returns one top-level member of an event's canonical JSON, decoded as DecodeJSON
// does, walking the members in order and decoding none after it (data, the largest, is
// last). ok is false when the event has no such member or is not valid JSON.
func Member(raw []byte, name string) (v any, ok bool) {
	d := jsonDecoder{b: raw}
	d.space()
	if d.i >= len(d.b) || d.b[d.i] != '{' {
		return nil, false
	}
	d.i++
	for {
		d.space()
		if d.i >= len(d.b) || d.b[d.i] != '"' {
			return nil, false
		}
		key, err := d.string()
		if err != nil {
			return nil, false
		}
		d.space()
		if d.i >= len(d.b) || d.b[d.i] != ':' {
			return nil, false
		}
		d.i++
		d.space()
		v, err := d.value(0)
		if err != nil {
			return nil, false
		}
		if key == name {
			return v, true
		}
		d.space()
		if d.i >= len(d.b) || d.b[d.i] != ',' {
			return nil, false
		}
		d.i++
	}
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
