// Package flows runs IVR flows: the webhooks that Webex Connect flows and Webex Contact
// Center Flow Designer call mid-call with the caller's number, and that answer with flat
// JSON a flow builder maps to variables.
//
// A flow is a YAML file of the flows directory; its name is the file's name without
// .yaml, and it is served at /v1/flows/{name}. docs/flows.md describes the format:
//
//	identity: ani                  # the request field that carries the caller's identity
//	bindings:                      # computed in order, each an expr expression
//	  payment: last("type eq 'Payment'", "category eq 'Water'")
//	rules:                         # the first whose `when` holds answers
//	  - name: second notice
//	    when: payment?.data?.status == "overdue" && int(payment.data.Notification) >= 2
//	    respond: {route: agent}
//	  - respond: {route: menu}     # no when: always
//	fallback: {route: agent}       # the answer when evaluation fails
//
// Everything is parsed and compiled when the file is loaded: expressions are type-checked
// against the environment, literal history filters are compiled, and every problem is
// reported with the file, line and column. Evaluation never compiles.
package flows

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/types"
	"github.com/expr-lang/expr/vm"
	"go.yaml.in/yaml/v3"

	"github.com/openjds/jds/connectors"
	"github.com/openjds/jds/internal/exprbudget"
	"github.com/openjds/jds/internal/filter"
	"github.com/openjds/jds/internal/identity"
	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/internal/strict"
	"github.com/openjds/jds/rules"
)

// Limits of a flow's work.
const (
	DefaultTimeout = 2 * time.Second
	maxTimeout     = 20 * time.Second // what Webex gives a webhook at most
	maxHistory     = 1000             // events one history() call may return
)

// Flow is one compiled flow file.
type Flow struct {
	Name        string // the file's name without .yaml: the URL's {name}
	File        string
	Description string

	field    string        // request field of the caller's identity (dots for nesting)
	kind     identity.Kind // the alias kind of that value
	timeout  time.Duration
	identify *identifySpec
	bindings []binding
	rules    []rule
	fallback map[string]any
	sig      *connectors.StandardWebhooksReceiver
	// filters holds the filters written as string literals in history() and last()
	// calls, compiled at load.
	filters map[string]*filter.Filter
}

// Writes reports whether the flow changes data (writes events, identifies the caller),
// so that its token needs the write permission.
func (f *Flow) Writes() bool {
	if f.identify != nil {
		return true
	}
	for _, r := range f.rules {
		if len(r.events) > 0 {
			return true
		}
	}
	return false
}

type binding struct {
	name string
	prog *vm.Program
}

type rule struct {
	name    string
	when    *vm.Program // nil: always
	respond []answerField
	events  []eventSpec
}

type answerField struct {
	key   string
	value any         // static value, when text is nil
	text  *rules.Text // ${expr} value
}

// value is a definition value that may hold ${expr} texts: static scalars, *rules.Text,
// map[string]value kept as []kv (in order), or []value.
type value any

type kv struct {
	key string
	val value
}

type eventSpec struct {
	id, typ, source *rules.Text // id nil: a new UUID
	data            []kv
}

type identifySpec struct {
	firstName, lastName *rules.Text
	aliases             []aliasTexts
	override            bool
}

type aliasTexts struct {
	kind  identity.Kind
	texts []*rules.Text
}

// Options are what loading needs from the environment.
type Options struct {
	// Getenv resolves ${NAME} references in secrets; default os.Getenv.
	Getenv func(string) string
	// Scratch opens an empty store for one flow test, whose state d derives on the
	// clock now. Only RunTestFile needs it; the command line passes an in-memory one.
	Scratch func(d store.Deriver, now func() time.Time) (store.Store, error)
}

