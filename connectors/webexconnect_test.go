package connectors

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestWebexConnectWire(t *testing.T) {
	srv, reqs := recorder(t, 200, `{"tid":"123"}`)
	s := build(t, "webexconnect", map[string]any{
		"url":        srv.URL + "/events/6M347NJ6HY",
		"serviceKey": "${CONNECT_KEY}",
		"headers":    map[string]any{"X-Tenant": "acme"},
	}, Options{Getenv: func(k string) string { return map[string]string{"CONNECT_KEY": "svc-key"}[k] }})
	out := s.Send(context.Background(), Delivery{
		ID: "d-1", Attempt: 3, ActionID: "a-1", Action: "Callback", EventID: "ev-1", PersonID: "p-1",
		Body:       `{"amount": 12.50, "nested": {"list": [1, 2]}, "SMS": "overridden"}`,
		Attributes: map[string]string{"SMS": "+15550123", "MessageToSend": "Can we call you back?"},
	})
	if !out.OK() || out.Response != `{"tid":"123"}` {
		t.Fatalf("Send: %+v", out)
	}
	r := only(t, reqs())
	if r.method != "POST" || r.path != "/events/6M347NJ6HY" {
		t.Errorf("request line: %s %s", r.method, r.path)
	}
	for h, want := range map[string]string{"Content-Type": "application/json", "key": "svc-key", "X-Tenant": "acme", "Idempotency-Key": "d-1"} {
		if got := r.header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	var got map[string]any
	dec := json.NewDecoder(strings.NewReader(r.body))
	dec.UseNumber()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("body %q: %v", r.body, err)
	}
	want := map[string]any{
		"amount":        json.Number("12.50"),
		"nested":        map[string]any{"list": []any{json.Number("1"), json.Number("2")}},
		"SMS":           "+15550123",
		"MessageToSend": "Can we call you back?",
		"jds": map[string]any{
			"deliveryId": "d-1", "eventId": "ev-1", "personId": "p-1", "actionId": "a-1", "action": "Callback",
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("body = %#v\nwant %#v", got, want)
	}
}

func TestWebexConnectBodyMustBeAnObject(t *testing.T) {
	srv, reqs := recorder(t, 200, ``)
	s := build(t, "webexconnect", map[string]any{"url": srv.URL}, Options{})
	for _, body := range []string{`[1,2]`, `"text"`, `{"a":1} {"b":2}`, `{broken`} {
		if out := s.Send(context.Background(), Delivery{ID: "d", Body: body}); !errors.Is(out.Err, ErrInvalidDelivery) || out.Retryable {
			t.Errorf("body %s: %+v, want permanent ErrInvalidDelivery", body, out)
		}
	}
	if len(reqs()) != 0 {
		t.Fatal("invalid deliveries reached the partner")
	}
}

func TestWebexConnectErrorsHideTheURL(t *testing.T) {
	s := build(t, "webexconnect", map[string]any{"url": "http://127.0.0.1:1/events/SECRETID"}, Options{})
	out := s.Send(context.Background(), Delivery{ID: "d"})
	if out.OK() || !out.Retryable || strings.Contains(out.Err.Error(), "SECRETID") {
		t.Fatalf("outcome %+v: want a retryable error that does not show the webhook's URL", out)
	}
}
