package inbound

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/openjds/jds/connectors"
)

// Verification schemes: how an inbound webhook knows who sent a request.
const (
	// SchemeStandardWebhooks: webhook-id, webhook-timestamp and
	// webhook-signature ("v1,<base64 HMAC-SHA256 of id.timestamp.body>",
	// keyed with a whsec_ secret), a timestamp window and a replay cache.
	SchemeStandardWebhooks = "standardwebhooks"
	// SchemeHubSignature: x-hub-signature, "sha256=<hex HMAC of the raw
	// body>" (sha1= and sha512= too), as Webex Connect's outbound webhooks
	// send it when a hub secret is set.
	SchemeHubSignature = "hubsignature"
	// SchemeTwilio: X-Twilio-Signature, base64 HMAC-SHA1 (keyed with the
	// auth token) of the webhook's URL followed by the form parameters
	// sorted by name, each name and value concatenated.
	SchemeTwilio = "twilio"
	// SchemeToken: a shared secret in a header (Authorization: Bearer
	// <secret> by default), for senders that can set a header but not sign.
	SchemeToken = "token"
	// SchemeSAS: a jds SharedAccessSignature token with ds write permission
	// on the target workspace, checked by the HTTP server like ingest's.
	SchemeSAS = "sas"
	// SchemeNone: no verification, for trusted networks only.
	SchemeNone = "none"
)

var schemes = []string{SchemeStandardWebhooks, SchemeHubSignature, SchemeTwilio, SchemeToken, SchemeSAS, SchemeNone}

// Errors of Receive that callers map to statuses.
var (
	// ErrUnauthorized: the request is not from the configured sender (no or
	// bad signature, timestamp outside the window, wrong token). 401.
	ErrUnauthorized = errors.New("sender not verified")
	// ErrReplay: a signed request seen before, within the timestamp window.
	// 409.
	ErrReplay = errors.New("replayed request")
)

// DefaultTolerance is the Standard Webhooks timestamp window: a request
// signed more than this before or after now is refused.
const DefaultTolerance = 5 * time.Minute

// DefaultReplayCacheSize bounds the replay cache of one webhook.
const DefaultReplayCacheSize = 100_000

var verifySpec = connectors.Field{Name: "verify", Type: connectors.TypeObject, Required: true,
	Doc: "How the sender is verified.", Fields: []connectors.Field{
		{Name: "scheme", Type: connectors.TypeString, Required: true, Options: schemes,
			Doc: "`standardwebhooks`, `hubsignature` (Webex Connect), `twilio`, `token` (a shared secret in a header), `sas` (a jds token with ds write on the workspace) or `none` (trusted networks only)."},
		{Name: "secret", Type: connectors.TypeString, Secret: true,
			Doc: "The key: a `whsec_…` secret (standardwebhooks), the hub secret (hubsignature), the account's auth token (twilio), the token (token)."},
		{Name: "tolerance", Type: connectors.TypeDuration, Default: DefaultTolerance,
			Doc: "standardwebhooks: how far webhook-timestamp may be from now; replays are remembered this long."},
		{Name: "url", Type: connectors.TypeString,
			Doc: "twilio: the webhook URL exactly as configured in Twilio (what Twilio signs), since proxies change the host and scheme jds sees."},
		{Name: "header", Type: connectors.TypeString, Default: "Authorization",
			Doc: "token: the header carrying the secret; with Authorization it is `Bearer <secret>`."},
	}}

// verifier checks the sender of one request.
type verifier interface {
	verify(r *Request, now time.Time) error
}

