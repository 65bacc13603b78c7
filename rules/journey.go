package rules

import (
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"

	"github.com/openjds/jds/internal/egress"
	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/exprbudget"
	"github.com/openjds/jds/internal/strict"
)

// Action is a journey action, JDS-shaped: marshalled to JSON it has the field names of
// the JDS API. It belongs to one template: its rule (Rules, Condition) reads that
// template's attribute aggregates for a person, and when it holds (and the person's last
// firing is older than the cooldown) each trigger is delivered once.
type Action struct {
	ID   string `json:"id,omitempty" yaml:"id,omitempty"`
	Name string `json:"name" yaml:"name"`
	// TemplateID is the id of the template the action belongs to: the {tid} of its API
	// path, set by the server.
	TemplateID string `json:"templateId,omitempty" yaml:"-"`
	// Template (ext) is the name of that template: how a rule file says which template
	// (key "template"). The API sets it for reading; the path decides.
	Template string `json:"templateName,omitempty" yaml:"template"`
	IsActive bool   `json:"isActive" yaml:"isActive"`
	// Mode (ext) is live (empty: the default) or shadow: in shadow, a firing is recorded
	// as deliveries in state shadow, never sent; cooldowns apply as in live.
	Mode string `json:"mode,omitempty" yaml:"mode,omitempty"`
	// CooldownPeriodInMinutes is how long after a firing the action cannot fire again for
	// the same person: 0 (every time the rule holds after a change) to MaxCooldownMinutes.
	CooldownPeriodInMinutes int `json:"cooldownPeriodInMinutes" yaml:"cooldownPeriodInMinutes"`
	// Rules is the JDS grammar over the template's aggregates.
	Rules *RuleBlock `json:"rules,omitempty" yaml:"rules,omitempty"`
	// Condition (ext) is an expr expression over the attribute values by name; with
	// Rules, both must hold.
	Condition      string    `json:"condition,omitempty" yaml:"condition,omitempty"`
	ActionTriggers []Trigger `json:"actionTriggers" yaml:"actionTriggers"`
	// Source is "api", or the rule file path the action came from (read-only in the API).
	Source string `json:"source,omitempty" yaml:"-"`
	Audit  `yaml:"-"`
}

// Trigger is one delivery of an action. Every string in it but Type and Connector is a
// template: "${expr}" is replaced by the expression's value when the action fires.
type Trigger struct {
	// Type is Webhook or (ext) Connector.
	Type string `json:"type" yaml:"type"`
	// WebhookURL is where a Webhook posts: an http(s) URL whose scheme and host are
	// written out.
	WebhookURL string `json:"webhookURL,omitempty" yaml:"webhookURL,omitempty"`
	// AuthorizationScheme and Authorization (Webhook) make the Authorization header:
	// "Bearer" and the token, say.
	AuthorizationScheme string `json:"authorizationScheme,omitempty" yaml:"authorizationScheme,omitempty"`
	Authorization       string `json:"authorization,omitempty" yaml:"authorization,omitempty"`
	// Connector (ext) names the connector instance that delivers a Connector trigger.
	Connector string `json:"connector,omitempty" yaml:"connector,omitempty"`
	// At (ext) schedules the delivery: one ${expr} that yields a time
	// (${event.time + duration("2h")}). Empty: deliver at once.
	At string `json:"at,omitempty" yaml:"at,omitempty"`
	// Attributes: for a Webhook, httpverb (default post), requestbody and (ext)
	// contenttype; for a Connector, whatever that connector reads.
	Attributes map[string]string `json:"attributes,omitempty" yaml:"attributes,omitempty"`
}

// Trigger types, canonical spelling.
const (
	TriggerWebhook   = "Webhook"
	TriggerConnector = "Connector"
)

var triggerTypes = []string{TriggerWebhook, TriggerConnector}

// Webhook trigger attributes.
const (
	AttrHTTPVerb    = "httpverb"
	AttrRequestBody = "requestbody"
	AttrContentType = "contenttype" // (ext)
)

