// Package event holds the CloudEvents-shaped journey event of jds: decoding and validating
// what clients post (one event or a batch), normalising its identity, and the canonical JSON
// the ledger stores and every read returns.
//
// It does not store events (package store does) nor decide who they belong to.
package event

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/openjds/jds/internal/identity"
)

// TimeLayout is how every time leaves jds: RFC 3339, UTC, milliseconds.
const TimeLayout = "2006-01-02T15:04:05.000Z"

// Event is one validated journey event. Raw is its canonical JSON, what the ledger keeps.
type Event struct {
	ID               string
	Type             string
	Source           string
	Identity         string        // as posted
	IdentityType     identity.Kind // canonical
	Alias            string        // Identity normalised for IdentityType
	PreviousIdentity string
	Time             time.Time
	Raw              []byte
	// Prepared is what a deriver computed from the event before it reached the
	// committer (its decoded form), so that the one-at-a-time commit path does less.
	Prepared any
}

// Limits bounds what a decoder accepts.
type Limits struct {
	MaxBatch      int    // events in one batch
	MaxEventBytes int    // encoded size of one event
	DefaultRegion string // where phones without a country code are dialled ("US")
	// Guard rejects placeholder identities ("anonymous", "0"); nil accepts any.
	Guard *identity.Guard
	// G2 accepts the G2 body too ({specVersion, person, previously, dataContentType,
	// data}: see fromG2), as POST /v1/journey/events does.
	G2 bool
}

// Invalid is the reason one event was rejected: every problem, each "field: reason".
type Invalid struct {
	ID     string // the event's id when it had one, for batch results
	Errors []string
}

func (e *Invalid) Error() string { return strings.Join(e.Errors, "; ") }

// An event is unique by (source, id) in its workspace; the ledger keys its dedupe entries
// by both, so both are bounded.
const (
	maxIDLen     = 256
	maxSourceLen = 1024
)

// attribute names this package reads; every other top-level member is an extension.
var known = map[string]bool{
	"id": true, "specversion": true, "type": true, "source": true, "identity": true,
	"identitytype": true, "previousidentity": true, "time": true, "datacontenttype": true,
	"data": true, "subject": true, "dataschema": true,
}

// Decode validates one event given as a JSON object. received is the default for `time`.
// A non-nil *Invalid lists every problem found; other errors do not happen.
func Decode(raw []byte, received time.Time, lim Limits) (*Event, *Invalid) {
	if lim.MaxEventBytes > 0 && len(raw) > lim.MaxEventBytes {
		return nil, &Invalid{Errors: []string{fmt.Sprintf("event: larger than %d bytes", lim.MaxEventBytes)}}
	}
	// encoding/json turns invalid UTF-8 and lone surrogate escapes into U+FFFD, which
	// would make "col\xfe" and "col\xff" one id: refuse them instead.
	if reason := checkUTF8(raw); reason != "" {
		return nil, &Invalid{Errors: []string{"event: " + reason}}
	}
	m, ok := splitObject(raw)
	if !ok {
		// Not a valid object: encoding/json says why.
		if err := json.Unmarshal(raw, &m); err != nil || m == nil {
			return nil, &Invalid{Errors: []string{"event: must be a JSON object: " + jsonProblem(err)}}
		}
	}
	if lim.G2 && isG2(m) {
		ce, bad := fromG2(m)
		ev, invalid := fromMembers(ce, received, lim)
		if invalid == nil && bad == nil {
			return ev, nil
		}
		if invalid == nil {
			invalid = &Invalid{ID: ev.ID}
		}
		errs := bad
		for _, p := range invalid.Errors {
			p = g2Field(m, p)
			// One reason per field: fromG2's says more about a G2 member.
			if field, _, _ := strings.Cut(p, ": "); !slices.ContainsFunc(bad, func(b string) bool { return strings.HasPrefix(b, field+": ") }) {
				errs = append(errs, p)
			}
		}
		invalid.Errors = errs
		return nil, invalid
	}
	return fromMembers(m, received, lim)
}

