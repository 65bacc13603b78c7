package inbound

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
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
	// sorted by name, each name and value concatenated; other bodies are
	// covered by the URL's bodySHA256, their SHA-256.
	SchemeTwilio = "twilio"
	// SchemeToken: a shared secret in a header (Authorization: Bearer
	// <secret> by default), for senders that can set a header but not sign.
	SchemeToken = "token"
	// SchemeWebexCC: Webex Contact Center's subscription webhooks: X-WebexCC-Signature,
	// the hex HMAC-SHA256 of the raw body keyed with the subscription's secret, and on
	// v2 subscriptions X-WebexCC-Timestamp (epoch ms), which must equal the body's
	// comciscotimestamp and lie within tolerance of now.
	SchemeWebexCC = "webexcc"
	// SchemeSAS: a jds SharedAccessSignature token with ds write permission
	// on the target workspace, checked by the HTTP server like ingest's.
	SchemeSAS = "sas"
	// SchemeNone: no verification, for trusted networks only.
	SchemeNone = "none"
)

var schemes = []string{SchemeStandardWebhooks, SchemeHubSignature, SchemeWebexCC, SchemeTwilio, SchemeToken, SchemeSAS, SchemeNone}

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
const DefaultReplayCacheSize = connectors.DefaultReplayCacheSize

