// Package service assembles jds from its parts and runs it: the ledger, the live hub, the
// HTTP server, the scheduled jobs and the signing keys. Start brings them up in order,
// Close takes them down in reverse, so that a test can embed the whole service on a
// random port exactly as the binary runs it.
package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/openjds/jds/config"
	"github.com/openjds/jds/connectors"
	"github.com/openjds/jds/connectors/delivery"
	"github.com/openjds/jds/connectors/inbound"
	"github.com/openjds/jds/flows"
	"github.com/openjds/jds/internal/egress"
	"github.com/openjds/jds/internal/identity"
	"github.com/openjds/jds/internal/ingest"
	"github.com/openjds/jds/internal/live"
	"github.com/openjds/jds/internal/profiles"
	"github.com/openjds/jds/internal/quota"
	"github.com/openjds/jds/internal/scheduler"
	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/internal/store/badgerstore"
	"github.com/openjds/jds/rules"
	"github.com/openjds/jds/rules/ruledir"
	"github.com/openjds/jds/server"
	"github.com/prometheus/client_golang/prometheus"
)

// Service is a running jds.
type Service struct {
	cfg      config.Config
	log      *slog.Logger
	store    store.Store
	badger   *badgerstore.Store // the same store when it is Badger's; nil otherwise
	senders  map[string]connectors.Sender
	inbound  *inbound.Set
	worker   *delivery.Worker
	profiles *profiles.Engine
	rules    *ruledir.Manager
	flows    *flows.Registry
	flowDir  *ruledir.Manager
	server   *server.Server
	// stop ends the background goroutines (rule watching, SIGHUP).
	stop   context.CancelFunc
	bg     sync.WaitGroup
	jobs   *scheduler.Scheduler
	ln     net.Listener
	served chan error

	now       func() time.Time
	closeOnce sync.Once
	closeErr  error
}

// Options are the parts of the environment a service uses besides its configuration.
type Options struct {
	Logger  *slog.Logger
	Out     io.Writer // where the first-start banner goes; default os.Stdout
	Version string
	// Now is the clock of windows, expiry and timestamps; default time.Now. Tests pass
	// a fake one.
	Now func() time.Time
}

