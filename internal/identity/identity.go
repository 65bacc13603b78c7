// Package identity holds the identity model of jds: the kinds of alias a customer can be
// known by, how each kind is normalised so that the same customer written two ways is one
// alias, and the Person that owns aliases.
//
// It is pure data and rules: it does not store anything. The store applies these
// rules inside its write transactions, and the HTTP layer uses them to validate input.
package identity

import (
	"errors"
	"fmt"
	"strings"
)

// Kind is the kind of an alias: the CloudEvents `identitytype` attribute.
type Kind uint8

// The alias kinds of the JDS contract. The zero Kind is invalid.
const (
	Phone Kind = iota + 1
	Email
	CustomerID
	SocialID
	TemporaryID
)

var kindNames = [...]string{
	Phone:       "phone",
	Email:       "email",
	CustomerID:  "customerId",
	SocialID:    "socialId",
	TemporaryID: "temporaryId",
}

// Kinds lists every valid kind in the order persons show them.
var Kinds = []Kind{Phone, Email, CustomerID, SocialID, TemporaryID}

// String returns the canonical spelling (`customerId`, not `CUSTOMERID`).
func (k Kind) String() string {
	if k < Phone || k > TemporaryID {
		return fmt.Sprintf("Kind(%d)", uint8(k))
	}
	return kindNames[k]
}

// ParseKind accepts any letter case of the canonical names.
func ParseKind(s string) (Kind, bool) {
	for _, k := range Kinds {
		if strings.EqualFold(s, kindNames[k]) {
			return k, true
		}
	}
	return 0, false
}

// KindNames is the list of valid spellings, for error messages.
func KindNames() string {
	names := make([]string, len(Kinds))
	for i, k := range Kinds {
		names[i] = k.String()
	}
	return strings.Join(names, ", ")
}

// ErrInvalidAlias is wrapped by every normalisation error.
var ErrInvalidAlias = errors.New("invalid alias")

// MaxAliasLen bounds an alias; ledger keys embed it, and nobody is called by 1 KB of text.
const MaxAliasLen = 512

// Normalize returns the canonical form of an alias of kind k:
//   - phone: E.164, read by libphonenumber with region (ISO 3166 alpha-2, "" for
//     DefaultRegion) for numbers written without a country code; see phone.go.
//     "+44 (0)20 7946 0958" and "0044 20 7946 0958" become "+442079460958"; with region
//     "US", "+1 (226) 376-2555", "226-376-2555" and "12263762555" become "+12263762555".
//   - email: trimmed and lower-cased.
//   - others: trimmed.
//
// Canonical phones always start with '+', so they never collide with numeric customer ids.
func Normalize(k Kind, value, region string) (string, error) {
	v := strings.TrimSpace(value)
	if v == "" {
		return "", fmt.Errorf("%w: empty", ErrInvalidAlias)
	}
	if len(v) > MaxAliasLen {
		return "", fmt.Errorf("%w: longer than %d bytes", ErrInvalidAlias, MaxAliasLen)
	}
	switch k {
	case Phone:
		return normalizePhone(v, region)
	case Email:
		v = strings.ToLower(v)
		at := strings.LastIndexByte(v, '@')
		if at <= 0 || at == len(v)-1 || strings.ContainsAny(v, " \t\r\n") {
			return "", fmt.Errorf("%w: %q is not an email address", ErrInvalidAlias, value)
		}
		return v, nil
	case CustomerID, SocialID, TemporaryID:
		if strings.ContainsAny(v, "\r\n\x00") {
			return "", fmt.Errorf("%w: contains a control character", ErrInvalidAlias)
		}
		return v, nil
	}
	return "", fmt.Errorf("%w: unknown kind %v", ErrInvalidAlias, k)
}

// Candidates returns the forms under which an alias of unknown kind may be stored, most
// likely first: lookups by a bare identity (history, streams, previousidentity) carry no
// kind, so "12263762555" must find the phone "+12263762555". A phone's legacy form (see
// LegacyPhone) comes last, so that aliases stored before phones were E.164 stay found.
func Candidates(value, region string) []string {
	v := strings.TrimSpace(value)
	if v == "" {
		return nil
	}
	out := []string{v}
	if strings.ContainsRune(v, '@') {
		if l := strings.ToLower(v); l != v {
			out = append(out, l)
		}
		return out
	}
	if p, err := normalizePhone(v, region); err == nil {
		if p != v {
			out = append(out, p)
		}
		if old, ok := LegacyPhone(v, region); ok && old != p && old != v {
			out = append(out, old)
		}
	}
	return out
}
