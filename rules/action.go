package rules

import (
	"fmt"
	"strings"
	"time"

	"github.com/openjds/jds/internal/event"
)

// ActionRule is a journey action's rule, compiled: the JDS grammar over the aggregates
// of a template's attributes. "Closed Queue,category,string,Count GTE 1" names the
// attribute that counts "Closed Queue" events with metaData "category" and mode Count,
// and holds when its result is at least 1. It is immutable and safe for concurrent use.
type ActionRule struct {
	eval  pred[map[string]Result]
	attrs []*CompiledAttr
}

// CompileActionRule compiles an action's rule block against the attributes of its
// template. Each condition names one attribute by event, metaData and mode (the type
// picks between attributes that differ only by metaDataType); the operand is that
// attribute's aggregate:
//
//	Count                 an integer
//	Sum, Min, Max, Value  the attribute's type (Sum and the rest of a string attribute: a number)
//	Average               a number
//	Distinct              the list: HAS tests membership, EQ and NEQ the joined result
//
// Problems are [*Error]s with paths under "rules" (rules.args[1]: ...).
func CompileActionRule(b *RuleBlock, attrs []*CompiledAttr) (*ActionRule, error) {
	if b == nil {
		return nil, &Error{Path: "rules", Msg: "required"}
	}
	b = cloneBlock(b)
	r := &ActionRule{}
	var errs problems
	used := map[*CompiledAttr]bool{}
	r.eval = compileBlock(b, "rules", 0, &errs, func(s, path string) pred[map[string]Result] {
		c, cerr := parseCondition(s)
		if cerr != nil {
			errs.add(path, "%s", cerr.msg).exprCol = cerr.col
			return nil
		}
		a, msg := findAttr(c, attrs)
		if a == nil {
			errs.add(path, "%s", msg).exprCol = 1
			return nil
		}
		k, list := a.kind, c.Mode == ModeDistinct
		switch c.Mode {
		case ModeCount:
			k = vInt
		case ModeAverage:
			k = vFloat
		}
		cmp, err := newComparator(c.Op, k, list, c.Value)
		if err != nil {
			errs.add(path, "%v", err).exprCol = c.valueAt
			return nil
		}
		if !used[a] {
			used[a] = true
			r.attrs = append(r.attrs, a)
		}
		return func(results map[string]Result) (bool, error) {
			res, ok := results[a.Name]
			if !ok {
				return false, fmt.Errorf("evaluating an action rule: no result for attribute %q", a.Name)
			}
			v := res.Value
			if s, ok := v.(string); ok && k == vTime && !list {
				t, err := time.Parse(event.TimeLayout, s)
				if err != nil {
					return false, nil
				}
				v = t
			}
			return v != nil && cmp.test(v), nil
		}
	})
	if len(errs) > 0 {
		return nil, errs.err()
	}
	return r, nil
}

func findAttr(c *condition, attrs []*CompiledAttr) (*CompiledAttr, string) {
	var found []*CompiledAttr
	for _, a := range attrs {
		if a.Event == c.Event && a.metaData == c.MetaData && a.Mode == c.Mode {
			found = append(found, a)
		}
	}
	if len(found) > 1 {
		var typed []*CompiledAttr
		for _, a := range found {
			if a.metaType == c.Type {
				typed = append(typed, a)
			}
		}
		if len(typed) > 0 {
			found = typed
		}
	}
	switch {
	case len(found) == 0:
		var have []string
		for _, a := range attrs {
			have = append(have, fmt.Sprintf("%q (%s,%s,%s,%s)", a.Name, a.Event, a.metaData, a.metaType, a.Mode))
		}
		msg := fmt.Sprintf("no attribute of the template has event %q, metaData %q and mode %s", c.Event, c.MetaData, c.Mode)
		if len(have) > 0 {
			msg += "; it has " + strings.Join(have, ", ")
		}
		return nil, msg
	case len(found) > 1:
		for _, a := range found[1:] {
			if a.Key != found[0].Key {
				return nil, fmt.Sprintf("attributes %q and %q both have event %q, metaData %q, type %s and mode %s: the condition is ambiguous",
					found[0].Name, a.Name, c.Event, c.MetaData, c.Type, c.Mode)
			}
		}
	}
	return found[0], ""
}

// Attrs lists the attributes the rule reads, each once: the aggregates Eval needs.
func (r *ActionRule) Attrs() []*CompiledAttr { return r.attrs }

// Eval evaluates the rule over aggregate results keyed by attribute name (CompiledAttr.Name,
// unique in a template; not Key, which attributes of different modes may share). A
// missing result is an error; an attribute without data (nil Value) fails every
// comparison.
func (r *ActionRule) Eval(results map[string]Result) (bool, error) {
	return r.eval(results)
}
