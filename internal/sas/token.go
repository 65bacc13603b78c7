package sas

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"
)

// Prefix starts a token in its canonical form and in an Authorization header.
const Prefix = "SharedAccessSignature "

// scheme is Prefix without its separator; Parse matches it case-insensitively.
const scheme = "SharedAccessSignature"

// Services a token's ss parameter may name.
const (
	ServiceIngest   = "ds"      // ingest of events
	ServiceHistory  = "tape"    // event history
	ServiceStream   = "stream"  // live streams
	ServiceProfile  = "profile" // templates and profile views
	ServiceIdentity = "idmt"    // persons and aliases
	ServiceAction   = "action"  // journey actions
	ServiceFlow     = "flow"    // IVR flow webhooks
	ServiceAdmin    = "admin"   // every service, both permissions, plus keys, reload and export
)

// Permissions a token's sp parameter may grant. "wr" is accepted as a
// synonym of PermReadWrite because some generators order the letters that way.
const (
	PermRead      = "r"
	PermWrite     = "w"
	PermReadWrite = "rw"
)

// WildcardWorkspace as a token's sn grants every workspace of its organization.
const WildcardWorkspace = "*"

// The sentinels callers branch on. The HTTP layer maps the first four to
// 401 Unauthorized and ErrForbidden to 403 Forbidden. The wrapping error's
// message says what exactly was wrong; it never contains a signature or a
// secret, so it is safe to return to the client.
var (
	// ErrMalformed: the token is garbled, a parameter is missing or has a
	// value that cannot be understood. → 401
	ErrMalformed = errors.New("malformed token")
	// ErrBadSignature: sig is not the HMAC of the token's parameters under
	// the named key. → 401
	ErrBadSignature = errors.New("bad token signature")
	// ErrExpired: the token's expiry (se) is at or before now. → 401
	ErrExpired = errors.New("token expired")
	// ErrUnknownKey: no key with the token's name (sk) exists for its
	// organization (so). → 401
	ErrUnknownKey = errors.New("unknown signing key")
	// ErrForbidden: the token is genuine but does not cover this request:
	// other organization, workspace or service, or missing permission. → 403
	ErrForbidden = errors.New("forbidden")
)

// maxTokenLen bounds the work Parse does on input that comes straight from
// the network; real tokens are a few hundred bytes.
const maxTokenLen = 4096

// expiryLayout is how Sign writes se.
const expiryLayout = "2006-01-02T15:04:05.000Z"

// maxQuotedSigLen is the longest sig Sign writes: 44 base64 characters of an HMAC-SHA256,
// each percent-encoded at worst.
const maxQuotedSigLen = 44 * 3

// params lists a token's parameters in the order the string to sign uses;
// sig comes last and is not signed.
var params = [...]string{"so", "sn", "ss", "sp", "se", "sk", "sig"}

// Token is a parsed SAS token. Its exported fields hold the values exactly as
// they appear in the token (no URL-decoding), because those raw values are
// what was signed. A Token says nothing until Verify (or
// Keyring.Authenticate) has accepted it.
type Token struct {
	Org       string // so
	Workspace string // sn; WildcardWorkspace grants all of Org's workspaces
	Service   string // ss, one of the Service constants
	Perm      string // sp: "r", "w", "rw" or "wr"
	KeyName   string // sk, the name of the signing key within Org
	Expiry    time.Time

	rawExpiry string // se as written: it is part of the string to sign
	sig       []byte // decoded HMAC from sig
}