// Start opens the store, loads the keys, and starts serving on cfg.Addr. The caller must
// Close the service.
func Start(cfg config.Config, o Options) (_ *Service, err error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Out == nil {
		o.Out = os.Stdout
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &Service{cfg: cfg, log: o.Logger, now: o.Now, served: make(chan error, 1)}
	for _, d := range cfg.Deprecations() {
		o.Logger.Warn("deprecated configuration", "warning", d)
	}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()

	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("creating data directory: %w", err)
	}
	keys, devKey, err := loadKeys(cfg)
	if err != nil {
		return nil, err
	}

	// Targets tenants write through the API reach only what egress.allow lets them;
	// the operator's (connectors, rule files) are not restricted.
	policy := egress.New(cfg.Egress)
	s.senders, err = connectors.Build(cfg.Connectors, connectors.Options{Getenv: os.Getenv, Logger: o.Logger, Now: o.Now, Egress: policy})
	if err != nil {
		return nil, fmt.Errorf("connectors:\n%w", err)
	}
	orgs := Organizations(cfg, devKey)
	for _, w := range connectors.OrganizationWarnings(cfg.Connectors, orgs) {
		o.Logger.Warn("connector configuration", "warning", w)
	}
	metrics := server.NewMetrics(nil)
	names := make([]string, len(cfg.Connectors))
	for i, c := range cfg.Connectors {
		names[i] = c.Name
	}
	deliveries := delivery.NewMetrics(metrics.Registry(), names)
	guard := identity.NewGuard(cfg.Identity.BlockedAliases, cfg.Identity.MaxAliasesPerPerson)
	hub := live.NewHub(cfg.Stream.SubscriberBuffer, live.Limits{
		MaxSubscribers:             cfg.Stream.MaxSubscribers,
		MaxSubscribersPerWorkspace: cfg.Stream.MaxSubscribersPerWorkspace,
	})
	// Actions are checked against the connectors configured, in rule files and through
	// the API alike: one that names no configured connector would only dead-letter.
	// The API's actions are also checked against the egress policy and their
	// organization; rule files serve every organization (orgs).
	checks := rules.Options{Connectors: ruledir.Connectors(cfg.Connectors), Egress: policy, Organizations: orgs}
	sets := profiles.NewSets()
	deriver := profiles.NewDeriver(sets, o.Logger, deliveries.Suppressed)
	deriver.OnHeld(delivery.NewPolicyMetrics(metrics.Registry()).Held)
	if s.store, s.badger, err = openStore(cfg, deriver, guard, metrics, o); err != nil {
		return nil, err
	}
	s.store.OnCommit(hub.Publish)
	pipe := ingest.New(s.store, ingest.Options{Prepare: []store.Preparer{deriver}, Count: metrics.CountEvents})

	ctx, stop := context.WithCancel(context.Background())
	s.stop = stop
	s.profiles, err = profiles.Open(ctx, s.store, sets, o.Logger, o.Now, profiles.WithChecks(checks),
		profiles.WithLimits(cfg.Limits.TemplatesPerWorkspace, cfg.Limits.ActionsPerWorkspace))
	if err != nil {
		return nil, fmt.Errorf("loading profile templates: %w", err)
	}
	s.rules = ruledir.NewManager(cfg.RulesDir, checks, o.Logger, func(ctx context.Context, set *ruledir.Set) error {
		if err := s.profiles.SetFilePolicies(ctx, set.Policies); err != nil {
			return err
		}
		return s.profiles.SetFiles(ctx, set.Templates, set.Actions)
	})
	s.flows = flows.NewRegistry(flows.Options{Getenv: os.Getenv})
	s.flowDir = ruledir.NewDirManager("flow files", cfg.FlowsDir, o.Logger, s.flows.Loader(),
		func(name string) bool { return !flows.IsTestFile(name) })
	s.joinCluster(ctx)
	// A broken rule file at start leaves the service up without those rules: ingest
	// must not stop because of a typo. The error is in the log and at /admin/v1/api/rules.
	s.rules.Reload(ctx)
	s.flowDir.Reload(ctx) // like rule files: a broken flow file does not stop the service
	for _, m := range []*ruledir.Manager{s.rules, s.flowDir} {
		s.background(func() {
			if err := m.Watch(ctx, 500*time.Millisecond); err != nil {
				o.Logger.Warn("definitions will reload only on SIGHUP or request", "dir", m.Status().Dir, "err", err)
			}
		})
	}
	s.worker = delivery.New(delivery.Options{Store: s.store, Senders: s.senders, Organizations: ConnectorOrganizations(cfg.Connectors), Logger: o.Logger, Now: o.Now,
		MaxAttempts: cfg.Delivery.MaxAttempts, Backoff: time.Duration(cfg.Delivery.Backoff),
		MaxBackoff: time.Duration(cfg.Delivery.MaxBackoff), PerConnector: cfg.Delivery.PerConnector,
		PerWorkspace: cfg.Delivery.PerWorkspace,
		Metrics:      deliveries})
	s.store.OnCommit(func([]store.Committed) { s.worker.Wake() }) // an event may have queued a delivery
	delivery.WatchOutbox(metrics.Registry(), s.store, o.Now)
	if s.badger != nil {
		metrics.Registry().MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "jds_profile_state_pending_bytes", Help: "Profile state journaled with its events but not yet written under its own keys: what a restart replays.",
		}, func() float64 { return float64(s.badger.PendingStateBytes()) }))
	}
	s.background(func() { s.worker.Run(ctx) })
	s.background(func() {
		hup := make(chan os.Signal, 1)
		signal.Notify(hup, syscall.SIGHUP)
		defer signal.Stop(hup)
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				s.rules.Reload(ctx)
				s.flowDir.Reload(ctx)
			}
		}
	})

	s.jobs = scheduler.New(o.Logger, append(jobOptions(s.store), scheduler.WithClock(o.Now))...)
	if err := s.addJobs(); err != nil {
		return nil, err
	}
	if err := s.addBackupJob(metrics.Registry(), o.Version); err != nil {
		return nil, err
	}
	// One quota for every path that writes events: HTTP ingest, inbound, flows.
	ingestQuota := quota.New(cfg.Limits, o.Now, metrics.CountThrottled)
	s.shareQuota(ctx, ingestQuota)
	if s.inbound, err = buildInbound(cfg, s.store, pipe, guard, ingestQuota, o); err != nil {
		return nil, err
	}
	if err := addPollers(s.inbound, s.jobs.Add); err != nil {
		return nil, err
	}

	s.server = server.New(server.Options{
		Config:   cfg,
		Store:    s.store,
		Hub:      hub,
		Keys:     keys,
		Metrics:  metrics,
		Guard:    guard,
		Profiles: s.profiles,
		Now:      o.Now,
		Rules:    s.rules,
		Flows:    s.flows,
		FlowDir:  s.flowDir,
		Jobs:     s.jobs,
		Inbound:  s.inbound,
		Admins:   InstanceAdmins(cfg, devKey),
		Quota:    ingestQuota,
		Ingest:   pipe,
		Logger:   o.Logger,
		Version:  o.Version,
	})
	s.ln, err = net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", cfg.Addr, err)
	}
	go func() { s.served <- s.server.Serve(s.ln) }()
	s.jobs.Start()
	s.server.SetReady(true)
	o.Logger.Info("jds is serving", "addr", s.ln.Addr().String(), "data", cfg.DataDir, "version", o.Version)
	if devKey != nil {
		flow := ""
		if fs := s.flows.Flows(); len(fs) > 0 {
			flow = fs[0].Name
			if s.flows.Get("payment-reminder") != nil {
				flow = "payment-reminder"
			}
		}
		printBanner(o.Out, s.Addr(), *devKey, flow)
	}
	return s, nil
}

