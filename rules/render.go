package rules

import (
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/exprbudget"
	"github.com/openjds/jds/internal/identity"
)

// ErrRender is what every rendering failure is: errors.Is(err, ErrRender) holds for the
// errors of CompiledAction.Render. Retrying cannot help (the same inputs render the same
// way), so a delivery worker dead-letters the firing.
var ErrRender = errors.New("rendering an action trigger")

// RenderError is a trigger field that could not be rendered.
type RenderError struct {
	Action string // the action's name
	Field  string // actionTriggers[0].attributes.requestbody
	Err    error  // names the placeholder: ${person.phone[0]}: index out of range: 0 ...
}

func (e *RenderError) Error() string {
	return fmt.Sprintf("action %q: %s: %v", e.Action, e.Field, e.Err)
}

// Is makes every *RenderError an ErrRender.
func (e *RenderError) Is(target error) bool { return target == ErrRender }

func (e *RenderError) Unwrap() error { return e.Err }

// PersonEnv is the person an action fires for, as placeholders see it (person.phone[0]).
type PersonEnv struct {
	ID          string   `expr:"id"`
	FirstName   string   `expr:"firstName"`
	LastName    string   `expr:"lastName"`
	Phone       []string `expr:"phone"`
	Email       []string `expr:"email"`
	CustomerID  []string `expr:"customerId"`
	SocialID    []string `expr:"socialId"`
	TemporaryID []string `expr:"temporaryId"`
	// Aliases is every alias of the person; when nil, Render fills it with the phones,
	// emails, customer ids, social ids and temporary ids, in that order.
	Aliases []string `expr:"aliases"`
}

// NewPersonEnv is a person as placeholders and expressions see it.
func NewPersonEnv(p *identity.Person) PersonEnv {
	e := PersonEnv{ID: p.ID, FirstName: p.FirstName, LastName: p.LastName, Phone: p.Phone, Email: p.Email,
		CustomerID: p.CustomerID, SocialID: p.SocialID, TemporaryID: p.TemporaryID}
	e.fillAliases()
	return e
}

// fillAliases sets Aliases to the phones, emails, customer ids, social ids and temporary
// ids, in that order.
func (p *PersonEnv) fillAliases() {
	p.Aliases = []string{}
	for _, l := range [][]string{p.Phone, p.Email, p.CustomerID, p.SocialID, p.TemporaryID} {
		p.Aliases = append(p.Aliases, l...)
	}
}

// ActionEnv is the action as placeholders see it (action.name).
type ActionEnv struct {
	ID       string `expr:"id"`
	Name     string `expr:"name"`
	Template string `expr:"template"` // the template's name
}

// RenderEnv is what an action's placeholders read.
type RenderEnv struct {
	Person PersonEnv
	// Profile holds the aggregates of the action's template by attribute name, as for
	// Holds; placeholders see their values (profile.closedQueueCalls), times of
	// utc_datetime attributes as time.Time. A missing attribute is nil.
	Profile map[string]Result
	// Event is the event that fired the action (NewEventEnv of it): event.id,
	// event.data.queue. nil reads as an empty event.
	Event *EventEnv
	// Budget is the expression budget of the firing, which its condition may have
	// drawn on already (HoldsWithin); nil: a budget of exprbudget.Units of its own.
	Budget *exprbudget.Budget
}

// RenderedTrigger is a trigger ready to deliver.
type RenderedTrigger struct {
	Type string // Webhook or Connector
	// Webhook: the URL, the method (POST, PUT, PATCH, GET or DELETE), the body and its
	// content type ("" without a body, unless the contenttype attribute was set), and
	// the Authorization header's parts.
	URL, Method, ContentType           string
	AuthorizationScheme, Authorization string
	Body                               []byte
	// Connector: the connector instance's name and the rendered attributes.
	Connector  string
	Attributes map[string]string
	// At is when to deliver, zero for at once.
	At time.Time
}

// renderVars are the variables of placeholders: the keys of the environment map.
const (
	varPerson = "person"
	varEvent  = "event"
	varAction = "action"
)

// renderCompileEnv is the environment placeholders compile against: typed person,
// event and action, and the template's attributes as profile (a map, whose keys are
// checked by profileRefs). t may be nil (names then unchecked).
func renderCompileEnv(t *Compiled) map[string]any {
	profile := map[string]any{}
	if t != nil {
		for _, a := range t.Attrs {
			profile[a.Name] = sampleValue(a)
		}
	}
	return map[string]any{varPerson: PersonEnv{}, profileVar: profile, varEvent: &EventEnv{}, varAction: ActionEnv{}}
}