var webhookAttrs = []string{AttrHTTPVerb, AttrRequestBody, AttrContentType}

var httpVerbs = []string{"POST", "PUT", "PATCH", "GET", "DELETE"}

// Action modes, canonical spelling.
const (
	ActionLive   = "live"
	ActionShadow = "shadow"
)

var actionModes = []string{ActionLive, ActionShadow}

// Shadow reports whether the action runs in shadow mode: its firings are recorded, not
// delivered.
func (a *Action) Shadow() bool { return a.Mode == ActionShadow }

// MaxCooldownMinutes bounds cooldowns (36500 days) far from time.Duration overflow.
const MaxCooldownMinutes = MaxLookBackDays * 24 * 60

// ParseActionJSON decodes a journey action posted to the API, strictly (unknown keys,
// duplicate keys and wrong types are errors; "id", "templateId", "templateName" and
// the read-only "source", which GET returns, are accepted so that what was read can be
// PUT back), and validates everything that does not depend on its template: required
// fields, trigger fields, the rule grammar, expression and placeholder syntax. It
// returns the action normalised; [CompileAction] then checks it against its template.
// The error joins one [*Error] per problem, each naming its JSON path:
//
//	actionTriggers[0].webhookURL: must be an http:// or https:// URL
func ParseActionJSON(raw []byte) (*Action, error) {
	n, err := strict.FromJSON(raw)
	if err != nil {
		return nil, &Error{Msg: err.Error()}
	}
	d := newDecoder("", false)
	a := d.action(n, "")
	c, errs := compileAction(a, nil, Options{})
	if errs = d.merge(errs); len(errs) > 0 {
		return nil, errs.err()
	}
	return c.Action, nil
}

func (d *decoder) action(n *strict.Node, path string) *Action {
	a := &Action{}
	var active, cooldown, cooldownShort *strict.Node
	d.object(n, path, append([]field{
		d.text("id", &a.ID),
		d.text("name", &a.Name),
		d.text("templateId", &a.TemplateID),
		d.text("templateName", &a.Template),
		{name: "template", yaml: true, fn: func(v *strict.Node, p string) { d.str(v, p, &a.Template) }},
		{name: "source", fn: func(v *strict.Node, p string) {}}, // read-only
		{name: "isActive", fn: func(v *strict.Node, p string) { active = v; d.boolean(v, p, &a.IsActive) }},
		d.text("mode", &a.Mode),
		{name: "cooldownPeriodInMinutes", fn: func(v *strict.Node, p string) { cooldown = v; d.integer(v, p, &a.CooldownPeriodInMinutes) }},
		{name: "cooldown", yaml: true, fn: func(v *strict.Node, p string) { cooldownShort = v }},
		{name: "rules", fn: func(v *strict.Node, p string) {
			if v.Kind != strict.Null {
				a.Rules = d.ruleBlock(v, p)
			}
		}},
		d.text("condition", &a.Condition),
		{name: "actionTriggers", fn: func(v *strict.Node, p string) {
			d.list(v, p, func(v *strict.Node, p string) { a.ActionTriggers = append(a.ActionTriggers, d.trigger(v, p)) })
		}},
	}, d.auditFields(&a.Audit)...))
	if n.Kind != strict.Map {
		return a
	}
	if r, c := join(path, "rules"), join(path, "condition"); d.Bad[r] || d.Bad[c] {
		d.Bad[r], d.Bad[c] = true, true // "rules or condition required" would repeat it
	}
	if active == nil {
		d.Fail(n, join(path, "isActive"), "required: true or false")
	}
	cp := join(path, "cooldownPeriodInMinutes")
	switch {
	case cooldownShort != nil && cooldown != nil:
		d.Fail(cooldownShort, join(path, "cooldown"), "give either cooldown or cooldownPeriodInMinutes, not both")
	case cooldownShort != nil:
		d.rename[cp] = join(path, "cooldown")
		d.Pos[cp] = cooldownShort
		min, err := parseCooldown(cooldownShort)
		if err != nil {
			d.Fail(cooldownShort, join(path, "cooldown"), "%v", err)
			d.Bad[cp] = true
		}
		a.CooldownPeriodInMinutes = min
	case cooldown == nil:
		msg := "required: minutes between two firings for one person (0 for none)"
		if d.yaml {
			msg = "required: cooldown (a duration like 1h) or cooldownPeriodInMinutes"
		}
		d.Fail(n, cp, "%s", msg)
	}
	return a
}