// ParseFile parses and compiles one flow file. The error joins one *Error per problem.
func ParseFile(path string, data []byte, o Options) (*Flow, error) {
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	f := &Flow{
		Name:    strings.TrimSuffix(strings.TrimSuffix(filepath.Base(path), ".yaml"), ".yml"),
		File:    path,
		kind:    identity.Phone,
		timeout: DefaultTimeout,
		filters: map[string]*filter.Filter{},
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, &Error{File: path, Msg: strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	root, errs := strict.FromYAMLNode(path, &doc)
	if len(errs) > 0 {
		return nil, rules.Invalid(errs)
	}
	if root == nil {
		return nil, &Error{File: path, Msg: "empty flow file: it needs identity, rules and fallback"}
	}
	d := &decoder{strict.NewDecoder(path, strict.PathFirst)}
	c := &compiler{d: d, f: f, env: baseEnv()}
	var identifyNode, rulesNode, fallbackNode *strict.Node
	var bindingsNode, sigNode *strict.Node
	d.Object(root, "", []strict.Field{
		{Name: "description", Decode: func(v *strict.Node, p string) { f.Description, _ = d.str(v, p) }},
		{Name: "identity", Required: true, Decode: c.identity},
		{Name: "timeout", Decode: func(v *strict.Node, p string) {
			if t, ok := d.duration(v, p); ok {
				if t > maxTimeout {
					d.Fail(v, p, "at most %s: Webex gives a webhook about 20 seconds", maxTimeout)
				}
				f.timeout = t
			}
		}},
		{Name: "signature", Decode: func(v *strict.Node, p string) { sigNode = v }},
		{Name: "identify", Decode: func(v *strict.Node, p string) { identifyNode = v }},
		{Name: "bindings", Decode: func(v *strict.Node, p string) { bindingsNode = v }},
		{Name: "rules", Required: true, Decode: func(v *strict.Node, p string) { rulesNode = v }},
		{Name: "fallback", Required: true, Decode: func(v *strict.Node, p string) { fallbackNode = v }},
	})
	// In the order of evaluation, so that each part compiles against what it can see.
	if sigNode != nil {
		f.sig = c.signature(sigNode, "signature", o.Getenv)
	}
	if identifyNode != nil {
		f.identify = c.identifySpec(identifyNode, "identify")
	}
	maps.Copy(c.env, callerEnv()) // what the rest sees once the caller is looked up
	if bindingsNode != nil {
		c.bindings(bindingsNode, "bindings")
	}
	if rulesNode != nil {
		d.List(rulesNode, "rules", func(v *strict.Node, p string) { c.rule(v, p) })
		if rulesNode.Kind == strict.List && len(rulesNode.Items) == 0 {
			d.Fail(rulesNode, "rules", "a flow needs at least one rule")
		}
	}
	if fallbackNode != nil {
		f.fallback = c.fallback(fallbackNode, "fallback")
	}
	if err := d.err(); err != nil {
		return nil, err
	}
	return f, nil
}

// compiler compiles a flow's parts against the environment seen so far.
type compiler struct {
	d   *decoder
	f   *Flow
	env types.Map
}

// The environment's fixed names, as expressions see them at compile time: the request
// and the clock from the start (identify sees only these), then the caller and the
// functions that read about them, with the signatures run.go gives them per request.
func baseEnv() types.Map {
	return types.Map{
		"request": types.TypeOf(map[string]any{}),
		"now":     types.TypeOf(time.Time{}),
	}
}

func callerEnv() types.Map {
	return types.Map{
		"person":  types.TypeOf(&rules.PersonEnv{}),
		"history": types.TypeOf(func(string, string, int) ([]*rules.EventEnv, error) { return nil, nil }),
		"last":    types.TypeOf(func(string, string) (*rules.EventEnv, error) { return nil, nil }),
		"profile": types.TypeOf(func(string) (map[string]any, error) { return nil, nil }),
	}
}

// reserved are the names a binding cannot take.
var reserved = []string{"request", "now", "history", "last", "profile", "person"}

func (c *compiler) options() []expr.Option {
	return []expr.Option{expr.Env(c.env), expr.DisableBuiltin("now")}
}

func (c *compiler) identity(v *strict.Node, p string) {
	d := c.d
	if v.Scalar() {
		c.f.field, _ = d.str(v, p)
		return
	}
	d.Object(v, p, []strict.Field{
		{Name: "field", Required: true, Decode: func(v *strict.Node, p string) { c.f.field, _ = d.str(v, p) }},
		{Name: "type", Decode: func(v *strict.Node, p string) {
			s, ok := d.str(v, p)
			if !ok {
				return
			}
			k, ok := identity.ParseKind(s)
			if !ok {
				d.Fail(v, p, "must be one of %s, got %q", identity.KindNames(), s)
				return
			}
			c.f.kind = k
		}},
	})
}

// expression compiles an expr expression written in scalar v.
func (c *compiler) expression(v *strict.Node, p string, opts ...expr.Option) *vm.Program {
	src, ok := c.d.str(v, p)
	if !ok {
		return nil
	}
	prog, err := exprbudget.Compile(src, append(c.options(), opts...)...)
	if err != nil {
		c.d.exprError(v, p, err)
		return nil
	}
	c.checkFilters(v, p, src, prog)
	return prog
}

// text compiles a scalar that may hold ${expr} placeholders; nil when it has none
// (static is then its value).
func (c *compiler) text(v *strict.Node, p string) (t *rules.Text, static any, ok bool) {
	if !v.Scalar() {
		c.d.Fail(v, p, "expected a string, number or boolean, got %s", v.Describe())
		return nil, nil, false
	}
	if v.Tag != "!!str" || !strings.Contains(v.Text, "$") {
		return nil, scalar(v), true
	}
	t, err := rules.CompileText(v.Text, c.options()...)
	if err != nil {
		c.d.textError(v, p, err)
		return nil, nil, false
	}
	if s, ok := t.Static(); ok { // "US$$5" is "US$5", as in action triggers
		return nil, s, true
	}
	for _, prog := range t.Programs() {
		c.checkFilters(v, p, "", prog)
	}
	return t, nil, true
}

// stringText is text for a field that renders to a string; nil after a problem.
func (c *compiler) stringText(v *strict.Node, p string) *rules.Text {
	t, static, ok := c.text(v, p)
	if ok && static == nil && t == nil {
		c.d.Fail(v, p, "expected a string, got null")
		return nil
	}
	if ok && t == nil { // no placeholder: the value as text
		t, _ = rules.CompileText(strings.ReplaceAll(fmt.Sprint(static), "$", "$$"))
	}
	return t
}

func (c *compiler) bindings(n *strict.Node, path string) {
	c.d.Pairs(n, path, func(k, v *strict.Node, p string) {
		name := k.Text
		if !isIdent(name) {
			c.d.Fail(k, p, "a binding's name must be a letter or _ followed by letters, digits or _")
			return
		}
		for _, r := range reserved {
			if name == r {
				c.d.Fail(k, p, "%q is a name flows already define (%s)", name, strings.Join(reserved, ", "))
				return
			}
		}
		prog := c.expression(v, p)
		if prog == nil {
			c.env[name] = types.Any // later uses compile, unchecked
			return
		}
		c.f.bindings = append(c.f.bindings, binding{name: name, prog: prog})
		c.env[name] = typeOf(prog.Node().Type())
	})
}

// typeOf is a binding's type in the compile environment: later expressions are checked
// against it. Interfaces (any) stay unchecked.
func typeOf(t reflect.Type) types.Type {
	if t == nil || t.Kind() == reflect.Interface {
		return types.Any
	}
	return types.TypeOf(reflect.Zero(t).Interface())
}

func (c *compiler) rule(n *strict.Node, path string) {
	r := rule{name: fmt.Sprintf("rule %d", len(c.f.rules)+1)}
	var respondNode, eventsNode *strict.Node
	c.d.Object(n, path, []strict.Field{
		{Name: "name", Decode: func(v *strict.Node, p string) { r.name, _ = c.d.str(v, p) }},
		{Name: "when", Decode: func(v *strict.Node, p string) { r.when = c.expression(v, p, expr.AsBool()) }},
		{Name: "respond", Required: true, Decode: func(v *strict.Node, p string) { respondNode = v }},
		{Name: "events", Decode: func(v *strict.Node, p string) { eventsNode = v }},
	})
	if respondNode != nil {
		c.d.Pairs(respondNode, join(path, "respond"), func(k, v *strict.Node, p string) {
			if !v.Scalar() {
				c.d.Fail(v, p, "answers are flat JSON: expected a string, number or boolean, got %s", v.Describe())
				return
			}
			t, static, ok := c.text(v, p)
			if ok {
				r.respond = append(r.respond, answerField{key: k.Text, value: static, text: t})
			}
		})
	}
	if eventsNode != nil {
		c.d.List(eventsNode, join(path, "events"), func(v *strict.Node, p string) {
			r.events = append(r.events, c.event(v, p))
		})
	}
	c.f.rules = append(c.f.rules, r)
}

func (c *compiler) event(n *strict.Node, path string) eventSpec {
	var e eventSpec
	c.d.Object(n, path, []strict.Field{
		{Name: "id", Decode: func(v *strict.Node, p string) { e.id = c.stringText(v, p) }},
		{Name: "type", Required: true, Decode: func(v *strict.Node, p string) { e.typ = c.stringText(v, p) }},
		{Name: "source", Decode: func(v *strict.Node, p string) { e.source = c.stringText(v, p) }},
		{Name: "data", Decode: func(v *strict.Node, p string) {
			if m, ok := c.tree(v, p).([]kv); ok {
				e.data = m
			} else if v.Kind != strict.Map {
				c.d.Fail(v, p, "expected an object, got %s", v.Describe())
			}
		}},
	})
	if e.source == nil {
		e.source, _ = rules.CompileText("jds/flows/" + c.f.Name)
	}
	return e
}

// tree compiles a value of any shape whose strings may hold ${expr}.
func (c *compiler) tree(n *strict.Node, path string) value {
	switch n.Kind {
	case strict.Map:
		m := []kv{}
		c.d.Pairs(n, path, func(k, v *strict.Node, p string) { m = append(m, kv{k.Text, c.tree(v, p)}) })
		return m
	case strict.List:
		l := []value{}
		c.d.List(n, path, func(v *strict.Node, p string) { l = append(l, c.tree(v, p)) })
		return l
	}
	t, static, _ := c.text(n, path)
	if t != nil {
		return t
	}
	return static
}

func (c *compiler) fallback(n *strict.Node, path string) map[string]any {
	out := map[string]any{}
	c.d.Pairs(n, path, func(k, v *strict.Node, p string) {
		if !v.Scalar() {
			c.d.Fail(v, p, "answers are flat JSON: expected a string, number or boolean, got %s", v.Describe())
			return
		}
		if v.Tag == "!!str" && strings.Contains(v.Text, "${") {
			c.d.Fail(v, p, "the fallback is what a caller hears when evaluation fails, so it cannot use ${...}")
			return
		}
		out[k.Text] = scalar(v)
	})
	return out
}

func (c *compiler) identifySpec(n *strict.Node, path string) *identifySpec {
	s := &identifySpec{}
	fields := []strict.Field{
		{Name: "firstName", Decode: func(v *strict.Node, p string) { s.firstName = c.stringText(v, p) }},
		{Name: "lastName", Decode: func(v *strict.Node, p string) { s.lastName = c.stringText(v, p) }},
		{Name: "override", Decode: func(v *strict.Node, p string) {
			b, ok := scalar(v).(bool)
			if !ok {
				c.d.Fail(v, p, "expected true or false, got %s", v.Describe())
			}
			s.override = b
		}},
	}
	for _, k := range identity.Kinds {
		fields = append(fields, strict.Field{Name: k.String(), Decode: func(v *strict.Node, p string) {
			a := aliasTexts{kind: k}
			add := func(v *strict.Node, p string) {
				if t := c.stringText(v, p); t != nil {
					a.texts = append(a.texts, t)
				}
			}
			if v.Kind == strict.List {
				c.d.List(v, p, add)
			} else {
				add(v, p)
			}
			s.aliases = append(s.aliases, a)
		}})
	}
	c.d.Object(n, path, fields)
	if len(s.aliases) == 0 && n.Kind == strict.Map {
		c.d.Fail(n, path, "name at least one alias list (%s)", identity.KindNames())
	}
	return s
}

// checkFilters compiles the filters written as string literals in history() and last()
// calls, so that a malformed one is a load error, and keeps them for evaluation.
// src is the expression's text, to place the problem; "" when unknown.
func (c *compiler) checkFilters(v *strict.Node, p, src string, prog *vm.Program) {
	root := prog.Node()
	ast.Walk(&root, visitor(func(n ast.Node) {
		call, ok := n.(*ast.CallNode)
		if !ok {
			return
		}
		id, ok := call.Callee.(*ast.IdentifierNode)
		if !ok || (id.Value != "history" && id.Value != "last") {
			return
		}
		for i, arg := range call.Arguments[:min(2, len(call.Arguments))] {
			s, ok := arg.(*ast.StringNode)
			if !ok || s.Value == "" {
				continue
			}
			f, err := filter.Compile(s.Value)
			if err != nil {
				param := [2]string{"filter", "data"}[i]
				msg := fmt.Sprintf("%s(): its %s argument: %v", id.Value, param, err)
				if src == "" {
					c.d.Fail(v, p, "%s", msg)
					continue
				}
				before := src[:min(arg.Location().From, len(src))]
				line := strings.Count(before, "\n") + 1
				c.d.at(v, p, line, utf8.RuneCountInString(before[strings.LastIndexByte(before, '\n')+1:])+1, msg)
				continue
			}
			c.f.filters[s.Value] = f
		}
	}))
}

type visitor func(ast.Node)

func (f visitor) Visit(n *ast.Node) { f(*n) }

func isIdent(s string) bool {
	for i, r := range s {
		if r != '_' && !('a' <= r && r <= 'z') && !('A' <= r && r <= 'Z') && (i == 0 || !('0' <= r && r <= '9')) {
			return false
		}
	}
	return s != ""
}

// Set is the flows of a directory, by name.
type Set struct {
	Files []string
	flows map[string]*Flow
}

// Get returns the flow named name, or nil.
func (s *Set) Get(name string) *Flow {
	if s == nil {
		return nil
	}
	return s.flows[name]
}

// Names lists the flows, sorted.
func (s *Set) Names() []string {
	names := make([]string, 0, len(s.flows))
	for n := range s.flows {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// IsTestFile reports whether a file name is a flow test file (*.test.yaml), which Load
// skips and `jds test` runs.
func IsTestFile(name string) bool { return rules.IsTestFile(name) }

// Load parses every flow file (*.yaml, *.yml, not tests) of the directories and files
// named; a directory that does not exist holds none. Every problem of every file is
// reported.
func Load(o Options, paths ...string) (*Set, error) {
	set := &Set{flows: map[string]*Flow{}}
	var errs []error
	for _, path := range paths {
		files, err := yamlFiles(path)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			f, err := ParseFile(file, data, o)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if other := set.flows[f.Name]; other != nil {
				errs = append(errs, &Error{File: file, Msg: fmt.Sprintf("flow %q is defined twice (also in %s)", f.Name, other.File)})
				continue
			}
			set.flows[f.Name] = f
			set.Files = append(set.Files, file)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return set, nil
}

// yamlFiles lists the flow files of a path: the path itself when it is a file, else the
// YAML files of the directory that are not tests. A directory that does not exist
// holds none.
func yamlFiles(path string) ([]string, error) {
	st, err := os.Stat(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return []string{path}, nil
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		name := e.Name()
		ext := filepath.Ext(name)
		if e.IsDir() || (ext != ".yaml" && ext != ".yml") || IsTestFile(name) {
			continue
		}
		out = append(out, filepath.Join(path, name))
	}
	return out, nil
}
