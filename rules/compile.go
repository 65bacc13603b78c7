package rules

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"

	"github.com/openjds/jds/internal/exprbudget"
)

// Compiled is a validated template, normalised, with every attribute ready to match.
type Compiled struct {
	Template *Template // normalised: canonical enumerations, defaults filled
	Attrs    []*CompiledAttr
}

// Attr returns the attribute called name (its Name, or DisplayName), or nil.
func (c *Compiled) Attr(name string) *CompiledAttr {
	for _, a := range c.Attrs {
		if a.Name == name {
			return a
		}
	}
	for _, a := range c.Attrs {
		if a.DisplayName == name {
			return a
		}
	}
	return nil
}

// CompiledAttr is one attribute ready to match events, keep state and aggregate. It is
// immutable and safe for concurrent use.
type CompiledAttr struct {
	// Key identifies the state this attribute keeps: a hash of what decides the state
	// (event, rules, condition, metaData and the value type, window, limit). A change of
	// any of those gives a new key, hence fresh state (to backfill); renaming the
	// attribute, changing its mode between modes that keep the same values (Sum, Average,
	// Min, Max) or its widget settings keeps it. Two attributes with the same definition
	// share a key, and may share state.
	Key         string
	Name        string // Name, or DisplayName
	DisplayName string
	Index       int // position in Template.Attributes
	Event       string
	Window      time.Duration // lookBack
	Limit       int
	Mode        string // canonical aggregation mode
	Verbose     bool

	metaData string
	metaType string    // canonical metaDataType
	kind     valueKind // of the values kept: vNone for Count
	rule     pred[*EventEnv]
	prog     *vm.Program
	reads    dataReads // what Match reads of data
}

// Value is one value an attribute keeps: string, int64, float64 or time.Time (UTC), by
// the attribute's metaDataType (see the package documentation); nil for Count.
type Value = any

var unitDur = map[string]time.Duration{"minutes": time.Minute, "hours": time.Hour, "days": 24 * time.Hour}

// Compile validates a template and compiles every attribute: rule blocks to typed
// predicates, conditions to expr programs type-checked against [EventEnv]. t itself is
// not changed: the normalised copy is Compiled.Template. The error joins one [*Error]
// per problem, each naming its field (attributes[1].lookBackPeriod).
func Compile(t *Template) (*Compiled, error) {
	c, errs := compile(t)
	if len(errs) > 0 {
		return nil, errs.err()
	}
	return c, nil
}

func compile(t *Template) (*Compiled, problems) {
	t = cloneTemplate(t)
	var errs problems
	t.Name = strings.TrimSpace(t.Name)
	if t.Name == "" {
		errs.add("name", "required")
	}
	if len(t.Attributes) == 0 {
		errs.add("attributes", "a template needs at least one attribute")
	}
	c := &Compiled{Template: t}
	seen := map[string]int{}
	for i := range t.Attributes {
		path := index("attributes", i)
		a := compileAttr(&t.Attributes[i], path, &errs)
		if a == nil {
			continue
		}
		a.Index = i
		if j, dup := seen[a.Name]; dup {
			f := "displayName"
			if t.Attributes[i].Name != "" {
				f = "name"
			}
			errs.add(join(path, f), "%q is also the name of attributes[%d]; names must be unique in a template", a.Name, j)
		}
		seen[a.Name] = i
		c.Attrs = append(c.Attrs, a)
	}
	return c, errs
}

func cloneTemplate(t *Template) *Template {
	c := *t
	c.Attributes = append([]Attribute(nil), t.Attributes...)
	for i := range c.Attributes {
		c.Attributes[i].Rules = cloneBlock(c.Attributes[i].Rules)
	}
	return &c
}

func cloneBlock(b *RuleBlock) *RuleBlock {
	if b == nil {
		return nil
	}
	c := *b
	c.Args = append([]RuleArg(nil), b.Args...)
	for i := range c.Args {
		c.Args[i].Block = cloneBlock(c.Args[i].Block)
	}
	return &c
}

