package connectors

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/openjds/jds/internal/egress"
)

// DefaultTimeout bounds one attempt of every HTTP kind unless its instance
// sets timeout. Standard Webhooks recommends receivers be given 15-30s; 10s
// keeps a slow partner from holding a worker slot, and a timeout is retried.
const DefaultTimeout = 10 * time.Second

var timeoutField = Field{Name: "timeout", Type: TypeDuration, Default: DefaultTimeout,
	Doc: "How long one attempt may take, response included. A timeout is retried."}

var webhookKind = Kind{
	Name: "webhook",
	Doc: md(`Sends an HTTP request with any verb to any http or https URL: the action's
rendered body, verb and headers, with the instance's defaults, authentication and
Standard Webhooks signature. A ~Connector~ trigger gives the body and its type as
the attributes ~body~ and ~contentType~; actions' inline ~Webhook~ triggers
(~requestbody~, ~contenttype~) use the same sender with no instance defaults.

Every request carries ~Idempotency-Key: <delivery id>~, the same on every
attempt, and ~Content-Type: application/json~ when it has a body and no
Content-Type header was set. With ~signingSecret~ it also carries the
Standard Webhooks headers: ~webhook-id~ (the delivery id, constant across
attempts), ~webhook-timestamp~ (Unix seconds of this attempt) and
~webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">~, so
receivers can verify it with any Standard Webhooks library.`),
	Attributes: []Field{
		{Name: AttrBody, Type: TypeString, Doc: "The request body, sent as rendered and covered by the signature. Absent: no body."},
		{Name: AttrContentType, Type: TypeString, Doc: "The body's Content-Type, over the instance's headers; default `application/json`."},
	},
	Spec: []Field{
		{Name: "url", Type: TypeString, Doc: "Target URL (http or https) for deliveries that carry none; a delivery's URL overrides it."},
		{Name: "method", Type: TypeString, Default: "POST", Doc: "HTTP verb for deliveries that carry none; any verb, sent upper-cased."},
		{Name: "headers", Type: TypeMap, Doc: "Headers added to every request; a delivery's headers of the same name win. Values may be `${ENV}`."},
		{Name: "auth", Type: TypeObject, Doc: "Sets the Authorization header.", Fields: []Field{
			{Name: "scheme", Type: TypeString, Default: "Bearer", Doc: "`Bearer`, `Basic`, or any other scheme name, sent as `<scheme> <token>`."},
			{Name: "token", Type: TypeString, Secret: true, Doc: "The credential for any scheme but Basic."},
			{Name: "username", Type: TypeString, Doc: "Basic only."},
			{Name: "password", Type: TypeString, Secret: true, Doc: "Basic only."},
		}},
		{Name: "authorizationScheme", Type: TypeString, Doc: "The JDS Webhook trigger's spelling of auth: the header is `<authorizationScheme> <authorization>`. Not with auth."},
		{Name: "authorization", Type: TypeString, Secret: true, Doc: "See authorizationScheme; alone, the whole Authorization header value."},
		{Name: "signingSecret", Type: TypeString, Secret: true, Doc: "Standard Webhooks secret, `whsec_` followed by the base64 of at least 24 random bytes. Signs every request."},
		timeoutField,
		{Name: "allowHosts", Type: TypeStrings, Doc: "If set, the only hosts deliveries may reach: exact names or IP addresses, or `*.example.com` for any subdomain. Empty allows any host."},
	},
	New: newWebhook,
}

func init() { Register(webhookKind) }

// The webhook kind's delivery attributes, which a Connector trigger naming a
// webhook instance renders.
const (
	AttrBody        = "body"
	AttrContentType = "contentType"
)

// Webhook is the webhook kind's Sender.
type Webhook struct {
	http       *httpClient
	tenant     *httpClient // for Tenant deliveries: checked by the egress policy
	egress     *egress.Policy
	url        *url.URL // default target; nil when the instance sets none
	method     string
	headers    http.Header
	authHeader string // "" when none
	signingKey []byte // nil when not signing
	allow      []string
}

var (
	_ Sender    = (*Webhook)(nil)
	_ io.Closer = (*Webhook)(nil)
)

