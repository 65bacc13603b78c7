package rules

import (
	"fmt"
	"math"
	"strconv"

	"github.com/openjds/jds/internal/strict"
)

// The definitions arrive as JSON (the API) or YAML (rule files); both are turned into
// a strict.Node tree, and the decoder below walks it against the definition types, so
// that unknown keys, duplicate keys and type errors are all reported at once, each with
// its JSON path and, for YAML, its line and column.

// decoder walks a node tree into the definition types, collecting every problem.
type decoder struct {
	*strict.Decoder
	// keys remembers the key node of the paths whose problems may be about the key
	// itself rather than its value (a trigger attribute its connector does not read).
	keys map[string]*strict.Node
	// rename maps a path that validation reports to the path the file wrote
	// (lookBackPeriod → lookBack when the shorthand was used).
	rename map[string]string
	yaml   bool // rule file: YAML-only keys allowed, any scalar reads as text
}

func newDecoder(file string, yaml bool) *decoder {
	return &decoder{Decoder: strict.NewDecoder(file, strict.PathFirst), keys: map[string]*strict.Node{}, rename: map[string]string{}, yaml: yaml}
}

// toProblems turns the strict package's Errors into rules' Errors.
func toProblems(es strict.Errors) problems {
	out := make(problems, len(es))
	for i, e := range es {
		out[i] = &Error{File: e.File, Line: e.Line, Col: e.Col, Path: e.Path, Msg: e.Msg}
	}
	return out
}

type field struct {
	name string
	yaml bool // only in rule files
	fn   func(v *strict.Node, path string)
}

// object decodes mapping n: each key to its field, unknown and duplicate keys reported.
// It reports false when n is not a mapping.
func (d *decoder) object(n *strict.Node, path string, fields []field) bool {
	var fs []strict.Field
	for _, f := range fields {
		if !f.yaml || d.yaml {
			fs = append(fs, strict.Field{Name: f.name, Decode: f.fn})
		}
	}
	return d.Object(n, path, fs)
}

// list decodes list n, item by item; null is an empty list.
func (d *decoder) list(n *strict.Node, path string, item func(v *strict.Node, path string)) {
	if n.Kind != strict.Null {
		d.List(n, path, item)
	}
}

// str reads text. null reads as "" (absent). In rule files any scalar is text, so that
// version: 0.1 means "0.1"; in JSON the value must be a string.
func (d *decoder) str(n *strict.Node, path string, out *string) {
	switch {
	case n.Kind == strict.Null:
		*out = ""
	case n.Kind == strict.String, d.yaml && (n.Kind == strict.Number || n.Kind == strict.Bool):
		*out = n.Text
	default:
		d.Fail(n, path, "expected a string, got %s", n.Describe())
	}
}

// text is a field that str reads into out.
func (d *decoder) text(name string, out *string) field {
	return field{name: name, fn: func(v *strict.Node, p string) { d.str(v, p, out) }}
}

func (d *decoder) integer(n *strict.Node, path string, out *int) {
	if n.Kind == strict.Null {
		*out = 0
		return
	}
	if n.Kind == strict.Number {
		if i, err := strconv.ParseInt(n.Text, 10, 32); err == nil {
			*out = int(i)
			return
		}
		if f, err := strconv.ParseFloat(n.Text, 64); err == nil && f == math.Trunc(f) && math.Abs(f) <= math.MaxInt32 {
			*out = int(f)
			return
		}
	}
	d.Fail(n, path, "expected an integer, got %s", n.Describe())
}

func (d *decoder) boolean(n *strict.Node, path string, out *bool) {
	switch n.Kind {
	case strict.Null:
		*out = false
	case strict.Bool:
		*out = n.True()
	default:
		d.Fail(n, path, "expected true or false, got %s", n.Describe())
	}
}