// newVerifier builds the verify object's scheme.
func newVerifier(v *connectors.Config, cacheSize int) (verifier, []error) {
	scheme := v.String("scheme")
	secret := v.String("secret")
	needSecret := func() []error {
		if secret == "" {
			return []error{v.Errorf("secret", "%w with scheme %s", connectors.ErrRequired, scheme)}
		}
		return nil
	}
	switch scheme {
	case SchemeStandardWebhooks:
		if errs := needSecret(); errs != nil {
			return nil, errs
		}
		key, err := connectors.DecodeStandardWebhooksSecret(secret)
		if err != nil {
			return nil, []error{v.Errorf("secret", "%v", err)}
		}
		tol := v.Duration("tolerance")
		return &standardWebhooks{key: key, tolerance: tol, seen: newReplayCache(tol, cacheSize)}, nil
	case SchemeHubSignature:
		if errs := needSecret(); errs != nil {
			return nil, errs
		}
		return &hubSignature{key: []byte(secret)}, nil
	case SchemeTwilio:
		errs := needSecret()
		raw := v.String("url")
		if raw == "" {
			return nil, append(errs, v.Errorf("url", "%w with scheme twilio: the URL Twilio posts to, as configured there", connectors.ErrRequired))
		}
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, append(errs, v.Errorf("url", "%q is not an absolute http(s) URL", raw))
		}
		if errs != nil {
			return nil, errs
		}
		return &twilioSignature{key: []byte(secret), url: raw}, nil
	case SchemeToken:
		if errs := needSecret(); errs != nil {
			return nil, errs
		}
		return &token{header: v.String("header"), secret: secret}, nil
	case SchemeSAS, SchemeNone:
		if v.Has("secret") {
			return nil, []error{v.Errorf("secret", "not used with scheme %s", scheme)}
		}
		return noVerification{}, nil
	}
	return nil, []error{v.Errorf("scheme", "unknown scheme %q", scheme)}
}

func unauthorized(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrUnauthorized, fmt.Sprintf(format, args...))
}

type standardWebhooks struct {
	key       []byte
	tolerance time.Duration
	seen      *replayCache
}

func (s *standardWebhooks) verify(r *Request, now time.Time) error {
	id, ts, sig := r.Header.Get("webhook-id"), r.Header.Get("webhook-timestamp"), r.Header.Get("webhook-signature")
	switch {
	case id == "":
		return unauthorized("missing webhook-id header (Standard Webhooks)")
	case ts == "":
		return unauthorized("missing webhook-timestamp header (Standard Webhooks)")
	case sig == "":
		return unauthorized("missing webhook-signature header (Standard Webhooks)")
	}
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return unauthorized("webhook-timestamp %q is not Unix seconds", ts)
	}
	at := time.Unix(secs, 0)
	if d := now.Sub(at); d > s.tolerance || d < -s.tolerance {
		return unauthorized("webhook-timestamp %s is outside the %s window around the server's time %s",
			at.UTC().Format(time.RFC3339), s.tolerance, now.UTC().Format(time.RFC3339))
	}
	if !connectors.VerifyStandardWebhooks(s.key, id, ts, r.Body, sig) {
		return unauthorized("webhook-signature does not match the body signed with the configured secret")
	}
	// A retry is signed anew with its own timestamp; the same id and
	// timestamp again is a copy of a request already received.
	if s.seen.add(id+"."+ts, now) {
		return fmt.Errorf("%w: webhook-id %q with webhook-timestamp %s was already received", ErrReplay, id, ts)
	}
	return nil
}

type hubSignature struct{ key []byte }

func (h *hubSignature) verify(r *Request, _ time.Time) error {
	header := r.Header.Get("X-Hub-Signature")
	if header == "" {
		header = r.Header.Get("X-Hub-Signature-256")
	}
	if header == "" {
		return unauthorized("missing x-hub-signature header")
	}
	algo, digest, found := strings.Cut(strings.TrimSpace(header), "=")
	if !found {
		algo, digest = "", algo
	}
	want, err := hex.DecodeString(digest)
	if err != nil {
		return unauthorized("x-hub-signature is not hexadecimal")
	}
	var fn func() hash.Hash
	switch strings.ToLower(algo) {
	case "sha1":
		fn = sha1.New
	case "sha256":
		fn = sha256.New
	case "sha512":
		fn = sha512.New
	case "":
		fn = map[int]func() hash.Hash{sha1.Size: sha1.New, sha256.Size: sha256.New, sha512.Size: sha512.New}[len(want)]
	}
	if fn == nil {
		return unauthorized("x-hub-signature: unknown algorithm %q (sha1, sha256 or sha512)", algo)
	}
	m := hmac.New(fn, h.key)
	m.Write(r.Body)
	if !hmac.Equal(m.Sum(nil), want) {
		return unauthorized("x-hub-signature does not match the body signed with the configured secret")
	}
	return nil
}

