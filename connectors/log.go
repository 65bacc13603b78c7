package connectors

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
)

var logKind = Kind{
	Name: "log",
	Doc: md(`Writes each delivery to jds's own log instead of sending it anywhere, and
always succeeds: for developing actions and rules without a partner, and for
seeing exactly what a firing would send. The record is ~connector delivery~
with the instance, the delivery's ids, attempt and every payload field.
Bodies and attributes may hold personal data; keep this kind to development.`),
	Spec: []Field{
		{Name: "level", Type: TypeString, Default: "info", Options: []string{"debug", "info", "warn", "error"}, Doc: "Level of the log record."},
	},
	New: newLog,
}

func init() { Register(logKind) }

// Log is the log kind's Sender.
type Log struct {
	name   string
	logger *slog.Logger
	level  slog.Level
}

var _ Sender = (*Log)(nil)

func newLog(c *Config) (Sender, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.String("level"))); err != nil {
		return nil, c.Errorf("level", "%v", err)
	}
	return &Log{name: c.Name(), logger: c.Logger(), level: level}, nil
}

// Send logs d. It fails only when ctx is already done, as the contract asks.
func (l *Log) Send(ctx context.Context, d Delivery) Outcome {
	if err := ctx.Err(); err != nil {
		return Outcome{Err: fmt.Errorf("logging delivery %s: %w", d.ID, err), Retryable: true}
	}
	attrs := []slog.Attr{
		slog.String("connector", l.name),
		slog.String("delivery", d.ID),
		slog.Int("attempt", d.Attempt),
	}
	for _, kv := range [][2]string{
		{"actionId", d.ActionID}, {"action", d.Action}, {"event", d.EventID}, {"person", d.PersonID},
		{"method", d.Method}, {"url", d.URL}, {"body", d.Body},
	} {
		if kv[1] != "" {
			attrs = append(attrs, slog.String(kv[0], kv[1]))
		}
	}
	if len(d.Headers) > 0 {
		attrs = append(attrs, slog.Any("headers", redactHeaders(d.Headers)))
	}
	if len(d.Attributes) > 0 {
		attrs = append(attrs, slog.Any("attributes", d.Attributes))
	}
	l.logger.LogAttrs(ctx, l.level, "connector delivery", attrs...)
	return Outcome{Response: "logged"}
}

// redactHeaders hides credentials an inline trigger may carry in headers.
func redactHeaders(h map[string]string) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		l := strings.ToLower(k)
		if strings.Contains(l, "auth") || strings.Contains(l, "key") || strings.Contains(l, "token") || strings.Contains(l, "secret") {
			v = "<redacted>"
		}
		out[k] = v
	}
	return out
}