// compileAttr normalises a in place and compiles it; nil when it has problems.
func compileAttr(a *Attribute, path string, errs *problems) *CompiledAttr {
	before := len(*errs)
	at := func(f string) string { return join(path, f) }

	a.DisplayName = strings.TrimSpace(a.DisplayName)
	a.Name = strings.TrimSpace(a.Name)
	if a.DisplayName == "" {
		errs.add(at("displayName"), "required")
	}
	if a.Event == "" {
		errs.add(at("event"), "required: the event type to count")
	}
	mode, ok := canonical(strings.TrimSpace(a.AggregationMode), modes)
	switch {
	case a.AggregationMode == "":
		errs.add(at("aggregationMode"), "required: one of %s", strings.Join(modes, ", "))
	case !ok:
		errs.add(at("aggregationMode"), "must be one of %s, got %q", strings.Join(modes, ", "), a.AggregationMode)
	default:
		a.AggregationMode = mode
	}
	if a.MetaDataType == "" {
		a.MetaDataType = TypeString
	} else if typ, ok := canonical(strings.TrimSpace(a.MetaDataType), types); ok {
		a.MetaDataType = typ
	} else {
		errs.add(at("metaDataType"), "must be one of %s, got %q", strings.Join(types, ", "), a.MetaDataType)
	}
	if a.MetaData == "" && mode != ModeCount && mode != "" {
		errs.add(at("metaData"), "required for aggregationMode %s: the key inside data to aggregate", mode)
	}
	kind := kindOf(a.MetaDataType)
	switch mode {
	case ModeCount:
		kind = vNone
	case ModeSum, ModeAverage, ModeMin, ModeMax:
		switch {
		case kind == vString:
			kind = vFloat // numeric strings count, as JDS does
		case kind == vTime && (mode == ModeSum || mode == ModeAverage):
			errs.add(at("metaDataType"), "%s needs integer or double values, not %s", mode, a.MetaDataType)
		}
	}

	switch {
	case a.Limit == 0:
		a.Limit = DefaultLimit
	case a.Limit < 0 || a.Limit > MaxLimit:
		errs.add(at("limit"), "must be between 1 and %d, got %d", MaxLimit, a.Limit)
	}
	var window time.Duration
	unit, ok := canonical(strings.TrimSpace(a.LookBackDurationType), units)
	switch {
	case a.LookBackDurationType == "":
		errs.add(at("lookBackDurationType"), "required: minutes, hours or days")
	case !ok:
		errs.add(at("lookBackDurationType"), "must be minutes, hours or days, got %q", a.LookBackDurationType)
	default:
		a.LookBackDurationType = unit
		most := int(MaxLookBackDays * 24 * time.Hour / unitDur[unit])
		if a.LookBackPeriod < 1 || a.LookBackPeriod > most {
			errs.add(at("lookBackPeriod"), "must be between 1 and %d %s, got %d", most, unit, a.LookBackPeriod)
		} else {
			window = time.Duration(a.LookBackPeriod) * unitDur[unit]
		}
	}

	var reads dataReads
	if kind != vNone {
		reads.addPath(a.MetaData)
	}
	var rule pred[*EventEnv]
	if a.Rules != nil {
		rule = compileBlock(a.Rules, at("rules"), 0, errs, func(s, p string) pred[*EventEnv] {
			return eventLeaf(s, p, a.Event, &reads, errs)
		})
	}
	var prog *vm.Program
	a.Condition = strings.TrimSpace(a.Condition)
	if a.Condition != "" {
		var err error
		prog, err = exprbudget.Compile(a.Condition, expr.Env(EventEnv{}), expr.AsBool(), expr.DisableBuiltin("now"))
		if err != nil {
			exprError(errs, at("condition"), err)
		}
		reads.addExpr(a.Condition)
	}
	if len(*errs) > before {
		return nil
	}
	name := a.Name
	if name == "" {
		name = a.DisplayName
	}
	ca := &CompiledAttr{
		Name: name, DisplayName: a.DisplayName, Event: a.Event, Window: window, Limit: a.Limit,
		Mode: mode, Verbose: a.Verbose,
		metaData: a.MetaData, metaType: a.MetaDataType, kind: kind, rule: rule, prog: prog, reads: reads,
	}
	ca.Key = stateKey(a, kind, window)
	return ca
}

