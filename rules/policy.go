package rules

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // policies name IANA zones; images without zoneinfo still know them

	"github.com/openjds/jds/internal/strict"
)

// Policy is a contact policy: limits on every journey action's deliveries through the
// connector instances it names, whatever action fires them. Rule files declare them
// under the top-level key "policies"; a workspace may also have its own through the API.
//
//	policies:
//	  - name: sms etiquette
//	    connectors: [sms]
//	    quietHours: {from: "21:00", to: "08:00", timezone: America/New_York}
//	    maxPerPerson: {count: 1, per: 24h}
//	    optOut: {event: SMS Reply, field: body, stopWords: [STOP], startWords: [START]}
type Policy struct {
	Name       string   `json:"name" yaml:"name"`
	Connectors []string `json:"connectors" yaml:"connectors"`
	// QuietHours defers a delivery due inside them to their end.
	QuietHours *QuietHours `json:"quietHours,omitempty" yaml:"quietHours,omitempty"`
	// MaxPerPerson suppresses a delivery past Count in the window Per before it fires,
	// counting the deliveries of every action through the policy's connectors.
	MaxPerPerson *MaxPerPerson `json:"maxPerPerson,omitempty" yaml:"maxPerPerson,omitempty"`
	// OptOut suppresses every delivery to a person whose latest reply was a stop word,
	// until a start word.
	OptOut *OptOut `json:"optOut,omitempty" yaml:"optOut,omitempty"`
	// Source is "api", or the rule file path the policy came from (read-only).
	Source string `json:"source,omitempty" yaml:"-"`

	// readOnly marks a policy of a list posted to the API that GET showed as a rule
	// file's: it is skipped, so that what GET returned may be PUT back.
	readOnly bool
}

// MaxAPIPolicies bounds the contact policies one workspace keeps through the API.
const MaxAPIPolicies = 100

// Caps on a policy's lists, from the API or a rule file. Every delivery an action fires
// is matched against each policy's connectors as the event commits, so that list is
// short; the words are looked up, not scanned, and are capped for their memory.
const (
	MaxPolicyConnectors = 100
	MaxPolicyWords      = 1000 // stopWords, and startWords
)

// QuietHours are the local times of day no delivery is sent, From to To ("21:00" to
// "08:00" wraps around midnight). The time zone is the person's when TimezoneAttribute
// names where to find it, else Timezone, else UTC.
type QuietHours struct {
	From     string `json:"from" yaml:"from"`
	To       string `json:"to" yaml:"to"`
	Timezone string `json:"timezone,omitempty" yaml:"timezone,omitempty"` // IANA name
	// TimezoneAttribute names an attribute of the firing action's template, or failing
	// that a field of the firing event's data (dots for nesting), that holds the person's
	// IANA zone name. Absent or not a zone: Timezone.
	TimezoneAttribute string `json:"timezoneAttribute,omitempty" yaml:"timezoneAttribute,omitempty"`
}

// MaxPerPerson is at most Count deliveries to one person in any window Per (a duration
// like 24h or 7d).
type MaxPerPerson struct {
	Count int    `json:"count" yaml:"count"`
	Per   string `json:"per" yaml:"per"`
}

// OptOut reads a person's opt-outs from their events of type Event: when the text at
// Field of its data, trimmed, is one of StopWords (case ignored), the person opts out;
// one of StartWords, back in.
type OptOut struct {
	Event      string   `json:"event" yaml:"event"`
	Field      string   `json:"field" yaml:"field"`
	StopWords  []string `json:"stopWords" yaml:"stopWords"`
	StartWords []string `json:"startWords,omitempty" yaml:"startWords,omitempty"`
}

// Policy reasons, as a held delivery records them.
const (
	ReasonOptOut       = "optOut"
	ReasonMaxPerPerson = "maxPerPerson"
	ReasonQuietHours   = "quietHours"
)