// Render renders every trigger of the action for one firing: each template string with
// its placeholders replaced, At evaluated. The first failure is a [*RenderError] naming
// the trigger field and the placeholder (errors.Is(err, ErrRender) holds).
func (c *CompiledAction) Render(env RenderEnv) ([]RenderedTrigger, error) {
	out, errs := c.RenderEach(env)
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// RenderEach is Render trigger by trigger: errs[i] is the *RenderError of trigger i (and
// out[i] then holds what was rendered before the failure), or nil when out[i] is
// rendered. All the placeholders of one firing share one expression
// budget of exprbudget.Units: a trigger that finds it spent fails with an error
// wrapping exprbudget.ErrBudget, and so may those after it.
func (c *CompiledAction) RenderEach(env RenderEnv) (out []RenderedTrigger, errs []error) {
	profile := make(map[string]any, len(c.Template.Attrs))
	for _, a := range c.Template.Attrs {
		if res, ok := env.Profile[a.Name]; ok {
			profile[a.Name] = exprValue(a, res.Value)
		} else {
			profile[a.Name] = nil
		}
	}
	p := env.Person
	if p.Aliases == nil {
		p.fillAliases()
	}
	ev := env.Event
	if ev == nil {
		ev = &EventEnv{Data: map[string]any{}}
		ev.Event = ev
	}
	vars := map[string]any{
		varPerson:  p,
		profileVar: profile,
		varEvent:   ev,
		varAction:  ActionEnv{ID: c.Action.ID, Name: c.Action.Name, Template: c.Action.Template},
	}
	budget := env.Budget
	if budget == nil {
		budget = exprbudget.NewBudget(exprbudget.Units)
	}
	out = make([]RenderedTrigger, len(c.triggers))
	errs = make([]error, len(c.triggers))
	for i := range c.triggers {
		rt, err := c.triggers[i].render(vars, budget)
		out[i] = rt
		if err != nil {
			err.Action = c.Action.Name
			errs[i] = err
		}
	}
	return out, errs
}

func (ct *compiledTrigger) render(vars map[string]any, budget *exprbudget.Budget) (RenderedTrigger, *RenderError) {
	rt := RenderedTrigger{Type: ct.typ, Method: ct.method, ContentType: ct.contentType, Connector: ct.connector}
	field := func(name string, t *tmpl, out *string) *RenderError {
		if t == nil {
			return nil
		}
		s, err := t.render(vars, budget)
		if err != nil {
			return &RenderError{Field: name, Err: err}
		}
		*out = s
		return nil
	}
	if err := field(ct.urlField, ct.url, &rt.URL); err != nil {
		return rt, err
	}
	if ct.url != nil {
		if u, err := url.Parse(rt.URL); err != nil || u.Host == "" {
			return rt, &RenderError{Field: ct.urlField, Err: fmt.Errorf("not a URL once rendered: %q", rt.URL)}
		}
	}
	if err := field(join(ct.path, "authorizationScheme"), ct.scheme, &rt.AuthorizationScheme); err != nil {
		return rt, err
	}
	if err := field(join(ct.path, "authorization"), ct.auth, &rt.Authorization); err != nil {
		return rt, err
	}
	var body string
	if err := field(ct.bodyField, ct.body, &body); err != nil {
		return rt, err
	}
	if ct.body != nil {
		rt.Body = []byte(body)
	}
	if ct.attrs != nil {
		rt.Attributes = make(map[string]string, len(ct.attrs))
		for _, k := range ct.attrNames {
			var s string
			if err := field(join(join(ct.path, "attributes"), k), ct.attrs[k], &s); err != nil {
				return rt, err
			}
			rt.Attributes[k] = s
		}
	}
	if ct.at != nil {
		v, err := budget.Run(ct.at, vars)
		if err != nil {
			return rt, &RenderError{Field: ct.atAt, Err: exprErr(err)}
		}
		t, ok := v.(time.Time)
		if !ok {
			return rt, &RenderError{Field: ct.atAt, Err: fmt.Errorf("expected a time, got %T", v)}
		}
		rt.At = t.UTC()
	}
	return rt, nil
}

// MarshalJSON writes the event as CloudEvents JSON (its extensions as top-level
// members, time as RFC 3339 UTC with milliseconds), so that ${event} renders the
// whole triggering event. Empty attributes are left out.
func (e *EventEnv) MarshalJSON() ([]byte, error) {
	m := make(map[string]any, 10+len(e.Ext))
	for k, v := range e.Ext {
		m[k] = v
	}
	for k, v := range map[string]string{"id": e.ID, "type": e.Type, "source": e.Source, "identity": e.Identity,
		"identitytype": e.IdentityType, "previousidentity": e.PreviousIdentity, "subject": e.Subject} {
		if v != "" {
			m[k] = v
		}
	}
	m["specversion"] = "1.0"
	if !e.Time.IsZero() {
		m["time"] = e.Time.UTC().Format(event.TimeLayout)
	}
	if e.Data != nil {
		m["data"] = e.Data
	}
	s, err := marshalJSON(m)
	return []byte(s), err
}
