package flows

import (
	"encoding/json"
	"time"

	"github.com/openjds/jds/internal/event"
)

// Trace is what a traced dry run did (Request.Trace), in the order it did it.
type Trace struct {
	At              string         `json:"at"`                        // the instant evaluated at
	IdentifySkipped bool           `json:"identifySkipped,omitempty"` // the flow identifies callers; a dry run does not
	Bindings        []TraceBinding `json:"bindings"`
	Rules           []TraceRule    `json:"rules"` // those tried, up to the one that answered
	Rule            string         `json:"rule"`  // the rule that answered; "" when the fallback did
	// Fallback is why the fallback answered, when it did.
	Fallback string `json:"fallback,omitempty"`
	// Events are the events the answering rule would have written.
	Events []Written `json:"events"`
}

// TraceBinding is a binding's value, as JSON.
type TraceBinding struct {
	Name  string          `json:"name"`
	Value json.RawMessage `json:"value"`
}

// TraceRule is a rule tried: whether its when held, or why it failed.
type TraceRule struct {
	Name  string `json:"name"`
	Holds bool   `json:"holds"`
	Error string `json:"error,omitempty"`
}

// trace records into the decision's trace, when there is one.
func (d *Decision) trace(fn func(*Trace)) {
	if d.Trace != nil {
		fn(d.Trace)
	}
}

// traceValue is a binding's value as JSON: times in the events' layout, durations as
// text, anything JSON cannot write as its error.
func traceValue(v any) json.RawMessage {
	switch x := v.(type) {
	case time.Time:
		v = x.UTC().Format(event.TimeLayout)
	case time.Duration:
		v = x.String()
	}
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(map[string]string{"error": err.Error()})
	}
	return b
}

// notAfter keeps, of the events match accepts (nil: all), those dated at or before at.
func notAfter(at time.Time, match func(raw []byte) bool) func(raw []byte) bool {
	return func(raw []byte) bool {
		var h struct {
			Time time.Time `json:"time"`
		}
		if json.Unmarshal(raw, &h) != nil || h.Time.After(at) {
			return false
		}
		return match == nil || match(raw)
	}
}