// CompiledPolicy is a Policy checked and ready to apply. Immutable, safe for concurrent
// use.
type CompiledPolicy struct {
	Policy   *Policy
	from, to int // minutes into the day
	zone     *time.Location
	Per      time.Duration // of MaxPerPerson; 0 without
	words    map[string]bool
}

// Applies reports whether the policy holds deliveries through a connector instance.
func (p *CompiledPolicy) Applies(connector string) bool {
	return connector != "" && slices.Contains(p.Policy.Connectors, connector)
}

// OptOutState is the key of a person's opt-out state for the policy in derived state.
func (p *CompiledPolicy) OptOutState() string { return "policy-optout:" + p.Policy.Name }

// SentState is the key of the policy's recent deliveries to a person in derived state.
func (p *CompiledPolicy) SentState() string { return "policy-sent:" + p.Policy.Name }

// Reply says whether an event opts its person out (true) or back in (false); ok is
// false when it does neither (another type, another text).
func (p *CompiledPolicy) Reply(env *EventEnv) (out, ok bool) {
	o := p.Policy.OptOut
	if o == nil || env == nil || env.Type != o.Event {
		return false, false
	}
	v, found := lookup(env.Data, o.Field)
	s, isText := v.(string)
	if !found || !isText {
		return false, false
	}
	out, ok = p.words[strings.ToUpper(strings.TrimSpace(s))]
	return out, ok
}

// Zone is the time zone of quiet hours for a person: the zone named by the attribute
// TimezoneAttribute of the firing action's profile results or, failing that, by that
// field of the firing event's data, when it is a zone; else the policy's.
func (p *CompiledPolicy) Zone(profile map[string]Result, ev *EventEnv) *time.Location {
	q := p.Policy.QuietHours
	if q == nil || q.TimezoneAttribute == "" {
		return p.zone
	}
	name, _ := profile[q.TimezoneAttribute].Value.(string)
	if name == "" && ev != nil {
		v, _ := lookup(ev.Data, q.TimezoneAttribute)
		name, _ = v.(string)
	}
	if name = strings.TrimSpace(name); name != "" && name != "Local" {
		if loc, err := time.LoadLocation(name); err == nil {
			return loc
		}
	}
	return p.zone
}

// QuietUntil is when quiet hours that hold at t (in zone loc) end; ok is false when t
// is outside them (or the policy has none).
func (p *CompiledPolicy) QuietUntil(t time.Time, loc *time.Location) (end time.Time, ok bool) {
	if p.Policy.QuietHours == nil || p.from == p.to {
		return time.Time{}, false
	}
	lt := t.In(loc)
	m := lt.Hour()*60 + lt.Minute()
	quiet := p.from < p.to && m >= p.from && m < p.to ||
		p.from > p.to && (m >= p.from || m < p.to)
	if !quiet {
		return time.Time{}, false
	}
	end = time.Date(lt.Year(), lt.Month(), lt.Day(), p.to/60, p.to%60, 0, 0, loc)
	if !end.After(lt) {
		end = time.Date(lt.Year(), lt.Month(), lt.Day()+1, p.to/60, p.to%60, 0, 0, loc)
	}
	return end.UTC(), true
}

// Full reports whether maxPerPerson allows no more deliveries at now, given the times
// of the person's earlier ones through the policy's connectors.
func (p *CompiledPolicy) Full(now time.Time, sent []time.Time) bool {
	m := p.Policy.MaxPerPerson
	if m == nil {
		return false
	}
	n := 0
	for _, t := range sent {
		if now.Sub(t) < p.Per {
			n++
		}
	}
	return n >= m.Count
}

// ParsePoliciesJSON is [Options.ParsePoliciesJSON] without checks against the
// configuration: how stored policies are read back.
func ParsePoliciesJSON(raw []byte) ([]*CompiledPolicy, error) {
	return Options{}.ParsePoliciesJSON(raw)
}

