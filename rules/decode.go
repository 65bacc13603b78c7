package rules

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/openjds/jds/internal/suggest"
)

// decoder walks a node tree into the definition types, collecting every problem.
type decoder struct {
	errs problems
	// pos remembers the node at each path, so that problems found later (validation,
	// compilation) point at the line that set the value.
	pos map[string]*node
	// keys remembers the key node of the paths whose problems may be about the key
	// itself rather than its value (a trigger attribute its connector does not read).
	keys map[string]*node
	// rename maps a path that validation reports to the path the file wrote
	// (lookBackPeriod → lookBack when the shorthand was used).
	rename map[string]string
	yaml   bool // rule file: YAML-only keys allowed, any scalar reads as text
	// bad holds the paths of badly written fields: later problems under them are
	// consequences, not news.
	bad map[string]bool
}

func newDecoder(yaml bool) *decoder {
	return &decoder{pos: map[string]*node{}, keys: map[string]*node{}, rename: map[string]string{}, yaml: yaml, bad: map[string]bool{}}
}

func (d *decoder) fail(n *node, path, format string, args ...any) *Error {
	e := d.errs.add(path, format, args...)
	e.Line, e.Col = n.line, n.col
	d.bad[path] = true
	return e
}

type field struct {
	name string
	yaml bool // only in rule files
	fn   func(v *node, path string)
}

// object decodes mapping n: each key to its field, unknown and duplicate keys reported.
// It reports false when n is not a mapping.
func (d *decoder) object(n *node, path string, fields []field) bool {
	d.pos[path] = n
	if n.kind != kMap {
		d.fail(n, path, "expected an object, got %s", n.describe())
		return false
	}
	var names []string
	for _, f := range fields {
		if !f.yaml || d.yaml {
			names = append(names, f.name)
		}
	}
	seen := map[string]*node{}
	for i, k := range n.keys {
		v := n.vals[i]
		p := join(path, k.text)
		if first := seen[k.text]; first != nil {
			if first.line > 0 {
				d.fail(k, p, "duplicate key (first at line %d)", first.line)
			} else {
				d.fail(k, p, "duplicate key")
			}
			continue
		}
		seen[k.text] = k
		var fn func(*node, string)
		for _, f := range fields {
			if f.name == k.text && (!f.yaml || d.yaml) {
				fn = f.fn
			}
		}
		if fn == nil {
			msg := fmt.Sprintf("unknown key %q", k.text)
			s := suggest.Closest(k.text, names)
			if s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			} else {
				msg += " (known: " + strings.Join(names, ", ") + ")"
			}
			d.fail(k, path, "%s", msg)
			delete(d.bad, path)
			d.bad[p] = true
			if s != "" && seen[s] == nil {
				d.bad[join(path, s)] = true // "required" would only repeat the typo
			}
			continue
		}
		d.pos[p] = v
		fn(v, p)
	}
	return true
}

func (d *decoder) list(n *node, path string, item func(v *node, path string)) {
	if n.kind == kNull {
		return
	}
	if n.kind != kList {
		d.fail(n, path, "expected a list, got %s", n.describe())
		return
	}
	for i, it := range n.items {
		p := index(path, i)
		d.pos[p] = it
		item(it, p)
	}
}

// str reads text. null reads as "" (absent). In rule files any scalar is text, so that
// version: 0.1 means "0.1"; in JSON the value must be a string.
func (d *decoder) str(n *node, path string, out *string) {
	switch {
	case n.kind == kNull:
		*out = ""
	case n.kind == kString, d.yaml && (n.kind == kNumber || n.kind == kBool):
		*out = n.text
	default:
		d.fail(n, path, "expected a string, got %s", n.describe())
	}
}

func (d *decoder) integer(n *node, path string, out *int) {
	if n.kind == kNull {
		*out = 0
		return
	}
	if n.kind == kNumber {
		if i, err := strconv.ParseInt(n.text, 10, 32); err == nil {
			*out = int(i)
			return
		}
		if f, err := strconv.ParseFloat(n.text, 64); err == nil && f == math.Trunc(f) && math.Abs(f) <= math.MaxInt32 {
			*out = int(f)
			return
		}
	}
	d.fail(n, path, "expected an integer, got %s", n.describe())
}

func (d *decoder) boolean(n *node, path string, out *bool) {
	switch n.kind {
	case kNull:
		*out = false
	case kBool:
		*out = n.text == "true"
	default:
		d.fail(n, path, "expected true or false, got %s", n.describe())
	}
}

func (d *decoder) template(n *node, path string) *Template {
	t := &Template{}
	d.object(n, path, append([]field{
		{name: "id", fn: func(v *node, p string) { d.str(v, p, &t.ID) }},
		{name: "name", fn: func(v *node, p string) { d.str(v, p, &t.Name) }},
		{name: "source", fn: func(v *node, p string) {}}, // read-only: what a GET returned may be PUT back
		{name: "attributes", fn: func(v *node, p string) {
			d.list(v, p, func(v *node, p string) { t.Attributes = append(t.Attributes, d.attribute(v, p)) })
		}},
	}, d.auditFields(&t.Audit)...))
	return t
}

