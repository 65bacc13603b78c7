package rules

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/openjds/jds/suggest"
)

// Options are what definitions are checked against besides themselves: the parts of
// the configuration a rule file or an action depends on. The zero value checks each
// definition on its own, as `jds test` and the API's first pass do.
type Options struct {
	// Connectors are the connector instances Connector triggers may name. With it set,
	// a trigger naming an instance that is not configured, an attribute its kind does
	// not read, or none of an attribute its kind requires is a load error: otherwise
	// every delivery of that trigger would become a dead letter. nil checks nothing.
	Connectors Connectors
}

// Connectors are the configured connector instances, by name.
type Connectors map[string]Connector

// Connector is what an action may know of a connector instance.
type Connector struct {
	Kind string // as in the configuration: twilio, webhook, log…
	// Attributes are the delivery attributes the kind reads; nil when it takes any
	// (a kind that forwards them all).
	Attributes []string
	// Required are those of Attributes that every delivery must carry, not empty.
	Required []string
}

// CompileAction is [CompileAction] with the checks o asks for: the connectors of
// Connector triggers against o.Connectors.
func (o Options) CompileAction(a *Action, t *Compiled) (*CompiledAction, error) {
	if t == nil {
		return nil, &Error{Path: "templateId", Msg: "the action's template is required"}
	}
	c, errs := compileAction(a, t, o.Connectors)
	if len(errs) > 0 {
		return nil, errs.err()
	}
	return c, nil
}

// check reports what would make every delivery of the Connector trigger tr (at path)
// fail: an instance that is not configured, attributes its kind does not read, and
// required attributes it lacks. A misspelt attribute suggests the nearest known one,
// or the one required attribute that is missing (text for body), and the missing one
// is then not reported again.
func (cs Connectors) check(tr *Trigger, path string, errs *problems) {
	c, ok := cs[tr.Connector]
	if !ok {
		names := slices.Sorted(maps.Keys(cs))
		msg := fmt.Sprintf("no connector named %q is configured", tr.Connector)
		switch s := suggest.Closest(tr.Connector, names); {
		case s != "":
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		case len(names) == 0:
			msg += " (the configuration has no connectors)"
		default:
			msg += " (configured: " + strings.Join(names, ", ") + ")"
		}
		errs.add(join(path, "connector"), "%s", msg)
		return
	}
	if c.Attributes == nil {
		return
	}
	var missing []string
	for _, r := range c.Required {
		if strings.TrimSpace(tr.Attributes[r]) == "" {
			missing = append(missing, r)
		}
	}
	ap := join(path, "attributes")
	suggested := map[string]bool{}
	for _, k := range slices.Sorted(maps.Keys(tr.Attributes)) {
		if slices.Contains(c.Attributes, k) {
			continue
		}
		msg := fmt.Sprintf("the %s connector %q reads no attribute %q", c.Kind, tr.Connector, k)
		s := suggest.Closest(k, c.Attributes)
		if s == "" && len(missing) == 1 && !suggested[missing[0]] {
			s = missing[0]
		}
		if s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
			suggested[s] = true
		} else {
			msg += " (it reads " + strings.Join(c.Attributes, ", ") + ")"
		}
		errs.add(join(ap, k), "%s", msg).atKey = true
	}
	for _, m := range missing {
		if suggested[m] {
			continue
		}
		if _, there := tr.Attributes[m]; there {
			errs.add(join(ap, m), "must not be empty: the %s connector %q needs it", c.Kind, tr.Connector)
			continue
		}
		at := path
		if len(tr.Attributes) > 0 {
			at = ap
		}
		errs.add(at, "the %s connector %q needs attribute %q", c.Kind, tr.Connector, m)
	}
}
