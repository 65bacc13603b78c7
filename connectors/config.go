package connectors

import (
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
	"golang.org/x/net/http/httpproxy"

	"github.com/openjds/jds/internal/egress"
	"github.com/openjds/jds/internal/strict"
)

// Instance is one entry of the config file's connectors list: a name, a kind,
// and the kind's own keys.
type Instance struct {
	Name string
	Kind string
	// Config holds every key of the entry but name and kind, as YAML (or
	// JSON) decodes it into an any: string, int, float64, bool, []any and
	// map[string]any.
	Config map[string]any
	// Organizations are the organizations whose journey actions may deliver
	// through the instance (key "organizations"): an action of any other is
	// refused when saved, a rule file (which serves every organization) may name
	// the instance only if it serves them all, and the delivery worker refuses a
	// delivery of another organization. nil: every organization's, the
	// single-tenant default. Outbound connectors only: an inbound one names its
	// organization.
	Organizations []string

	// Line and Column locate the entry in the file when the Instance was
	// decoded from YAML; 0 otherwise.
	Line, Column int
	pos          map[string][2]int // top-level key → its line and column
}

// UnmarshalStrict reads one list entry, remembering where each key is, so that
// Build's errors can point at the line that set the value. Duplicate keys are an
// error.
func (in *Instance) UnmarshalStrict(d *strict.Decoder, n *strict.Node, path string) {
	*in = Instance{Config: map[string]any{}, Line: n.Line, Column: n.Col, pos: map[string][2]int{}}
	if n.Kind != strict.Map {
		d.Fail(n, path, "expected a mapping with name and kind")
		return
	}
	d.Pairs(n, path, func(k, v *strict.Node, p string) {
		in.pos[k.Text] = [2]int{k.Line, k.Col}
		var val any
		if err := v.YAML().Decode(&val); err != nil { // the values yaml.v3 gives an any
			d.Fail(v, p, "%v", err)
			return
		}
		switch k.Text {
		case "organizations":
			var orgs []string
			if err := v.YAML().Decode(&orgs); err != nil || orgs == nil {
				d.Fail(v, p, "expected a list of organization names")
				return
			}
			in.Organizations = orgs
		case "name", "kind":
			s, ok := val.(string)
			if !ok {
				d.Fail(v, p, "expected a string")
				return
			}
			if k.Text == "name" {
				in.Name = s
			} else {
				in.Kind = s
			}
		default:
			in.Config[k.Text] = val
		}
	})
}

// UnmarshalYAML is UnmarshalStrict for yaml.Unmarshal.
func (in *Instance) UnmarshalYAML(n *yaml.Node) error { return strict.UnmarshalYAML(n, in) }

// Options are what Build gives every sender besides its config.
type Options struct {
	// Getenv resolves ${NAME} references (pass os.Getenv). nil reads nothing,
	// so every reference is reported as unset.
	Getenv func(string) string
	// Logger receives the log kind's deliveries; nil means slog.Default().
	Logger *slog.Logger
	// Now is the clock for signature timestamps and Retry-After dates; nil
	// means time.Now. Tests pass a fixed clock.
	Now func() time.Time
	// Transport carries every HTTP kind's requests; nil gives each instance
	// its own clone of http.DefaultTransport (proxy settings from the
	// environment included).
	Transport http.RoundTripper
	// Egress is the policy for tenant deliveries (Delivery.Tenant): where a
	// target written through the API may connect. nil refuses every internal
	// address. Instances' own targets are the operator's and never checked.
	Egress *egress.Policy
}

// Sentinels for what a ConfigError's Err wraps, for callers and tests that
// branch on the kind of problem.
// MinSecretBytes is the shortest shared secret jds takes for signing or authenticating
// (token-signing keys, hub secrets, header tokens, auth tokens): 128 bits.
const MinSecretBytes = 16

var (
	ErrUnknownKind  = errors.New("unknown connector kind")
	ErrUnknownField = errors.New("unknown field")
	ErrRequired     = errors.New("is required")
	ErrType         = errors.New("wrong type")
	ErrEnvNotSet    = errors.New("environment variable not set")
)