// ParsePoliciesJSON decodes a workspace's policies as the API takes them: a JSON list
// of policies, strictly, checked as o asks (their connectors). The error joins one
// [*Error] per problem, each naming its JSON path ([0].quietHours.from: ...).
func (o Options) ParsePoliciesJSON(raw []byte) ([]*CompiledPolicy, error) {
	n, err := strict.FromJSON(raw)
	if err != nil {
		return nil, &Error{Msg: err.Error()}
	}
	d := newDecoder("", false)
	var ps []*Policy
	if n.Kind != strict.List {
		return nil, &Error{Msg: "expected a list of policies, got " + n.Describe()}
	}
	d.list(n, "", func(v *strict.Node, p string) { ps = append(ps, d.policy(v, p)) })
	if len(ps) > MaxAPIPolicies {
		return nil, &Error{Msg: fmt.Sprintf("at most %d policies per workspace, got %d", MaxAPIPolicies, len(ps))}
	}
	cs, errs := compilePolicies(ps, "", o)
	if errs = d.merge(errs); len(errs) > 0 {
		return nil, errs.err()
	}
	for _, c := range cs {
		c.Policy.Source = "api"
	}
	return cs, nil
}

func (d *decoder) policy(n *strict.Node, path string) *Policy {
	p := &Policy{}
	words := func(out *[]string) func(v *strict.Node, p string) {
		return func(v *strict.Node, p string) {
			d.list(v, p, func(v *strict.Node, p string) {
				var s string
				d.str(v, p, &s)
				*out = append(*out, s)
			})
		}
	}
	d.object(n, path, []field{
		d.text("name", &p.Name),
		{name: "source", fn: func(v *strict.Node, p string) {}}, // read-only
		{name: "readOnly", fn: func(v *strict.Node, pp string) {
			if !d.yaml {
				d.boolean(v, pp, &p.readOnly)
			} else {
				d.Fail(v, pp, "unknown key: readOnly is what the API shows of rule files' policies")
			}
		}},
		{name: "connectors", fn: words(&p.Connectors)},
		{name: "quietHours", fn: func(v *strict.Node, pp string) {
			if v.Kind == strict.Null {
				return
			}
			q := &QuietHours{}
			d.object(v, pp, []field{d.text("from", &q.From), d.text("to", &q.To), d.text("timezone", &q.Timezone),
				d.text("timezoneAttribute", &q.TimezoneAttribute)})
			p.QuietHours = q
		}},
		{name: "maxPerPerson", fn: func(v *strict.Node, pp string) {
			if v.Kind == strict.Null {
				return
			}
			m := &MaxPerPerson{}
			d.object(v, pp, []field{
				{name: "count", fn: func(v *strict.Node, p string) { d.integer(v, p, &m.Count) }},
				d.text("per", &m.Per),
			})
			p.MaxPerPerson = m
		}},
		{name: "optOut", fn: func(v *strict.Node, pp string) {
			if v.Kind == strict.Null {
				return
			}
			o := &OptOut{}
			d.object(v, pp, []field{d.text("event", &o.Event), d.text("field", &o.Field),
				{name: "stopWords", fn: words(&o.StopWords)}, {name: "startWords", fn: words(&o.StartWords)}})
			p.OptOut = o
		}},
	})
	return p
}

// compilePolicies checks policies (under prefix: "policies" in a rule file, "" in the
// API's list) and compiles them; names must be unique.
func compilePolicies(ps []*Policy, prefix string, o Options) ([]*CompiledPolicy, problems) {
	var out []*CompiledPolicy
	var errs problems
	names := map[string]int{}
	for i, p := range ps {
		if p.readOnly {
			continue
		}
		path := index(prefix, i)
		c, perrs := compilePolicy(p, path, o)
		errs = append(errs, perrs...)
		if c == nil {
			continue
		}
		if j, dup := names[p.Name]; dup {
			errs.add(join(path, "name"), "%q is also the name of %s; policy names must be unique", p.Name, index(prefix, j))
			continue
		}
		names[p.Name] = i
		out = append(out, c)
	}
	return out, errs
}

