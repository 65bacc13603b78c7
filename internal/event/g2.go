package event

import (
	"encoding/json"
	"fmt"
	"maps"
	"strings"

	"github.com/openjds/jds/internal/identity"
)

// G2 bodies: CJaaS v1 (the SAS-token generation) posted events to /v1/journey/events as
//
//	{specVersion, source, id, person, previously, type, time, dataContentType, data}
//
// where person is the identity (its kind inferred), previously the previous identity
// ("" for none), and data an object or a JSON string holding one. The product's own
// Webex Contact Center task events were stored with dataContentType "string" beside an
// object. fromG2 rewrites such a body into the CloudEvents attributes jds stores.

// g2Names maps the members G2 named differently to the attributes they are.
var g2Names = map[string]string{
	"specVersion":     "specversion",
	"person":          "identity",
	"previously":      "previousidentity",
	"dataContentType": "datacontenttype",
}

// isG2 reports whether an event object uses G2's member names.
func isG2(m map[string]json.RawMessage) bool {
	for name := range g2Names {
		if _, ok := m[name]; ok {
			return true
		}
	}
	return false
}

// fromG2 returns the CloudEvents members of a G2 body, and the problems that only a G2
// body can have, each "field: reason" with the G2 name.
func fromG2(m map[string]json.RawMessage) (map[string]json.RawMessage, []string) {
	out := maps.Clone(m)
	var bad []string
	for g2, ce := range g2Names {
		v, ok := m[g2]
		if !ok {
			continue
		}
		if _, both := m[ce]; both {
			bad = append(bad, fmt.Sprintf("%s: given with %s; use one", g2, ce))
			continue
		}
		delete(out, g2)
		out[ce] = v
	}
	if v, ok := out["previousidentity"]; ok {
		if s, ok := unquote(v); ok && strings.TrimSpace(s) == "" {
			delete(out, "previousidentity") // "" is G2's "none"
		}
	}
	if _, given := m["identitytype"]; !given {
		if s, ok := unquote(out["identity"]); ok && strings.TrimSpace(s) != "" {
			out["identitytype"] = json.RawMessage(`"` + InferKind(s).String() + `"`)
		}
	}
	if v, ok := m["dataContentType"]; ok && !isNull(v) {
		s, _ := unquote(v)
		switch ct := strings.ToLower(strings.TrimSpace(s)); {
		case ct == "string", strings.HasPrefix(ct, "application/json"):
			out["datacontenttype"] = json.RawMessage(`"application/json"`)
		default:
			bad = append(bad, fmt.Sprintf(`dataContentType: must be "string" or application/json, got %s`, v))
		}
	}
	if d, ok := out["data"]; ok && firstByte(d) == '"' {
		s, _ := unquote(d)
		inner := []byte(s)
		if firstByte(inner) != '{' || !json.Valid(inner) || checkUTF8(inner) != "" {
			bad = append(bad, "data: a string must hold a JSON object (G2 data), got "+clip(s, 40))
		} else {
			out["data"] = inner
		}
	}
	return out, bad
}

// g2Field names a problem with the member the G2 body used: "identity: …" is about
// person when the body said person.
func g2Field(m map[string]json.RawMessage, problem string) string {
	field, reason, ok := strings.Cut(problem, ": ")
	if !ok {
		return problem
	}
	for g2, ce := range g2Names {
		if field == ce {
			if _, given := m[ce]; !given {
				return g2 + ": " + reason
			}
		}
	}
	if field == "identitytype" {
		if _, given := m["identitytype"]; !given {
			return "person: " + reason + " (the kind inferred from person)"
		}
	}
	return problem
}

// InferKind is the kind of a G2 person: a temporaryId when it starts with "anon-" (the
// browser SDK's anonymous ids), an email when it holds "@", a phone when it starts
// with "+" or is digits (with spaces, dashes, dots or parentheses), else a customerId.
func InferKind(person string) identity.Kind {
	p := strings.TrimSpace(person)
	switch {
	case strings.HasPrefix(p, "anon-"):
		return identity.TemporaryID
	case strings.Contains(p, "@"):
		return identity.Email
	case strings.HasPrefix(p, "+"):
		return identity.Phone
	}
	digits := 0
	for _, r := range p {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune(" -.()", r):
		default:
			return identity.CustomerID
		}
	}
	if digits == 0 {
		return identity.CustomerID
	}
	return identity.Phone
}

// clip quotes at most n bytes of s, for messages.
func clip(s string, n int) string {
	if len(s) > n {
		return fmt.Sprintf("%q…", s[:n])
	}
	return fmt.Sprintf("%q", s)
}
