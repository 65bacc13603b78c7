package connectors

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

func TestLogKind(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s := build(t, "log", map[string]any{"level": "WARN"}, Options{Logger: logger})
	out := s.Send(context.Background(), Delivery{
		ID: "d-1", Attempt: 2, Action: "Closed Queue Action", EventID: "ev-1", PersonID: "p-1",
		URL: "https://x.example", Headers: map[string]string{"Authorization": "Bearer s3cret", "X-Team": "blue"},
		Attributes: map[string]string{"to": "+15550123"},
	})
	if !out.OK() || out.Response != "logged" {
		t.Fatalf("outcome = %+v, want success", out)
	}
	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatalf("log output %q: %v", buf.String(), err)
	}
	for k, want := range map[string]any{
		"level": "WARN", "msg": "connector delivery", "connector": "x", "delivery": "d-1",
		"attempt": 2.0, "action": "Closed Queue Action", "event": "ev-1", "person": "p-1",
	} {
		if rec[k] != want {
			t.Errorf("%s = %v, want %v", k, rec[k], want)
		}
	}
	if strings.Contains(buf.String(), "s3cret") {
		t.Errorf("the log shows a credential: %s", buf.String())
	}
	if rec["attributes"].(map[string]any)["to"] != "+15550123" {
		t.Errorf("attributes = %v", rec["attributes"])
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if out := s.Send(ctx, Delivery{ID: "d-2"}); !out.Retryable || !errors.Is(out.Err, context.Canceled) {
		t.Errorf("cancelled: %+v, want retryable context.Canceled", out)
	}
}
