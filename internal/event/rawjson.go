package event

import "encoding/json"

// Splitting without encoding/json. Ingest decodes every event it takes: the batch into
// its elements, each event into its members. encoding/json checked each byte once to
// validate it and again to decode it, through reflection, and copied every value; these
// check each byte once, with jsonDecoder's syntax rules, and hand back slices of the
// input. Input they refuse goes to encoding/json for its error message (jsonProblem), so
// what a client is told about a bad body is unchanged.

// splitArray returns the elements of the JSON array b as slices of b; ok is false when b
// is not exactly one valid array.
func splitArray(b []byte) (items []json.RawMessage, ok bool) {
	d := jsonDecoder{b: b}
	d.space()
	if d.i >= len(d.b) || d.b[d.i] != '[' {
		return nil, false
	}
	items = []json.RawMessage{}
	err := d.elements(func() error {
		start := d.i
		if err := d.skip(1); err != nil {
			return err
		}
		items = append(items, b[start:d.i])
		return nil
	})
	if d.space(); err != nil || d.i != len(d.b) {
		return nil, false
	}
	return items, true
}

// splitObject returns the members of the JSON object b, each value a slice of b; a
// repeated name keeps its last value, as encoding/json does. ok is false when b is not
// exactly one valid object.
func splitObject(b []byte) (m map[string]json.RawMessage, ok bool) {
	d := jsonDecoder{b: b}
	d.space()
	if d.i >= len(d.b) || d.b[d.i] != '{' {
		return nil, false
	}
	m = make(map[string]json.RawMessage, 12)
	err := d.eachMember(func(kb []byte) error {
		start := d.i
		if err := d.skip(1); err != nil {
			return err
		}
		m[name(kb)] = b[start:d.i]
		return nil
	})
	if d.space(); err != nil || d.i != len(d.b) {
		return nil, false
	}
	return m, true
}
