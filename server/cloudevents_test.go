package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"
)

// sdkClient is the CloudEvents Go SDK's HTTP client aimed at path, with the admin token.
func sdkClient(t *testing.T, e *env, path string) cloudevents.Client {
	t.Helper()
	c, err := cloudevents.NewClientHTTP(cehttp.WithTarget(e.URL+path), cehttp.WithHeader("Authorization", admin))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func sdkEvent(t *testing.T, id, identity string) cloudevents.Event {
	t.Helper()
	ev := cloudevents.NewEvent()
	ev.SetID(id)
	ev.SetSource("billing")
	ev.SetType("Payment Made")
	ev.SetTime(time.Date(2026, 11, 30, 9, 15, 0, 0, time.UTC))
	ev.SetExtension("identity", identity)
	ev.SetExtension("identitytype", "phone")
	ev.SetExtension("channel", "web")
	if err := ev.SetData(cloudevents.ApplicationJSON, map[string]any{"amount": 42.5, "currency": "USD"}); err != nil {
		t.Fatal(err)
	}
	return ev
}

// TestTheCloudEventsSDKPostsInBothModes sends events with the real SDK, in its default
// binary mode and in structured mode, to every ingest path, and reads them back the
// same either way.
func TestTheCloudEventsSDKPostsInBothModes(t *testing.T) {
	e := start(t, nil)
	paths := []string{"/publish/v1/api/event", "/publish/v1/api/events", "/v1/journey/events"}
	modes := map[string]func(context.Context) context.Context{
		"binary":     cloudevents.WithEncodingBinary,
		"structured": cloudevents.WithEncodingStructured,
	}
	n := 0
	for mode, encoding := range modes {
		for _, path := range paths {
			t.Run(mode+" "+path, func(t *testing.T) {
				n++
				id := fmt.Sprintf("%s-%d", mode, n)
				res := sdkClient(t, e, path+"?workspaceId="+ws).Send(encoding(context.Background()), sdkEvent(t, id, "+1 (226) 376-2555"))
				var result *cehttp.Result
				if !cloudevents.ResultAs(res, &result) || result.StatusCode != 202 {
					t.Fatalf("send: %v", res)
				}
			})
		}
	}
	r := e.Do("GET", historyPath("12263762555", "&top=10"), admin, nil)
	var body struct {
		Data []map[string]any `json:"data"`
	}
	if err := json.Unmarshal(r.Body, &body); err != nil || len(body.Data) != 6 {
		t.Fatalf("history after 6 posts: %v %s", err, r.Body)
	}
	for _, got := range body.Data {
		data, _ := got["data"].(map[string]any)
		if got["type"] != "Payment Made" || got["source"] != "billing" || got["channel"] != "web" ||
			got["time"] != "2026-11-30T09:15:00.000Z" || got["datacontenttype"] != "application/json" ||
			data["amount"] != 42.5 || data["currency"] != "USD" {
			t.Errorf("stored event differs from what the SDK sent: %v", got)
		}
	}
}

// TestBinaryModeFollowsTheHTTPBinding checks what the SDK does not exercise: percent-
// encoded header values, errors naming the header, and the batch path's answer.
func TestBinaryModeFollowsTheHTTPBinding(t *testing.T) {
	e := start(t, nil)
	headers := func(extra ...string) []string {
		return append([]string{
			"ce-specversion", "1.0", "ce-id", "pct-1", "ce-source", "ivr", "ce-type", "Queued%20Caller",
			"ce-identity", "%2B1%20226%20376%202555", "ce-identitytype", "phone", "ce-note", "caf%C3%A9",
		}, extra...)
	}
	r := e.Do("POST", "/publish/v1/api/event?workspaceId="+ws, admin, `{"queue":"Billing"}`, headers()...)
	if r.Status != 202 {
		t.Fatalf("binary mode: %d %s", r.Status, r.Body)
	}
	r = e.Do("GET", historyPath("12263762555", ""), admin, nil)
	var body struct {
		Data []map[string]any `json:"data"`
	}
	if err := json.Unmarshal(r.Body, &body); err != nil || len(body.Data) != 1 {
		t.Fatalf("history: %v %s", err, r.Body)
	}
	if got := body.Data[0]; got["type"] != "Queued Caller" || got["identity"] != "+1 226 376 2555" || got["note"] != "café" {
		t.Fatalf("header values must be percent-decoded: %v", got)
	}

	for _, tc := range []struct {
		name    string
		body    string
		headers []string
		status  int
		want    string
	}{
		{"no id", `{}`, []string{"ce-specversion", "1.0", "ce-source", "ivr", "ce-type", "T", "ce-identity", "x", "ce-identitytype", "customerId"}, 400, "id: required"},
		{"body is not JSON", `queue=Billing`, headers(), 400, "data: the body must be a JSON object"},
		{"bad percent-encoding", `{}`, headers("ce-note", "50%"), 400, "ce-note: must be percent-encoded UTF-8"},
		{"bad attribute name", `{}`, headers("ce-my_ext", "x"), 400, "ce-my_ext: an attribute name is lowercase letters a-z and digits, at most 64 (CloudEvents)"},
		{"data content type as a header", `{}`, headers("ce-datacontenttype", "application/json"), 400, "ce-datacontenttype: in binary mode the body is data"},
		{"text body", `hello`, headers("Content-Type", "text/plain"), 415, "Content-Type: unsupported"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Do("POST", "/publish/v1/api/event?workspaceId="+ws, admin, tc.body, tc.headers...)
			if r.Status != tc.status || !bytes.Contains(r.Body, []byte(tc.want)) {
				t.Fatalf("got %d %s, want %d naming %q", r.Status, r.Body, tc.status, tc.want)
			}
		})
	}

	// The batch path answers a binary event as a batch of one.
	r = e.Do("POST", "/publish/v1/api/events?workspaceId="+ws, admin, `{"queue":"Billing"}`, headers("ce-id", "pct-2")...)
	if m := r.JSON(t); r.Status != 202 || m["data"].(map[string]any)["accepted"] != 1.0 {
		t.Fatalf("batch path: %d %s", r.Status, r.Body)
	}
	r = e.Do("POST", "/publish/v1/api/events?workspaceId="+ws, admin, `[1]`, headers("ce-id", "pct-3")...)
	if r.Status != 400 || !bytes.Contains(r.Body, []byte("data: must be a JSON object")) {
		t.Fatalf("batch path, bad event: %d %s", r.Status, r.Body)
	}
}