// ConfigError is one problem with one configured instance.
type ConfigError struct {
	// Section is the config file's list the entry is in: "" for connectors,
	// "inbound" for inbound connectors (see CheckInstance).
	Section  string
	Index    int    // the entry's position in the list
	Instance string // its name, "" if it has none
	// Field is the key path inside the entry: "authToken", "auth.token",
	// "headers.X-Api-Key"; "" for the entry as a whole.
	Field string
	// Line and Column locate the field (or, when the file left it out, the
	// entry) when the Instance was decoded from YAML; 0 otherwise.
	Line, Column int
	Err          error
}

func (e *ConfigError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s[%d]", e.section(), e.Index)
	if e.Instance != "" {
		fmt.Fprintf(&b, " %q", e.Instance)
	}
	if e.Field != "" {
		b.WriteString(": " + e.Field)
	}
	b.WriteString(": " + e.Err.Error())
	return b.String()
}

func (e *ConfigError) Unwrap() error { return e.Err }

func (e *ConfigError) section() string {
	if e.Section == "" {
		return "connectors"
	}
	return e.Section
}

// Path is the key path of the problem in the whole config file, in the form
// the config package uses ("connectors[2].auth.token").
func (e *ConfigError) Path() string {
	p := fmt.Sprintf("%s[%d]", e.section(), e.Index)
	if e.Field != "" {
		p += "." + e.Field
	}
	return p
}

// Config is an instance's checked configuration, as Kind.New receives it:
// every key of the spec has a value of its type (the file's, or the
// default), and ${NAME} references are resolved.
type Config struct {
	name   string
	prefix string // key path of this object inside the entry, "" or "auth."
	values map[string]any
	set    map[string]bool
	opts   *Options
}

// Name is the instance's name.
func (c *Config) Name() string { return c.name }

// The typed accessors return the field's value, or the zero value when the
// field is absent and has no default.

func (c *Config) String(field string) string {
	s, _ := c.values[field].(string)
	return s
}

func (c *Config) Int(field string) int {
	i, _ := c.values[field].(int)
	return i
}

func (c *Config) Bool(field string) bool {
	b, _ := c.values[field].(bool)
	return b
}

func (c *Config) Duration(field string) time.Duration {
	d, _ := c.values[field].(time.Duration)
	return d
}

func (c *Config) Strings(field string) []string {
	s, _ := c.values[field].([]string)
	return s
}

func (c *Config) Map(field string) map[string]string {
	m, _ := c.values[field].(map[string]string)
	return m
}

// Object returns the config of an object field; an absent one is empty
// (its fields' defaults).
func (c *Config) Object(field string) *Config {
	if o, ok := c.values[field].(*Config); ok {
		return o
	}
	return &Config{name: c.name, prefix: c.prefix + field + ".", values: map[string]any{}, set: map[string]bool{}, opts: c.opts}
}

// Has reports whether the file gave the field a value (a default does not
// count).
func (c *Config) Has(field string) bool { return c.set[field] }

// Errorf returns a problem with field, for Kind.New to return (joined with
// the others). Build reports it naming the instance and the field's path.
func (c *Config) Errorf(field, format string, args ...any) error {
	return &ConfigError{Instance: c.name, Field: c.prefix + field, Err: fmt.Errorf(format, args...)}
}

// Logger is the logger deliveries may be written to.
func (c *Config) Logger() *slog.Logger {
	if c.opts.Logger != nil {
		return c.opts.Logger
	}
	return slog.Default()
}

// Clock is the clock to read the time from.
func (c *Config) Clock() func() time.Time {
	if c.opts.Now != nil {
		return c.opts.Now
	}
	return time.Now
}

// tenantTransport carries tenant deliveries. Without a proxy it connects directly,
// with every connection's address checked by the egress policy. When the environment
// (HTTP_PROXY, HTTPS_PROXY, NO_PROXY, read now) gives a proxy for a target, the target
// is resolved and its addresses checked before the request goes to that proxy, which
// is the operator's and is not checked.
func (c *Config) tenantTransport() http.RoundTripper {
	base, ok := c.opts.Transport.(*http.Transport)
	if !ok {
		base = http.DefaultTransport.(*http.Transport)
	}
	return c.egress().Transport(base, httpproxy.FromEnvironment().ProxyFunc())
}

// egress is the policy of tenant deliveries; never nil.
func (c *Config) egress() *egress.Policy {
	if c.opts.Egress == nil {
		return egress.New(nil)
	}
	return c.opts.Egress
}

