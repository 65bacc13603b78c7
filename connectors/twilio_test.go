package connectors

import (
	"context"
	"errors"
	"net/url"
	"testing"
)

func twilioConfig(base string, extra map[string]any) map[string]any {
	cfg := map[string]any{"accountSid": testAccountSID, "authToken": "tok3n", "from": "+15550100", "baseURL": base}
	for k, v := range extra {
		cfg[k] = v
	}
	return cfg
}

func TestTwilioWire(t *testing.T) {
	srv, reqs := recorder(t, 201, `{"sid":"SM0123","status":"queued"}`)
	s := build(t, "twilio", twilioConfig(srv.URL+"/", nil), Options{})
	out := s.Send(context.Background(), Delivery{ID: "d-1", Attributes: map[string]string{
		"to": "+15550123", "body": "Can we call you back? Reply YES & we'll ring.",
	}})
	if !out.OK() || out.Status != 201 || out.Response != `{"sid":"SM0123","status":"queued"}` {
		t.Fatalf("Send: %+v", out)
	}
	r := only(t, reqs())
	if r.method != "POST" || r.path != "/2010-04-01/Accounts/"+testAccountSID+"/Messages.json" {
		t.Errorf("request line: %s %s", r.method, r.path)
	}
	if !r.basic || r.user != testAccountSID || r.pass != "tok3n" {
		t.Errorf("basic auth: %v %q %q", r.basic, r.user, r.pass)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		t.Errorf("Content-Type = %q", ct)
	}
	if r.header.Get("Idempotency-Key") != "d-1" {
		t.Errorf("Idempotency-Key = %q", r.header.Get("Idempotency-Key"))
	}
	form, err := url.ParseQuery(r.body)
	if err != nil {
		t.Fatal(err)
	}
	want := url.Values{"To": {"+15550123"}, "From": {"+15550100"}, "Body": {"Can we call you back? Reply YES & we'll ring."}}
	if form.Encode() != want.Encode() {
		t.Errorf("form = %v, want %v", form, want)
	}
}

func TestTwilioSender(t *testing.T) {
	const service = "MG0123456789abcdef0123456789abcdef"
	const other = "MGffffffffffffffffffffffffffffffff"
	srv, reqs := recorder(t, 201, `{}`)
	for _, tc := range []struct {
		name  string
		extra map[string]any
		attrs map[string]string
		want  url.Values
	}{
		{"messaging service", map[string]any{"from": nil, "messagingServiceSid": service}, nil,
			url.Values{"MessagingServiceSid": {service}}},
		{"attribute from overrides both", map[string]any{"messagingServiceSid": service}, map[string]string{"from": "+15559999"},
			url.Values{"From": {"+15559999"}}},
		{"attribute service overrides", nil, map[string]string{"messagingServiceSid": other},
			url.Values{"MessagingServiceSid": {other}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := twilioConfig(srv.URL, tc.extra)
			for k, v := range cfg {
				if v == nil {
					delete(cfg, k)
				}
			}
			s := build(t, "twilio", cfg, Options{})
			attrs := map[string]string{"to": "+15550123", "body": "hi"}
			for k, v := range tc.attrs {
				attrs[k] = v
			}
			if out := s.Send(context.Background(), Delivery{ID: "d", Attributes: attrs}); !out.OK() {
				t.Fatalf("Send: %+v", out)
			}
			all := reqs()
			form, _ := url.ParseQuery(all[len(all)-1].body)
			form.Del("To")
			form.Del("Body")
			if form.Encode() != tc.want.Encode() {
				t.Fatalf("sender fields = %v, want %v", form, tc.want)
			}
		})
	}
}

func TestTwilioErrors(t *testing.T) {
	for _, tc := range []struct {
		name      string
		status    int
		body      string
		code, msg string
		retryable bool
	}{
		{"invalid number", 400,
			`{"code": 21211, "message": "The 'To' number +1555 is not a valid phone number.", "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400}`,
			"21211", "The 'To' number +1555 is not a valid phone number.", false},
		{"auth", 401, `{"code": 20003, "message": "Authenticate", "more_info": "https://www.twilio.com/docs/errors/20003", "status": 401}`,
			"20003", "Authenticate", false},
		{"rate limited", 429, `{"code": 20429, "message": "Too Many Requests", "status": 429}`, "20429", "Too Many Requests", true},
		{"not JSON", 502, `<html>Bad Gateway</html>`, "", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := recorder(t, tc.status, tc.body)
			s := build(t, "twilio", twilioConfig(srv.URL, nil), Options{})
			out := s.Send(context.Background(), Delivery{ID: "d", Attributes: map[string]string{"to": "+1555", "body": "x"}})
			var se *StatusError
			if !errors.As(out.Err, &se) {
				t.Fatalf("Err = %v, want a *StatusError", out.Err)
			}
			if se.Status != tc.status || se.Code != tc.code || (tc.msg != "" && se.Message != tc.msg) || out.Retryable != tc.retryable {
				t.Fatalf("error %+v retryable %v, want status %d code %q message %q retryable %v",
					se, out.Retryable, tc.status, tc.code, tc.msg, tc.retryable)
			}
			if out.Response != tc.body {
				t.Errorf("Response = %q", out.Response)
			}
		})
	}
}

func TestTwilioInvalidDeliveries(t *testing.T) {
	srv, reqs := recorder(t, 201, `{}`)
	s := build(t, "twilio", twilioConfig(srv.URL, nil), Options{})
	for name, attrs := range map[string]map[string]string{
		"no to":   {"body": "x"},
		"no body": {"to": "+15550123"},
		"nothing": nil,
	} {
		if out := s.Send(context.Background(), Delivery{ID: "d", Attributes: attrs}); !errors.Is(out.Err, ErrInvalidDelivery) || out.Retryable {
			t.Errorf("%s: %+v, want permanent ErrInvalidDelivery", name, out)
		}
	}
	if len(reqs()) != 0 {
		t.Fatal("invalid deliveries reached Twilio")
	}
}