// parseCooldown reads the rule-file shorthand: a duration in whole minutes, 0 allowed.
func parseCooldown(n *strict.Node) (int, error) {
	if n.Kind == strict.Number && n.Text == "0" {
		return 0, nil
	}
	if n.Kind != strict.String {
		return 0, fmt.Errorf("expected a duration like 30m, 1h or 1d, got %s", n.Describe())
	}
	d, err := parseDuration(n.Text)
	switch {
	case err != nil:
		return 0, err
	case d < 0:
		return 0, fmt.Errorf("must not be negative, got %q", n.Text)
	case d%time.Minute != 0:
		return 0, fmt.Errorf("must be whole minutes, got %q", n.Text)
	case d > MaxCooldownMinutes*time.Minute:
		return 0, fmt.Errorf("at most %d days, got %q", MaxLookBackDays, n.Text)
	}
	return int(d / time.Minute), nil
}

func (d *decoder) trigger(n *strict.Node, path string) Trigger {
	var t Trigger
	d.object(n, path, []field{
		d.text("type", &t.Type),
		d.text("webhookURL", &t.WebhookURL),
		d.text("authorizationScheme", &t.AuthorizationScheme),
		d.text("authorization", &t.Authorization),
		d.text("connector", &t.Connector),
		d.text("at", &t.At),
		{name: "attributes", fn: func(v *strict.Node, p string) {
			switch v.Kind {
			case strict.Null:
				return
			case strict.Map:
			default:
				d.Fail(v, p, "expected an object of strings, got %s", v.Describe())
				return
			}
			t.Attributes = make(map[string]string, len(v.Keys))
			d.Pairs(v, p, func(k, v *strict.Node, p string) {
				d.keys[p] = k
				var s string
				d.str(v, p, &s)
				t.Attributes[k.Text] = s
			})
		}},
	})
	return t
}

// CompiledAction is an action validated against its template, normalised, with its rule
// and condition compiled and every trigger string compiled to a renderer. It is
// immutable and safe for concurrent use.
type CompiledAction struct {
	Action   *Action // normalised copy
	Template *Compiled
	Cooldown time.Duration

	rule      *ActionRule
	cond      *vm.Program
	condAttrs []*CompiledAttr // read by the condition
	attrs     []*CompiledAttr // read by the rule or the condition, each once
	triggers  []compiledTrigger
}

type compiledTrigger struct {
	typ                       string
	method                    string // Webhook
	contentType               string // Webhook with a body
	url, scheme, auth, body   *tmpl  // nil when absent
	at                        *vm.Program
	attrs                     map[string]*tmpl // Connector
	attrNames                 []string         // sorted
	connector                 string
	path                      string // actionTriggers[i]
	urlField, bodyField, atAt string
}

// CompileAction validates an action and compiles it against its template's compiled
// attributes: the rule grammar must name attributes of t, the condition and the
// placeholders are type-checked against t's attribute names. a itself is not changed:
// the normalised copy is CompiledAction.Action. The error joins one [*Error] per
// problem, each naming its field (actionTriggers[0].attributes.requestbody).
//
// It does not check the connectors that Connector triggers name: [Options.CompileAction]
// does.
func CompileAction(a *Action, t *Compiled) (*CompiledAction, error) {
	return Options{}.CompileAction(a, t)
}

