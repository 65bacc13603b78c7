package rules

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/filter"
)

// EventEnv is what expr conditions see of one event. Numbers inside data and ext are
// int64 when they are whole JSON integers, float64 otherwise; time is a time.Time in
// UTC. `event` is the environment itself, so that `event.data.queue` and `data.queue`
// are the same thing (the spelling journey actions use for the triggering event).
type EventEnv struct {
	ID               string         `expr:"id"`
	Type             string         `expr:"type"`
	Source           string         `expr:"source"`
	Time             time.Time      `expr:"time"`
	Identity         string         `expr:"identity"`
	IdentityType     string         `expr:"identitytype"`
	PreviousIdentity string         `expr:"previousidentity"`
	Subject          string         `expr:"subject"`
	Data             map[string]any `expr:"data"`
	// Ext holds the CloudEvents extension attributes, as posted.
	Ext   map[string]any `expr:"ext"`
	Event *EventEnv      `expr:"event"`
}

// CloudEvents attributes that are neither fields of EventEnv nor extensions.
var notExt = map[string]bool{"specversion": true, "datacontenttype": true, "dataschema": true}

// NewEventEnv builds the environment of one event from its canonical JSON (event.Event's
// Raw). Decode it once per event and match it against every attribute.
func NewEventEnv(raw []byte) (*EventEnv, error) { return newEventEnv(raw, nil, true) }

// NewEventEnvKeys is NewEventEnv with only the keys given of data, all that the
// attributes matched against it read (CompiledAttr.DataKeys): the rest of data is not
// decoded.
func NewEventEnvKeys(raw []byte, dataKeys []string) (*EventEnv, error) {
	return newEventEnv(raw, dataKeys, false)
}

func newEventEnv(raw []byte, dataKeys []string, allData bool) (*EventEnv, error) {
	env := &EventEnv{}
	env.Event = env
	var rawTime string
	hasTime := false
	str := func(v any) string { s, _ := v.(string); return s }
	member := func(k string, v any) {
		switch k {
		case "id":
			env.ID = str(v)
		case "type":
			env.Type = str(v)
		case "source":
			env.Source = str(v)
		case "identity":
			env.Identity = str(v)
		case "identitytype":
			env.IdentityType = str(v)
		case "previousidentity":
			env.PreviousIdentity = str(v)
		case "subject":
			env.Subject = str(v)
		case "time":
			rawTime, hasTime = str(v), true
		case "data":
			env.Data, _ = v.(map[string]any)
		default:
			if notExt[k] {
				return
			}
			if env.Ext == nil {
				env.Ext = map[string]any{}
			}
			env.Ext[k] = v
		}
	}
	var err error
	if allData {
		err = event.DecodeMembers(raw, member)
	} else {
		err = event.DecodeMembersIn(raw, "data", dataKeys, member)
	}
	if err != nil {
		return nil, fmt.Errorf("decoding event: %w", err)
	}
	if hasTime {
		t, err := time.Parse(time.RFC3339Nano, rawTime)
		if err != nil {
			return nil, fmt.Errorf("decoding event: time: %w", err)
		}
		env.Time = t.UTC()
	}
	if env.Data == nil {
		env.Data = map[string]any{}
	}
	return env, nil
}

// lookup finds a key inside data: the whole key first ("Past Due Amount", or a key
// that holds dots), then dots as nesting ("order.total").
func lookup(m map[string]any, path string) (any, bool) {
	if v, ok := m[path]; ok {
		return v, true
	}
	for i := 0; i < len(path); i++ {
		if path[i] != '.' {
			continue
		}
		if sub, ok := m[path[:i]].(map[string]any); ok {
			if v, ok := lookup(sub, path[i+1:]); ok {
				return v, true
			}
		}
	}
	return nil, false
}

// valueKind is the Go type values of an attribute take.
type valueKind uint8

const (
	vNone   valueKind = iota // Count: no value
	vString                  // string
	vInt                     // int64
	vFloat                   // float64
	vTime                    // time.Time, UTC
)

func kindOf(metaDataType string) valueKind {
	switch metaDataType {
	case TypeInteger:
		return vInt
	case TypeDouble:
		return vFloat
	case TypeDatetime:
		return vTime
	}
	return vString
}

func (k valueKind) String() string {
	return [...]string{"none", TypeString, TypeInteger, TypeDouble, TypeDatetime}[k]
}

// convert reads a decoded JSON value as kind k. It reports false when the value does
// not convert: such an event does not count.
//
//	string        strings; numbers and booleans as their JSON text
//	integer       whole numbers, and strings holding one ("12", "12.0")
//	double        numbers, and numeric strings ("544.73")
//	utc_datetime  RFC 3339 strings (any offset, read as UTC), and whole numbers as
//	              Unix milliseconds
func convert(v any, k valueKind) (Value, bool) {
	if f, ok := v.(float64); ok && (math.IsInf(f, 0) || math.IsNaN(f)) {
		return nil, false // a JSON literal beyond float64 (1e999)
	}
	switch k {
	case vString:
		switch x := v.(type) {
		case string:
			return x, true
		case int64:
			return strconv.FormatInt(x, 10), true
		case float64:
			return formatFloat(x), true
		case bool:
			return strconv.FormatBool(x), true
		}
	case vInt:
		switch x := v.(type) {
		case int64:
			return x, true
		case float64:
			return wholeFloat(x)
		case string:
			if !filter.IsNumber(x) {
				return nil, false
			}
			if i, err := strconv.ParseInt(x, 10, 64); err == nil {
				return i, true
			}
			f, err := strconv.ParseFloat(x, 64)
			if err != nil {
				return nil, false
			}
			return wholeFloat(f)
		}
	case vFloat:
		switch x := v.(type) {
		case int64:
			return float64(x), true
		case float64:
			return x, true
		case string:
			if !filter.IsNumber(x) {
				return nil, false
			}
			f, err := strconv.ParseFloat(x, 64)
			if err != nil || math.IsInf(f, 0) {
				return nil, false
			}
			return f, true
		}
	case vTime:
		switch x := v.(type) {
		case string:
			t, err := time.Parse(time.RFC3339Nano, x)
			if err != nil {
				return nil, false
			}
			return t.UTC(), true
		case int64:
			return time.UnixMilli(x).UTC(), true
		}
	case vNone:
		return nil, true
	}
	return nil, false
}

func wholeFloat(f float64) (Value, bool) {
	if f != math.Trunc(f) || f < -(1<<63) || f >= 1<<63 {
		return nil, false
	}
	return int64(f), true
}

// formatFloat writes a float as encoding/json does: shortest, no exponent in the usual range.
func formatFloat(f float64) string {
	abs := math.Abs(f)
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		s := strconv.FormatFloat(f, 'e', -1, 64)
		// clean up e-09 to e-9, as encoding/json does
		if n := len(s); n >= 4 && s[n-4] == 'e' && s[n-3] == '-' && s[n-2] == '0' {
			s = s[:n-2] + s[n-1:]
		}
		return s
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}
