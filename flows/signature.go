package flows

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/openjds/jds/connectors"
	"github.com/openjds/jds/internal/strict"
)

// ErrSignature is what every signature failure is: the server answers 401.
var ErrSignature = errors.New("bad flow signature")

// Signed requests, for callers that sign what they send (on top of the SAS token), use
// Standard Webhooks (https://www.standardwebhooks.com/), as jds's outbound webhooks and
// inbound connectors do: webhook-id, webhook-timestamp (Unix seconds, within the
// tolerance of now) and webhook-signature ("v1," and the base64 HMAC-SHA256 of
// "<id>.<timestamp>.<body>"; for a GET, the raw query string stands for the body). A
// signed request is accepted once.

// defaultTolerance is how far a signed request's timestamp may be from now.
const defaultTolerance = 5 * time.Minute

func (c *compiler) signature(n *strict.Node, path string, getenv func(string) string) *connectors.StandardWebhooksReceiver {
	d := c.d
	var key []byte
	tolerance := defaultTolerance
	d.Object(n, path, []strict.Field{
		{Name: "secret", Required: true, Decode: func(v *strict.Node, p string) {
			raw, ok := d.str(v, p)
			if !ok {
				return
			}
			if name, isRef := strings.CutPrefix(raw, "${"); isRef && strings.HasSuffix(name, "}") {
				name = strings.TrimSuffix(name, "}")
				if raw = getenv(name); raw == "" {
					d.Fail(v, p, "environment variable %s is not set", name)
					return
				}
			}
			k, err := connectors.DecodeStandardWebhooksSecret(raw)
			if err != nil {
				d.Fail(v, p, "%v", err)
				return
			}
			key = k
		}},
		{Name: "tolerance", Decode: func(v *strict.Node, p string) {
			if t, ok := d.duration(v, p); ok {
				tolerance = t
			}
		}},
	})
	if key == nil {
		return nil
	}
	return connectors.NewStandardWebhooksReceiver(key, tolerance, 0)
}

// Signed reports whether the flow requires signed requests.
func (f *Flow) Signed() bool { return f.sig != nil }

// Verify checks a request's signature. header reads a request header; payload is the
// raw body (for a GET, the raw query string).
func (f *Flow) Verify(header func(string) string, payload []byte, now time.Time) error {
	if f.sig == nil {
		return nil
	}
	if err := f.sig.Verify(header, payload, now); err != nil {
		return fmt.Errorf("%w: flow %q: %w", ErrSignature, f.Name, err)
	}
	return nil
}