// compileAction checks a, and compiles it when t is set; with t nil, only what does not
// depend on the template is checked, and the result has no rule, condition or renderers.
// The checks o asks for (connectors, organizations, egress) are made too.
func compileAction(a *Action, t *Compiled, o Options) (*CompiledAction, problems) {
	a = cloneAction(a)
	var errs problems
	a.Name = strings.TrimSpace(a.Name)
	if a.Name == "" {
		errs.add("name", "required")
	}
	if m, ok := canonical(a.Mode, actionModes); ok {
		a.Mode = m
	} else if a.Mode != "" {
		errs.add("mode", "must be live or shadow, got %q", a.Mode)
	}
	if a.CooldownPeriodInMinutes < 0 || a.CooldownPeriodInMinutes > MaxCooldownMinutes {
		errs.add("cooldownPeriodInMinutes", "must be between 0 and %d, got %d", MaxCooldownMinutes, a.CooldownPeriodInMinutes)
	}
	if t != nil {
		a.Template = t.Template.Name
		if t.Template.ID != "" {
			a.TemplateID = t.Template.ID
		}
	}
	c := &CompiledAction{Action: a, Template: t, Cooldown: time.Duration(a.CooldownPeriodInMinutes) * time.Minute}

	a.Condition = strings.TrimSpace(a.Condition)
	if a.Rules == nil && a.Condition == "" {
		errs.add("rules", "required: a rules block or a condition, over the template's attributes")
	}
	if a.Rules != nil {
		// The grammar first (it also normalises the block); then, with the template,
		// which attribute each condition names.
		before := len(errs)
		compileBlock(a.Rules, "rules", 0, &errs, func(s, p string) pred[map[string]Result] {
			if _, cerr := parseCondition(s); cerr != nil {
				errs.add(p, "%s", cerr.msg).exprCol = cerr.col
				return nil
			}
			return func(map[string]Result) (bool, error) { return false, nil }
		})
		if t != nil && len(errs) == before {
			r, err := CompileActionRule(a.Rules, t.Attrs)
			if err != nil {
				errs = append(errs, asProblems(err)...)
			}
			if r != nil {
				c.rule = r
				c.attrs = append(c.attrs, r.Attrs()...)
			}
		}
	}
	if a.Condition != "" {
		c.compileCondition(&errs)
	}

	if len(a.ActionTriggers) == 0 {
		errs.add("actionTriggers", "an action needs at least one trigger")
	}
	env := renderCompileEnv(t)
	for i := range a.ActionTriggers {
		ct := compileTrigger(&a.ActionTriggers[i], index("actionTriggers", i), t, o, a.Source == "api", env, &errs)
		if ct != nil {
			c.triggers = append(c.triggers, *ct)
		}
	}
	return c, errs
}

func asProblems(err error) problems {
	var out problems
	for _, e := range unwrapErrors(err) {
		var pe *Error
		if errors.As(e, &pe) {
			out = append(out, pe)
		} else {
			out = append(out, &Error{Msg: e.Error()})
		}
	}
	return out
}