func newWebhook(c *Config) (Sender, error) {
	w := &Webhook{http: newHTTPClient(c, c.Duration("timeout")), headers: http.Header{}, egress: c.egress()}
	w.tenant = newHTTPClient(c, c.Duration("timeout"))
	w.tenant.client.Transport = c.tenantTransport()
	var errs []error
	for i, p := range c.Strings("allowHosts") {
		p = strings.ToLower(strings.Trim(strings.TrimSpace(p), "[]"))
		if !validHostPattern(p) {
			errs = append(errs, c.Errorf(fmt.Sprintf("allowHosts[%d]", i), "%q is not a host name, an IP address or *.domain", p))
			continue
		}
		w.allow = append(w.allow, p)
	}
	if raw := c.String("url"); raw != "" {
		u, err := parseTarget(raw)
		switch {
		case err != nil:
			errs = append(errs, c.Errorf("url", "%v", err))
		case !w.allowed(u):
			errs = append(errs, c.Errorf("url", "host %s is not in allowHosts", u.Hostname()))
		default:
			w.url = u
		}
	}
	w.method = strings.ToUpper(c.String("method"))
	if !isToken(w.method) {
		errs = append(errs, c.Errorf("method", "%q is not an HTTP method", c.String("method")))
	}
	for name, v := range c.Map("headers") {
		if err := checkHeader(name, v); err != nil {
			errs = append(errs, c.Errorf("headers."+name, "%v", err))
			continue
		}
		w.headers.Set(name, v)
	}
	auth := c.Object("auth")
	switch {
	case c.Has("auth") && (c.Has("authorization") || c.Has("authorizationScheme")):
		errs = append(errs, c.Errorf("auth", "give auth or authorizationScheme/authorization, not both"))
	case c.Has("auth"):
		h, err := authHeader(auth)
		if err != nil {
			errs = append(errs, err)
		}
		w.authHeader = h
	case c.Has("authorization"):
		w.authHeader = c.String("authorization")
		if s := c.String("authorizationScheme"); s != "" {
			w.authHeader = s + " " + w.authHeader
		}
	case c.Has("authorizationScheme"):
		errs = append(errs, c.Errorf("authorization", "%w (authorizationScheme is set)", ErrRequired))
	}
	if w.authHeader != "" && w.headers.Get("Authorization") != "" {
		errs = append(errs, c.Errorf("headers.Authorization", "set by auth already"))
	}
	if w.authHeader != "" && strings.ContainsAny(w.authHeader, "\r\n\x00") {
		errs = append(errs, c.Errorf("auth", "the credential contains a line break"))
	}
	if s := c.String("signingSecret"); s != "" {
		key, err := decodeSigningSecret(s)
		if err != nil {
			errs = append(errs, c.Errorf("signingSecret", "%v", err))
		}
		w.signingKey = key
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return w, nil
}

func authHeader(a *Config) (string, error) {
	scheme := a.String("scheme")
	if strings.EqualFold(scheme, "Basic") {
		if a.Has("token") {
			return "", a.Errorf("token", "not used with scheme Basic (give username and password)")
		}
		if !a.Has("username") {
			return "", a.Errorf("username", "%w with scheme Basic", ErrRequired)
		}
		cred := a.String("username") + ":" + a.String("password")
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(cred)), nil
	}
	if a.Has("username") || a.Has("password") {
		return "", a.Errorf("username", "only used with scheme Basic")
	}
	if !a.Has("token") {
		return "", a.Errorf("token", "%w with scheme %s", ErrRequired, scheme)
	}
	if !isToken(scheme) {
		return "", a.Errorf("scheme", "%q is not a scheme name", scheme)
	}
	return scheme + " " + a.String("token"), nil
}

// decodeSigningSecret reads a Standard Webhooks symmetric secret: "whsec_"
// (optional, as the reference libraries allow) and the base64 of the key.
func decodeSigningSecret(s string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, "whsec_"))
	if err != nil {
		return nil, errors.New("not a Standard Webhooks secret (whsec_ followed by base64)")
	}
	if len(key) < 24 {
		return nil, fmt.Errorf("the key is %d bytes; Standard Webhooks asks for at least 24", len(key))
	}
	return key, nil
}

// Send makes one attempt; see Sender.
func (w *Webhook) Send(ctx context.Context, d Delivery) Outcome {
	if d.ID == "" {
		return invalid("no id")
	}
	target := w.url
	if d.URL != "" {
		u, err := parseTarget(d.URL)
		if err != nil {
			return invalid("url: %v", err)
		}
		target = u
	}
	if target == nil {
		return invalid("no URL: the delivery has none and the connector sets no url")
	}
	if !w.allowed(target) {
		return Outcome{Err: fmt.Errorf("%w: %s", ErrHostNotAllowed, target.Hostname())}
	}
	client := w.http
	if d.Tenant {
		// Refused as written before any lookup; the dialer checks the addresses.
		if err := w.egress.CheckHost(target.Hostname()); err != nil {
			return Outcome{Err: err}
		}
		client = w.tenant
	}
	method := w.method
	if d.Method != "" {
		method = strings.ToUpper(d.Method)
		if !isToken(method) {
			return invalid("%q is not an HTTP method", d.Method)
		}
	}
	// An inline Webhook trigger renders Body; a Connector trigger naming a webhook
	// instance renders its attributes.
	body, contentType := d.Body, d.Attributes[AttrContentType]
	if body == "" {
		body = d.Attributes[AttrBody]
	}
	req, err := http.NewRequestWithContext(ctx, method, target.String(), strings.NewReader(body))
	if err != nil {
		return invalid("%v", err)
	}
	if body == "" {
		req.Body, req.GetBody, req.ContentLength = http.NoBody, nil, 0
	}
	req.Header = w.headers.Clone()
	if w.authHeader != "" {
		req.Header.Set("Authorization", w.authHeader)
	}
	if contentType != "" { // the delivery's: over the instance's headers
		if err := checkHeader("Content-Type", contentType); err != nil {
			return invalid("attribute %s: %v", AttrContentType, err)
		}
		req.Header.Set("Content-Type", contentType)
	}
	for name, v := range d.Headers {
		if err := checkHeader(name, v); err != nil {
			return invalid("header %q: %v", name, err)
		}
		req.Header.Set(name, v)
	}
	if body != "" && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	setCommonHeaders(req, d)
	if w.signingKey != nil {
		if strings.Contains(d.ID, ".") {
			// The id is a field of the signed string, delimited by dots.
			return invalid("id %q contains a dot and cannot be signed", d.ID)
		}
		secs := w.http.now().Unix()
		req.Header.Set("webhook-id", d.ID)
		req.Header.Set("webhook-timestamp", strconv.FormatInt(secs, 10))
		req.Header.Set("webhook-signature", sign(w.signingKey, d.ID, secs, []byte(body)))
	}
	out, _ := client.do(ctx, req)
	if d.Tenant {
		out.Response = statusOnly(out.Status)
		var se *StatusError
		if errors.As(out.Err, &se) && se.Status >= 300 && se.Status <= 399 {
			// Where it redirects is part of the answer, too.
			out.Err = &StatusError{Status: se.Status, Message: "redirect not followed"}
		}
	}
	return out
}

