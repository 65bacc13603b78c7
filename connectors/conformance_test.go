package connectors

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// conformanceKind tells the suite how to point one HTTP kind at a partner
// and what a valid delivery for it looks like.
type conformanceKind struct {
	kind string
	// config returns an instance config that sends to the partner at base
	// (an httptest server's URL, no trailing slash).
	config func(base string) map[string]any
	// delivery returns a valid delivery with the given id.
	delivery func(id string) Delivery
}

// conformanceKinds lists every HTTP kind, and variants of one whose extra
// options change the request (a signed webhook).
var conformanceKinds = []conformanceKind{
	{
		kind:   "webhook",
		config: func(base string) map[string]any { return map[string]any{"url": base + "/hook"} },
		delivery: func(id string) Delivery {
			return Delivery{ID: id, Attempt: 1, Body: `{"hello":"world"}`, Headers: map[string]string{"X-Trace": "t"}}
		},
	},
	{
		kind: "webhook",
		config: func(base string) map[string]any {
			return map[string]any{
				"url":           base + "/signed",
				"method":        "put",
				"auth":          map[string]any{"token": "tok"},
				"signingSecret": testSecret,
				"allowHosts":    []any{"127.0.0.1"},
			}
		},
		delivery: func(id string) Delivery {
			return Delivery{ID: id, Attempt: 1, Body: `{"signed":true}`}
		},
	},
	{
		kind: "twilio",
		config: func(base string) map[string]any {
			return map[string]any{"accountSid": testAccountSID, "authToken": "tok", "from": "+15550100", "baseURL": base}
		},
		delivery: func(id string) Delivery {
			return Delivery{ID: id, Attempt: 1, Attributes: map[string]string{"to": "+15550123", "body": "Can we call you back?"}}
		},
	},
	{
		kind: "webexconnect",
		config: func(base string) map[string]any {
			return map[string]any{"url": base + "/events/ABC", "serviceKey": "sk"}
		},
		delivery: func(id string) Delivery {
			return Delivery{ID: id, Attempt: 1, EventID: "ev", PersonID: "p", Attributes: map[string]string{"phone": "+15550123"}}
		},
	},
}

const (
	testAccountSID = "AC0123456789abcdef0123456789abcdef"
	// The Standard Webhooks reference test vector's secret.
	testSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
)

func TestConformance(t *testing.T) {
	for i, ck := range conformanceKinds {
		t.Run(fmt.Sprintf("%s#%d", ck.kind, i), func(t *testing.T) { runConformance(t, ck) })
	}
}

// build constructs one instance of kind named "x" with opts.
func build(t *testing.T, kind string, cfg map[string]any, opts Options) Sender {
	t.Helper()
	senders, err := Build([]Instance{{Name: "x", Kind: kind, Config: cfg}}, opts)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	t.Cleanup(func() { _ = Close(senders) })
	return senders["x"]
}

// partner starts an httptest server whose handler reads the whole request
// first, then calls h. It also counts requests.
func partner(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		_, _ = io.Copy(io.Discard, r.Body)
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func status(code int, body string, header ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(code)
		_, _ = io.WriteString(w, body)
	}
}

// sendWithin runs Send and fails the test if it has not returned after a
// generous while: a guard against hangs, not a timing assertion.
func sendWithin(t *testing.T, s Sender, ctx context.Context, d Delivery) Outcome {
	t.Helper()
	done := make(chan Outcome, 1)
	go func() { done <- s.Send(ctx, d) }()
	select {
	case out := <-done:
		return out
	case <-time.After(10 * time.Second):
		t.Fatal("Send did not return")
		return Outcome{}
	}
}

