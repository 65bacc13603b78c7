package inbound

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"

	"github.com/openjds/jds/connectors"
	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/exprbudget"
)

// The mapping turns a payload into events. Each of its keys is an expr
// expression, compiled once when the configuration is built, over these
// variables:
//
//	body      the payload: parsed JSON, or a form post as a map of strings
//	item      one element of items (the body itself when items is not set)
//	headers   the request's (or poll answer's) headers, lower-case names
//	query     the request's query parameters (webhooks)
//	name      the inbound instance's name
//	received  when the payload arrived (time.Time)
//	cursor    the poller's current cursor ("" for webhooks)
//
// and these functions besides expr's builtins:
//
//	millis(n)        epoch milliseconds → time
//	unix(n)          epoch seconds → time
//	hash(v)          a stable hex digest of any value (as JSON), for event ids
//	merge(m1, m2...) the maps merged, later keys winning
const (
	fieldBuiltin          = "builtin"
	fieldItems            = "items"
	fieldWhen             = "when"
	fieldID               = "id"
	fieldType             = "type"
	fieldSource           = "source"
	fieldIdentity         = "identity"
	fieldIdentityType     = "identitytype"
	fieldPreviousIdentity = "previousidentity"
	fieldTime             = "time"
	fieldData             = "data"
	fieldCursor           = "cursor"
)

// Built-in mapping names.
const (
	BuiltinWebexCC   = "webexcc"
	BuiltinTwilioSMS = "twiliosms"
)

// builtins are the mappings selectable by name, written in the same expr as
// the configuration's, so they double as examples. A configured key
// replaces the built-in's.
var builtins = map[string]map[string]string{
	// Webex Contact Center's subscription webhooks, CloudEvents envelopes:
	// {"id", "specversion", "type": "task:new", "source": "/com/cisco/wxcc/<sub>",
	// "comciscoorgid", "comciscotimestamp": <epoch ms>, "data": {"taskId",
	// "origin": <ANI>, "destination", "channelType", "direction", "createdTime",
	// "queueId", "ownerId", ...}}. The event is keyed by the customer: origin (the
	// ANI on telephony), or destination on outbound tasks. task:*, task-message:*
	// and agent:* events that carry a customer address become events; the others
	// (agent:state_change carries only the agent) are skipped. The time is the
	// event's comciscotimestamp, not the task's createdTime, which every event of
	// a task shares.
	BuiltinWebexCC: {
		fieldWhen: `let t = string(body?.type ?? "");
(t startsWith "task:" || t startsWith "task-message:" || t startsWith "agent:") && ` + wxccCustomer + ` != nil`,
		fieldID:       `body?.id ?? ("wxcc:" + hash(body))`,
		fieldType:     `body.type`,
		fieldSource:   `"wxcc"`,
		fieldIdentity: wxccCustomer,
		fieldIdentityType: `let ch = lower(string(body?.data?.channelType ?? "telephony"));
ch in ["telephony", "voice", "sms", "callback"] ? "phone" : (string(` + wxccCustomer + `) contains "@" ? "email" : "socialId")`,
		fieldTime: `body?.time ?? (body?.comciscotimestamp != nil ? millis(body.comciscotimestamp) :
  (body?.createdTime != nil ? millis(body.createdTime) : (body?.data?.createdTime != nil ? millis(body.data.createdTime) : nil)))`,
		fieldData: `let d = body?.data ?? {};
merge(d, {
  "channelType": d.channelType ?? "telephony",
  "queue": d.queueId ?? d.lastQueueId ?? d.queue?.id ?? d.queue,
  "agent": d.ownerId ?? d.agentId ?? d.owner?.id ?? d.lastAgentId
})`,
	},
	// Twilio Messaging's incoming-message webhook, a form post with From, To,
	// Body, MessageSid, NumMedia...: one "SMS Reply" event for the sender.
	// WhatsApp senders ("whatsapp:+1555...") are keyed by their number.
	BuiltinTwilioSMS: {
		fieldID:           `(body.MessageSid ?? body.SmsMessageSid ?? "") == "" ? nil : "twilio:" + (body.MessageSid ?? body.SmsMessageSid)`,
		fieldType:         `"SMS Reply"`,
		fieldSource:       `"twilio"`,
		fieldIdentity:     `body.From == nil || body.From == "" ? nil : trimPrefix(body.From, "whatsapp:")`,
		fieldIdentityType: `"phone"`,
		fieldData: `{
  "body": body.Body ?? "",
  "to": body.To,
  "messageSid": body.MessageSid ?? body.SmsMessageSid,
  "numMedia": body.NumMedia,
  "channelType": (body.From ?? "") startsWith "whatsapp:" ? "WhatsApp" : "SMS",
  "origin": "SMS Reply"
}`,
	},
}