func fromMembers(m map[string]json.RawMessage, received time.Time, lim Limits) (*Event, *Invalid) {
	ev := &Event{}
	var bad []string
	fail := func(field, reason string) { bad = append(bad, field+": "+reason) }

	// str reads a string attribute; present reports whether the member exists at all.
	str := func(name string, required bool) (s string, present bool) {
		v, ok := m[name]
		if !ok || isNull(v) {
			if required {
				fail(name, "required")
			}
			return "", false
		}
		s, ok = unquote(v)
		if !ok {
			fail(name, "must be a string")
			return "", false
		}
		if required && strings.TrimSpace(s) == "" {
			fail(name, "must not be empty")
		}
		return s, true
	}

	ev.ID, _ = str("id", true)
	if len(ev.ID) > maxIDLen {
		fail("id", fmt.Sprintf("longer than %d bytes", maxIDLen))
	} else if hasControl(ev.ID) {
		fail("id", "must not contain control characters")
	}
	if sv, ok := str("specversion", true); ok && sv != "1.0" {
		fail("specversion", fmt.Sprintf("must be \"1.0\", got %q", sv))
	}
	ev.Type, _ = str("type", true)
	ev.Source, _ = str("source", true)
	if len(ev.Source) > maxSourceLen {
		fail("source", fmt.Sprintf("longer than %d bytes", maxSourceLen))
	} else if ev.Source != "" {
		if reason := checkURIReference(ev.Source); reason != "" {
			fail("source", reason)
		}
	}
	ev.Identity, _ = str("identity", true)
	kind, hasKind := str("identitytype", true)
	if hasKind {
		k, ok := identity.ParseKind(kind)
		if !ok {
			fail("identitytype", fmt.Sprintf("must be one of %s, got %q", identity.KindNames(), kind))
		}
		ev.IdentityType = k
	}
	if ev.IdentityType != 0 && strings.TrimSpace(ev.Identity) != "" {
		alias, err := identity.Normalize(ev.IdentityType, ev.Identity, lim.DefaultRegion)
		if err != nil {
			fail("identity", strings.TrimPrefix(err.Error(), identity.ErrInvalidAlias.Error()+": "))
		}
		ev.Alias = alias
		if err == nil {
			if err := lim.Guard.Check(ev.Identity); err != nil {
				fail("identity", err.Error())
			}
		}
	}
	ev.PreviousIdentity, _ = str("previousidentity", false)
	ev.PreviousIdentity = strings.TrimSpace(ev.PreviousIdentity)
	if len(ev.PreviousIdentity) > identity.MaxAliasLen {
		fail("previousidentity", fmt.Sprintf("longer than %d bytes", identity.MaxAliasLen))
	}
	ev.Time = received
	if ts, ok := str("time", false); ok {
		t, err := time.Parse(time.RFC3339Nano, ts)
		if y := t.UTC().Year(); err == nil && (y < 1 || y > 9999) {
			err = errors.New("year out of range")
		}
		if err != nil {
			fail("time", fmt.Sprintf("must be an RFC 3339 time like 2023-03-31T00:39:46.917Z, got %q", ts))
		}
		ev.Time = t
	}
	ev.Time = ev.Time.UTC()
	contentType, hasContentType := str("datacontenttype", false)
	if hasContentType && !strings.HasPrefix(strings.ToLower(strings.TrimSpace(contentType)), "application/json") {
		fail("datacontenttype", fmt.Sprintf("must be application/json, got %q", contentType))
	}
	data, ok := m["data"]
	switch {
	case !ok || isNull(data):
		fail("data", "required, a JSON object")
	case firstByte(data) != '{':
		fail("data", "must be a JSON object")
	}
	for _, name := range []string{"subject", "dataschema"} {
		str(name, false)
	}
	for name := range m {
		if known[name] || validAttributeName(name) {
			continue
		}
		reason := fmt.Sprintf("an extension attribute name is lowercase letters a-z and digits, at most %d (CloudEvents)", maxAttributeNameLen)
		if lower := strings.ToLower(name); known[lower] {
			reason += fmt.Sprintf("; did you mean %q?", lower)
		}
		bad = append(bad, fmt.Sprintf("%.80q: %s", name, reason))
	}

	if len(bad) > 0 {
		return nil, &Invalid{ID: ev.ID, Errors: bad}
	}
	if !hasContentType {
		contentType = "application/json"
	}
	ev.Raw = canonical(ev, contentType, m)
	return ev, nil
}

// DecodeBatch validates a JSON array of events. Each element is judged on its own: the
// good ones come back in evs (in order, with their index in idx), the bad ones in rejected
// with their index. A body that is not an array at all, or too long, is one error.
func DecodeBatch(raw []byte, received time.Time, lim Limits) (evs []*Event, idx []int, rejected map[int]*Invalid, err error) {
	items, ok := splitArray(raw)
	if !ok {
		// Not a valid array: encoding/json says why.
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, nil, nil, fmt.Errorf("body: must be a JSON array of events: %s", jsonProblem(err))
		}
	}
	if len(items) == 0 {
		return nil, nil, nil, fmt.Errorf("body: the batch is empty")
	}
	if lim.MaxBatch > 0 && len(items) > lim.MaxBatch {
		return nil, nil, nil, fmt.Errorf("body: %d events in one batch, at most %d", len(items), lim.MaxBatch)
	}
	rejected = map[int]*Invalid{}
	for i, it := range items {
		ev, bad := Decode(it, received, lim)
		if bad != nil {
			rejected[i] = bad
			continue
		}
		evs = append(evs, ev)
		idx = append(idx, i)
	}
	return evs, idx, rejected, nil
}