func unwrapErrors(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func cloneAction(a *Action) *Action {
	c := *a
	c.Rules = cloneBlock(a.Rules)
	c.ActionTriggers = append([]Trigger(nil), a.ActionTriggers...)
	for i := range c.ActionTriggers {
		if m := c.ActionTriggers[i].Attributes; m != nil {
			cp := make(map[string]string, len(m))
			for k, v := range m {
				cp[k] = v
			}
			c.ActionTriggers[i].Attributes = cp
		}
	}
	return &c
}

// profileVar is the name under which expressions see the attribute values as a map.
const profileVar = "profile"

// sampleValue is a value of the Go type an attribute's Result.Value has in expressions
// (times as time.Time), for expr's type checks.
func sampleValue(a *CompiledAttr) any {
	switch a.Mode {
	case ModeCount:
		return int64(0)
	case ModeDistinct:
		return []any{}
	case ModeAverage:
		return float64(0)
	}
	switch a.kind {
	case vInt:
		return int64(0)
	case vFloat:
		return float64(0)
	case vTime:
		return time.Time{}
	}
	return ""
}

// exprValue is an aggregate's value as expressions see it: Result.Value, with the
// times of utc_datetime attributes as time.Time (Result.Value holds their text).
func exprValue(a *CompiledAttr, v any) any {
	if s, ok := v.(string); ok && a.kind == vTime && a.Mode != ModeDistinct {
		t, err := time.Parse(event.TimeLayout, s)
		if err != nil {
			t, err = time.Parse(time.RFC3339Nano, s)
		}
		if err != nil {
			return nil
		}
		return t.UTC()
	}
	return v
}

// compileCondition compiles the expr condition. Its environment: every attribute value
// by name (typed: a misspelt name or a string compared with a number is a load error),
// and profile, the same values as a map (profile["Calls in the last day"] for names
// that are not identifiers). Without a template only the syntax is checked.
func (c *CompiledAction) compileCondition(errs *problems) {
	src := c.Action.Condition
	if c.Template == nil {
		if _, err := parser.Parse(src); err != nil {
			exprError(errs, "condition", err)
		}
		return
	}
	prog, err := exprbudget.Compile(src, c.conditionOptions(expr.AsBool())...)
	if err != nil {
		exprErrorNow(errs, "condition", src, 0, err, "now() is not available in conditions: they read the profile, whose windows already end at the time of evaluation")
		return
	}
	names, all, e := profileRefs(prog, c.Template, true)
	if e != nil {
		templateError(errs, "condition", src, e)
		return
	}
	c.cond = prog
	for _, a := range c.Template.Attrs {
		if all || names[a.Name] {
			c.condAttrs = append(c.condAttrs, a)
			if !slices.Contains(c.attrs, a) {
				c.attrs = append(c.attrs, a)
			}
		}
	}
}

// conditionOptions are the options the condition compiles with (and each of its
// clauses, for explanations): every attribute by name, typed, and profile, the same
// values as a map.
func (c *CompiledAction) conditionOptions(more ...expr.Option) []expr.Option {
	env := map[string]any{}
	profile := map[string]any{}
	for _, a := range c.Template.Attrs {
		env[a.Name] = sampleValue(a)
		profile[a.Name] = sampleValue(a)
	}
	env[profileVar] = profile
	return append([]expr.Option{expr.Env(env), expr.DisableBuiltin("now")}, more...)
}

// conditionEnv is what the condition runs over: the values of the attributes it reads.
func (c *CompiledAction) conditionEnv(results map[string]Result) (map[string]any, error) {
	vals := make(map[string]any, len(c.condAttrs))
	for _, a := range c.condAttrs {
		res, ok := results[a.Name]
		if !ok {
			return nil, fmt.Errorf("action %q: evaluating the condition: no result for attribute %q", c.Action.Name, a.Name)
		}
		vals[a.Name] = exprValue(a, res.Value)
	}
	env := make(map[string]any, len(vals)+1)
	for k, v := range vals {
		env[k] = v
	}
	env[profileVar] = vals
	return env, nil
}

// profileRefs lists the attributes an expression reads: profile.<name> and
// profile["<name>"] (a name the template lacks is an error at its place), and, when
// top is set, attribute names used as variables. all is set when it reads profile in
// any other way (profile[someVariable], the whole map).
func profileRefs(prog *vm.Program, t *Compiled, top bool) (names map[string]bool, all bool, bad *tmplError) {
	names = map[string]bool{}
	var known []string
	for _, a := range t.Attrs {
		known = append(known, a.Name)
	}
	node := prog.Node()
	inMember := map[ast.Node]bool{}
	ast.Find(node, func(n ast.Node) bool {
		m, ok := n.(*ast.MemberNode)
		if !ok || bad != nil {
			return false
		}
		id, ok := m.Node.(*ast.IdentifierNode)
		if !ok || id.Value != profileVar {
			return false
		}
		inMember[id] = true
		s, ok := m.Property.(*ast.StringNode)
		if !ok {
			all = true
			return false
		}
		if t.Attr(s.Value) == nil || t.Attr(s.Value).Name != s.Value {
			msg := fmt.Sprintf("the template %q has no attribute named %q", t.Template.Name, s.Value)
			if sg := strict.Closest(s.Value, known); sg != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", sg)
			}
			bad = &tmplError{off: m.Property.Location().From, msg: msg}
			return false
		}
		names[s.Value] = true
		return false
	})
	if bad != nil {
		return nil, false, bad
	}
	ast.Find(node, func(n ast.Node) bool {
		id, ok := n.(*ast.IdentifierNode)
		if !ok || inMember[id] {
			return false
		}
		if id.Value == profileVar {
			all = true
		} else if top {
			names[id.Value] = true
		}
		return false
	})
	return names, all, nil
}

