package event

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"time"
	"unicode/utf8"
)

// Binary content mode of the CloudEvents HTTP binding: the attributes travel as `ce-`
// headers and the body is `data`, with `Content-Type` as `datacontenttype`. This is the
// CloudEvents SDKs' default way of sending.

// BinaryHeaderPrefix starts every attribute header of binary mode (case-insensitive).
const BinaryHeaderPrefix = "ce-"

// DecodeBinary validates one event given in binary content mode. attrs maps attribute
// names (the header names without "ce-", lower-cased) to header values as received, still
// percent-encoded; contentType is the Content-Type header ("" when absent); data is the
// body. The result is the same event the structured form would give.
func DecodeBinary(attrs map[string]string, contentType string, data []byte, received time.Time, lim Limits) (*Event, *Invalid) {
	size := len(data)
	for k, v := range attrs {
		size += len(k) + len(v)
	}
	if lim.MaxEventBytes > 0 && size > lim.MaxEventBytes {
		return nil, &Invalid{Errors: []string{fmt.Sprintf("event: larger than %d bytes", lim.MaxEventBytes)}}
	}
	m := make(map[string]json.RawMessage, len(attrs)+2)
	var bad []string
	names := make([]string, 0, len(attrs))
	for name := range attrs {
		names = append(names, name)
	}
	sort.Strings(names) // errors in a stable order
	for _, name := range names {
		switch {
		case !validAttributeName(name):
			bad = append(bad, fmt.Sprintf("%s%s: an attribute name is lowercase letters a-z and digits, at most %d (CloudEvents)", BinaryHeaderPrefix, name, maxAttributeNameLen))
			continue
		case name == "data" || name == "datacontenttype":
			bad = append(bad, fmt.Sprintf("%s%s: in binary mode the body is data and Content-Type is its datacontenttype", BinaryHeaderPrefix, name))
			continue
		}
		v, err := url.PathUnescape(attrs[name])
		if err != nil || !utf8.ValidString(v) {
			bad = append(bad, fmt.Sprintf("%s%s: must be percent-encoded UTF-8", BinaryHeaderPrefix, name))
			continue
		}
		m[name], _ = json.Marshal(v)
	}
	if contentType != "" {
		m["datacontenttype"], _ = json.Marshal(contentType)
	}
	if len(data) > 0 {
		if reason := checkUTF8(data); reason != "" {
			bad = append(bad, "data: "+reason)
		} else if !json.Valid(data) {
			bad = append(bad, "data: the body must be a JSON object: "+jsonProblem(json.Unmarshal(data, new(any))))
		} else {
			m["data"] = data
		}
	}
	if len(bad) > 0 {
		id, _ := url.PathUnescape(attrs["id"])
		return nil, &Invalid{ID: id, Errors: bad}
	}
	return fromMembers(m, received, lim)
}

// maxAttributeNameLen bounds an attribute name. CloudEvents asks for at most 20
// characters (a SHOULD); longer names are taken, up to this.
const maxAttributeNameLen = 64

// validAttributeName applies the CloudEvents naming rule for attributes: lowercase
// ASCII letters and digits (a MUST).
func validAttributeName(name string) bool {
	if name == "" || len(name) > maxAttributeNameLen {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
