// Package server is the HTTP edge of jds: the Fiber app, its routes, SAS authentication,
// the error envelope, live streams (SSE) and metrics.
//
// Handlers are thin: they authenticate, translate a request into calls on the ledger and
// the other domain packages, and render the answer. Every handler returns an error, and
// handleError alone turns errors into responses and logs their causes.
package server

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/openjds/jds/config"
	"github.com/openjds/jds/connectors/inbound"
	"github.com/openjds/jds/flows"
	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/identity"
	"github.com/openjds/jds/internal/ingest"
	"github.com/openjds/jds/internal/live"
	"github.com/openjds/jds/internal/profiles"
	"github.com/openjds/jds/internal/quota"
	"github.com/openjds/jds/internal/sas"
	"github.com/openjds/jds/internal/scheduler"
	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/rules/ruledir"
)

// Options are what a Server is built from.
type Options struct {
	Config  config.Config
	Store   store.Store
	Hub     *live.Hub
	Keys    *sas.Keyring
	Metrics *Metrics
	Guard   *identity.Guard // identity guardrails, shared with the store
	// Profiles serves templates and profile views; Rules reloads the rule directory.
	Profiles *profiles.Engine
	Rules    *ruledir.Manager
	// Jobs are the scheduled jobs shown at /admin/v1/api/jobs and in the metrics.
	Jobs    *scheduler.Scheduler
	Logger  *slog.Logger
	Now     func() time.Time // default time.Now
	Version string

	// Flows are the IVR flows in force; FlowDir reloads them.
	Flows   *flows.Registry
	FlowDir *ruledir.Manager

	// Inbound holds the inbound webhooks served at /v1/connectors/{name}/webhook.
	Inbound *inbound.Set

	// Admins are the organizations whose admin tokens for every workspace (sn=*) may
	// run instance-wide operations (reloads, jobs, the status of every rule and flow
	// file): config.Config.InstanceAdmins, and the development key's organization when
	// no key is configured. None: nobody may.
	Admins []string

	// Quota is the workspaces' ingest quota, for HTTP ingest and flows; nil: none.
	Quota *quota.Limiter
	// Ingest takes the events of HTTP ingest and flows into Store.
	Ingest *ingest.Pipeline
}

// Server serves the jds HTTP API.
type Server struct {
	cfg      config.Config
	store    store.Store
	hub      *live.Hub
	keys     *sas.Keyring
	metrics  *Metrics
	profiles *profiles.Engine
	rules    *ruledir.Manager
	jobs     *scheduler.Scheduler
	inbound  *inbound.Set
	admins   []string // organizations of instance admins (Options.Admins)
	quota    *quota.Limiter
	pipeline *ingest.Pipeline
	// gate bounds the ingest requests decoding and preparing events at once (admit.go).
	gate    *ingestGate
	flows   *flows.Registry
	flowDir *ruledir.Manager
	// flowRuntime is what flows read and write through.
	flowRuntime *flows.Runtime
	log         *slog.Logger
	now         func() time.Time
	limits      event.Limits
	app         *fiber.App
	version     string

	// ctx ends when shutdown begins: live streams hang off it so that they end first.
	ctx    context.Context
	cancel context.CancelFunc
	ready  atomic.Bool
}

// New builds the server and its routes; it does no I/O.
func New(o Options) *Server {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Metrics == nil {
		o.Metrics = NewMetrics(nil)
	}
	s := &Server{
		cfg:      o.Config,
		store:    o.Store,
		hub:      o.Hub,
		keys:     o.Keys,
		metrics:  o.Metrics,
		profiles: o.Profiles,
		rules:    o.Rules,
		jobs:     o.Jobs,
		inbound:  o.Inbound,
		admins:   slices.Clone(o.Admins),
		quota:    o.Quota,
		pipeline: o.Ingest,
		gate:     newIngestGate(IngestTurns(o.Config.Ingest.MaxConcurrent, runtime.GOMAXPROCS(0)), o.Config.Ingest.MaxQueued),
		flows:    o.Flows,
		flowDir:  o.FlowDir,
		log:      o.Logger,
		now:      o.Now,
		version:  o.Version,
		limits: event.Limits{
			MaxBatch:      o.Config.Ingest.MaxBatchEvents,
			MaxEventBytes: int(o.Config.Ingest.MaxEventBytes),
			DefaultRegion: o.Config.Identity.DefaultRegion,
			Guard:         o.Guard,
		},
	}
	s.flowRuntime = &flows.Runtime{Store: o.Store, Ingest: o.Ingest, Profiles: o.Profiles, Now: o.Now, Limits: s.limits, Quota: o.Quota}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.metrics.watch(o.Hub, o.Guard)
	s.metrics.watchRules(o.Profiles, o.Rules)
	s.metrics.watchJobs(o.Jobs)
	s.metrics.watchIngestGate(s.gate)
	s.app = fiber.New(fiber.Config{
		AppName:               "jds " + o.Version,
		DisableStartupMessage: true,
		ErrorHandler:          s.handleError,
		// The batch limit is enforced by the decoder with a clear message; the body
		// limit keeps a little room so that "too many events" wins over "too large".
		BodyLimit:      int(o.Config.Ingest.MaxBodyBytes),
		ReadBufferSize: 16 << 10,
		ReadTimeout:    time.Duration(o.Config.HTTP.ReadTimeout),
		WriteTimeout:   time.Duration(o.Config.HTTP.WriteTimeout),
		IdleTimeout:    time.Duration(o.Config.HTTP.IdleTimeout),
		UnescapePath:   true,
	})
	s.routes()
	return s
}

