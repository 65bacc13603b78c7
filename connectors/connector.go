package connectors

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Delivery is one message to send, produced by an action firing. It is plain
// data: the outbox stores it as JSON and hands the same value to every
// attempt, only Attempt changing. Every field is final when it reaches a
// Sender; `${expr}` templates were rendered by the action.
//
// Which payload fields a kind reads is part of the kind's documentation
// (Kind.Attributes and Kind.Doc): webhook sends Body to URL with Method and
// Headers; twilio and webexconnect read Attributes; log prints everything.
// A field a kind does not read is ignored.
type Delivery struct {
	// ID is unique per delivery and stays the same across its attempts. It is
	// the idempotency key partners see: the Idempotency-Key header on every
	// HTTP kind and webhook-id when a webhook is signed.
	ID string `json:"id"`
	// Connector names the configured instance to send with, or is "" for an
	// action's inline Webhook trigger (the sender Build stores under "").
	Connector string `json:"connector,omitempty"`
	// Attempt counts attempts from 1. Senders only log it: the wire format of
	// every attempt is the same, apart from the signature timestamp.
	Attempt int `json:"attempt"`

	ActionID string `json:"actionId,omitempty"` // the action that fired
	Action   string `json:"action,omitempty"`   // its name, for logs and payloads
	EventID  string `json:"eventId,omitempty"`  // the event that made it fire
	PersonID string `json:"personId,omitempty"` // the person it fired for
	// Aliases and Profile describe the person when the action fired: every alias, and
	// the values of the action's template by attribute name. HTTP kinds send all of it
	// as X-JDS-* headers; webexconnect also adds it to its jds object; the log kind
	// prints it.
	Aliases []string       `json:"aliases,omitempty"`
	Profile map[string]any `json:"profile,omitempty"`

	// URL, Method, Headers and Body are the HTTP request of a webhook: URL and
	// Method override the instance's url and method, Headers are added to the
	// instance's headers (replacing those of the same name), and Body is sent
	// as is.
	URL     string            `json:"url,omitempty"`
	Method  string            `json:"method,omitempty"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    string            `json:"body,omitempty"`

	// Attributes are the rendered attributes of a Connector trigger: to, from
	// and body for twilio, the JSON fields for webexconnect.
	Attributes map[string]string `json:"attributes,omitempty"`

	// Tenant marks a request whose target a tenant wrote (an inline Webhook
	// trigger of an action made through the API): it connects only where the
	// egress policy allows (Options.Egress), checked again at every connection
	// after DNS resolution, and its Outcome keeps the partner's status but not
	// its answer, which tenants must not read through jds.
	Tenant bool `json:"tenant,omitempty"`
}

// Outcome is the result of one attempt, everything the delivery worker needs
// to decide what comes next and to record the attempt in the delivery history.
type Outcome struct {
	// Status is the partner's HTTP status, 0 when there was no response
	// (network error, timeout, invalid delivery) or the kind is not HTTP.
	Status int
	// Err is nil when the partner accepted the delivery, and says why not
	// otherwise: a *StatusError for a non-2xx answer, an error wrapping the
	// context's error for a timeout or cancellation, ErrInvalidDelivery or
	// ErrHostNotAllowed for a delivery that cannot be sent.
	Err error
	// Retryable says whether another attempt may succeed; meaningful only
	// when Err is not nil. A permanent failure goes to the dead-letter list.
	Retryable bool
	// RetryAfter is the delay the partner asked for (Retry-After), capped at
	// MaxRetryAfter; 0 when it asked for none. The worker waits at least
	// this long, or its own backoff if that is longer.
	RetryAfter time.Duration
	// Response is the start of the partner's answer (at most ResponseLimit
	// bytes, cut on a UTF-8 boundary), for the delivery history.
	Response string
}

// OK reports whether the partner accepted the delivery.
func (o Outcome) OK() bool { return o.Err == nil }

// ResponseLimit bounds Outcome.Response.
const ResponseLimit = 1024

// Sender sends deliveries: one call, one attempt.
//
// The contract, which every kind keeps and the conformance suite checks
// against an httptest partner:
//
//   - Send makes exactly one attempt. It never retries, sleeps or backs off;
//     the delivery worker owns the schedule.
//   - Send is safe for concurrent use by any number of goroutines.
//   - Send respects ctx: when ctx is done it returns promptly with a
//     retryable Outcome whose Err wraps ctx's error, so errors.Is(out.Err,
//     context.Canceled) tells a shutdown from a failure. Each kind also bounds
//     an attempt by its own timeout (config "timeout"), reported the same way
//     with context.DeadlineExceeded.
//   - The partner sees Delivery.ID as the idempotency key on every attempt,
//     so a crash between sending and recording leads to one more attempt the
//     partner can recognise.
//   - Send reads d and never modifies it, its maps included.
//   - Send does not panic on a malformed Delivery: one that lacks what the
//     kind needs is a permanent failure wrapping ErrInvalidDelivery.
//   - Classification is the same for every HTTP kind: 2xx is success; 408,
//     425, 429 and 5xx, network errors and timeouts are retryable (honouring
//     Retry-After); any other status, 3xx included (redirects are not
//     followed), is permanent. See Classify.
//
// Lifetime: Build constructs senders without I/O; they are ready at once and
// hold only idle connections, which Close releases. A Sender must not be used
// after Close.
type Sender interface {
	Send(ctx context.Context, d Delivery) Outcome
}

var (
	// ErrInvalidDelivery means the delivery cannot be sent as it is (no URL,
	// no recipient, a body that is not what the kind needs). It is permanent.
	ErrInvalidDelivery = errors.New("invalid delivery")
	// ErrHostNotAllowed means the delivery's URL names a host outside the
	// instance's allowHosts. It is permanent.
	ErrHostNotAllowed = errors.New("host not allowed")
)

// A tenant delivery (Delivery.Tenant) that the egress policy refuses, before or
// while connecting, fails with an error wrapping egress.ErrRefused. It is
// permanent: the delivery becomes a dead letter with the reason.

// StatusError is the error of an attempt the partner answered with a status
// other than 2xx.
type StatusError struct {
	Status  int
	Code    string // the partner's own error code, when it gave one (Twilio's 21211)
	Message string // the partner's message, or a summary of the status
}

func (e *StatusError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	if e.Code != "" {
		return fmt.Sprintf("status %d: error %s: %s", e.Status, e.Code, msg)
	}
	return fmt.Sprintf("status %d: %s", e.Status, msg)
}

// invalid is a permanent Outcome for a delivery the kind cannot send.
func invalid(format string, args ...any) Outcome {
	return Outcome{Err: fmt.Errorf("%w: %s", ErrInvalidDelivery, fmt.Sprintf(format, args...))}
}

// Close releases the resources of every sender that holds any (those that
// implement io.Closer) and returns their errors joined. Closing twice is
// harmless.
func Close(senders map[string]Sender) error {
	var errs []error
	for name, s := range senders {
		if c, ok := s.(io.Closer); ok {
			if err := c.Close(); err != nil {
				errs = append(errs, fmt.Errorf("closing connector %q: %w", name, err))
			}
		}
	}
	return errors.Join(errs...)
}