type twilioSignature struct {
	key []byte
	url string // as configured in Twilio
}

func (t *twilioSignature) verify(r *Request, _ time.Time) error {
	got := r.Header.Get("X-Twilio-Signature")
	if got == "" {
		return unauthorized("missing X-Twilio-Signature header")
	}
	signed := t.url
	if !strings.Contains(signed, "?") && r.RawQuery != "" {
		signed += "?" + r.RawQuery
	}
	var params url.Values
	if isForm(r.ContentType) {
		var err error
		if params, err = url.ParseQuery(string(r.Body)); err != nil {
			return unauthorized("the form body does not parse: %v", err)
		}
	} else if q, _ := url.ParseQuery(r.RawQuery); q.Get("bodySHA256") != "" {
		// A JSON body: Twilio signs the URL only and puts the body's hash in it.
		sum := sha256.Sum256(r.Body)
		if !hmac.Equal([]byte(hex.EncodeToString(sum[:])), []byte(strings.ToLower(q.Get("bodySHA256")))) {
			return unauthorized("bodySHA256 does not match the body")
		}
	}
	if !hmac.Equal([]byte(TwilioSignature(t.key, signed, params)), []byte(got)) {
		return unauthorized("X-Twilio-Signature does not match the URL %s and the form signed with the configured auth token", t.url)
	}
	return nil
}

// TwilioSignature computes Twilio's request signature: the base64 HMAC-SHA1,
// keyed with the auth token, of the URL followed by every form parameter
// sorted by name (and value), each name and value concatenated.
func TwilioSignature(authToken []byte, fullURL string, form url.Values) string {
	var b strings.Builder
	b.WriteString(fullURL)
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range form {
			if !yield(k) {
				return
			}
		}
	}) {
		vs := slices.Clone(form[k])
		slices.Sort(vs)
		for _, v := range vs {
			b.WriteString(k)
			b.WriteString(v)
		}
	}
	m := hmac.New(sha1.New, authToken)
	m.Write([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

type token struct{ header, secret string }

func (t *token) verify(r *Request, _ time.Time) error {
	got := r.Header.Get(t.header)
	if http.CanonicalHeaderKey(t.header) == "Authorization" {
		if rest, ok := strings.CutPrefix(got, "Bearer "); ok {
			got = rest
		}
	}
	if got == "" {
		return unauthorized("missing %s header", t.header)
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(t.secret)) != 1 {
		return unauthorized("the %s header does not hold the configured token", t.header)
	}
	return nil
}

type noVerification struct{}

func (noVerification) verify(*Request, time.Time) error { return nil }

// replayCache remembers keys for a fixed time, bounded in size: when full,
// the oldest key is forgotten first. With one TTL for every key, insertion
// order is expiry order, so a queue is enough.
type replayCache struct {
	mu    sync.Mutex
	ttl   time.Duration
	max   int
	until map[string]time.Time
	queue []string
	head  int
}

func newReplayCache(ttl time.Duration, max int) *replayCache {
	if max <= 0 {
		max = DefaultReplayCacheSize
	}
	return &replayCache{ttl: ttl, max: max, until: map[string]time.Time{}}
}

// add records key and reports whether it was already there and unexpired.
func (c *replayCache) add(key string, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.head < len(c.queue) {
		k := c.queue[c.head]
		if t, ok := c.until[k]; ok && now.Before(t) && len(c.until) < c.max {
			break
		}
		delete(c.until, k)
		c.queue[c.head] = ""
		c.head++
	}
	if c.head > len(c.queue)/2 {
		c.queue = append(c.queue[:0], c.queue[c.head:]...)
		c.head = 0
	}
	if t, ok := c.until[key]; ok && now.Before(t) {
		return true
	}
	c.until[key] = now.Add(c.ttl)
	c.queue = append(c.queue, key)
	return false
}

func isForm(contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	return strings.EqualFold(strings.TrimSpace(mt), "application/x-www-form-urlencoded")
}