func (s *Server) routes() {
	a := s.app
	a.Use(s.requestIDs, s.observe, s.recoverPanics)
	// Cross-origin grants, before routing: preflights match no route.
	for _, h := range s.corsHandlers(s.cfg.CORS) {
		a.Use(h)
	}

	a.Get("/livez", func(c *fiber.Ctx) error { return c.SendString("ok\n") })
	a.Get("/readyz", s.readyz)
	a.Get("/metrics", s.metrics.handler())

	// Listen.
	a.Post("/publish/v1/api/event", s.auth("ds", true), s.ingest(ingestSingle))
	a.Post("/publish/v1/api/events", s.auth("ds", true), s.ingest(ingestBatch))
	a.Post("/v1/journey/events", s.auth("ds", true), s.ingest(ingestJourney))

	// Analyze: history and live streams. The historic path is registered before the
	// stream path it is a prefix of.
	a.Get("/v1/api/events/stream/workspace-id/:ws/identity/:identity", s.auth("stream", false), s.stream)
	a.Get("/v1/api/events/workspace-id/:ws", s.auth("tape", false), s.history(historyShape{}))
	a.Get("/v1/journey/streams/historic/:identity", s.auth("tape", false), s.history(historyShape{btoa: true}))
	// G2 reads: the workspace's tape, and one person's; {meta, events, data}.
	a.Get("/v1/journey/events", s.auth("tape", false), s.history(historyShape{btoa: true, g2: true}))
	a.Get("/v1/journey/events/:identity", s.auth("tape", false), s.history(historyShape{btoa: true, g2: true}))
	a.Get("/v1/journey/streams/:identity", s.auth("stream", false), s.stream)

	// Identify; analyze: profiles.
	s.personRoutes()
	s.profileRoutes()
	s.actionRoutes()
	s.versionRoutes()
	s.policyRoutes()
	s.trustRoutes()
	s.jobRoutes()
	s.inboundRoutes()
	s.flowRoutes()
	s.adminRoutes()
	s.backupRoutes()

	// The admin console and the customer-journey widget.
	s.staticRoutes()

	a.Use(func(c *fiber.Ctx) error {
		return newError(fiber.StatusNotFound, fmt.Sprintf("no route for %s %s", c.Method(), c.Path()))
	})
}

// SetReady marks the service ready (store open, rules loaded) for /readyz, which also
// answers 503 while the store is short of free space (store.ErrNoSpace).
func (s *Server) SetReady(ready bool) { s.ready.Store(ready) }

func (s *Server) readyz(c *fiber.Ctx) error {
	if !s.ready.Load() {
		return newError(fiber.StatusServiceUnavailable, "not ready")
	}
	// A store short of space serves reads but refuses writes: not ready for ingest.
	if s.store != nil {
		if err := s.store.CheckSpace(); err != nil {
			return newError(fiber.StatusServiceUnavailable, "not ready: "+err.Error()+"; writes are refused, reads are served")
		}
	}
	return c.SendString("ok\n")
}

// Serve accepts connections on ln until Shutdown. While HTTP ingest is busy it adds
// config readerProcs Go processors beyond those it started with (ingestGate.governProcs).
func (s *Server) Serve(ln net.Listener) error {
	if n := s.cfg.ReaderProcs; n > 0 {
		go s.gate.governProcs(s.ctx, runtime.GOMAXPROCS(0), n)
	}
	return s.app.Listener(ln)
}

// Shutdown stops taking requests, ends live streams, and waits for requests in flight
// (until ctx ends). It does not close the store: the caller does, after.
func (s *Server) Shutdown(ctx context.Context) error {
	s.ready.Store(false)
	s.cancel()
	return s.app.ShutdownWithContext(ctx)
}

const headerRequestID = "X-Request-ID"

// requestIDs gives every request an id (the client's, if it sent a sane one), echoed in
// the response and used as the error envelope's trackingId.
func (s *Server) requestIDs(c *fiber.Ctx) error {
	id := c.Get(headerRequestID)
	if id == "" || len(id) > 128 || strings.ContainsFunc(id, func(r rune) bool { return r < 0x21 || r > 0x7e }) {
		id = uuid.NewString()
	} else {
		id = strings.Clone(id) // fasthttp reuses the header buffer
	}
	c.Locals(headerRequestID, id)
	c.Set(headerRequestID, id)
	return c.Next()
}

func requestID(c *fiber.Ctx) string {
	id, _ := c.Locals(headerRequestID).(string)
	return id
}

// recoverPanics turns a panic into a 500 with the envelope, logging the stack.
func (s *Server) recoverPanics(c *fiber.Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("panic in handler", "method", c.Method(), "path", c.Path(), "request_id", requestID(c), "panic", r, "stack", string(debug.Stack()))
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return c.Next()
}

// requestContext is a handler's own deadline: Fiber's request context never ends.
func (s *Server) requestContext() (context.Context, context.CancelFunc) {
	d := time.Duration(s.cfg.HTTP.RequestTimeout)
	if d <= 0 {
		d = 10 * time.Second
	}
	return context.WithTimeout(s.ctx, d)
}