// Attrs lists the attributes the rule and the condition read, each once: the aggregates
// Holds needs.
func (c *CompiledAction) Attrs() []*CompiledAttr { return c.attrs }

// Holds evaluates the action's rule and condition (both, when it has both) over
// aggregate results keyed by attribute name, as ActionRule.Eval does: a missing result
// for an attribute it reads is an error; an attribute without data fails every
// comparison of the JDS grammar, and is nil in the condition (where comparing nil with
// a number is a runtime error: write (x ?? 0) > 3). It does not look at IsActive or
// the cooldown: whether to fire is the caller's decision. The condition has an
// expression budget of exprbudget.Units of its own.
func (c *CompiledAction) Holds(results map[string]Result) (bool, error) {
	return c.HoldsWithin(results, nil)
}

// HoldsWithin is Holds with the condition drawing on budget (nil: a budget of its own),
// which the firing's rendering then shares (RenderEnv.Budget).
func (c *CompiledAction) HoldsWithin(results map[string]Result, budget *exprbudget.Budget) (bool, error) {
	if c.rule != nil {
		ok, err := c.rule.Eval(results)
		if err != nil {
			return false, fmt.Errorf("action %q: %w", c.Action.Name, err)
		}
		if !ok {
			return false, nil
		}
	}
	if c.cond == nil {
		return c.rule != nil, nil
	}
	env, err := c.conditionEnv(results)
	if err != nil {
		return false, err
	}
	if budget == nil {
		budget = exprbudget.NewBudget(exprbudget.Units)
	}
	out, err := budget.Run(c.cond, env)
	if err != nil {
		return false, fmt.Errorf("action %q: condition: %w", c.Action.Name, exprErr(err))
	}
	b, _ := out.(bool)
	return b, nil
}

