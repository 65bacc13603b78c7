package inbound

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/openjds/jds/connectors"
	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/ingest"
	"github.com/openjds/jds/internal/quota"
	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/internal/strict"
)

// Section is the config file's key of the inbound list.
const Section = "inbound"

// Kinds of inbound instances.
const (
	KindWebhook = "webhook" // pushed: POST /v1/connectors/{name}/webhook
	KindPoll    = "poll"    // pulled: an HTTP GET on a cron schedule
)

// Store keeps pollers' cursors; a store.Store is one.
type Store interface {
	GetDoc(ctx context.Context, w store.Workspace, collection, id string) ([]byte, error)
	PutDoc(ctx context.Context, w store.Workspace, collection, id string, value []byte) error
}

// Options are what Build gives every instance besides its config.
type Options struct {
	// Getenv resolves ${NAME} references (pass os.Getenv); nil reads nothing.
	Getenv func(string) string
	// Ingest takes the events, counting them as ingest counts its own (a webhook's
	// refused payload counts one rejected; a poller's item that does not map, one
	// each); Store keeps pollers' cursors. Both nil when only checking a configuration.
	Ingest *ingest.Pipeline
	Store  Store
	// Limits are ingest's: the same validation, batch size and guardrails.
	Limits event.Limits
	Logger *slog.Logger
	// Now is the clock of timestamp windows, backoff and received times;
	// default time.Now.
	Now func() time.Time
	// Transport carries pollers' requests; nil gives each its own clone of
	// http.DefaultTransport.
	Transport http.RoundTripper
	// ReplayCacheSize bounds each webhook's replay cache; 0 means
	// DefaultReplayCacheSize.
	ReplayCacheSize int
	// Quota is the workspaces' ingest quota: a webhook's request past it is refused
	// whole (*quota.Exceeded); a poller skips its runs while its workspace has no token
	// left, and stores a whole page once fetched. nil: no quota.
	Quota *quota.Limiter
}

// Set is the configured inbound instances.
type Set struct {
	Webhooks map[string]*Webhook
	Pollers  []*Poller
}

// Webhook returns the inbound webhook called name.
func (s *Set) Webhook(name string) (*Webhook, bool) {
	if s == nil {
		return nil, false
	}
	w, ok := s.Webhooks[name]
	return w, ok
}

// Close releases the pollers' idle connections. Closing twice is harmless.
func (s *Set) Close() {
	if s == nil {
		return
	}
	for _, p := range s.Pollers {
		p.close()
	}
}

var (
	orgField = connectors.Field{Name: "organization", Type: connectors.TypeString, Required: true,
		Doc: "The organization (a token's `so`) the events are written to."}
	workspaceField = connectors.Field{Name: "workspace", Type: connectors.TypeString, Required: true,
		Doc: "The workspace (a token's `sn`) the events are written to."}
)

// Build checks every instance and constructs it, without I/O. It reports
// every problem at once, each a *connectors.ConfigError naming
// inbound[i], the instance and the key ("inbound[0] \"sms-replies\":
// verify.secret: environment variable not set: TWILIO_AUTH_TOKEN").
func Build(instances []connectors.Instance, o Options) (*Set, error) {
	if o.Getenv == nil {
		o.Getenv = func(string) string { return "" }
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	set := &Set{Webhooks: map[string]*Webhook{}}
	first := map[string]int{}
	var errs []error
	for i, in := range instances {
		report := func(err error) {
			if err != nil {
				errs = append(errs, connectors.Locate(Section, i, in, err))
			}
		}
		if j, dup := first[in.Name]; dup && in.Name != "" {
			report(&connectors.ConfigError{Field: "name", Err: fmt.Errorf("duplicate name (also inbound[%d])", j)})
		} else {
			first[in.Name] = i
		}
		var spec []connectors.Field
		switch in.Kind {
		case KindWebhook:
			spec = webhookSpec
		case KindPoll:
			spec = pollSpec
		case "":
			report(&connectors.ConfigError{Field: "kind", Err: fmt.Errorf("%w (webhook or poll)", connectors.ErrRequired)})
			continue
		default:
			msg := fmt.Errorf("%w %q (webhook or poll)", connectors.ErrUnknownKind, in.Kind)
			if s := strict.Closest(in.Kind, []string{KindWebhook, KindPoll}); s != "" {
				msg = fmt.Errorf("%w %q (did you mean %q?)", connectors.ErrUnknownKind, in.Kind, s)
			}
			report(&connectors.ConfigError{Field: "kind", Err: msg})
			continue
		}
		cfg, err := connectors.CheckInstance(Section, i, in, spec, connectors.Options{Getenv: o.Getenv})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if in.Kind == KindWebhook {
			w, problems := newWebhook(cfg, &o)
			report(errors.Join(problems...))
			if len(problems) == 0 {
				set.Webhooks[in.Name] = w
			}
			continue
		}
		p, problems := newPoller(cfg, &o)
		report(errors.Join(problems...))
		if len(problems) == 0 {
			set.Pollers = append(set.Pollers, p)
		}
	}
	if err := errors.Join(errs...); err != nil {
		set.Close()
		return nil, err
	}
	return set, nil
}

// workspaceOf reads organization and workspace, with the limits the API
// puts on them.
func workspaceOf(c *connectors.Config) (store.Workspace, []error) {
	ws := store.Workspace{Org: c.String("organization"), Name: c.String("workspace")}
	var errs []error
	for _, f := range []struct{ key, v string }{{"organization", ws.Org}, {"workspace", ws.Name}} {
		if len(f.v) > 128 || strings.ContainsFunc(f.v, func(r rune) bool { return r < ' ' || r == 0x7f }) {
			errs = append(errs, c.Errorf(f.key, "%q is longer than 128 bytes or holds a control character", f.v))
		}
	}
	if ws.Name == "*" {
		errs = append(errs, c.Errorf("workspace", `must name one workspace, not "*"`))
	}
	return ws, errs
}