// auditFields decode an API document's Audit, so that it survives being stored and
// read back; the server overwrites it on every API write. organizationId and
// workspaceId, which GET shows, are accepted and ignored (the path decides), so that
// what was read can be PUT back. Rule files have none of these.
func (d *decoder) auditFields(a *Audit) []field {
	if d.yaml {
		return nil
	}
	return []field{
		{name: "createdAt", fn: func(v *node, p string) { d.str(v, p, &a.CreatedAt) }},
		{name: "createdBy", fn: func(v *node, p string) { d.str(v, p, &a.CreatedBy) }},
		{name: "updatedAt", fn: func(v *node, p string) { d.str(v, p, &a.UpdatedAt) }},
		{name: "updatedBy", fn: func(v *node, p string) { d.str(v, p, &a.UpdatedBy) }},
		{name: "organizationId", fn: func(v *node, p string) {}},
		{name: "workspaceId", fn: func(v *node, p string) {}},
	}
}

func (d *decoder) attribute(n *node, path string) Attribute {
	var a Attribute
	var lookBack, unitOrPeriod *node
	d.object(n, path, []field{
		{name: "version", fn: func(v *node, p string) { d.str(v, p, &a.Version) }},
		{name: "displayName", fn: func(v *node, p string) { d.str(v, p, &a.DisplayName) }},
		{name: "name", fn: func(v *node, p string) { d.str(v, p, &a.Name) }},
		{name: "event", fn: func(v *node, p string) { d.str(v, p, &a.Event) }},
		{name: "metaData", fn: func(v *node, p string) { d.str(v, p, &a.MetaData) }},
		{name: "metaDataType", fn: func(v *node, p string) { d.str(v, p, &a.MetaDataType) }},
		{name: "limit", fn: func(v *node, p string) { d.integer(v, p, &a.Limit) }},
		{name: "lookBackDurationType", fn: func(v *node, p string) { unitOrPeriod = v; d.str(v, p, &a.LookBackDurationType) }},
		{name: "lookBackPeriod", fn: func(v *node, p string) { unitOrPeriod = v; d.integer(v, p, &a.LookBackPeriod) }},
		{name: "lookBack", yaml: true, fn: func(v *node, p string) { lookBack = v }},
		{name: "aggregationMode", fn: func(v *node, p string) { d.str(v, p, &a.AggregationMode) }},
		{name: "rules", fn: func(v *node, p string) {
			if v.kind != kNull {
				a.Rules = d.ruleBlock(v, p)
			}
		}},
		{name: "condition", fn: func(v *node, p string) { d.str(v, p, &a.Condition) }},
		{name: "verbose", fn: func(v *node, p string) { d.boolean(v, p, &a.Verbose) }},
		{name: "widgetAttributes", fn: func(v *node, p string) {
			switch v.kind {
			case kNull:
			case kMap:
				a.WidgetAttributes = v.toAny().(map[string]any)
			default:
				d.fail(v, p, "expected an object, got %s", v.describe())
			}
		}},
	})
	if lookBack != nil {
		p := join(path, "lookBack")
		d.rename[join(path, "lookBackDurationType")] = p
		d.rename[join(path, "lookBackPeriod")] = p
		d.bad[join(path, "lookBackDurationType")] = true // unless the shorthand parses, below
		d.bad[join(path, "lookBackPeriod")] = true
		switch {
		case unitOrPeriod != nil:
			d.fail(lookBack, p, "give either lookBack or lookBackDurationType and lookBackPeriod, not both")
		case lookBack.kind != kString:
			d.fail(lookBack, p, "expected a duration like 30m, 24h or 7d, got %s", lookBack.describe())
		default:
			unit, period, err := parseLookBack(lookBack.text)
			if err != nil {
				d.fail(lookBack, p, "%v", err)
				break
			}
			a.LookBackDurationType, a.LookBackPeriod = unit, period
			for _, f := range []string{"lookBackDurationType", "lookBackPeriod"} {
				d.pos[join(path, f)] = lookBack
				delete(d.bad, join(path, f))
			}
		}
	}
	return a
}

func (d *decoder) ruleBlock(n *node, path string) *RuleBlock {
	b := &RuleBlock{}
	d.object(n, path, []field{
		{name: "logic", fn: func(v *node, p string) { d.str(v, p, &b.Logic) }},
		{name: "condition", fn: func(v *node, p string) { d.str(v, p, &b.Condition) }},
		{name: "args", fn: func(v *node, p string) {
			d.list(v, p, func(v *node, p string) {
				switch {
				case v.kind == kMap:
					b.Args = append(b.Args, RuleArg{Block: d.ruleBlock(v, p)})
				case v.kind == kString:
					b.Args = append(b.Args, RuleArg{Condition: v.text})
				default:
					d.fail(v, p, "expected a condition string or a rule block, got %s", v.describe())
					d.bad[join(path, "args")] = true
				}
			})
		}},
	})
	return b
}

// parseLookBack reads the YAML shorthand: a duration in whole minutes (90m, 24h, 7d,
// 2w, 1d12h) and returns it in the largest JDS unit that holds it exactly.
func parseLookBack(s string) (unit string, period int, err error) {
	d, err := parseDuration(s)
	if err != nil {
		return "", 0, err
	}
	const day = 24 * 60 // minutes
	min := d.Minutes()
	switch {
	case d <= 0:
		return "", 0, fmt.Errorf("must be positive, got %q", s)
	case d%60e9 != 0:
		return "", 0, fmt.Errorf("must be whole minutes, got %q", s)
	case min > MaxLookBackDays*day:
		return "", 0, fmt.Errorf("at most %d days, got %q", MaxLookBackDays, s)
	case int(min)%day == 0:
		return "days", int(min) / day, nil
	case int(min)%60 == 0:
		return "hours", int(min) / 60, nil
	}
	return "minutes", int(min), nil
}