func (s *Service) background(fn func()) {
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		fn()
	}()
}

// Addr is the address the service listens on (useful with port 0).
func (s *Service) Addr() string { return s.ln.Addr().String() }

// Wait blocks until ctx ends or the server stops by itself.
func (s *Service) Wait(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return nil
	case err := <-s.served:
		return fmt.Errorf("http server stopped: %w", err)
	}
}

// Close shuts down in the reverse order of Start: stop taking requests and end live
// streams, stop the jobs, then close the store (its committer drains first). Idempotent.
func (s *Service) Close() error {
	s.closeOnce.Do(func() {
		var errs []error
		if s.server != nil {
			ctx, cancel := context.WithTimeout(context.Background(), time.Duration(s.cfg.HTTP.ShutdownTimeout))
			if err := s.server.Shutdown(ctx); err != nil {
				errs = append(errs, fmt.Errorf("shutting down http: %w", err))
			}
			cancel()
		} else if s.ln != nil {
			s.ln.Close()
		}
		if s.stop != nil {
			s.stop()
			s.bg.Wait()
		}
		if s.jobs != nil {
			s.jobs.Stop() // cancels the runs in progress and waits for them
		}
		s.inbound.Close()
		if s.profiles != nil {
			s.profiles.Close()
		}
		if err := connectors.Close(s.senders); err != nil {
			errs = append(errs, err)
		}
		if s.store != nil {
			if err := s.store.Close(); err != nil {
				errs = append(errs, err)
			}
		}
		s.closeErr = errors.Join(errs...)
		s.log.Info("jds stopped")
	})
	return s.closeErr
}

// Run starts the service and runs it until ctx ends.
func Run(ctx context.Context, cfg config.Config, o Options) error {
	s, err := Start(cfg, o)
	if err != nil {
		return err
	}
	werr := s.Wait(ctx)
	return errors.Join(werr, s.Close())
}

// NewLogger builds the service's logger from its configuration.
func NewLogger(cfg config.Log, w io.Writer) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.Level)); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