// statusOnly is what the history keeps of a tenant target's answer: its status, not
// its body (the target may be something the tenant should not read through jds).
func statusOnly(status int) string {
	if status == 0 {
		return ""
	}
	return strings.TrimSpace(fmt.Sprintf("%d %s", status, http.StatusText(status)))
}

// Close releases idle connections.
func (w *Webhook) Close() error {
	w.tenant.Close()
	return w.http.Close()
}

func (w *Webhook) allowed(u *url.URL) bool {
	if len(w.allow) == 0 {
		return true
	}
	host := strings.ToLower(u.Hostname())
	for _, p := range w.allow {
		if suffix, ok := strings.CutPrefix(p, "*."); ok {
			if strings.HasSuffix(host, "."+suffix) {
				return true
			}
		} else if host == p {
			return true
		}
	}
	return false
}

// validHostPattern accepts a host name, an IP address, or "*." and a name.
func validHostPattern(p string) bool {
	if net.ParseIP(p) != nil {
		return true
	}
	p = strings.TrimPrefix(p, "*.")
	if p == "" || len(p) > 253 {
		return false
	}
	for _, label := range strings.Split(p, ".") {
		if label == "" || strings.Trim(label, "abcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
			return false
		}
	}
	return true
}

// maxProfileHeader bounds the X-JDS-Profile header: servers commonly refuse request
// headers past 8 KiB in all. A larger profile is left out (it is in the delivery history).
const maxProfileHeader = 4 << 10

// setCommonHeaders sets what every HTTP kind sends and nobody may override: the
// idempotency key, and what the delivery is about — the triggering event, the person
// and their aliases (each URL-escaped, comma-separated), the action, and the profile
// values as compact JSON.
func setCommonHeaders(req *http.Request, d Delivery) {
	req.Header.Set("Idempotency-Key", d.ID)
	aliases := make([]string, len(d.Aliases))
	for i, a := range d.Aliases {
		aliases[i] = url.QueryEscape(a)
	}
	var profile string
	if len(d.Profile) > 0 {
		if b, err := json.Marshal(d.Profile); err == nil && len(b) <= maxProfileHeader {
			profile = string(b)
		}
	}
	for name, v := range map[string]string{"X-JDS-Event-ID": d.EventID, "X-JDS-Person-ID": d.PersonID, "X-JDS-Action-ID": d.ActionID,
		"X-JDS-Aliases": strings.Join(aliases, ","), "X-JDS-Profile": profile} {
		if v != "" && !strings.ContainsFunc(v, func(r rune) bool { return r < ' ' || r == 0x7f }) {
			req.Header.Set(name, v)
		}
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", "jds-connectors")
	}
}

// parseTarget parses an absolute http or https URL.
func parseTarget(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("not a URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%s is not an http or https URL", redact(u))
	}
	if u.Host == "" {
		return nil, errors.New("the URL has no host")
	}
	return u, nil
}

// reservedHeaders are set by the connector itself.
var reservedHeaders = map[string]bool{
	"Idempotency-Key": true, "Webhook-Id": true, "Webhook-Timestamp": true, "Webhook-Signature": true,
	"X-Jds-Event-Id": true, "X-Jds-Person-Id": true, "X-Jds-Action-Id": true,
	"Host": true, "Content-Length": true, "Transfer-Encoding": true, "Connection": true,
}

func checkHeader(name, value string) error {
	if !isToken(name) {
		return errors.New("not a header name")
	}
	if reservedHeaders[http.CanonicalHeaderKey(name)] {
		return errors.New("set by the connector itself")
	}
	for i := 0; i < len(value); i++ {
		if b := value[i]; b < ' ' && b != '\t' || b == 0x7f {
			return errors.New("the value contains a control character")
		}
	}
	return nil
}

// isToken reports whether s is an RFC 9110 token (a method or header name).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", b) >= 0 {
			continue
		}
		return false
	}
	return true
}
