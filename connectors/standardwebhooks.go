package connectors

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// The Standard Webhooks scheme (https://www.standardwebhooks.com/), shared
// by the webhook kind, which signs what it sends, and by what receives signed
// requests (inbound webhooks, IVR flows), which verifies them.
//
// Signatures are made and checked by the reference library
// (github.com/standard-webhooks/standard-webhooks/libraries/go), so that what
// jds sends is what every other implementation verifies. Two parts stay here,
// because the library does not fit them:
//   - the secret: the library decodes "whsec_" and base64 but accepts a key
//     of any length, and Standard Webhooks asks for 24 to 64 bytes; jds
//     refuses a shorter key when the configuration loads;
//   - the timestamp window: the library's Verify reads time.Now and a fixed
//     5-minute tolerance, while receivers here take a configured tolerance
//     and the service's clock (a fake one in tests). They check the window
//     themselves and call VerifyIgnoringTimestamp for the signature.

// DecodeStandardWebhooksSecret reads a Standard Webhooks symmetric secret,
// "whsec_" and the base64 of at least 24 bytes, into the HMAC key.
func DecodeStandardWebhooksSecret(secret string) ([]byte, error) {
	return decodeSigningSecret(secret)
}

// StandardWebhooksSignature is the webhook-signature header value for one
// message: "v1," and the base64 HMAC-SHA256 of "<id>.<timestamp>.<body>".
// timestamp is the webhook-timestamp header, Unix seconds in decimal; one
// that is not is signed as 0 (and such a header never verifies).
func StandardWebhooksSignature(key []byte, id, timestamp string, body []byte) string {
	secs, _ := strconv.ParseInt(timestamp, 10, 64)
	return sign(key, id, secs, body)
}

// sign computes a Standard Webhooks v1 signature with the reference library.
func sign(key []byte, id string, secs int64, body []byte) string {
	wh, err := standardwebhooks.NewWebhookRaw(key)
	if err != nil {
		return "" // an empty key: decodeSigningSecret never returns one
	}
	sig, _ := wh.Sign(id, time.Unix(secs, 0), body) // Sign fails on nothing
	return sig
}

// VerifyStandardWebhooks reports whether the webhook-signature header value
// (space-separated "v1,<base64>" signatures; other versions are skipped)
// holds a valid signature of the message, whatever its timestamp. The
// reference library compares in constant time.
func VerifyStandardWebhooks(key []byte, id, timestamp string, body []byte, header string) bool {
	wh, err := standardwebhooks.NewWebhookRaw(key)
	if err != nil {
		return false
	}
	h := http.Header{}
	h.Set(standardwebhooks.HeaderWebhookID, id)
	h.Set(standardwebhooks.HeaderWebhookTimestamp, timestamp)
	h.Set(standardwebhooks.HeaderWebhookSignature, header)
	return wh.VerifyIgnoringTimestamp(body, h) == nil
}

// Errors of StandardWebhooksReceiver.Verify.
var (
	// ErrBadSignature: a header is missing or malformed, the timestamp is outside
	// the window, or the signature does not match.
	ErrBadSignature = errors.New("bad signature")
	// ErrReplay: the same signed request (id and timestamp) was received before.
	ErrReplay = errors.New("replayed request")
)

// DefaultReplayCacheSize bounds the replay cache of one receiver.
const DefaultReplayCacheSize = 100_000

// StandardWebhooksReceiver verifies received requests: the signature, a timestamp
// window around the receiver's clock, and that no signed request is accepted twice
// within that window.
type StandardWebhooksReceiver struct {
	key       []byte
	tolerance time.Duration
	seen      *replayCache
}

// NewStandardWebhooksReceiver verifies with key (see DecodeStandardWebhooksSecret),
// accepting timestamps within tolerance of now and remembering at most cacheSize
// requests (0: DefaultReplayCacheSize).
func NewStandardWebhooksReceiver(key []byte, tolerance time.Duration, cacheSize int) *StandardWebhooksReceiver {
	return &StandardWebhooksReceiver{key: key, tolerance: tolerance, seen: newReplayCache(cacheSize)}
}

// Verify checks one request; header reads its headers. The error wraps
// ErrBadSignature or ErrReplay and says what was wrong.
func (v *StandardWebhooksReceiver) Verify(header func(string) string, body []byte, now time.Time) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrBadSignature, fmt.Sprintf(format, args...))
	}
	id, ts, sig := header("webhook-id"), header("webhook-timestamp"), header("webhook-signature")
	switch {
	case id == "":
		return bad("missing webhook-id header (Standard Webhooks)")
	case ts == "":
		return bad("missing webhook-timestamp header (Standard Webhooks)")
	case sig == "":
		return bad("missing webhook-signature header (Standard Webhooks)")
	}
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return bad("webhook-timestamp %q is not Unix seconds", ts)
	}
	at := time.Unix(secs, 0)
	if d := now.Sub(at); d > v.tolerance || d < -v.tolerance {
		return bad("webhook-timestamp %s is outside the %s window around the server's time %s",
			at.UTC().Format(time.RFC3339), v.tolerance, now.UTC().Format(time.RFC3339))
	}
	if !VerifyStandardWebhooks(v.key, id, ts, body, sig) {
		return bad("webhook-signature does not match the body signed with the configured secret")
	}
	// A retry is signed anew with its own timestamp; the same id and timestamp
	// again is a copy of a request already received. The copy is refused for as long
	// as the signed timestamp is in the window, not just for the window after receipt:
	// a timestamp ahead of the server's clock stays acceptable longer.
	if v.seen.add(id+"."+ts, now, at.Add(v.tolerance)) {
		return fmt.Errorf("%w: webhook-id %q with webhook-timestamp %s was already received", ErrReplay, id, ts)
	}
	return nil
}

// replayCache remembers keys until a time of their own, bounded in size: when full, the
// oldest key is forgotten first. Keys leave in insertion order, once expired; one that
// expires earlier than the keys before it waits for them (the size bound holds).
type replayCache struct {
	mu    sync.Mutex
	max   int
	until map[string]time.Time
	queue []string
	head  int
}

func newReplayCache(max int) *replayCache {
	if max <= 0 {
		max = DefaultReplayCacheSize
	}
	return &replayCache{max: max, until: map[string]time.Time{}}
}

// add records key until the time until and reports whether it was already there and
// unexpired.
func (c *replayCache) add(key string, now, until time.Time) bool {
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
	c.until[key] = until
	c.queue = append(c.queue, key)
	return false
}