// Parse reads a token, with or without Prefix (matched case-insensitively)
// and surrounding spaces. Parameters may come in any order; unknown ones are
// ignored; each of so, sn, ss, sp, se, sk and sig must occur exactly once
// with a non-empty value. sig may be percent-encoded (as the SDK generators
// write it) or already decoded. Errors wrap ErrMalformed.
func Parse(s string) (Token, error) {
	s = strings.TrimSpace(s)
	if len(s) >= len(scheme) && strings.EqualFold(s[:len(scheme)], scheme) && (len(s) == len(scheme) || isSpace(s[len(scheme)])) {
		s = strings.TrimLeftFunc(s[len(scheme):], unicode.IsSpace)
	}
	if s == "" {
		return Token{}, malformed("empty token")
	}
	if len(s) > maxTokenLen {
		return Token{}, malformed("token longer than %d bytes", maxTokenLen)
	}

	var vals [len(params)]string
	var seen [len(params)]bool
	for part := range strings.SplitSeq(s, "&") {
		k, v, hasValue := strings.Cut(part, "=")
		i := paramIndex(k)
		if i < 0 {
			continue // unknown parameters are ignored, as the API ignores unknown query parameters
		}
		if seen[i] {
			// Two values for one parameter would leave it open which one
			// was signed and which one is enforced.
			return Token{}, malformed("duplicate %q", k)
		}
		if !hasValue {
			return Token{}, malformed("no value for %q", k)
		}
		seen[i], vals[i] = true, v
	}
	for i, name := range params {
		if !seen[i] {
			return Token{}, malformed("missing %q", name)
		}
		if vals[i] == "" {
			return Token{}, malformed("empty %q", name)
		}
	}

	t := Token{
		Org:       vals[0],
		Workspace: vals[1],
		Service:   vals[2],
		Perm:      vals[3],
		rawExpiry: vals[4],
		KeyName:   vals[5],
	}
	if !knownService(t.Service) {
		return Token{}, malformed("unknown service \"ss\": %q", clip(t.Service))
	}
	switch t.Perm {
	case "r", "w", "rw", "wr":
	default:
		return Token{}, malformed("bad permission \"sp\": %q (want r, w or rw)", clip(t.Perm))
	}
	// Whatever is accepted can be signed again (Sign writes se in full and a
	// percent-encoded sig) without passing maxTokenLen.
	if n := len(Prefix) + len(stringToSign(t.Org, t.Workspace, t.Service, t.Perm, expiryLayout, t.KeyName)) + len("&sig=") + maxQuotedSigLen; n > maxTokenLen {
		return Token{}, malformed("so, sn and sk too long: %d bytes more than a token may hold", n-maxTokenLen)
	}
	exp, err := parseExpiry(t.rawExpiry)
	if err != nil {
		return Token{}, malformed("bad expiry \"se\": %v", err)
	}
	t.Expiry = exp
	sig, err := decodeSig(vals[6])
	if err != nil {
		// The error text would quote the signature: leave it out.
		return Token{}, malformed("bad signature encoding \"sig\"")
	}
	t.sig = sig
	return t, nil
}

// Sign returns a complete token (with Prefix) for the given values, signed
// with secret. se is written as 2006-01-02T15:04:05.000Z in UTC, so the
// token's expiry is expiry truncated to the millisecond. The values are
// used as they are: they must not contain '&', which separates parameters
// (configured names are validated so that they cannot).
func Sign(org, workspace, service, perm string, expiry time.Time, keyName string, secret []byte) string {
	se := expiry.UTC().Format(expiryLayout)
	sts := stringToSign(org, workspace, service, perm, se, keyName)
	sig := quote(base64.StdEncoding.EncodeToString(mac(secret, sts)))
	return Prefix + sts + "&sig=" + sig
}

// Verify checks the signature against secret, then the expiry against now.
// It returns ErrBadSignature or an error wrapping ErrExpired (an expiry at or
// before now has expired). The signature is checked first so that a forged
// token learns nothing more than "bad signature".
func (t Token) Verify(secret []byte, now time.Time) error {
	want := mac(secret, t.stringToSign())
	// Constant time: a byte-by-byte early exit would let a client find a
	// valid signature one byte at a time.
	if !hmac.Equal(want, t.sig) {
		return ErrBadSignature
	}
	return t.checkExpiry(now)
}

func (t Token) checkExpiry(now time.Time) error {
	if !now.Before(t.Expiry) {
		return fmt.Errorf("%w at %s", ErrExpired, t.Expiry.Format(time.RFC3339Nano))
	}
	return nil
}

// Allow reports whether the token covers a request that needs service
// (read, or write when write is true) on workspace of org. It checks, in
// this order, organization, workspace, service and permission, and the
// error (wrapping ErrForbidden) says which one failed.
//
// An admin token grants every service and both permissions, but only within
// its organization and workspace. workspace "" stands for an
// organization-wide operation; only a token with sn=* covers it.
//
// Allow trusts the token: call it on a Token that Verify or
// Keyring.Authenticate has accepted.
func (t Token) Allow(service string, write bool, org, workspace string) error {
	if t.Org != org {
		return forbidden("token is for organization %q, not %q", t.Org, org)
	}
	if t.Workspace != WildcardWorkspace && t.Workspace != workspace {
		if workspace == "" {
			return forbidden("token is for workspace %q, this needs every workspace (sn=*)", t.Workspace)
		}
		return forbidden("token is for workspace %q, not %q", t.Workspace, workspace)
	}
	if t.Service == ServiceAdmin {
		return nil
	}
	if t.Service != service {
		return forbidden("token is for service %q, this needs %q", t.Service, service)
	}
	if write && !t.CanWrite() {
		return forbidden("token grants read only")
	}
	if !write && !t.CanRead() {
		return forbidden("token grants write only")
	}
	return nil
}

