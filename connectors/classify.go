package connectors

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/openjds/jds/internal/egress"
)

// MaxRetryAfter caps the delay a partner may ask for with Retry-After, so a
// misconfigured partner cannot park a delivery for days.
const MaxRetryAfter = time.Hour

// Retryable reports whether an HTTP status is worth another attempt: 408
// Request Timeout, 425 Too Early, 429 Too Many Requests and every 5xx. Any
// other non-2xx status says the request itself is wrong (bad credentials,
// invalid number, unknown endpoint), which a retry will not change.
func Retryable(status int) bool {
	switch {
	case status == http.StatusRequestTimeout, status == http.StatusTooEarly, status == http.StatusTooManyRequests:
		return true
	case status >= 500 && status <= 599:
		return true
	}
	return false
}

// ParseRetryAfter reads a Retry-After value, either delay-seconds or an
// HTTP-date (RFC 9110 section 10.2.3), as a delay from now. A date in the
// past, a negative or unreadable value is 0 (no request); a delay longer than
// MaxRetryAfter is MaxRetryAfter.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		if secs >= int64(MaxRetryAfter/time.Second) {
			return MaxRetryAfter
		}
		d = time.Duration(secs) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	} else {
		return 0
	}
	return min(max(d, 0), MaxRetryAfter)
}

// Classify turns the answer to one HTTP attempt into an Outcome: a 2xx is
// success; otherwise Err is a *StatusError and Retryable follows
// [Retryable], with RetryAfter read from the Retry-After header for a
// retryable status. body is the answer's start, kept as Outcome.Response.
func Classify(status int, header http.Header, body []byte, now time.Time) Outcome {
	out := Outcome{Status: status, Response: snippet(body)}
	if status >= 200 && status <= 299 {
		return out
	}
	se := &StatusError{Status: status}
	if status >= 300 && status <= 399 {
		se.Message = "redirect not followed; configure the final URL"
		if loc := header.Get("Location"); loc != "" {
			if u, err := url.Parse(loc); err == nil {
				se.Message = fmt.Sprintf("redirect to %s not followed; configure the final URL", redact(u))
			}
		}
	}
	out.Err = se
	if Retryable(status) {
		out.Retryable = true
		out.RetryAfter = ParseRetryAfter(header.Get("Retry-After"), now)
	}
	return out
}

// snippet returns the start of a response for the delivery history, cut to
// ResponseLimit bytes on a rune boundary.
func snippet(b []byte) string {
	if len(b) <= ResponseLimit {
		return string(b)
	}
	i := ResponseLimit
	for i > ResponseLimit-utf8.UTFMax && !utf8.RuneStart(b[i]) {
		i--
	}
	return string(b[:i])
}

// redact prints a URL without its query, fragment and credentials, which
// often carry secrets; the path stays, as it names the endpoint.
func redact(u *url.URL) string {
	r := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}
	return r.String()
}

// readLimit bounds how much of a response is read: enough to parse a
// partner's error document, not so much that a huge body costs memory.
const readLimit = 64 << 10

// httpClient is what every HTTP kind shares: the client, the per-attempt
// timeout, the clock, and the one place an attempt becomes an Outcome.
type httpClient struct {
	client  *http.Client
	timeout time.Duration
	now     func() time.Time
}

func newHTTPClient(c *Config, timeout time.Duration) *httpClient {
	return &httpClient{
		client: &http.Client{
			Transport: c.Transport(),
			// Following a redirect would send the body again to a host the
			// configuration never named, and Standard Webhooks asks senders
			// not to: a 3xx is reported, permanent, for the admin to fix.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		timeout: timeout,
		now:     c.Clock(),
	}
}

// do makes one attempt with req (whose context it replaces) and classifies
// it. It also returns what it read of the body, for kinds that parse the
// partner's error document.
func (h *httpClient) do(ctx context.Context, req *http.Request) (Outcome, []byte) {
	attemptCtx, cancel := context.WithTimeout(ctx, h.timeout)
	defer cancel()
	req = req.WithContext(attemptCtx)
	resp, err := h.client.Do(req)
	if err != nil {
		return h.failed(ctx, req, err), nil
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, readLimit))
	if err != nil && (resp.StatusCode < 200 || resp.StatusCode > 299) {
		// The status is known; a body cut short only loses detail.
		body = append(body, []byte(" [response truncated: "+err.Error()+"]")...)
	}
	return Classify(resp.StatusCode, resp.Header, body, h.now()), body
}

// failed classifies an attempt that got no response: always retryable,
// the error wrapping the cause without the URL (which may carry a secret).
func (h *httpClient) failed(ctx context.Context, req *http.Request, err error) Outcome {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	switch {
	case errors.Is(err, egress.ErrRefused):
		// The tenant's target resolved to an address it may not reach: permanent.
		return Outcome{Err: fmt.Errorf("%s %s: %w", req.Method, req.URL.Host, err)}
	case ctx.Err() != nil:
		// The caller gave up (shutdown, its own deadline): say so with its
		// error, so the worker can tell this from a partner failure.
		err = fmt.Errorf("%s %s: %w", req.Method, req.URL.Host, ctx.Err())
	case errors.Is(err, context.DeadlineExceeded):
		err = fmt.Errorf("%s %s: no response within %s: %w", req.Method, req.URL.Host, h.timeout, context.DeadlineExceeded)
	default:
		err = fmt.Errorf("%s %s: %w", req.Method, req.URL.Host, err)
	}
	return Outcome{Err: err, Retryable: true}
}

// Close releases idle connections. It is idempotent.
func (h *httpClient) Close() error {
	h.client.CloseIdleConnections()
	return nil
}