func runConformance(t *testing.T, ck conformanceKind) {
	ctx := context.Background()

	t.Run("success", func(t *testing.T) {
		srv, n := partner(t, status(http.StatusCreated, `{"sid":"SM1"}`))
		s := build(t, ck.kind, ck.config(srv.URL), Options{})
		out := s.Send(ctx, ck.delivery("d-1"))
		if !out.OK() || out.Status != http.StatusCreated || out.Response != `{"sid":"SM1"}` {
			t.Fatalf("outcome = %+v, want success 201 with the response", out)
		}
		if n.Load() != 1 {
			t.Fatalf("partner saw %d requests, want exactly 1", n.Load())
		}
	})

	t.Run("classification", func(t *testing.T) {
		for _, tc := range []struct {
			code      int
			retryable bool
		}{
			{500, true}, {502, true}, {503, true}, {504, true}, {408, true}, {425, true}, {429, true},
			{400, false}, {401, false}, {403, false}, {404, false}, {410, false}, {422, false},
			{301, false}, {302, false}, {307, false},
		} {
			srv, n := partner(t, status(tc.code, "nope", "Location", "http://elsewhere.example/x?secret=1"))
			s := build(t, ck.kind, ck.config(srv.URL), Options{})
			out := s.Send(ctx, ck.delivery("d-1"))
			var se *StatusError
			if !errors.As(out.Err, &se) || se.Status != tc.code || out.Status != tc.code {
				t.Errorf("%d: outcome %+v, want a *StatusError with the status", tc.code, out)
				continue
			}
			if out.Retryable != tc.retryable {
				t.Errorf("%d: retryable = %v, want %v", tc.code, out.Retryable, tc.retryable)
			}
			if n.Load() != 1 {
				t.Errorf("%d: partner saw %d requests, want 1 (no retries, no redirects)", tc.code, n.Load())
			}
			if strings.Contains(out.Err.Error(), "secret=1") {
				t.Errorf("%d: error %q shows a redirect's query", tc.code, out.Err)
			}
		}
	})

	t.Run("retry-after seconds", func(t *testing.T) {
		srv, _ := partner(t, status(http.StatusTooManyRequests, "slow down", "Retry-After", "7"))
		s := build(t, ck.kind, ck.config(srv.URL), Options{})
		out := s.Send(ctx, ck.delivery("d-1"))
		if !out.Retryable || out.RetryAfter != 7*time.Second {
			t.Fatalf("outcome = %+v, want retryable after 7s", out)
		}
	})

	t.Run("retry-after date", func(t *testing.T) {
		now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
		at := now.Add(90 * time.Second).Format(http.TimeFormat)
		srv, _ := partner(t, status(http.StatusServiceUnavailable, "maintenance", "Retry-After", at))
		s := build(t, ck.kind, ck.config(srv.URL), Options{Now: func() time.Time { return now }})
		out := s.Send(ctx, ck.delivery("d-1"))
		if !out.Retryable || out.RetryAfter != 90*time.Second {
			t.Fatalf("outcome = %+v, want retryable after 90s", out)
		}
	})

	t.Run("retry-after ignored when permanent", func(t *testing.T) {
		srv, _ := partner(t, status(http.StatusBadRequest, "bad", "Retry-After", "5"))
		s := build(t, ck.kind, ck.config(srv.URL), Options{})
		out := s.Send(ctx, ck.delivery("d-1"))
		if out.Retryable || out.RetryAfter != 0 || out.Err == nil {
			t.Fatalf("outcome = %+v, want permanent with no delay", out)
		}
	})

	// hang returns a partner that never answers until the client goes away.
	hang := func(t *testing.T) (*httptest.Server, chan struct{}) {
		arrived := make(chan struct{}, 100)
		release := make(chan struct{})
		srv, _ := partner(t, func(w http.ResponseWriter, r *http.Request) {
			arrived <- struct{}{}
			select {
			case <-r.Context().Done():
			case <-release:
			}
		})
		t.Cleanup(func() { close(release) }) // runs before srv.Close
		return srv, arrived
	}

	t.Run("instance timeout", func(t *testing.T) {
		srv, _ := hang(t)
		cfg := ck.config(srv.URL)
		cfg["timeout"] = "50ms"
		s := build(t, ck.kind, cfg, Options{})
		out := sendWithin(t, s, ctx, ck.delivery("d-1"))
		if !out.Retryable || !errors.Is(out.Err, context.DeadlineExceeded) || out.Status != 0 {
			t.Fatalf("outcome = %+v, want retryable deadline exceeded", out)
		}
	})

	t.Run("caller deadline", func(t *testing.T) {
		srv, _ := hang(t)
		s := build(t, ck.kind, ck.config(srv.URL), Options{})
		dctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		out := sendWithin(t, s, dctx, ck.delivery("d-1"))
		if !out.Retryable || !errors.Is(out.Err, context.DeadlineExceeded) {
			t.Fatalf("outcome = %+v, want retryable deadline exceeded", out)
		}
	})

	t.Run("cancel returns promptly", func(t *testing.T) {
		// The partner holds the request until the client goes away, so Send
		// returning at all shows it gave up on cancellation.
		srv, arrived := hang(t)
		s := build(t, ck.kind, ck.config(srv.URL), Options{})
		cctx, cancel := context.WithCancel(ctx)
		go func() { <-arrived; cancel() }()
		out := sendWithin(t, s, cctx, ck.delivery("d-1"))
		if !out.Retryable || !errors.Is(out.Err, context.Canceled) {
			t.Fatalf("outcome = %+v, want retryable, wrapping context.Canceled", out)
		}
	})

	t.Run("already cancelled", func(t *testing.T) {
		srv, _ := partner(t, status(200, "ok"))
		s := build(t, ck.kind, ck.config(srv.URL), Options{})
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		out := sendWithin(t, s, cctx, ck.delivery("d-1"))
		if !out.Retryable || !errors.Is(out.Err, context.Canceled) {
			t.Fatalf("outcome = %+v, want retryable, wrapping context.Canceled", out)
		}
	})

	t.Run("network error", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		base := srv.URL
		srv.Close()
		s := build(t, ck.kind, ck.config(base), Options{})
		out := s.Send(ctx, ck.delivery("d-1"))
		if !out.Retryable || out.Err == nil || out.Status != 0 {
			t.Fatalf("outcome = %+v, want a retryable network error", out)
		}
	})

	t.Run("idempotency key", func(t *testing.T) {
		var mu sync.Mutex
		var keys []string
		srv, _ := partner(t, func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			keys = append(keys, r.Header.Get("Idempotency-Key"))
			mu.Unlock()
			if len(r.Header.Values("Idempotency-Key")) != 1 {
				w.WriteHeader(http.StatusBadRequest)
			}
		})
		s := build(t, ck.kind, ck.config(srv.URL), Options{})
		d := ck.delivery("d-42")
		for attempt := 1; attempt <= 2; attempt++ {
			d.Attempt = attempt
			if out := s.Send(ctx, d); !out.OK() {
				t.Fatalf("attempt %d: %+v", attempt, out)
			}
		}
		if out := s.Send(ctx, ck.delivery("d-43")); !out.OK() {
			t.Fatalf("other delivery: %+v", out)
		}
		if want := []string{"d-42", "d-42", "d-43"}; !reflect.DeepEqual(keys, want) {
			t.Fatalf("Idempotency-Key per request = %q, want %q", keys, want)
		}
	})

	t.Run("what the delivery is about", func(t *testing.T) {
		var got http.Header
		srv, _ := partner(t, func(w http.ResponseWriter, r *http.Request) { got = r.Header.Clone() })
		s := build(t, ck.kind, ck.config(srv.URL), Options{})
		d := ck.delivery("d-7")
		d.EventID, d.PersonID, d.ActionID = "ev-1", "person-1", "action-1"
		d.Aliases = []string{"+15550123", "ann,lee@example.com"}
		d.Profile = map[string]any{"closedQueueCalls": 2, "lastQueue": "Billing"}
		if out := s.Send(ctx, d); !out.OK() {
			t.Fatalf("send: %+v", out)
		}
		want := map[string]string{"X-JDS-Event-ID": "ev-1", "X-JDS-Person-ID": "person-1", "X-JDS-Action-ID": "action-1",
			"X-JDS-Aliases": "%2B15550123,ann%2Clee%40example.com", "X-JDS-Profile": `{"closedQueueCalls":2,"lastQueue":"Billing"}`}
		for name, v := range want {
			if got.Get(name) != v {
				t.Errorf("%s = %q, want %q", name, got.Get(name), v)
			}
		}
	})

	t.Run("concurrent sends", func(t *testing.T) {
		var mu sync.Mutex
		seen := map[string]int{}
		srv, _ := partner(t, func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			seen[r.Header.Get("Idempotency-Key")]++
			mu.Unlock()
		})
		s := build(t, ck.kind, ck.config(srv.URL), Options{})
		const n = 64
		var wg sync.WaitGroup
		failures := make(chan Outcome, n)
		for i := range n {
			wg.Go(func() {
				if out := s.Send(ctx, ck.delivery(fmt.Sprintf("d-%d", i))); !out.OK() {
					failures <- out
				}
			})
		}
		wg.Wait()
		close(failures)
		for out := range failures {
			t.Errorf("concurrent send: %+v", out)
		}
		if len(seen) != n {
			t.Fatalf("partner saw %d distinct keys, want %d", len(seen), n)
		}
		for k, c := range seen {
			if c != 1 {
				t.Errorf("key %s sent %d times", k, c)
			}
		}
	})

	t.Run("response snippet", func(t *testing.T) {
		long := strings.Repeat("x", 5000)
		for _, code := range []int{200, 500} {
			srv, _ := partner(t, status(code, long))
			s := build(t, ck.kind, ck.config(srv.URL), Options{})
			out := s.Send(ctx, ck.delivery("d-1"))
			if out.Response != long[:ResponseLimit] {
				t.Errorf("%d: response is %d bytes, want the first %d", code, len(out.Response), ResponseLimit)
			}
		}
	})

	t.Run("invalid delivery", func(t *testing.T) {
		srv, n := partner(t, status(200, "ok"))
		s := build(t, ck.kind, ck.config(srv.URL), Options{})
		out := s.Send(ctx, ck.delivery(""))
		if !errors.Is(out.Err, ErrInvalidDelivery) || out.Retryable {
			t.Fatalf("outcome = %+v, want permanent ErrInvalidDelivery", out)
		}
		if n.Load() != 0 {
			t.Fatalf("partner saw %d requests for an invalid delivery", n.Load())
		}
	})

	t.Run("delivery unchanged", func(t *testing.T) {
		srv, _ := partner(t, status(200, "ok"))
		s := build(t, ck.kind, ck.config(srv.URL), Options{})
		d := ck.delivery("d-1")
		before := d
		before.Headers = maps.Clone(d.Headers)
		before.Attributes = maps.Clone(d.Attributes)
		s.Send(ctx, d)
		if !reflect.DeepEqual(d, before) {
			t.Fatalf("Send modified the delivery: %+v, was %+v", d, before)
		}
	})
}
