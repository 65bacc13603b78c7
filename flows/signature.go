package flows

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"
)

// ErrSignature is what every signature failure is: the server answers 401.
var ErrSignature = errors.New("bad flow signature")

// signature is a flow's optional request signing, for callers that sign what they send
// (on top of the SAS token): hex HMAC-SHA256, keyed with the secret, of
// "<timestamp>.<body>" — for a GET, the raw query string stands for the body. The
// timestamp (Unix seconds) must be within the window of now, and a signature is
// accepted once: a replay inside the window is refused.
type signature struct {
	secret   []byte
	header   string
	tsHeader string
	window   time.Duration

	mu   sync.Mutex
	seen map[string]time.Time // signature → when it leaves the window
}

// Signature defaults.
const (
	DefaultSignatureHeader = "X-JDS-Signature"
	DefaultTimestampHeader = "X-JDS-Timestamp"
	defaultWindow          = 5 * time.Minute
	maxReplayEntries       = 100_000
)

func (c *compiler) signature(n *yaml.Node, path string, getenv func(string) string) *signature {
	s := &signature{header: DefaultSignatureHeader, tsHeader: DefaultTimestampHeader, window: defaultWindow, seen: map[string]time.Time{}}
	d := c.d
	d.object(n, path, []field{
		{name: "secret", required: true, fn: func(v *yaml.Node, p string) {
			raw, ok := d.str(v, p)
			if !ok {
				return
			}
			if name, isRef := strings.CutPrefix(raw, "${"); isRef && strings.HasSuffix(name, "}") {
				name = strings.TrimSuffix(name, "}")
				if raw = getenv(name); raw == "" {
					d.fail(v, p, "environment variable %s is not set", name)
					return
				}
			}
			if len(raw) < 16 {
				d.fail(v, p, "a secret needs at least 16 characters")
				return
			}
			s.secret = []byte(raw)
		}},
		{name: "header", fn: func(v *yaml.Node, p string) { s.header, _ = d.str(v, p) }},
		{name: "timestampHeader", fn: func(v *yaml.Node, p string) { s.tsHeader, _ = d.str(v, p) }},
		{name: "window", fn: func(v *yaml.Node, p string) {
			if w, ok := d.duration(v, p); ok {
				s.window = w
			}
		}},
	})
	return s
}

// Signed reports whether the flow requires signed requests.
func (f *Flow) Signed() bool { return f.sig != nil }

// Verify checks a request's signature. header reads a request header; payload is the
// raw body (for a GET, the raw query string).
func (f *Flow) Verify(header func(string) string, payload []byte, now time.Time) error {
	s := f.sig
	if s == nil {
		return nil
	}
	sig, ts := strings.TrimSpace(header(s.header)), strings.TrimSpace(header(s.tsHeader))
	if sig == "" || ts == "" {
		return fmt.Errorf("%w: flow %q needs the headers %s and %s", ErrSignature, f.Name, s.header, s.tsHeader)
	}
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: %s must be Unix seconds, got %q", ErrSignature, s.tsHeader, ts)
	}
	at := time.Unix(secs, 0)
	if d := now.Sub(at); d > s.window || d < -s.window {
		return fmt.Errorf("%w: %s is more than %s away from the server's clock", ErrSignature, s.tsHeader, s.window)
	}
	got, err := hex.DecodeString(strings.TrimPrefix(sig, "sha256="))
	if err != nil {
		return fmt.Errorf("%w: %s must be hex", ErrSignature, s.header)
	}
	mac := hmac.New(sha256.New, s.secret)
	mac.Write([]byte(ts))
	mac.Write([]byte{'.'})
	mac.Write(payload)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return fmt.Errorf("%w: %s does not match the request", ErrSignature, s.header)
	}
	return s.remember(hex.EncodeToString(got), at.Add(s.window), now)
}

// remember refuses a signature seen before within the window.
func (s *signature) remember(sig string, until, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if exp, ok := s.seen[sig]; ok && now.Before(exp) {
		return fmt.Errorf("%w: this signed request was already received (replay)", ErrSignature)
	}
	if len(s.seen) >= maxReplayEntries {
		for k, exp := range s.seen {
			if !now.Before(exp) {
				delete(s.seen, k)
			}
		}
		if len(s.seen) >= maxReplayEntries {
			return fmt.Errorf("%w: too many signed requests in the window; try again shortly", ErrSignature)
		}
	}
	s.seen[sig] = until
	return nil
}

// Sign returns the signature headers' values for payload at now, as a caller computes
// them (for tests and tools): the signature, then the timestamp.
func Sign(secret string, payload []byte, now time.Time) (sig, ts string) {
	ts = strconv.FormatInt(now.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(payload)
	return hex.EncodeToString(mac.Sum(nil)), ts
}
