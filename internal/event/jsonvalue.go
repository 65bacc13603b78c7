package event

import (
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/openjds/jds/internal/filter"
)

// DecodeJSON decodes one JSON value into map[string]any, []any, string, int64 (whole
// numbers that fit) or float64, bool and nil: exactly what encoding/json with UseNumber
// gives once its numbers are made int64 when whole and in range, float64 otherwise, and
// about twice as fast. Stored events are decoded this way wherever they are read as
// values: for profile expressions (every event a template may count, on its way in) and
// for history filters (every event a filtered read passes over), where reflection-based
// decoding was the largest cost. Strings with escapes or invalid UTF-8, rare in
// practice, go through encoding/json.
func DecodeJSON(b []byte) (any, error) {
	d := jsonDecoder{b: b}
	d.space()
	v, err := d.value(0)
	if err != nil {
		return nil, err
	}
	if d.space(); d.i != len(d.b) {
		return nil, d.errorf("unexpected data after the value")
	}
	return v, nil
}

// DecodeMembers decodes a JSON object member by member, each value as DecodeJSON decodes
// it, handing fn every key and value in order (a repeated key, repeated) without
// building the object's map: for a caller that files the members elsewhere
// (rules.NewEventEnv), that map was pure cost.
func DecodeMembers(b []byte, fn func(key string, v any)) error {
	d := jsonDecoder{b: b}
	return d.topMembers(fn)
}

// DecodeMembersIn is DecodeMembers, except that the object under the top-level member
// named in is handed to fn holding only the keys listed in keep: the values of its other
// keys are skipped, not decoded. An event's data read only in part (rules.NewEventEnvKeys)
// costs then what those keys cost.
func DecodeMembersIn(b []byte, in string, keep []string, fn func(key string, v any)) error {
	if keep == nil {
		keep = []string{} // none: nil would keep all
	}
	d := jsonDecoder{b: b, in: in, keep: keep}
	return d.topMembers(fn)
}

func (d *jsonDecoder) topMembers(fn func(key string, v any)) error {
	d.space()
	if d.i >= len(d.b) || d.b[d.i] != '{' {
		return d.errorf("expected an object")
	}
	if err := d.members(0, nil, fn); err != nil {
		return err
	}
	if d.space(); d.i != len(d.b) {
		return d.errorf("unexpected data after the value")
	}
	return nil
}

// maxJSONDepth bounds nesting, as encoding/json does (10,000), so that hostile input
// cannot exhaust the stack.
const maxJSONDepth = 10_000

type jsonDecoder struct {
	b []byte
	i int
	// in, when set, names the top-level member whose object keeps only the keys in keep
	// (DecodeMembersIn).
	in   string
	keep []string
}

// ErrJSON is what DecodeJSON's errors wrap.
var ErrJSON = errors.New("invalid JSON")

func (d *jsonDecoder) errorf(msg string) error {
	return errors.Join(ErrJSON, errors.New(msg+" at offset "+strconv.Itoa(d.i)))
}

func (d *jsonDecoder) space() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *jsonDecoder) value(depth int) (any, error) {
	if d.i >= len(d.b) {
		return nil, d.errorf("unexpected end")
	}
	if depth > maxJSONDepth {
		return nil, d.errorf("nested too deeply")
	}
	switch c := d.b[d.i]; {
	case c == '{':
		return d.object(depth)
	case c == '[':
		return d.array(depth)
	case c == '"':
		return d.string()
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.literal("null")
	case c == '-' || ('0' <= c && c <= '9'):
		return d.number()
	}
	return nil, d.errorf("unexpected character")
}

func (d *jsonDecoder) literal(word string) error {
	if len(d.b)-d.i < len(word) || string(d.b[d.i:d.i+len(word)]) != word {
		return d.errorf("unexpected character")
	}
	d.i += len(word)
	return nil
}

func (d *jsonDecoder) object(depth int) (any, error) {
	m := map[string]any{}
	// A repeated key keeps the last value, as encoding/json does.
	err := d.members(depth, nil, func(k string, v any) { m[k] = v })
	if err != nil {
		return nil, err
	}
	return m, nil
}

// members decodes the object at d.i, handing fn each member in order. With keep not
// nil, only the members it names are decoded, the others skipped.
func (d *jsonDecoder) members(depth int, keep []string, fn func(k string, v any)) error {
	return d.eachMember(func(kb []byte) error { return d.member(depth, keep, kb, fn) })
}

// eachMember walks the object at d.i, calling next with each member's name, d.i at its
// value, to read the value.
func (d *jsonDecoder) eachMember(next func(kb []byte) error) error {
	d.i++ // {
	d.space()
	if d.i < len(d.b) && d.b[d.i] == '}' {
		d.i++
		return nil
	}
	for {
		d.space()
		if d.i >= len(d.b) || d.b[d.i] != '"' {
			return d.errorf("expected a key")
		}
		kb, err := d.key()
		if err != nil {
			return err
		}
		d.space()
		if d.i >= len(d.b) || d.b[d.i] != ':' {
			return d.errorf("expected ':'")
		}
		d.i++
		d.space()
		if err := next(kb); err != nil {
			return err
		}
		d.space()
		if d.i >= len(d.b) {
			return d.errorf("unexpected end")
		}
		switch d.b[d.i] {
		case ',':
			d.i++
		case '}':
			d.i++
			return nil
		default:
			return d.errorf("expected ',' or '}'")
		}
	}
}