// compileTrigger checks and normalises one trigger in place, and compiles its strings.
// With t nil the placeholders are compiled without checking profile names, and nil is
// returned. With o.Connectors set, a Connector trigger's connector and attributes are
// checked against it; with o.Egress set, the target of an action made through the API
// (api) is checked against the egress policy.
func compileTrigger(tr *Trigger, path string, t *Compiled, o Options, api bool, env map[string]any, errs *problems) *compiledTrigger {
	before := len(*errs)
	at := func(f string) string { return join(path, f) }
	ct := &compiledTrigger{path: path}
	typ, ok := canonical(strings.TrimSpace(tr.Type), triggerTypes)
	switch {
	case tr.Type == "":
		errs.add(at("type"), "required: Webhook or Connector")
		return nil
	case !ok:
		errs.add(at("type"), "must be Webhook or Connector, got %q", tr.Type)
		return nil
	}
	tr.Type, ct.typ = typ, typ
	opts := []expr.Option{expr.Env(env), expr.DisableBuiltin("now")}
	check := func(prog *vm.Program, off int) *tmplError {
		if t == nil {
			return nil
		}
		_, _, e := profileRefs(prog, t, false)
		if e != nil {
			e.off += off
		}
		return e
	}
	// compile parses and compiles the template of one field; setCtx decides the
	// placeholders' contexts.
	compile := func(field, s string, setCtx func(parts []tmplPart) *tmplError) *tmpl {
		parts, e := parseTemplate(s)
		if e != nil {
			templateError(errs, field, s, e)
			return nil
		}
		if setCtx != nil {
			if e := setCtx(parts); e != nil {
				templateError(errs, field, s, e)
				return nil
			}
		}
		return compileTemplate(s, parts, field, errs, check, opts...)
	}
	literal := func(field, s string) {
		if strings.Contains(s, "${") {
			errs.add(field, "must be written out: placeholders are not allowed here")
		}
	}
	attrNames := make([]string, 0, len(tr.Attributes))
	for k := range tr.Attributes {
		attrNames = append(attrNames, k)
	}
	sort.Strings(attrNames)

	switch typ {
	case TriggerWebhook:
		if tr.Connector != "" {
			errs.add(at("connector"), "only for Connector triggers")
		}
		ct.urlField = at("webhookURL")
		if strings.TrimSpace(tr.WebhookURL) == "" {
			errs.add(ct.urlField, "required: the http(s) URL to call")
		} else {
			tr.WebhookURL = strings.TrimSpace(tr.WebhookURL)
			ct.url = compile(ct.urlField, tr.WebhookURL, func(parts []tmplPart) *tmplError { return urlContexts(tr.WebhookURL, parts) })
			if api && o.Egress != nil && ct.url != nil {
				checkEgress(o.Egress, tr.WebhookURL, ct.urlField, errs)
			}
		}
		if tr.AuthorizationScheme != "" && tr.Authorization == "" {
			errs.add(at("authorization"), "required with authorizationScheme: the credentials")
		}
		headerCtx := func(parts []tmplPart) *tmplError {
			for i := range parts {
				if parts[i].isLit() && strings.ContainsAny(parts[i].lit, "\r\n") {
					return &tmplError{msg: "a header value cannot hold a line break"}
				}
				parts[i].ctx = ctxHeader
			}
			return nil
		}
		if tr.AuthorizationScheme != "" {
			ct.scheme = compile(at("authorizationScheme"), tr.AuthorizationScheme, headerCtx)
		}
		if tr.Authorization != "" {
			ct.auth = compile(at("authorization"), tr.Authorization, headerCtx)
		}
		ap := at("attributes")
		for _, k := range attrNames {
			if !slices.Contains(webhookAttrs, k) {
				msg := fmt.Sprintf("unknown Webhook attribute %q", k)
				if s := strict.Closest(k, webhookAttrs); s != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", s)
				} else {
					msg += " (known: " + strings.Join(webhookAttrs, ", ") + ")"
				}
				errs.add(join(ap, k), "%s", msg)
			}
		}
		ct.method = "POST"
		if verb, ok := tr.Attributes[AttrHTTPVerb]; ok {
			m, ok := canonical(strings.TrimSpace(verb), httpVerbs)
			if !ok {
				errs.add(join(ap, AttrHTTPVerb), "must be one of %s (any case), got %q", strings.Join(httpVerbs, ", "), verb)
			}
			ct.method = m
		}
		ctype, hasType := tr.Attributes[AttrContentType]
		if hasType {
			literal(join(ap, AttrContentType), ctype)
			ctype = strings.TrimSpace(ctype)
		}
		if body, ok := tr.Attributes[AttrRequestBody]; ok && body != "" {
			ct.bodyField = join(ap, AttrRequestBody)
			lower := strings.ToLower(ctype)
			var setCtx func([]tmplPart) *tmplError
			switch {
			case strings.Contains(lower, "json") || (!hasType && looksJSON(body)):
				if !hasType {
					ctype = "application/json"
				}
				setCtx = func(parts []tmplPart) *tmplError {
					if err := jsonContexts(parts); err != nil {
						return &tmplError{msg: err.Error()}
					}
					return nil
				}
			case strings.HasPrefix(lower, "application/x-www-form-urlencoded"):
				setCtx = func(parts []tmplPart) *tmplError {
					for i := range parts {
						parts[i].ctx = ctxURLQuery
					}
					return nil
				}
			case !hasType:
				ctype = "text/plain; charset=utf-8"
			}
			ct.body = compile(ct.bodyField, body, setCtx)
			ct.contentType = ctype
		} else if hasType {
			ct.contentType = ctype
		}
		if ct.method == "GET" && tr.Attributes[AttrRequestBody] != "" {
			errs.add(join(ap, AttrRequestBody), "a GET request has no body")
		}
	case TriggerConnector:
		tr.Connector = strings.TrimSpace(tr.Connector)
		if tr.Connector == "" {
			errs.add(at("connector"), "required: the name of the connector instance that delivers it")
		}
		literal(at("connector"), tr.Connector)
		ct.connector = tr.Connector
		if o.Connectors != nil && tr.Connector != "" && !strings.Contains(tr.Connector, "${") {
			o.Connectors.check(tr, path, errs, o, api)
		}
		for _, f := range []struct{ name, v string }{{"webhookURL", tr.WebhookURL}, {"authorizationScheme", tr.AuthorizationScheme}, {"authorization", tr.Authorization}} {
			if f.v != "" {
				errs.add(at(f.name), "only for Webhook triggers (a connector has its own settings)")
			}
		}
		ct.attrs = map[string]*tmpl{}
		ct.attrNames = attrNames
		for _, k := range attrNames {
			s := tr.Attributes[k]
			var setCtx func([]tmplPart) *tmplError
			if looksJSON(s) {
				// JSON when it is JSON with the placeholders; text otherwise ("[Reminder] ...").
				if parts, e := parseTemplate(s); e == nil && jsonContexts(parts) == nil {
					setCtx = func(parts []tmplPart) *tmplError { jsonContexts(parts); return nil }
				}
			}
			ct.attrs[k] = compile(join(at("attributes"), k), s, setCtx)
		}
	}

	if tr.At != "" {
		ct.atAt = at("at")
		ct.at = compileAt(ct.atAt, strings.TrimSpace(tr.At), opts, check, errs)
		tr.At = strings.TrimSpace(tr.At)
	}
	if t == nil || len(*errs) > before {
		return nil
	}
	return ct
}

