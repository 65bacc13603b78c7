package connectors

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestBuildValidation(t *testing.T) {
	twilio := func(extra map[string]any) map[string]any {
		cfg := map[string]any{"accountSid": testAccountSID, "authToken": "${TWILIO_TOKEN}", "from": "+15550100"}
		for k, v := range extra {
			if v == nil {
				delete(cfg, k)
			} else {
				cfg[k] = v
			}
		}
		return cfg
	}
	env := map[string]string{"TWILIO_TOKEN": "tok", "EMPTY": ""}
	for _, tc := range []struct {
		name      string
		instances []Instance
		want      []string // one substring per expected error, in order
		is        error
	}{
		{"valid", []Instance{
			{Name: "sms", Kind: "twilio", Config: twilio(nil)},
			{Name: "hook", Kind: "webhook", Config: map[string]any{"url": "http://127.0.0.1:9000/x", "timeout": 30}},
			{Name: "connect", Kind: "webexconnect", Config: map[string]any{"url": "https://hooks.us.webexconnect.io/events/X"}},
			{Name: "dev", Kind: "log", Config: nil},
		}, nil, nil},
		{"missing required", []Instance{{Name: "sms", Kind: "twilio", Config: twilio(map[string]any{"authToken": nil})}},
			[]string{`connectors[0] "sms": authToken: is required`}, ErrRequired},
		{"empty required", []Instance{{Name: "sms", Kind: "twilio", Config: twilio(map[string]any{"authToken": ""})}},
			[]string{`connectors[0] "sms": authToken: must not be empty`}, nil},
		{"wrong type", []Instance{{Name: "hook", Kind: "webhook", Config: map[string]any{"timeout": true}}},
			[]string{`connectors[0] "hook": timeout: wrong type: expected a duration, got a boolean`}, ErrType},
		{"unquoted phone number", []Instance{{Name: "sms", Kind: "twilio", Config: twilio(map[string]any{"from": 15550100})}},
			[]string{`from: wrong type: expected a string, got the number 15550100 (quote it`}, ErrType},
		{"secret not echoed", []Instance{{Name: "sms", Kind: "twilio", Config: twilio(map[string]any{"authToken": 987654321})}},
			[]string{`authToken: wrong type: expected a string, got a number`}, ErrType},
		{"unknown field", []Instance{{Name: "hook", Kind: "webhook", Config: map[string]any{"url": "http://x", "methd": "GET"}}},
			[]string{`connectors[0] "hook": methd: unknown field (did you mean "method"?)`}, ErrUnknownField},
		{"unknown nested field", []Instance{{Name: "hook", Kind: "webhook", Config: map[string]any{"auth": map[string]any{"tokn": "x"}}}},
			[]string{`auth.tokn: unknown field (did you mean "token"?)`}, ErrUnknownField},
		{"env unset", []Instance{{Name: "sms", Kind: "twilio", Config: twilio(map[string]any{"authToken": "${NOPE}"})}},
			[]string{`connectors[0] "sms": authToken: environment variable not set: NOPE`}, ErrEnvNotSet},
		{"env empty", []Instance{{Name: "sms", Kind: "twilio", Config: twilio(map[string]any{"authToken": "${EMPTY}"})}},
			[]string{`authToken: environment variable not set: EMPTY`}, ErrEnvNotSet},
		{"env bad name", []Instance{{Name: "sms", Kind: "twilio", Config: twilio(map[string]any{"authToken": "${1X}"})}},
			[]string{`authToken: "${1X}" is not a valid environment variable reference`}, nil},
		{"env in a header", []Instance{{Name: "hook", Kind: "webhook", Config: map[string]any{"headers": map[string]any{"X-Key": "${NOPE}", "X-N": 5}}}},
			[]string{`headers.X-Key: environment variable not set: NOPE`, `headers.X-N: wrong type`}, ErrEnvNotSet},
		{"unknown kind", []Instance{{Name: "sms", Kind: "twillio"}},
			[]string{`connectors[0] "sms": kind: unknown connector kind "twillio" (did you mean "twilio"?)`}, ErrUnknownKind},
		{"no kind", []Instance{{Name: "sms"}}, []string{`kind: is required (one of log, twilio, webexconnect, webhook)`}, ErrRequired},
		{"no name", []Instance{{Kind: "log"}}, []string{`connectors[0]: name: is required`}, ErrRequired},
		{"bad name", []Instance{{Name: "my sms", Kind: "log"}}, []string{`name: "my sms" is not a valid name`}, nil},
		{"duplicate name", []Instance{{Name: "a", Kind: "log"}, {Name: "a", Kind: "log"}},
			[]string{`connectors[1] "a": name: duplicate name (also connectors[0])`}, nil},
		{"bad option", []Instance{{Name: "dev", Kind: "log", Config: map[string]any{"level": "loud"}}},
			[]string{`level: "loud" is not one of debug, info, warn, error`}, nil},
		{"bad duration", []Instance{{Name: "hook", Kind: "webhook", Config: map[string]any{"timeout": "soon"}}},
			[]string{`timeout: "soon" is not a duration`}, nil},
		{"negative duration", []Instance{{Name: "hook", Kind: "webhook", Config: map[string]any{"timeout": "-1s"}}},
			[]string{`timeout: must be positive`}, nil},
		{"webhook semantics", []Instance{{Name: "hook", Kind: "webhook", Config: map[string]any{
			"url": "ftp://x/", "method": "GE T", "signingSecret": "whsec_c2hvcnQ=",
			"headers":    map[string]any{"Idempotency-Key": "x", "Authorization": "Bearer y"},
			"auth":       map[string]any{"scheme": "Basic", "password": "p"},
			"allowHosts": []any{"http://x/"},
		}}}, []string{
			`allowHosts[0]: "http://x/" is not a host name`,
			`url: ftp://x/ is not an http or https URL`,
			`method: "GE T" is not an HTTP method`,
			`headers.Idempotency-Key: set by the connector itself`,
			`auth.username: is required with scheme Basic`,
			`signingSecret: the key is 5 bytes`,
		}, nil},
		{"auth twice", []Instance{{Name: "hook", Kind: "webhook", Config: map[string]any{
			"auth": map[string]any{"token": "t"}, "authorization": "x"}}},
			[]string{`auth: give auth or authorizationScheme/authorization, not both`}, nil},
		{"url not allowed", []Instance{{Name: "hook", Kind: "webhook", Config: map[string]any{
			"url": "https://other.example/", "allowHosts": []any{"hooks.example"}}}},
			[]string{`url: host other.example is not in allowHosts`}, nil},
		{"twilio semantics", []Instance{{Name: "sms", Kind: "twilio", Config: twilio(map[string]any{
			"accountSid": "AC123", "from": nil, "baseURL": "api.twilio.com", "messagingServiceSid": "XX"})}},
			[]string{`accountSid: "AC123" is not an account SID`, `messagingServiceSid: "XX" is not`, `baseURL: `}, nil},
		{"twilio needs a sender", []Instance{{Name: "sms", Kind: "twilio", Config: twilio(map[string]any{"from": nil})}},
			[]string{`from: is required unless messagingServiceSid is set`}, ErrRequired},
		{"webexconnect url", []Instance{{Name: "c", Kind: "webexconnect", Config: map[string]any{}}},
			[]string{`connectors[0] "c": url: is required`}, ErrRequired},
		{"organizations", []Instance{{Name: "sms", Kind: "log", Organizations: []string{"acme", "globex"}}}, nil, nil},
		{"bad organizations", []Instance{
			{Name: "a", Kind: "log", Organizations: []string{}},
			{Name: "b", Kind: "log", Organizations: []string{"acme", "*", "acme", ""}},
		}, []string{`connectors[0] "a": organizations: must name at least one organization; leave it out`,
			`connectors[1] "b": organizations[1]: "*" is not an organization name`,
			`connectors[1] "b": organizations[2]: "acme" is listed twice`,
			`connectors[1] "b": organizations[3]: "" is not an organization name`}, nil},
		{"every problem at once", []Instance{
			{Name: "sms", Kind: "twilio", Config: twilio(map[string]any{"authToken": nil, "form": "+1"})},
			{Name: "hook", Kind: "webhook", Config: map[string]any{"timeout": []any{}}},
		}, []string{`connectors[0] "sms": form: unknown field (did you mean "from"?)`, `connectors[0] "sms": authToken: is required`,
			`connectors[1] "hook": timeout: wrong type`}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			senders, err := Build(tc.instances, Options{Getenv: func(k string) string { return env[k] }})
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("Build: %v", err)
				}
				if len(senders) != len(tc.instances)+1 {
					t.Fatalf("Build gave %d senders, want %d and the inline one", len(senders), len(tc.instances))
				}
				_ = Close(senders)
				_ = Close(senders) // idempotent
				return
			}
			if err == nil || senders != nil {
				t.Fatalf("Build succeeded, want errors %q", tc.want)
			}
			errs := flatten(err)
			if len(errs) != len(tc.want) {
				t.Fatalf("got %d errors, want %d:\n%v", len(errs), len(tc.want), err)
			}
			for i, e := range errs {
				if !strings.Contains(e.Error(), tc.want[i]) {
					t.Errorf("error %d = %q, want it to contain %q", i, e, tc.want[i])
				}
				var ce *ConfigError
				if !errors.As(e, &ce) {
					t.Errorf("error %d is a %T, want a *ConfigError", i, e)
				}
				if strings.Contains(e.Error(), "987654321") {
					t.Errorf("error %d shows a secret: %q", i, e)
				}
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("errors.Is(err, %v) = false", tc.is)
			}
		})
	}
}