func compilePolicy(p *Policy, path string, o Options) (*CompiledPolicy, problems) {
	var errs problems
	c := &CompiledPolicy{Policy: p, zone: time.UTC, words: map[string]bool{}}
	p.Name = strings.TrimSpace(p.Name)
	if p.Name == "" {
		errs.add(join(path, "name"), "required: a name, which held deliveries record")
	}
	switch {
	case len(p.Connectors) == 0:
		errs.add(join(path, "connectors"), "required: the connector instances whose deliveries the policy holds")
	case len(p.Connectors) > MaxPolicyConnectors:
		errs.add(join(path, "connectors"), "%d given, at most %d", len(p.Connectors), MaxPolicyConnectors)
	}
	for i, name := range p.Connectors {
		if o.Connectors == nil || len(p.Connectors) > MaxPolicyConnectors {
			break
		}
		// Through the API (o.Organization set), another organization's instance is
		// not configured, as for actions.
		if c, ok := o.Connectors[name]; !ok || o.Organization != "" && !c.serves(o.Organization) {
			msg := fmt.Sprintf("no connector named %q is configured", name)
			var names []string
			for n, c := range o.Connectors {
				if o.Organization == "" || c.serves(o.Organization) {
					names = append(names, n)
				}
			}
			if s := strict.Closest(name, names); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			errs.add(index(join(path, "connectors"), i), "%s", msg)
		}
	}
	if p.QuietHours == nil && p.MaxPerPerson == nil && p.OptOut == nil {
		errs.add(path, "a policy needs quietHours, maxPerPerson or optOut")
	}
	if q := p.QuietHours; q != nil {
		qp := join(path, "quietHours")
		var ok bool
		if c.from, ok = clock(q.From); !ok {
			errs.add(join(qp, "from"), "expected a time of day like 21:00, got %q", q.From)
		}
		if c.to, ok = clock(q.To); !ok {
			errs.add(join(qp, "to"), "expected a time of day like 08:00, got %q", q.To)
		}
		if q.Timezone != "" {
			loc, err := time.LoadLocation(q.Timezone)
			if err != nil || q.Timezone == "Local" {
				errs.add(join(qp, "timezone"), "unknown time zone %q: expected an IANA name like America/New_York", q.Timezone)
			} else {
				c.zone = loc
			}
		}
	}
	if m := p.MaxPerPerson; m != nil {
		mp := join(path, "maxPerPerson")
		if m.Count < 1 {
			errs.add(join(mp, "count"), "must be at least 1, got %d", m.Count)
		}
		per, err := parseDuration(m.Per)
		switch {
		case err != nil:
			errs.add(join(mp, "per"), "%v", err)
		case per <= 0 || per > MaxLookBackDays*24*time.Hour:
			errs.add(join(mp, "per"), "must be positive and at most %d days, got %q", MaxLookBackDays, m.Per)
		default:
			c.Per = per
		}
	}
	if op := p.OptOut; op != nil {
		oo := join(path, "optOut")
		if strings.TrimSpace(op.Event) == "" {
			errs.add(join(oo, "event"), "required: the type of the events that carry replies")
		}
		if strings.TrimSpace(op.Field) == "" {
			errs.add(join(oo, "field"), "required: the key of the reply's text in the event's data")
		}
		if len(op.StopWords) == 0 {
			errs.add(join(oo, "stopWords"), "required: the replies that opt out (STOP)")
		}
		for _, list := range []struct {
			name  string
			words []string
			out   bool
		}{{"stopWords", op.StopWords, true}, {"startWords", op.StartWords, false}} {
			if len(list.words) > MaxPolicyWords {
				errs.add(join(oo, list.name), "%d given, at most %d", len(list.words), MaxPolicyWords)
				continue
			}
			for i, w := range list.words {
				k := strings.ToUpper(strings.TrimSpace(w))
				if k == "" {
					errs.add(index(join(oo, list.name), i), "must not be empty")
					continue
				}
				if was, dup := c.words[k]; dup && was != list.out {
					errs.add(index(join(oo, list.name), i), "%q is both a stop word and a start word", w)
				}
				c.words[k] = list.out
			}
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return c, nil
}

// clock reads a time of day, HH:MM on the 24-hour clock, as minutes into the day.
func clock(s string) (int, bool) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok || len(m) != 2 || len(h) < 1 || len(h) > 2 {
		return 0, false
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || hh > 23 || mm < 0 || mm > 59 {
		return 0, false
	}
	return hh*60 + mm, true
}

// uniquePolicies checks that policy names are unique across rule files.
func uniquePolicies(files []*File) []error {
	var errs []error
	seen := map[string]string{}
	for _, f := range files {
		for i, c := range f.Policies {
			if other, dup := seen[c.Policy.Name]; dup {
				errs = append(errs, &Error{File: f.Path, Path: join(index("policies", i), "name"),
					Msg: fmt.Sprintf("policy %q is also defined in %s", c.Policy.Name, other)})
				continue
			}
			seen[c.Policy.Name] = f.Path
		}
	}
	return errs
}

// PersonPolicies is what contact policies know of one person: their opt-out and the
// firing times of their deliveries each policy let through.
type PersonPolicies interface {
	OptedOut(p *CompiledPolicy) (bool, error)
	Sent(p *CompiledPolicy) ([]time.Time, error)
}

// Hold is what contact policies do to a delivery: nothing (Outcome ""), suppress it
// (OutcomeSuppressed: recorded, never sent), or defer it to Due (OutcomeDeferred).
type Hold struct {
	Policy, Outcome, Reason string
	Due                     time.Time // when the delivery is due, deferred or not
}

// Policy outcomes.
const (
	OutcomeSuppressed = "suppressed"
	OutcomeDeferred   = "deferred"
)

// Decide applies the policies ps to a delivery through connector, fired at now and due
// at due, for the person st describes: a stop word or a full maxPerPerson suppresses
// it; quiet hours defer it to their end (again while that end falls in another
// policy's). Count lists the policies whose maxPerPerson the delivery counts toward
// when it is not suppressed (the caller records now for each). zone is each policy's
// time zone for the person.
func Decide(ps []*CompiledPolicy, connector string, now, due time.Time, zone func(*CompiledPolicy) *time.Location,
	st PersonPolicies) (h Hold, count []*CompiledPolicy, err error) {
	h.Due = due
	var applying []*CompiledPolicy
	for _, p := range ps {
		if p.Applies(connector) {
			applying = append(applying, p)
		}
	}
	for _, p := range applying {
		if p.Policy.OptOut != nil {
			out, err := st.OptedOut(p)
			if err != nil || out {
				return Hold{Policy: p.Policy.Name, Outcome: OutcomeSuppressed, Reason: ReasonOptOut, Due: due}, nil, err
			}
		}
		if p.Policy.MaxPerPerson != nil {
			sent, err := st.Sent(p)
			if err != nil || p.Full(now, sent) {
				return Hold{Policy: p.Policy.Name, Outcome: OutcomeSuppressed, Reason: ReasonMaxPerPerson, Due: due}, nil, err
			}
			count = append(count, p)
		}
	}
	for range len(applying) + 1 {
		moved := false
		for _, p := range applying {
			if end, ok := p.QuietUntil(h.Due, zone(p)); ok {
				h = Hold{Policy: p.Policy.Name, Outcome: OutcomeDeferred, Reason: ReasonQuietHours, Due: end}
				moved = true
			}
		}
		if !moved {
			break
		}
	}
	return h, count, nil
}