// CanRead reports whether sp grants reading (admin tokens always do).
func (t Token) CanRead() bool {
	return t.Service == ServiceAdmin || strings.Contains(t.Perm, "r")
}

// CanWrite reports whether sp grants writing (admin tokens always do).
func (t Token) CanWrite() bool {
	return t.Service == ServiceAdmin || strings.Contains(t.Perm, "w")
}

// String returns the token's parameters without the signature, for logs.
func (t Token) String() string {
	return t.stringToSign()
}

func (t Token) stringToSign() string {
	return stringToSign(t.Org, t.Workspace, t.Service, t.Perm, t.rawExpiry, t.KeyName)
}

func stringToSign(org, workspace, service, perm, se, keyName string) string {
	return "so=" + org + "&sn=" + workspace + "&ss=" + service + "&sp=" + perm + "&se=" + se + "&sk=" + keyName
}

func mac(secret []byte, msg string) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(msg))
	return h.Sum(nil)
}

func paramIndex(name string) int {
	for i, p := range params {
		if p == name {
			return i
		}
	}
	return -1
}

func knownService(s string) bool {
	switch s {
	case ServiceIngest, ServiceHistory, ServiceStream, ServiceProfile,
		ServiceIdentity, ServiceAction, ServiceFlow, ServiceAdmin:
		return true
	}
	return false
}

// expiryLayouts are tried in order. RFC 3339 covers "Z" and offsets, with or
// without fractional seconds. The others are ISO 8601 forms that hand-written
// generators produce: a basic offset (+0000) and no zone at all, which is
// read as UTC because the contract says se is UTC (Python's
// datetime.utcnow().isoformat() writes exactly that).
var expiryLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05.999999999",
}

func parseExpiry(s string) (time.Time, error) {
	var firstErr error
	for _, layout := range expiryLayouts {
		t, err := time.Parse(layout, s)
		if err == nil {
			t = t.UTC()
			// Keep expiries printable in the canonical form, so that
			// any token Parse accepts can be re-signed and re-parsed.
			if y := t.Year(); y < 1 || y > 9999 {
				return time.Time{}, fmt.Errorf("year %d out of range", y)
			}
			return t, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return time.Time{}, firstErr
}

// decodeSig accepts sig percent-encoded once (the generators' form) or
// already decoded. A space can only come from a '+' that a form decoder
// turned into one, since base64 has no spaces, so it is turned back. Both
// base64 alphabets, padded or not, are accepted: the decoded bytes are what
// is compared, so leniency here admits no forgery.
func decodeSig(s string) ([]byte, error) {
	if strings.Contains(s, "%") {
		d, err := url.PathUnescape(s) // PathUnescape, unlike QueryUnescape, keeps '+'
		if err != nil {
			return nil, err
		}
		s = d
	}
	s = strings.ReplaceAll(s, " ", "+")
	// Go's base64 decoders skip \r and \n: refuse them, so that a signature is read
	// one way only.
	if strings.ContainsAny(s, "\r\n") {
		return nil, errors.New("line break in signature")
	}
	enc := base64.StdEncoding
	if strings.ContainsAny(s, "-_") {
		enc = base64.URLEncoding
	}
	if !strings.HasSuffix(s, "=") {
		enc = enc.WithPadding(base64.NoPadding)
	}
	b, err := enc.Strict().DecodeString(s)
	if err != nil {
		return nil, err
	}
	if len(b) == 0 {
		return nil, errors.New("empty signature")
	}
	return b, nil
}

// quote percent-encodes s like Python's urllib.parse.quote, which the JDS
// SDK generators use: everything but letters, digits, "_.-~" and "/".
func quote(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("_.-~/", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' }

// clip keeps client-supplied values in error messages short.
func clip(s string) string {
	const n = 64
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
}

func forbidden(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrForbidden}, args...)...)
}