func TestInstanceFromYAML(t *testing.T) {
	src := `
- name: sms
  kind: twilio
  accountSid: AC0123456789abcdef0123456789abcdef
  authToken: ${TWILIO_TOKEN}
  from: +15550100
- name: hook
  kind: webhook
  url: http://127.0.0.1:9000/in
  headers:
    X-Team: blue
  timeout: 5s
`
	var instances []Instance
	if err := yaml.Unmarshal([]byte(src), &instances); err != nil {
		t.Fatal(err)
	}
	if instances[1].Name != "hook" || instances[1].Kind != "webhook" || instances[1].Config["timeout"] != "5s" {
		t.Fatalf("decoded %+v", instances[1])
	}
	_, err := Build(instances, Options{})
	errs := flatten(err)
	if len(errs) != 2 {
		t.Fatalf("errors: %v", err)
	}
	var ce *ConfigError
	errors.As(errs[0], &ce)
	if ce.Field != "authToken" || ce.Line != 5 || ce.Column != 3 || ce.Path() != "connectors[0].authToken" {
		t.Errorf("first error %+v at %d:%d, want authToken at 5:3", ce, ce.Line, ce.Column)
	}
	errors.As(errs[1], &ce)
	if ce.Field != "from" || ce.Line != 6 || !errors.Is(ce, ErrType) {
		t.Errorf("second error %+v (%v) at line %d, want from's type at line 6", ce, ce, ce.Line)
	}

	for _, bad := range []string{"- name: a\n  name: b\n  kind: log\n", "- name: [a]\n  kind: log\n", "- just a string\n"} {
		var in []Instance
		if err := yaml.Unmarshal([]byte(bad), &in); err == nil {
			t.Errorf("%q decoded without error", bad)
		}
	}
}