// IsBatch reports whether a body is a JSON array (a batch) rather than one event.
func IsBatch(raw []byte) bool { return firstByte(raw) == '[' }

func firstByte(b []byte) byte {
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) == 0 {
		return 0
	}
	return b[0]
}

// unquote reads a JSON string. Most attributes hold no escapes, and for those it skips
// a second validating pass of encoding/json (the input was validated once already).
func unquote(v json.RawMessage) (string, bool) {
	v = bytes.TrimSpace(v)
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return "", false
	}
	inner := v[1 : len(v)-1]
	if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return string(inner), true
	}
	var s string
	err := json.Unmarshal(v, &s)
	return s, err == nil
}

func isNull(v json.RawMessage) bool { return string(bytes.TrimSpace(v)) == "null" }

// jsonProblem turns a decoding error into words with the byte offset, when there is one.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case err == nil:
		return "null"
	case errors.As(err, &syn):
		return fmt.Sprintf("invalid JSON at byte %d: %s", syn.Offset, syn.Error())
	case errors.As(err, &typ):
		return fmt.Sprintf("found a JSON %s", typ.Value)
	}
	return err.Error()
}

// checkURIReference applies the CloudEvents rule for `source`: a URI-reference. Spaces
// and control characters are the mistakes people make (the fixtures write %20 instead).
func checkURIReference(s string) string {
	for _, r := range s {
		switch {
		case r == ' ':
			return "must be a URI-reference without spaces (write %20)"
		case isControl(r):
			return "must be a URI-reference without control characters"
		}
	}
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && (i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2])) {
			return "has a '%' not followed by two hex digits"
		}
	}
	return ""
}

// isControl reports a control character, which the CloudEvents String type excludes
// (U+0000–U+001F, U+007F–U+009F).
func isControl(r rune) bool { return r < 0x20 || r >= 0x7f && r <= 0x9f }

func hasControl(s string) bool { return strings.ContainsFunc(s, isControl) }

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// ID returns the id of an event in canonical JSON.
func ID(raw []byte) string {
	v, _ := Member(raw, "id")
	s, _ := v.(string)
	return s
}

// SourceOf returns the source of an event in canonical JSON.
func SourceOf(raw []byte) string {
	v, _ := Member(raw, "source")
	s, _ := v.(string)
	return s
}

// TypeOf returns the type of an event in canonical JSON.
func TypeOf(raw []byte) string {
	v, _ := Member(raw, "type")
	s, _ := v.(string)
	return s
}

// checkUTF8 reports why a JSON text does not hold valid Unicode: invalid UTF-8 bytes, or
// a \u escape of a lone surrogate. "" when it does.
func checkUTF8(b []byte) string {
	if !utf8.Valid(b) {
		for i := 0; i < len(b); {
			r, n := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && n == 1 {
				return fmt.Sprintf("not valid UTF-8 at byte %d", i)
			}
			i += n
		}
	}
	// Escapes occur only inside strings; a backslash always starts one, so a scan of
	// escape sequences from left to right needs no string tracking.
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' || i+1 >= len(b) {
			continue
		}
		i++
		if b[i] != 'u' || i+4 >= len(b) {
			continue
		}
		r := hexRune(b[i+1 : i+5])
		switch {
		case r >= 0xd800 && r < 0xdc00:
			// A high surrogate must be followed by an escaped low one.
			if i+10 < len(b) && b[i+5] == '\\' && b[i+6] == 'u' {
				if lo := hexRune(b[i+7 : i+11]); lo >= 0xdc00 && lo < 0xe000 {
					i += 10
					continue
				}
			}
			return fmt.Sprintf("a lone surrogate escape \\u%s at byte %d is not a character", b[i+1:i+5], i-1)
		case r >= 0xdc00 && r < 0xe000:
			return fmt.Sprintf("a lone surrogate escape \\u%s at byte %d is not a character", b[i+1:i+5], i-1)
		}
		i += 4
	}
	return ""
}

// hexRune reads four hex digits; -1 when they are not.
func hexRune(h []byte) rune {
	var r rune
	for _, c := range h {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return -1
		}
	}
	return r
}