// Transport is the round tripper the instance sends with.
func (c *Config) Transport() http.RoundTripper {
	if c.opts.Transport != nil {
		return c.opts.Transport
	}
	return http.DefaultTransport.(*http.Transport).Clone()
}

// Build checks every instance and constructs its sender, without I/O. It
// reports every problem at once (errors.Join of *ConfigError, each naming the
// instance and the field); on error it returns no senders. The map is keyed
// by instance name and also holds, under "", the sender of actions' inline
// Webhook triggers: a webhook with no defaults, the delivery giving the URL,
// verb, headers and body. So the delivery worker looks up d.Connector and
// needs no special case.
func Build(instances []Instance, opts Options) (map[string]Sender, error) {
	if opts.Getenv == nil {
		opts.Getenv = func(string) string { return "" }
	}
	var errs []error
	senders := map[string]Sender{}
	first := map[string]int{}
	for i, in := range instances {
		report := func(err error) {
			for _, e := range flatten(err) {
				var ce *ConfigError
				if !errors.As(e, &ce) {
					ce = &ConfigError{Err: e}
				}
				ce.Index, ce.Instance = i, in.Name
				ce.Line, ce.Column = in.position(ce.Field)
				errs = append(errs, ce)
			}
		}
		switch {
		case in.Name == "":
			report(&ConfigError{Field: "name", Err: ErrRequired})
		case !validName.MatchString(in.Name):
			report(&ConfigError{Field: "name", Err: fmt.Errorf("%q is not a valid name (letters, digits, '_', '-' and '.', starting with a letter)", in.Name)})
		default:
			if j, dup := first[in.Name]; dup {
				report(&ConfigError{Field: "name", Err: fmt.Errorf("duplicate name (also connectors[%d])", j)})
			} else {
				first[in.Name] = i
			}
		}
		if in.Kind == "" {
			report(&ConfigError{Field: "kind", Err: fmt.Errorf("%w (one of %s)", ErrRequired, kindNames())})
			continue
		}
		kind, ok := Lookup(in.Kind)
		if !ok {
			msg := fmt.Errorf("%w %q (one of %s)", ErrUnknownKind, in.Kind, kindNames())
			if s := strict.Closest(in.Kind, kindList()); s != "" {
				msg = fmt.Errorf("%w %q (did you mean %q?)", ErrUnknownKind, in.Kind, s)
			}
			report(&ConfigError{Field: "kind", Err: msg})
			continue
		}
		if err := in.organizationsProblem(); err != nil {
			report(err)
		}
		cfg, problems := decodeObject(kind.Spec, in.Config, "", &opts)
		cfg.name = in.Name
		if len(problems) > 0 {
			report(errors.Join(problems...))
			continue
		}
		s, err := kind.New(cfg)
		if err != nil {
			report(err)
			continue
		}
		if _, dup := senders[in.Name]; !dup {
			senders[in.Name] = s
		}
	}
	if len(errs) == 0 {
		inline, problems := decodeObject(webhookKind.Spec, nil, "", &opts)
		s, err := webhookKind.New(inline)
		if err = errors.Join(append(problems, err)...); err != nil {
			errs = append(errs, fmt.Errorf("building the inline webhook sender: %w", err))
		} else {
			senders[""] = s
		}
	}
	if len(errs) > 0 {
		_ = Close(senders)
		return nil, errors.Join(errs...)
	}
	return senders, nil
}