// wxccCustomer is the customer's address of a Webex Contact Center task.
const wxccCustomer = `(lower(string(body?.data?.direction ?? "inbound")) in ["outbound", "outdial"] ? body?.data?.destination : body?.data?.origin)`

// mappingFields are the mapping keys that are expressions, in evaluation order.
var mappingFields = []string{fieldItems, fieldWhen, fieldID, fieldType, fieldSource, fieldIdentity,
	fieldIdentityType, fieldPreviousIdentity, fieldTime, fieldData, fieldCursor}

// mappingSpec is the mapping object's config spec; cursor only for pollers.
func mappingSpec(poll bool) connectors.Field {
	fields := []connectors.Field{
		{Name: fieldBuiltin, Type: connectors.TypeString, Options: []string{BuiltinWebexCC, BuiltinTwilioSMS},
			Doc: "A built-in mapping to start from; the keys below replace its own."},
		{Name: fieldItems, Type: connectors.TypeString, Doc: "Where the list of items is (`body.events`): one event per item. Default: the body is one item."},
		{Name: fieldWhen, Type: connectors.TypeString, Doc: "Which items become events (`item.kind != \"ping\"`); the others are skipped. Default: all."},
		{Name: fieldID, Type: connectors.TypeString, Doc: "The event id. Default: `name + \":\" + hash(item)`, so the same payload posted again is a duplicate."},
		{Name: fieldType, Type: connectors.TypeString, Doc: "The event type. Required unless builtin gives it."},
		{Name: fieldSource, Type: connectors.TypeString, Doc: "The event source. Default: `\"inbound/\" + name`."},
		{Name: fieldIdentity, Type: connectors.TypeString, Doc: "The customer's identity. Required unless builtin gives it."},
		{Name: fieldIdentityType, Type: connectors.TypeString, Doc: "`phone`, `email`, `customerId`, `socialId` or `temporaryId`. Required unless builtin gives it."},
		{Name: fieldPreviousIdentity, Type: connectors.TypeString, Doc: "An alias to link to this identity; nil or empty for none."},
		{Name: fieldTime, Type: connectors.TypeString, Doc: "When it happened: a time (`millis(item.ts)`) or an RFC 3339 string. Default: when it arrived."},
		{Name: fieldData, Type: connectors.TypeString, Doc: "The event's data, a map (`{\"queue\": item.queue, \"channelType\": \"Voice\"}`); nil values are left out. Default: the item, when it is an object."},
	}
	if poll {
		fields = append(fields, connectors.Field{Name: fieldCursor, Type: connectors.TypeString,
			Doc: "The next cursor, read from the answer (`body.next`); nil, empty or unchanged ends the run. It is stored durably and sent as cursorParam on the next request. Default: no cursor."})
	}
	return connectors.Field{Name: "mapping", Type: connectors.TypeObject, Fields: fields,
		Doc: "How a payload becomes events: expr expressions over `body`, `item`, `headers`, `query`, `name`, `received` and `cursor` (see below)."}
}

// mapping is a compiled mapping.
type mapping struct {
	name  string // the instance's
	progs map[string]*vm.Program
	srcs  map[string]string
}

// env is the variables of one evaluation.
type env struct {
	Body     any
	Headers  map[string]string
	Query    map[string]string
	Received time.Time
	Cursor   string
}

// vars is the expression environment: these names, typed so that a misspelt
// variable is a load error while the payload's own fields are checked when it
// arrives.
type vars struct {
	Body     any               `expr:"body"`
	Item     any               `expr:"item"`
	Headers  map[string]string `expr:"headers"`
	Query    map[string]string `expr:"query"`
	Name     string            `expr:"name"`
	Received time.Time         `expr:"received"`
	Cursor   string            `expr:"cursor"`
}