func TestRegistry(t *testing.T) {
	var names []string
	for _, k := range Kinds() {
		names = append(names, k.Name)
	}
	if got := strings.Join(names, ","); got != "log,twilio,webexconnect,webhook" {
		t.Fatalf("Kinds() = %s", got)
	}
	mustPanic := func(name string, k Kind) {
		t.Helper()
		defer func() {
			if recover() == nil {
				t.Errorf("%s: Register did not panic", name)
			}
		}()
		Register(k)
	}
	newNop := func(*Config) (Sender, error) { return nil, nil }
	mustPanic("duplicate", Kind{Name: "log", New: newNop})
	mustPanic("no constructor", Kind{Name: "x1"})
	mustPanic("reserved field", Kind{Name: "x2", New: newNop, Spec: []Field{{Name: "name", Type: TypeString}}})
	mustPanic("bad default", Kind{Name: "x3", New: newNop, Spec: []Field{{Name: "t", Type: TypeDuration, Default: "10s"}}})
	mustPanic("required default", Kind{Name: "x4", New: newNop, Spec: []Field{{Name: "t", Type: TypeString, Required: true, Default: "a"}}})
	if _, ok := Lookup("x1"); ok {
		t.Error("a rejected kind was registered")
	}
}

// A Sender built once serves deliveries of any instance in any order: the
// worker's lookup by d.Connector is all the routing there is.
func TestBuildRoutesByName(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	senders, err := Build([]Instance{{Name: "dev", Kind: "log"}}, Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer Close(senders)
	d := Delivery{ID: "d", Connector: "dev"}
	if out := senders[d.Connector].Send(context.Background(), d); !out.OK() {
		t.Fatalf("%+v", out)
	}
}

// organizations is read from YAML with its position, and only outbound instances
// take it.
func TestInstanceOrganizations(t *testing.T) {
	var list []Instance
	if err := yaml.Unmarshal([]byte("- name: sms\n  kind: log\n  organizations: [acme, globex]\n- name: open\n  kind: log\n"), &list); err != nil {
		t.Fatal(err)
	}
	if got := list[0].Organizations; !slices.Equal(got, []string{"acme", "globex"}) || list[1].Organizations != nil || list[0].Config["organizations"] != nil {
		t.Fatalf("organizations: %q, %q, config %v", got, list[1].Organizations, list[0].Config)
	}
	if err := yaml.Unmarshal([]byte("- name: sms\n  kind: log\n  organizations: acme\n"), &list); err == nil || !strings.Contains(err.Error(), "line 3: organizations: expected a list") {
		t.Fatalf("a scalar: %v", err)
	}
	in := Instance{Name: "in", Kind: "webhook", Organizations: []string{"acme"}}
	if _, err := CheckInstance("inbound", 0, in, nil, Options{}); err == nil || !strings.Contains(err.Error(), `inbound[0] "in": organizations: only outbound connectors take it`) {
		t.Fatalf("inbound: %v", err)
	}
	open := []Instance{{Name: "open", Kind: "log"}, {Name: "sms", Kind: "log", Organizations: []string{"acme", "initech"}}}
	if w := OrganizationWarnings(open, []string{"acme"}); len(w) != 1 || !strings.Contains(w[0], `organizations[1]: no signing key has organization "initech"`) {
		t.Fatalf("one organization: %q", w)
	}
	w := OrganizationWarnings(open, []string{"acme", "globex", "acme"})
	if len(w) != 2 || !strings.Contains(w[0], `connectors[0] "open" has no organizations list: the actions of every organization (acme, globex) may deliver through it`) {
		t.Fatalf("several organizations: %q", w)
	}
}