var validName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.-]*$`)

// organizationsProblem checks the organizations list: absent, or organization names,
// each once.
func (in *Instance) organizationsProblem() error {
	if in.Organizations == nil {
		return nil
	}
	if len(in.Organizations) == 0 {
		return &ConfigError{Field: "organizations", Err: errors.New("must name at least one organization; leave it out to let every organization's actions use the instance")}
	}
	var errs []error
	for i, org := range in.Organizations {
		switch {
		case strings.TrimSpace(org) == "" || org == "*" || org != strings.TrimSpace(org):
			errs = append(errs, &ConfigError{Field: fmt.Sprintf("organizations[%d]", i), Err: fmt.Errorf("%q is not an organization name (leave organizations out for every organization)", org)})
		case slices.Contains(in.Organizations[:i], org):
			errs = append(errs, &ConfigError{Field: fmt.Sprintf("organizations[%d]", i), Err: fmt.Errorf("%q is listed twice", org)})
		}
	}
	return errors.Join(errs...)
}

// OrganizationWarnings says which instances every organization may spend although
// the configuration serves several organizations (orgs, the signing keys'): those
// without an organizations list, and lists naming an organization that has no key.
func OrganizationWarnings(instances []Instance, orgs []string) []string {
	var out []string
	known := slices.Compact(slices.Sorted(slices.Values(orgs)))
	for i, in := range instances {
		if len(known) > 1 && in.Organizations == nil {
			out = append(out, fmt.Sprintf("connectors[%d] %q has no organizations list: the actions of every organization (%s) may deliver through it and spend its credentials; list the organizations it serves",
				i, in.Name, strings.Join(known, ", ")))
		}
		for j, org := range in.Organizations {
			if len(known) > 0 && !slices.Contains(known, org) {
				out = append(out, fmt.Sprintf("connectors[%d] %q: organizations[%d]: no signing key has organization %q", i, in.Name, j, org))
			}
		}
	}
	return out
}

// position locates a field path of the entry: its top-level key's position,
// else the entry's.
func (in *Instance) position(field string) (int, int) {
	key, _, _ := strings.Cut(field, ".")
	if p, ok := in.pos[key]; ok && key != "" {
		return p[0], p[1]
	}
	return in.Line, in.Column
}

// flatten undoes errors.Join, recursively.
func flatten(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

func kindList() []string {
	var names []string
	for _, k := range Kinds() {
		names = append(names, k.Name)
	}
	return names
}

func kindNames() string { return strings.Join(kindList(), ", ") }

// decodeObject checks raw against fields and returns the typed config.
// prefix is the key path of raw inside the entry, for messages.
func decodeObject(fields []Field, raw map[string]any, prefix string, opts *Options) (*Config, []error) {
	c := &Config{prefix: prefix, values: map[string]any{}, set: map[string]bool{}, opts: opts}
	var errs []error
	problem := func(field string, err error) {
		errs = append(errs, &ConfigError{Field: prefix + field, Err: err})
	}
	known := map[string]Field{}
	var names []string
	for _, f := range fields {
		known[f.Name] = f
		names = append(names, f.Name)
	}
	for _, key := range slices.Sorted(maps.Keys(raw)) {
		if _, ok := known[key]; ok {
			continue
		}
		problem(key, fmt.Errorf("%w%s", ErrUnknownField, strict.Known(key, names)))
	}
	for _, f := range fields {
		v, present := raw[f.Name]
		if !present || v == nil {
			if f.Required {
				problem(f.Name, ErrRequired)
				continue
			}
			if f.Type == TypeObject {
				c.values[f.Name] = defaults(f.Fields, prefix+f.Name+".", opts)
			} else if f.Default != nil {
				c.values[f.Name] = f.Default
			}
			continue
		}
		val, err := decodeValue(f, v, prefix, opts)
		if err != nil {
			if sub, ok := err.(joined); ok {
				errs = append(errs, sub...)
			} else {
				problem(f.Name, err)
			}
			continue
		}
		if f.Required && isEmpty(val) {
			problem(f.Name, errors.New("must not be empty"))
			continue
		}
		c.values[f.Name] = val
		c.set[f.Name] = true
	}
	return c, errs
}

// defaults is the config of an absent object: its fields' defaults, with
// no required field reported missing (the object as a whole is optional).
func defaults(fields []Field, prefix string, opts *Options) *Config {
	c := &Config{prefix: prefix, values: map[string]any{}, set: map[string]bool{}, opts: opts}
	for _, f := range fields {
		if f.Type == TypeObject {
			c.values[f.Name] = defaults(f.Fields, prefix+f.Name+".", opts)
		} else if f.Default != nil {
			c.values[f.Name] = f.Default
		}
	}
	return c
}

// joined carries a nested object's problems, already prefixed.
type joined []error

func (j joined) Error() string { return errors.Join(j...).Error() }

func isEmpty(v any) bool {
	switch v := v.(type) {
	case string:
		return v == ""
	case []string:
		return len(v) == 0
	case map[string]string:
		return len(v) == 0
	}
	return false
}

func decodeValue(f Field, v any, prefix string, opts *Options) (any, error) {
	switch f.Type {
	case TypeString:
		s, err := str(f, v, opts)
		if err != nil {
			return nil, err
		}
		if len(f.Options) > 0 {
			for _, o := range f.Options {
				if strings.EqualFold(o, s) {
					return o, nil
				}
			}
			return nil, fmt.Errorf("%q is not one of %s", s, strings.Join(f.Options, ", "))
		}
		return s, nil
	case TypeInt:
		switch n := v.(type) {
		case int:
			return n, nil
		case int64:
			if n >= math.MinInt && n <= math.MaxInt {
				return int(n), nil
			}
		case uint64:
			if n <= math.MaxInt {
				return int(n), nil
			}
		case float64:
			if n == math.Trunc(n) && math.Abs(n) < 1<<53 {
				return int(n), nil
			}
		}
		return nil, typeErr(f, "an integer", v)
	case TypeBool:
		if b, ok := v.(bool); ok {
			return b, nil
		}
		return nil, typeErr(f, "a boolean (true or false)", v)
	case TypeDuration:
		var d time.Duration
		switch n := v.(type) {
		case string:
			if secs, err := strconv.ParseInt(strings.TrimSpace(n), 10, 64); err == nil {
				d = time.Duration(secs) * time.Second
			} else if d, err = time.ParseDuration(strings.TrimSpace(n)); err != nil {
				return nil, fmt.Errorf(`%q is not a duration (write e.g. "10s", "1m30s", or a number of seconds)`, n)
			}
		case int:
			d = time.Duration(n) * time.Second
		default:
			return nil, typeErr(f, "a duration", v)
		}
		if d <= 0 {
			return nil, errors.New("must be positive")
		}
		return d, nil
	case TypeStrings:
		list, ok := v.([]any)
		if !ok {
			if ss, ok := v.([]string); ok {
				return slices.Clone(ss), nil
			}
			return nil, typeErr(f, "a list of strings", v)
		}
		out := make([]string, len(list))
		for i, e := range list {
			s, err := str(f, e, opts)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			out[i] = s
		}
		return out, nil
	case TypeMap:
		out := map[string]string{}
		switch m := v.(type) {
		case map[string]any:
			var errs joined
			for _, k := range slices.Sorted(maps.Keys(m)) {
				s, err := str(f, m[k], opts)
				if err != nil {
					errs = append(errs, &ConfigError{Field: prefix + f.Name + "." + k, Err: err})
					continue
				}
				out[k] = s
			}
			if len(errs) > 0 {
				return nil, errs
			}
		case map[string]string:
			maps.Copy(out, m)
		default:
			return nil, typeErr(f, "a map of strings", v)
		}
		return out, nil
	case TypeObject:
		m, ok := v.(map[string]any)
		if !ok {
			return nil, typeErr(f, "a mapping", v)
		}
		sub, errs := decodeObject(f.Fields, m, prefix+f.Name+".", opts)
		if len(errs) > 0 {
			return nil, joined(errs)
		}
		return sub, nil
	}
	return nil, fmt.Errorf("unknown type %q", f.Type)
}

// str reads a string value, resolving a whole-value ${NAME} reference.
func str(f Field, v any, opts *Options) (string, error) {
	s, ok := v.(string)
	if !ok {
		err := typeErr(f, "a string", v)
		if _, isNum := v.(int); isNum {
			err = fmt.Errorf("%w (quote it: YAML reads an unquoted number, dropping a leading + or 0)", err)
		}
		return "", err
	}
	if strings.HasPrefix(s, "${") && strings.HasSuffix(s, "}") {
		name := s[2 : len(s)-1]
		if !validEnvName.MatchString(name) {
			return "", fmt.Errorf("%q is not a valid environment variable reference", s)
		}
		val := opts.Getenv(name)
		if val == "" {
			return "", fmt.Errorf("%w: %s", ErrEnvNotSet, name)
		}
		return val, nil
	}
	return s, nil
}

var validEnvName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func typeErr(f Field, want string, v any) error {
	got := "a value"
	switch v := v.(type) {
	case string:
		got = "a string"
	case int, int64, uint64, float64:
		got = "a number"
		if !f.Secret {
			got = fmt.Sprintf("the number %v", v)
		}
	case bool:
		got = "a boolean"
	case []any:
		got = "a list"
	case map[string]any:
		got = "a mapping"
	}
	return fmt.Errorf("%w: expected %s, got %s", ErrType, want, got)
}