// stateKey hashes what decides an attribute's state. "s1" names the state format and
// its semantics: bump it when either changes, and every attribute gets fresh state.
func stateKey(a *Attribute, kind valueKind, window time.Duration) string {
	metaData := a.MetaData
	if kind == vNone {
		metaData = "" // Count keeps no value: the field is irrelevant to its state
	}
	rules, _ := json.Marshal(a.Rules)
	def, _ := json.Marshal([]any{"s1", a.Event, metaData, kind.String(), a.Limit, int64(window), string(rules), a.Condition})
	sum := sha256.Sum256(def)
	return hex.EncodeToString(sum[:10])
}

// eventLeaf compiles one condition of an attribute rule: it tests each event's field,
// which it records in reads.
func eventLeaf(s, path, attrEvent string, reads *dataReads, errs *problems) pred[*EventEnv] {
	c, cerr := parseCondition(s)
	if cerr != nil {
		errs.add(path, "%s", cerr.msg).exprCol = cerr.col
		return nil
	}
	if c.Event != attrEvent {
		errs.add(path, "the condition names event %q, but the attribute counts %q events", c.Event, attrEvent).exprCol = 1
		return nil
	}
	if c.Mode != ModeValue {
		errs.add(path, "an attribute rule tests each event's field, so its mode is Value, not %s", c.Mode).exprCol = c.modeAt
		return nil
	}
	if c.MetaData == "" {
		errs.add(path, "the metaData of the condition is empty: name the key inside data to test").exprCol = 1
		return nil
	}
	k := kindOf(c.Type)
	cmp, err := newComparator(c.Op, k, false, c.Value)
	if err != nil {
		errs.add(path, "%v", err).exprCol = c.valueAt
		return nil
	}
	key := c.MetaData
	reads.addPath(key)
	return func(env *EventEnv) (bool, error) {
		raw, ok := lookup(env.Data, key)
		if !ok {
			return false, nil
		}
		v, ok := convert(raw, k)
		return ok && cmp.test(v), nil
	}
}

// exprError records an expr compile error, with its column inside the expression.
func exprError(errs *problems, path string, err error) {
	var fe *file.Error
	if !errors.As(err, &fe) {
		errs.add(path, "%v", err)
		return
	}
	msg := fe.Message
	if msg == "unknown name now" {
		msg = "now() is not available in conditions: whether an event counts must not depend on when it is processed (backfill replays old events)"
	}
	if fe.Line > 1 {
		errs.add(path, "%s (line %d, column %d of the expression)", msg, fe.Line, fe.Column+1)
		return
	}
	errs.add(path, "%s", msg).exprCol = fe.Column + 1
}

// ReadsEvent reports whether Match looks past the event's type: a Count with neither
// rules nor a condition counts every event of its type, and needs no decoded event.
func (a *CompiledAttr) ReadsEvent() bool { return a.kind != vNone || a.rule != nil || a.prog != nil }

// Match reports whether an event counts for the attribute, and the value it contributes:
// nil for Count, which counts events even without the field; for the other modes an
// event whose field is missing or does not convert to the attribute's type does not
// count. err is a runtime error of the expr condition (a comparison of a missing field
// with a number, say); the event then does not count, and the caller should log it.
func (a *CompiledAttr) Match(env *EventEnv) (v Value, ok bool, err error) {
	if env.Type != a.Event {
		return nil, false, nil
	}
	if a.kind != vNone {
		raw, found := lookup(env.Data, a.metaData)
		if !found {
			return nil, false, nil
		}
		if v, ok = convert(raw, a.kind); !ok {
			return nil, false, nil
		}
	}
	if a.rule != nil {
		if ok, err := a.rule(env); !ok || err != nil {
			return nil, false, err
		}
	}
	if a.prog != nil {
		out, err := exprbudget.Run(a.prog, env)
		if err != nil {
			return nil, false, fmt.Errorf("attribute %q: condition: %w", a.Name, err)
		}
		if b, _ := out.(bool); !b {
			return nil, false, nil
		}
	}
	return v, true, nil
}
