package rules

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/openjds/jds/internal/egress"
	"github.com/openjds/jds/internal/strict"
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
	// Egress, when set, checks the Webhook targets of actions made through the API
	// (Source "api"), which tenants control: a host the policy refuses as written
	// (an internal address, localhost) is an error naming the field and the rule, and
	// the host must be written out in full. Rule files are the operator's and are not
	// checked. The sender checks again, after DNS resolution, at every delivery.
	Egress *egress.Policy
	// Organization is the organization an action made through the API belongs to
	// (its workspace's): its Connector triggers may name only instances that serve it
	// (Connector.Organizations). "" checks no organization.
	Organization string
	// Organizations are every organization the service serves (its signing keys').
	// Rule files serve them all, so a rule file's action may name only instances that
	// serve every one of them: one restricted to some organizations would spend their
	// credentials on the others' events.
	Organizations []string
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
	// Organizations are the organizations whose actions may deliver through the
	// instance; nil: every organization's.
	Organizations []string
}

// serves reports whether the instance delivers for an organization.
func (c Connector) serves(org string) bool {
	return c.Organizations == nil || slices.Contains(c.Organizations, org)
}

// CompileAction is [CompileAction] with the checks o asks for: the connectors of
// Connector triggers against o.Connectors and the organizations they serve, and the
// webhook targets of actions made through the API against o.Egress.
func (o Options) CompileAction(a *Action, t *Compiled) (*CompiledAction, error) {
	if t == nil {
		return nil, &Error{Path: "templateId", Msg: "the action's template is required"}
	}
	c, errs := compileAction(a, t, o)
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
//
// The instance must also serve the action's organization: for an action made through
// the API (api), o.Organization, which then only learns of the instances it may use;
// for a rule file's, every one of o.Organizations.
func (cs Connectors) check(tr *Trigger, path string, errs *problems, o Options, api bool) {
	c, ok := cs[tr.Connector]
	if ok && api && o.Organization != "" && !c.serves(o.Organization) {
		// Another organization's instance: to this one, it is not configured.
		errs.add(join(path, "connector"), "the connector %q is not available to organization %q: an instance that lists organizations serves only those", tr.Connector, o.Organization)
		return
	}
	if ok && !api && c.Organizations != nil {
		var others []string
		for _, org := range o.Organizations {
			if !c.serves(org) {
				others = append(others, org)
			}
		}
		if len(others) > 0 || len(o.Organizations) == 0 {
			msg := fmt.Sprintf("rule files serve every organization, and the connector %q serves only %s", tr.Connector, strings.Join(c.Organizations, ", "))
			if len(others) > 0 {
				msg += " (not " + strings.Join(others, ", ") + ")"
			}
			errs.add(join(path, "connector"), "%s: name it in actions made through the API by its organizations, or name a connector that serves every organization", msg)
			return
		}
	}
	if !ok {
		var names []string
		for _, name := range slices.Sorted(maps.Keys(cs)) {
			if !api || o.Organization == "" || cs[name].serves(o.Organization) {
				names = append(names, name)
			}
		}
		msg := fmt.Sprintf("no connector named %q is configured", tr.Connector)
		switch s := strict.Closest(tr.Connector, names); {
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
		s := strict.Closest(k, c.Attributes)
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