// member reads the value at d.i of the member named kb: skipped when keep (not nil)
// does not name it, else decoded and handed to fn; the object under d.in at the top
// holds only the keys in d.keep.
func (d *jsonDecoder) member(depth int, keep []string, kb []byte, fn func(k string, v any)) error {
	var k string
	if keep == nil {
		k = name(kb)
	} else if i := slices.IndexFunc(keep, func(s string) bool { return s == string(kb) }); i >= 0 {
		k = keep[i]
	} else {
		return d.skip(depth + 1)
	}
	var v any
	var err error
	if depth == 0 && d.in != "" && k == d.in && d.i < len(d.b) && d.b[d.i] == '{' {
		m := map[string]any{}
		err = d.members(depth+1, d.keep, func(k string, v any) { m[k] = v })
		v = m
	} else {
		v, err = d.value(depth + 1)
	}
	if err != nil {
		return err
	}
	fn(k, v)
	return nil
}

// name returns a member name as a string, without allocating one for the names of
// CloudEvents attributes, which every event repeats.
func name(b []byte) string {
	if i := slices.Index(attributeNames, string(b)); i >= 0 {
		return attributeNames[i]
	}
	return string(b)
}

var attributeNames = []string{"id", "specversion", "type", "source", "identity", "identitytype",
	"previousidentity", "time", "datacontenttype", "dataschema", "subject", "data"}

// key reads the string at d.i as a key: its bytes inside b when it has no escapes (not
// copied), else decoded.
func (d *jsonDecoder) key() ([]byte, error) {
	start := d.i
	for j := start + 1; j < len(d.b); j++ {
		c := d.b[j]
		if c == '\\' || c < 0x20 {
			break
		}
		if c == '"' {
			if !utf8.Valid(d.b[start+1 : j]) {
				break
			}
			d.i = j + 1
			return d.b[start+1 : j], nil
		}
	}
	s, err := d.string() // escapes, invalid UTF-8, errors: as string decides
	return []byte(s), err
}

// skip passes over the value at d.i, checking its syntax as value does, without
// decoding it.
func (d *jsonDecoder) skip(depth int) error {
	if d.i >= len(d.b) {
		return d.errorf("unexpected end")
	}
	if depth > maxJSONDepth {
		return d.errorf("nested too deeply")
	}
	switch d.b[d.i] {
	case '{':
		return d.members(depth, []string{}, nil)
	case '[':
		return d.elements(func() error { return d.skip(depth + 1) })
	case '"':
		_, err := d.key()
		return err
	}
	_, err := d.value(depth)
	return err
}

func (d *jsonDecoder) array(depth int) (any, error) {
	l := []any{}
	err := d.elements(func() error {
		v, err := d.value(depth + 1)
		l = append(l, v)
		return err
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// elements walks the array at d.i, calling next at each element to read it.
func (d *jsonDecoder) elements(next func() error) error {
	d.i++ // [
	d.space()
	if d.i < len(d.b) && d.b[d.i] == ']' {
		d.i++
		return nil
	}
	for {
		d.space()
		if err := next(); err != nil {
			return err
		}
		d.space()
		if d.i >= len(d.b) {
			return d.errorf("unexpected end")
		}
		switch d.b[d.i] {
		case ',':
			d.i++
		case ']':
			d.i++
			return nil
		default:
			return d.errorf("expected ',' or ']'")
		}
	}
}

func (d *jsonDecoder) string() (string, error) {
	start := d.i
	d.i++ // "
	plain := true
	for d.i < len(d.b) {
		switch c := d.b[d.i]; {
		case c == '"':
			d.i++
			raw := d.b[start:d.i]
			if plain && utf8.Valid(raw) {
				return string(raw[1 : len(raw)-1]), nil
			}
			var s string // escapes, invalid UTF-8: encoding/json's rules exactly
			if err := json.Unmarshal(raw, &s); err != nil {
				return "", errors.Join(ErrJSON, err)
			}
			return s, nil
		case c == '\\':
			plain = false
			d.i += 2
		case c < 0x20:
			return "", d.errorf("control character in a string")
		default:
			d.i++
		}
	}
	return "", d.errorf("unterminated string")
}

func (d *jsonDecoder) number() (any, error) {
	start := d.i
	for d.i < len(d.b) {
		c := d.b[d.i]
		if !('0' <= c && c <= '9') && c != '-' && c != '+' && c != '.' && c != 'e' && c != 'E' {
			break
		}
		d.i++
	}
	s := string(d.b[start:d.i])
	if !validNumber(s) {
		return nil, d.errorf("malformed number")
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i, nil
	}
	f, _ := strconv.ParseFloat(s, 64) // valid JSON: out of range gives ±Inf, as json.Number's Float64
	return f, nil
}

// validNumber reports whether s is a JSON number: the filter's number syntax, without
// leading zeros.
func validNumber(s string) bool {
	digits := strings.TrimPrefix(s, "-")
	return filter.IsNumber(s) && !(len(digits) > 1 && digits[0] == '0' && '0' <= digits[1] && digits[1] <= '9')
}