func (m *mapping) vars(e env, item any) vars {
	return vars{Body: e.Body, Item: item, Headers: e.Headers, Query: e.Query, Name: m.name, Received: e.Received, Cursor: e.Cursor}
}

var exprFuncs = []expr.Option{
	expr.Function("millis", func(p ...any) (any, error) {
		n, ok := number(p[0])
		if !ok {
			return nil, fmt.Errorf("millis: %v is not a number", p[0])
		}
		return time.UnixMilli(int64(n)).UTC(), nil
	}, new(func(any) time.Time)),
	expr.Function("unix", func(p ...any) (any, error) {
		n, ok := number(p[0])
		if !ok {
			return nil, fmt.Errorf("unix: %v is not a number", p[0])
		}
		sec, frac := math.Modf(n)
		return time.Unix(int64(sec), int64(frac*1e9)).UTC(), nil
	}, new(func(any) time.Time)),
	expr.Function("hash", func(p ...any) (any, error) {
		b, err := json.Marshal(p[0])
		if err != nil {
			return nil, fmt.Errorf("hash: %w", err)
		}
		sum := sha256.Sum256(b)
		return hex.EncodeToString(sum[:16]), nil
	}, new(func(any) string)),
	expr.Function("merge", func(p ...any) (any, error) {
		out := map[string]any{}
		for i, v := range p {
			switch m := v.(type) {
			case nil:
			case map[string]any:
				maps.Copy(out, m)
			default:
				return nil, fmt.Errorf("merge: argument %d is not a map", i+1)
			}
		}
		return out, nil
	}),
}

// number reads a JSON number, or a numeric string.
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(n), 64)
		return f, err == nil
	}
	return 0, false
}

// compileMapping compiles the mapping object of instance c, reporting each
// problem with its key (mapping.identity: ...).
func compileMapping(c *connectors.Config, poll bool) (*mapping, []error) {
	mc := c.Object("mapping")
	srcs := map[string]string{}
	var errs []error
	if b := mc.String(fieldBuiltin); b != "" {
		maps.Copy(srcs, builtins[b])
	}
	for _, f := range mappingFields {
		if f == fieldCursor && !poll {
			continue
		}
		if mc.Has(f) {
			srcs[f] = mc.String(f)
		}
	}
	for _, f := range []string{fieldType, fieldIdentity, fieldIdentityType} {
		if strings.TrimSpace(srcs[f]) == "" {
			errs = append(errs, mc.Errorf(f, "%w (or choose a mapping.builtin)", connectors.ErrRequired))
		}
	}
	if _, ok := srcs[fieldID]; !ok {
		srcs[fieldID] = `name + ":" + hash(item)`
	}
	if _, ok := srcs[fieldSource]; !ok {
		srcs[fieldSource] = `"inbound/" + name`
	}
	m := &mapping{name: c.Name(), progs: map[string]*vm.Program{}, srcs: srcs}
	for _, f := range mappingFields {
		src, ok := srcs[f]
		if !ok || strings.TrimSpace(src) == "" {
			continue
		}
		opts := append([]expr.Option{expr.Env(vars{})}, exprFuncs...)
		if f == fieldWhen {
			opts = append(opts, expr.AsBool())
		}
		prog, err := exprbudget.Compile(src, opts...)
		if err != nil {
			errs = append(errs, mc.Errorf(f, "%s", oneLine(err.Error())))
			continue
		}
		m.progs[f] = prog
	}
	return m, errs
}

// oneLine keeps the first line of an expr error (the others draw a caret).
func oneLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}

// mapped is what a mapping made of one payload.
type mapped struct {
	events   []*event.Event
	skipped  int
	problems []string // "field: reason", prefixed "[i] " per item when items is set
}

