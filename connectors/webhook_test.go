package connectors

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// captured is one request as the partner saw it.
type captured struct {
	method, path, query, body string
	header                    http.Header
	user, pass                string
	basic                     bool
}

// recorder starts a partner answering code and recording every request.
func recorder(t *testing.T, code int, answer string) (*httptest.Server, func() []captured) {
	t.Helper()
	var mu sync.Mutex
	var reqs []captured
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		c := captured{method: r.Method, path: r.URL.Path, query: r.URL.RawQuery, body: string(b), header: r.Header.Clone()}
		c.user, c.pass, c.basic = r.BasicAuth()
		mu.Lock()
		reqs = append(reqs, c)
		mu.Unlock()
		w.WriteHeader(code)
		_, _ = io.WriteString(w, answer)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []captured {
		mu.Lock()
		defer mu.Unlock()
		return append([]captured(nil), reqs...)
	}
}

func only(t *testing.T, reqs []captured) captured {
	t.Helper()
	if len(reqs) != 1 {
		t.Fatalf("partner saw %d requests, want 1", len(reqs))
	}
	return reqs[0]
}

func TestWebhookWire(t *testing.T) {
	srv, reqs := recorder(t, 200, "ok")
	env := map[string]string{"HOOK_TOKEN": "s3cret"}
	s := build(t, "webhook", map[string]any{
		"url":     srv.URL + "/default",
		"method":  "put",
		"headers": map[string]any{"X-Team": "blue", "X-Override": "instance"},
		"auth":    map[string]any{"token": "${HOOK_TOKEN}"},
	}, Options{Getenv: func(k string) string { return env[k] }})

	out := s.Send(context.Background(), Delivery{
		ID: "d-1", Attempt: 1,
		URL: srv.URL + "/events/6M347NJ6HY?x=1", Method: "patch",
		Headers: map[string]string{"X-Override": "delivery"},
		Body:    `{"SMS":"+15550123","MessageToSend":"Can we call you back?"}`,
	})
	if !out.OK() {
		t.Fatalf("Send: %+v", out)
	}
	r := only(t, reqs())
	for name, got := range map[string]string{
		"method": r.method, "path": r.path, "query": r.query, "body": r.body,
		"X-Team": r.header.Get("X-Team"), "X-Override": r.header.Get("X-Override"),
		"Authorization": r.header.Get("Authorization"), "Content-Type": r.header.Get("Content-Type"),
		"Idempotency-Key": r.header.Get("Idempotency-Key"),
	} {
		want := map[string]string{
			"method": "PATCH", "path": "/events/6M347NJ6HY", "query": "x=1",
			"body":   `{"SMS":"+15550123","MessageToSend":"Can we call you back?"}`,
			"X-Team": "blue", "X-Override": "delivery", "Authorization": "Bearer s3cret",
			"Content-Type": "application/json", "Idempotency-Key": "d-1",
		}[name]
		if got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if r.header.Get("webhook-signature") != "" {
		t.Errorf("unsigned instance sent webhook-signature")
	}

	// The instance's defaults: its URL and verb.
	s.Send(context.Background(), Delivery{ID: "d-2", Body: "plain", Headers: map[string]string{"Content-Type": "text/plain"}})
	r = reqs()[1]
	if r.method != "PUT" || r.path != "/default" || r.header.Get("Content-Type") != "text/plain" {
		t.Errorf("defaults: %s %s %q", r.method, r.path, r.header.Get("Content-Type"))
	}
}

func TestWebhookAuthForms(t *testing.T) {
	srv, reqs := recorder(t, 200, "")
	for _, tc := range []struct {
		name string
		cfg  map[string]any
		want string
	}{
		{"basic", map[string]any{"auth": map[string]any{"scheme": "basic", "username": "u", "password": "p:w"}},
			"Basic " + base64.StdEncoding.EncodeToString([]byte("u:p:w"))},
		{"custom scheme", map[string]any{"auth": map[string]any{"scheme": "Token", "token": "t"}}, "Token t"},
		{"JDS spelling", map[string]any{"authorizationScheme": "Bearer", "authorization": "abc"}, "Bearer abc"},
		{"JDS spelling, no scheme", map[string]any{"authorization": "ApiKey xyz"}, "ApiKey xyz"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg["url"] = srv.URL
			s := build(t, "webhook", tc.cfg, Options{})
			if out := s.Send(context.Background(), Delivery{ID: "d"}); !out.OK() {
				t.Fatalf("Send: %+v", out)
			}
			all := reqs()
			if got := all[len(all)-1].header.Get("Authorization"); got != tc.want {
				t.Fatalf("Authorization = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestWebhookInlineSender(t *testing.T) {
	srv, reqs := recorder(t, 200, "")
	senders, err := Build(nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer Close(senders)
	inline := senders[""]
	if inline == nil {
		t.Fatal("Build gave no inline webhook sender under \"\"")
	}
	out := inline.Send(context.Background(), Delivery{ID: "d", URL: srv.URL + "/ping", Method: "get",
		Headers: map[string]string{"Authorization": "Bearer from-trigger"}})
	if !out.OK() {
		t.Fatalf("Send: %+v", out)
	}
	r := only(t, reqs())
	if r.method != "GET" || r.path != "/ping" || r.body != "" || r.header.Get("Content-Type") != "" ||
		r.header.Get("Authorization") != "Bearer from-trigger" || r.header.Get("Content-Length") != "" {
		t.Fatalf("inline request: %+v", r)
	}
	if out := inline.Send(context.Background(), Delivery{ID: "d"}); !errors.Is(out.Err, ErrInvalidDelivery) || out.Retryable {
		t.Fatalf("no URL: %+v, want permanent ErrInvalidDelivery", out)
	}
}

func TestWebhookInvalidDeliveries(t *testing.T) {
	srv, reqs := recorder(t, 200, "")
	s := build(t, "webhook", map[string]any{"url": srv.URL, "signingSecret": testSecret}, Options{})
	for name, d := range map[string]Delivery{
		"ftp URL":          {ID: "d", URL: "ftp://x.example/"},
		"relative URL":     {ID: "d", URL: "/just/a/path"},
		"bad verb":         {ID: "d", Method: "GE T"},
		"header injection": {ID: "d", Headers: map[string]string{"X-A": "a\r\nX-B: b"}},
		"reserved header":  {ID: "d", Headers: map[string]string{"Idempotency-Key": "mine"}},
		"dotted id signed": {ID: "a.b"},
	} {
		if out := s.Send(context.Background(), d); !errors.Is(out.Err, ErrInvalidDelivery) || out.Retryable {
			t.Errorf("%s: %+v, want permanent ErrInvalidDelivery", name, out)
		}
	}
	if n := len(reqs()); n != 0 {
		t.Fatalf("partner saw %d requests for invalid deliveries", n)
	}
}

func TestWebhookAllowHosts(t *testing.T) {
	srv, reqs := recorder(t, 200, "")
	s := build(t, "webhook", map[string]any{"allowHosts": []any{"127.0.0.1", "*.hooks.example"}}, Options{})
	if out := s.Send(context.Background(), Delivery{ID: "d", URL: srv.URL}); !out.OK() {
		t.Fatalf("allowed host: %+v", out)
	}
	for _, u := range []string{"http://evil.example/", "http://hooks.example/", "http://localhost/"} {
		out := s.Send(context.Background(), Delivery{ID: "d", URL: u})
		if !errors.Is(out.Err, ErrHostNotAllowed) || out.Retryable {
			t.Errorf("%s: %+v, want permanent ErrHostNotAllowed", u, out)
		}
	}
	if len(reqs()) != 1 {
		t.Fatalf("partner saw %d requests, want 1", len(reqs()))
	}
	w := s.(*Webhook)
	for host, want := range map[string]bool{"a.hooks.example": true, "A.B.Hooks.Example": true, "hooks.example": false, "xhooks.example": false} {
		if got := w.allowed(mustURL(t, "https://"+host+"/")); got != want {
			t.Errorf("allowed(%s) = %v, want %v", host, got, want)
		}
	}
}

func TestWebhookDoesNotFollowRedirects(t *testing.T) {
	target, targetReqs := recorder(t, 200, "")
	redirect := httptest.NewServer(http.RedirectHandler(target.URL, http.StatusTemporaryRedirect))
	defer redirect.Close()
	s := build(t, "webhook", map[string]any{"url": redirect.URL}, Options{})
	out := s.Send(context.Background(), Delivery{ID: "d", Body: "{}"})
	if out.OK() || out.Retryable || out.Status != http.StatusTemporaryRedirect {
		t.Fatalf("outcome = %+v, want a permanent 307", out)
	}
	if len(targetReqs()) != 0 {
		t.Fatal("the redirect was followed")
	}
}

// TestStandardWebhooksTestVector checks the signer against the vector the
// Standard Webhooks reference libraries publish: agreeing with our own
// verifier alone would not catch a wrong delimiter, alphabet or key decoding.
func TestStandardWebhooksTestVector(t *testing.T) {
	key, err := decodeSigningSecret(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	got := sign(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, []byte(`{"test": 2432232314}`))
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Fatalf("signature = %s, want %s", got, want)
	}
}

// verifyStandardWebhook is a receiver's verification written from the spec,
// independently of the sender's code: secret decoding, signed content,
// every space-separated signature, constant-time comparison, tolerance.
func verifyStandardWebhook(secret string, h http.Header, body string, now time.Time) error {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return err
	}
	id, ts := h.Get("webhook-id"), h.Get("webhook-timestamp")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return errors.New("bad timestamp")
	}
	if d := now.Sub(time.Unix(sec, 0)); d > 5*time.Minute || d < -5*time.Minute {
		return errors.New("timestamp outside tolerance")
	}
	mac := hmac.New(sha256.New, key)
	io.WriteString(mac, id+"."+ts+"."+body)
	expected := mac.Sum(nil)
	for _, sig := range strings.Fields(h.Get("webhook-signature")) {
		version, b64, ok := strings.Cut(sig, ",")
		if !ok || version != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(b64)
		if err == nil && hmac.Equal(got, expected) {
			return nil
		}
	}
	return errors.New("no matching signature")
}

func TestWebhookSignature(t *testing.T) {
	srv, reqs := recorder(t, 200, "")
	now := time.Unix(1_700_000_000, 0)
	clock := func() time.Time { return now }
	s := build(t, "webhook", map[string]any{"url": srv.URL, "signingSecret": testSecret}, Options{Now: clock})
	d := Delivery{ID: "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", Attempt: 1, Body: `{"type":"contact.created"}`}
	s.Send(context.Background(), d)
	now = now.Add(time.Minute) // the retry is a minute later
	d.Attempt = 2
	s.Send(context.Background(), d)

	all := reqs()
	if len(all) != 2 {
		t.Fatalf("partner saw %d requests", len(all))
	}
	for i, r := range all {
		at := time.Unix(1_700_000_000, 0).Add(time.Duration(i) * time.Minute)
		if err := verifyStandardWebhook(testSecret, r.header, r.body, at); err != nil {
			t.Errorf("attempt %d: %v (headers %v)", i+1, err, r.header)
		}
		if r.header.Get("webhook-id") != d.ID || r.header.Get("Idempotency-Key") != d.ID {
			t.Errorf("attempt %d: webhook-id %q, Idempotency-Key %q, want %q", i+1,
				r.header.Get("webhook-id"), r.header.Get("Idempotency-Key"), d.ID)
		}
		if want := strconv.FormatInt(at.Unix(), 10); r.header.Get("webhook-timestamp") != want {
			t.Errorf("attempt %d: webhook-timestamp %s, want %s", i+1, r.header.Get("webhook-timestamp"), want)
		}
	}
	if all[0].header.Get("webhook-signature") == all[1].header.Get("webhook-signature") {
		t.Error("a retry reused the first attempt's signature; its timestamp must be fresh")
	}
	// A tampered body fails verification: the check above is not vacuous.
	if verifyStandardWebhook(testSecret, all[0].header, all[0].body+" ", now.Add(-time.Minute)) == nil {
		t.Error("a tampered body verified")
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := parseTarget(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestWebhookConnectorTriggerBody: a Connector trigger naming a webhook instance
// renders its body and content type as attributes; the request carries that body,
// and the Standard Webhooks reference library verifies its signature over it.
func TestWebhookConnectorTriggerBody(t *testing.T) {
	srv, reqs := recorder(t, 200, "")
	s := build(t, "webhook", map[string]any{"url": srv.URL, "signingSecret": testSecret,
		"headers": map[string]any{"Content-Type": "text/plain"}}, Options{})
	wh, err := standardwebhooks.NewWebhook(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		attrs     map[string]string
		body, typ string
	}{
		{"JSON", map[string]string{"body": `{"to":"+15550123","text":"Can we call you back?"}`, "contentType": "application/json"},
			`{"to":"+15550123","text":"Can we call you back?"}`, "application/json"},
		{"form", map[string]string{"body": "to=%2B15550123", "contentType": "application/x-www-form-urlencoded"},
			"to=%2B15550123", "application/x-www-form-urlencoded"},
		{"no contentType: the instance's header", map[string]string{"body": "hello"}, "hello", "text/plain"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := len(reqs())
			if out := s.Send(context.Background(), Delivery{ID: "d-" + strconv.Itoa(n), Attempt: 1, Attributes: tc.attrs}); !out.OK() {
				t.Fatalf("outcome %+v", out)
			}
			r := reqs()[n]
			if r.body != tc.body || r.header.Get("Content-Type") != tc.typ {
				t.Fatalf("sent %q as %q, want %q as %q", r.body, r.header.Get("Content-Type"), tc.body, tc.typ)
			}
			if err := wh.Verify([]byte(r.body), r.header); err != nil {
				t.Fatalf("the reference library refuses the signature: %v", err)
			}
			if wh.Verify([]byte(r.body+" "), r.header) == nil {
				t.Fatal("a tampered body verified")
			}
		})
	}
	if out := s.Send(context.Background(), Delivery{ID: "bad", Attributes: map[string]string{"body": "x", "contentType": "a\nb"}}); !errors.Is(out.Err, ErrInvalidDelivery) {
		t.Errorf("a content type with a line break: %+v", out)
	}
}