// compileAt compiles an "at" field: exactly one placeholder, whose expression yields a
// time.
func compileAt(path, s string, opts []expr.Option, check func(*vm.Program, int) *tmplError, errs *problems) *vm.Program {
	parts, e := parseTemplate(s)
	if e != nil {
		templateError(errs, path, s, e)
		return nil
	}
	if len(parts) != 1 || parts[0].isLit() {
		errs.add(path, `must be one placeholder whose value is a time, like ${event.time + duration("2h")}`)
		return nil
	}
	tp := compileTemplate(s, parts, path, errs, check, opts...)
	if tp == nil {
		return nil
	}
	prog := tp.parts[0].prog
	if typ := prog.Node().Type(); typ != nil && typ.Kind() != reflect.Interface && typ != timeType {
		templateError(errs, path, s, &tmplError{off: parts[0].at, msg: fmt.Sprintf("must yield a time, not %s", typ)})
		return nil
	}
	return prog
}

// checkEgress checks the host of a tenant's webhook URL (a template whose scheme and
// host urlContexts found written out) against the egress policy. The host must end
// before the first placeholder: "https://api.${x}" could be anything.
func checkEgress(p *egress.Policy, raw, field string, errs *problems) {
	parts, e := parseTemplate(raw)
	if e != nil || len(parts) == 0 || !parts[0].isLit() {
		return // reported by the URL's own checks
	}
	first := parts[0].lit
	scheme, rest, _ := strings.Cut(first, "://")
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		if len(parts) > 1 {
			errs.add(field, "the host must be written out in full, ended by / before any placeholder: targets defined through the API are checked against the egress policy when saved")
			return
		}
		end = len(rest)
	}
	u, err := url.Parse(scheme + "://" + rest[:end])
	if err != nil {
		return // reported by the URL's own checks
	}
	if err := p.CheckHost(u.Hostname()); err != nil {
		errs.add(field, "%v", err)
	}
}