var verifySpec = connectors.Field{Name: "verify", Type: connectors.TypeObject, Required: true,
	Doc: "How the sender is verified.", Fields: []connectors.Field{
		{Name: "scheme", Type: connectors.TypeString, Required: true, Options: schemes,
			Doc: "`standardwebhooks`, `hubsignature` (Webex Connect), `webexcc` (Webex Contact Center subscriptions), `twilio`, `token` (a shared secret in a header), `sas` (a jds token with ds write on the workspace) or `none` (trusted networks only)."},
		{Name: "secret", Type: connectors.TypeString, Secret: true,
			Doc: "The key: a `whsec_…` secret (standardwebhooks), the hub secret (hubsignature), the subscription's secret (webexcc), the account's auth token (twilio), the token (token)."},
		{Name: "tolerance", Type: connectors.TypeDuration, Default: DefaultTolerance,
			Doc: "standardwebhooks: how far webhook-timestamp may be from now; replays are remembered this long. webexcc: how far X-WebexCC-Timestamp may be from now."},
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
		switch {
		case secret == "":
			return []error{v.Errorf("secret", "%w with scheme %s", connectors.ErrRequired, scheme)}
		case len(secret) < connectors.MinSecretBytes:
			return []error{v.Errorf("secret", "must be at least %d bytes (it has %d): a short secret can be guessed", connectors.MinSecretBytes, len(secret))}
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
		return standardWebhooks{connectors.NewStandardWebhooksReceiver(key, tol, cacheSize)}, nil
	case SchemeHubSignature:
		if errs := needSecret(); errs != nil {
			return nil, errs
		}
		return &hubSignature{key: []byte(secret), headers: []string{"X-Hub-Signature", "X-Hub-Signature-256"}}, nil
	case SchemeWebexCC:
		if errs := needSecret(); errs != nil {
			return nil, errs
		}
		return &webexCC{sig: hubSignature{key: []byte(secret), headers: []string{"X-WebexCC-Signature"}}, tolerance: v.Duration("tolerance")}, nil
	case SchemeTwilio:
		// Twilio issues the auth token (32 characters), so only its presence is checked:
		// its published test vectors sign with shorter ones.
		var errs []error
		if secret == "" {
			errs = []error{v.Errorf("secret", "%w with scheme %s", connectors.ErrRequired, scheme)}
		}
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

// standardWebhooks verifies with connectors' receiver; its errors become inbound's.
type standardWebhooks struct {
	r *connectors.StandardWebhooksReceiver
}

func (s standardWebhooks) verify(r *Request, now time.Time) error {
	err := s.r.Verify(r.Header.Get, r.Body, now)
	switch {
	case errors.Is(err, connectors.ErrReplay):
		return fmt.Errorf("%w: %w", ErrReplay, err)
	case err != nil:
		return unauthorized("%s", strings.TrimPrefix(err.Error(), connectors.ErrBadSignature.Error()+": "))
	}
	return nil
}

// hubSignature checks a hex HMAC of the raw body in the first of headers the request
// has: "sha256=<hex>" (sha1= and sha512= too) or the bare hex, its length telling the
// hash.
type hubSignature struct {
	key     []byte
	headers []string
}

func (h *hubSignature) verify(r *Request, _ time.Time) error {
	name, header := strings.ToLower(h.headers[0]), ""
	for _, n := range h.headers {
		if header = r.Header.Get(n); header != "" {
			break
		}
	}
	if header == "" {
		return unauthorized("missing %s header", name)
	}
	algo, digest, found := strings.Cut(strings.TrimSpace(header), "=")
	if !found {
		algo, digest = "", algo
	}
	want, err := hex.DecodeString(digest)
	if err != nil {
		return unauthorized("%s is not hexadecimal", name)
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
		return unauthorized("%s: unknown algorithm %q (sha1, sha256 or sha512)", name, algo)
	}
	m := hmac.New(fn, h.key)
	m.Write(r.Body)
	if !hmac.Equal(m.Sum(nil), want) {
		return unauthorized("%s does not match the body signed with the configured secret", name)
	}
	return nil
}

// webexCC checks Webex Contact Center's signature, then, when the subscription sends
// one (v2), its timestamp: equal to the body's comciscotimestamp, within tolerance of
// now. A replay within the window is stored once: the mapping keys events by the
// webhook's id.
type webexCC struct {
	sig       hubSignature
	tolerance time.Duration
}

func (w *webexCC) verify(r *Request, now time.Time) error {
	if err := w.sig.verify(r, now); err != nil {
		return err
	}
	ts := r.Header.Get("X-WebexCC-Timestamp")
	if ts == "" {
		return nil
	}
	at, err := strconv.ParseInt(strings.TrimSpace(ts), 10, 64)
	if err != nil {
		return unauthorized("x-webexcc-timestamp %.32q is not epoch milliseconds", ts)
	}
	var body struct {
		Timestamp any `json:"comciscotimestamp"`
	}
	_ = json.Unmarshal(r.Body, &body)
	if n, ok := number(body.Timestamp); !ok || int64(n) != at {
		return unauthorized("x-webexcc-timestamp %d is not the body's comciscotimestamp (%v)", at, body.Timestamp)
	}
	if d := now.Sub(time.UnixMilli(at)); d > w.tolerance || d < -w.tolerance {
		return unauthorized("x-webexcc-timestamp is %s from now, outside the %s window", d.Round(time.Second), w.tolerance)
	}
	return nil
}

type twilioSignature struct {
	key []byte
	url string // as configured in Twilio
}

// verify checks X-Twilio-Signature the way Twilio's own request validators do. The URL
// signed is the configured one with the query string Twilio sent, which for a JSON
// body carries bodySHA256, the body's SHA-256 in hex: the signature covers the URL
// with it, and the body must hash to it. A form post's parameters are signed
// themselves. Twilio has signed the same URL with and without its scheme's default
// port over time, so, like its libraries, both forms are accepted.
func (t *twilioSignature) verify(r *Request, _ time.Time) error {
	got := r.Header.Get("X-Twilio-Signature")
	if got == "" {
		return unauthorized("missing X-Twilio-Signature header")
	}
	signed := t.url
	if r.RawQuery != "" {
		base, _, _ := strings.Cut(t.url, "?")
		signed = base + "?" + r.RawQuery
	}
	var params url.Values
	q, _ := url.ParseQuery(r.RawQuery)
	switch {
	case isForm(r.ContentType):
		var err error
		if params, err = url.ParseQuery(string(r.Body)); err != nil {
			return unauthorized("the form body does not parse: %v", err)
		}
	case q.Has("bodySHA256"):
		sum := sha256.Sum256(r.Body)
		if !hmac.Equal([]byte(hex.EncodeToString(sum[:])), []byte(strings.ToLower(q.Get("bodySHA256")))) {
			return unauthorized("bodySHA256 does not match the body")
		}
	case len(bytes.TrimSpace(r.Body)) > 0:
		// Only a form's parameters are signed: any other body is covered by its hash.
		return unauthorized("a body that is not a form post needs Twilio's bodySHA256 query parameter")
	}
	for _, u := range twilioURLs(signed) {
		if hmac.Equal([]byte(TwilioSignature(t.key, u, params)), []byte(got)) {
			return nil
		}
	}
	return unauthorized("X-Twilio-Signature does not match the URL %s and the body signed with the configured auth token", t.url)
}

// twilioURLs are the forms of a URL Twilio's request validators try: with the
// scheme's default port (:443, :80) written out when it has no port, and without its
// port when it has one; the URL as it is first.
func twilioURLs(raw string) []string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return []string{raw}
	}
	var host string
	if u.Port() == "" {
		port := "80"
		if strings.EqualFold(u.Scheme, "https") {
			port = "443"
		}
		host = net.JoinHostPort(u.Hostname(), port)
	} else {
		host = u.Hostname()
		if strings.Contains(host, ":") {
			host = "[" + host + "]" // IPv6
		}
	}
	// Replace the authority only, leaving the rest of the URL byte for byte as signed.
	return []string{raw, strings.Replace(raw, "//"+u.Host, "//"+host, 1)}
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

func isForm(contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	return strings.EqualFold(strings.TrimSpace(mt), "application/x-www-form-urlencoded")
}