// run maps one payload. maxItems > 0 bounds the items.
func (m *mapping) run(e env, lim event.Limits, maxItems int) mapped {
	var out mapped
	items := []any{e.Body}
	prefix := func(int) string { return "" }
	if p := m.progs[fieldItems]; p != nil {
		v, err := exprbudget.Run(p, m.vars(e, e.Body))
		if err != nil {
			out.problems = append(out.problems, "items: mapping.items: "+oneLine(err.Error()))
			return out
		}
		switch l := v.(type) {
		case nil:
			items = nil
		case []any:
			items = l
		default:
			out.problems = append(out.problems, fmt.Sprintf("items: mapping.items gave %s, not a list", kindOf(v)))
			return out
		}
		prefix = func(i int) string { return fmt.Sprintf("[%d] ", i) }
	}
	if maxItems > 0 && len(items) > maxItems {
		out.problems = append(out.problems, fmt.Sprintf("items: %d items in one payload, at most %d", len(items), maxItems))
		return out
	}
	for i, item := range items {
		v := m.vars(e, item)
		if p := m.progs[fieldWhen]; p != nil {
			ok, err := exprbudget.Run(p, v)
			if err != nil {
				out.problems = append(out.problems, prefix(i)+"when: mapping.when: "+oneLine(err.Error()))
				continue
			}
			if ok != true {
				out.skipped++
				continue
			}
		}
		ev, problems := m.one(v, item, e.Received, lim)
		for _, p := range problems {
			out.problems = append(out.problems, prefix(i)+p)
		}
		if ev != nil {
			out.events = append(out.events, ev)
		}
	}
	return out
}

// one maps one item to a validated event, or says which fields are wrong.
func (m *mapping) one(env vars, item any, received time.Time, lim event.Limits) (*event.Event, []string) {
	ce := map[string]any{"specversion": "1.0"}
	var problems []string
	for _, f := range []string{fieldID, fieldType, fieldSource, fieldIdentity, fieldIdentityType, fieldPreviousIdentity, fieldTime, fieldData} {
		p := m.progs[f]
		var v any
		if p != nil {
			var err error
			if v, err = exprbudget.Run(p, env); err != nil {
				problems = append(problems, fmt.Sprintf("%s: mapping.%s: %s", f, f, oneLine(err.Error())))
				continue
			}
		} else if f == fieldData {
			v = item
		}
		switch f {
		case fieldTime:
			switch t := v.(type) {
			case nil:
			case time.Time:
				ce[f] = t.UTC().Format(event.TimeLayout)
			case string:
				ce[f] = t
			default:
				problems = append(problems, fmt.Sprintf("time: mapping.time gave %s; want a time or an RFC 3339 string (millis(n) reads epoch milliseconds)", kindOf(v)))
			}
		case fieldData:
			d, ok := v.(map[string]any)
			if !ok {
				problems = append(problems, fmt.Sprintf("data: the mapping gave %s, not an object", kindOf(v)))
				continue
			}
			clean := make(map[string]any, len(d))
			for k, x := range d {
				if x != nil {
					clean[k] = x
				}
			}
			ce[f] = clean
		default:
			s, ok := text(v)
			switch {
			case !ok:
				problems = append(problems, fmt.Sprintf("%s: mapping.%s gave %s, not a string", f, f, kindOf(v)))
			case s == "" && f == fieldPreviousIdentity:
			case s == "":
				problems = append(problems, fmt.Sprintf("%s: mapping.%s gave no value", f, f))
			default:
				ce[f] = s
			}
		}
	}
	if len(problems) > 0 {
		return nil, problems
	}
	raw, err := json.Marshal(ce)
	if err != nil {
		return nil, []string{"data: " + err.Error()}
	}
	ev, bad := event.Decode(raw, received, lim)
	if bad != nil {
		return nil, bad.Errors
	}
	return ev, nil
}

// cursorOf evaluates the cursor expression: "" when there is none.
func (m *mapping) cursorOf(e env) (string, error) {
	p := m.progs[fieldCursor]
	if p == nil {
		return "", nil
	}
	v, err := exprbudget.Run(p, m.vars(e, e.Body))
	if err != nil {
		return "", fmt.Errorf("mapping.cursor: %s", oneLine(err.Error()))
	}
	s, ok := text(v)
	if !ok {
		return "", fmt.Errorf("mapping.cursor gave %s, not a string or number", kindOf(v))
	}
	return s, nil
}

// text renders a string attribute: strings as they are, numbers in their
// shortest form (partners often send numeric ids), nil as "".
func text(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", true
	case string:
		return x, true
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return strconv.FormatInt(int64(x), 10), true
		}
		return strconv.FormatFloat(x, 'g', -1, 64), true
	case int:
		return strconv.Itoa(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	}
	return "", false
}

func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "nil"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case float64, int, int64:
		return "a number"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	case time.Time:
		return "a time"
	}
	return fmt.Sprintf("a %T", v)
}