func (d *decoder) template(n *strict.Node, path string) *Template {
	t := &Template{}
	d.object(n, path, append([]field{
		d.text("id", &t.ID),
		d.text("name", &t.Name),
		{name: "source", fn: func(v *strict.Node, p string) {}}, // read-only: what a GET returned may be PUT back
		{name: "attributes", fn: func(v *strict.Node, p string) {
			d.list(v, p, func(v *strict.Node, p string) { t.Attributes = append(t.Attributes, d.attribute(v, p)) })
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
	ignore := func(*strict.Node, string) {}
	return []field{
		d.text("createdAt", &a.CreatedAt),
		d.text("createdBy", &a.CreatedBy),
		d.text("updatedAt", &a.UpdatedAt),
		d.text("updatedBy", &a.UpdatedBy),
		{name: "organizationId", fn: ignore},
		{name: "workspaceId", fn: ignore},
	}
}

func (d *decoder) attribute(n *strict.Node, path string) Attribute {
	var a Attribute
	var lookBack, unitOrPeriod *strict.Node
	d.object(n, path, []field{
		d.text("version", &a.Version),
		d.text("displayName", &a.DisplayName),
		d.text("name", &a.Name),
		d.text("event", &a.Event),
		d.text("metaData", &a.MetaData),
		d.text("metaDataType", &a.MetaDataType),
		{name: "limit", fn: func(v *strict.Node, p string) { d.integer(v, p, &a.Limit) }},
		{name: "lookBackDurationType", fn: func(v *strict.Node, p string) { unitOrPeriod = v; d.str(v, p, &a.LookBackDurationType) }},
		{name: "lookBackPeriod", fn: func(v *strict.Node, p string) { unitOrPeriod = v; d.integer(v, p, &a.LookBackPeriod) }},
		{name: "lookBack", yaml: true, fn: func(v *strict.Node, p string) { lookBack = v }},
		d.text("aggregationMode", &a.AggregationMode),
		{name: "rules", fn: func(v *strict.Node, p string) {
			if v.Kind != strict.Null {
				a.Rules = d.ruleBlock(v, p)
			}
		}},
		d.text("condition", &a.Condition),
		{name: "verbose", fn: func(v *strict.Node, p string) { d.boolean(v, p, &a.Verbose) }},
		{name: "widgetAttributes", fn: func(v *strict.Node, p string) {
			switch v.Kind {
			case strict.Null:
			case strict.Map:
				a.WidgetAttributes = v.Value().(map[string]any)
			default:
				d.Fail(v, p, "expected an object, got %s", v.Describe())
			}
		}},
	})
	if lookBack != nil {
		p := join(path, "lookBack")
		d.rename[join(path, "lookBackDurationType")] = p
		d.rename[join(path, "lookBackPeriod")] = p
		d.Bad[join(path, "lookBackDurationType")] = true // unless the shorthand parses, below
		d.Bad[join(path, "lookBackPeriod")] = true
		switch {
		case unitOrPeriod != nil:
			d.Fail(lookBack, p, "give either lookBack or lookBackDurationType and lookBackPeriod, not both")
		case lookBack.Kind != strict.String:
			d.Fail(lookBack, p, "expected a duration like 30m, 24h or 7d, got %s", lookBack.Describe())
		default:
			unit, period, err := parseLookBack(lookBack.Text)
			if err != nil {
				d.Fail(lookBack, p, "%v", err)
				break
			}
			a.LookBackDurationType, a.LookBackPeriod = unit, period
			for _, f := range []string{"lookBackDurationType", "lookBackPeriod"} {
				d.Pos[join(path, f)] = lookBack
				delete(d.Bad, join(path, f))
			}
		}
	}
	return a
}

func (d *decoder) ruleBlock(n *strict.Node, path string) *RuleBlock {
	b := &RuleBlock{}
	d.object(n, path, []field{
		d.text("logic", &b.Logic),
		d.text("condition", &b.Condition),
		{name: "args", fn: func(v *strict.Node, p string) {
			d.list(v, p, func(v *strict.Node, p string) {
				switch {
				case v.Kind == strict.Map:
					b.Args = append(b.Args, RuleArg{Block: d.ruleBlock(v, p)})
				case v.Kind == strict.String:
					b.Args = append(b.Args, RuleArg{Condition: v.Text})
				default:
					d.Fail(v, p, "expected a condition string or a rule block, got %s", v.Describe())
					d.Bad[join(path, "args")] = true
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
