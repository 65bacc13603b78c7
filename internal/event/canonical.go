package event

import (
	"encoding/json"
	"sort"
	"unicode/utf8"
)

// canonical encodes a validated event the one way jds stores and returns it: the
// CloudEvents attributes first in a fixed order, `identitytype` in canonical case, `time`
// always present (UTC, milliseconds), extensions as posted in name order, `data` last.
// Compact JSON, so that reads can copy stored bytes to the wire untouched.
func canonical(ev *Event, contentType string, m map[string]json.RawMessage) []byte {
	size := 160
	for _, v := range m {
		size += len(v) + 16
	}
	b := make([]byte, 0, size)
	b = append(b, '{')
	b = appendMember(b, "id", ev.ID, false)
	b = appendMember(b, "specversion", "1.0", true)
	b = appendMember(b, "type", ev.Type, true)
	b = appendMember(b, "source", ev.Source, true)
	b = appendMember(b, "identity", ev.Identity, true)
	b = appendMember(b, "identitytype", ev.IdentityType.String(), true)
	if ev.PreviousIdentity != "" {
		b = appendMember(b, "previousidentity", ev.PreviousIdentity, true)
	}
	b = appendMember(b, "time", ev.Time.Format(TimeLayout), true)
	b = appendMember(b, "datacontenttype", contentType, true)
	var ext []string
	for name := range m {
		if !known[name] {
			ext = append(ext, name)
		}
	}
	sort.Strings(ext)
	for _, name := range []string{"subject", "dataschema"} {
		if v, ok := m[name]; ok && !isNull(v) {
			ext = append([]string{name}, ext...)
		}
	}
	for _, name := range ext {
		b = append(b, ',')
		b = appendString(b, name)
		b = append(b, ':')
		b = appendCompact(b, m[name])
	}
	b = append(b, `,"data":`...)
	b = appendCompact(b, m["data"])
	return append(b, '}')
}

func appendMember(b []byte, name, value string, comma bool) []byte {
	if comma {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, name...)
	b = append(b, `":`...)
	return appendString(b, value)
}

// appendCompact appends v, valid JSON, without the whitespace between its tokens.
func appendCompact(b []byte, v json.RawMessage) []byte {
	start, inString := 0, false
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case inString && c == '\\':
			i++ // the escaped character cannot end the string
		case c == '"':
			inString = !inString
		case !inString && (c == ' ' || c == '\t' || c == '\r' || c == '\n'):
			b = append(b, v[start:i]...)
			start = i + 1
		}
	}
	return append(b, v[start:]...)
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD, as encoding/json does.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
