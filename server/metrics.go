package server

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/openjds/jds/internal/identity"
	"github.com/openjds/jds/internal/live"
	"github.com/openjds/jds/internal/profiles"
	"github.com/openjds/jds/rules/ruledir"
)

// Metrics are the Prometheus metrics of the service, served at /metrics.
type Metrics struct {
	reg          *prometheus.Registry
	requests     *prometheus.CounterVec
	latency      *prometheus.HistogramVec
	events       *prometheus.CounterVec
	commitSize   prometheus.Histogram
	commitTime   prometheus.Histogram
	streamEvents prometheus.Counter
	flows        *prometheus.CounterVec
}

// NewMetrics registers the metrics in reg (a new registry when nil), with the Go runtime
// and process collectors.
func NewMetrics(reg *prometheus.Registry) *Metrics {
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	m := &Metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "jds_http_requests_total", Help: "HTTP requests by route, method and status code.",
		}, []string{"route", "method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "jds_http_request_duration_seconds", Help: "HTTP request latency by route and method (to the end of the handler; streams excluded).",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10},
		}, []string{"route", "method"}),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "jds_events_total", Help: "Events posted, by result: accepted (stored), duplicate (already stored), rejected (invalid), throttled (refused by the workspace's ingest quota).",
		}, []string{"result"}),
		commitSize: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "jds_commit_batch_events", Help: "Events stored by one group commit.",
			Buckets: prometheus.ExponentialBuckets(1, 4, 8),
		}),
		commitTime: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "jds_commit_duration_seconds", Help: "Time of one group commit, sync included.",
			Buckets: []float64{.0005, .001, .002, .005, .01, .02, .05, .1, .25, 1},
		}),
		streamEvents: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "jds_stream_events_sent_total", Help: "Events sent to live-stream subscribers.",
		}),
	}
	m.flows = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "jds_flow_decisions_total", Help: "IVR flow calls by flow and by what answered: rule, or fallback (evaluation failed or no rule held; the log says why).",
	}, []string{"flow", "answer"})
	reg.MustRegister(m.requests, m.latency, m.events, m.commitSize, m.commitTime, m.streamEvents, m.flows,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, r := range []string{"accepted", "duplicate", "rejected", "throttled"} {
		m.events.WithLabelValues(r)
	}
	return m
}

// CountEvents counts events in jds_events_total, whatever wrote them: HTTP ingest,
// inbound webhooks and pollers, flows. accepted are the events stored, duplicates those
// the workspace already held, rejected those refused as invalid.
func (m *Metrics) CountEvents(accepted, duplicates, rejected int) {
	if accepted > 0 {
		m.events.WithLabelValues("accepted").Add(float64(accepted))
	}
	if duplicates > 0 {
		m.events.WithLabelValues("duplicate").Add(float64(duplicates))
	}
	if rejected > 0 {
		m.events.WithLabelValues("rejected").Add(float64(rejected))
	}
}

// CountThrottled counts in jds_events_total the events a workspace's ingest quota
// refused, whatever path posted them.
func (m *Metrics) CountThrottled(events int) {
	m.events.WithLabelValues("throttled").Add(float64(events))
}

// Registry is where the service's metrics are registered; other parts register theirs
// in it too.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// flowDecision counts one answer of a flow.
func (m *Metrics) flowDecision(flow, answer string) { m.flows.WithLabelValues(flow, answer).Inc() }

// ObserveCommit records one group commit; the ledger calls it.
func (m *Metrics) ObserveCommit(events int, took time.Duration) {
	m.commitSize.Observe(float64(events))
	m.commitTime.Observe(took.Seconds())
}

const guardHelp = "Identity guardrail refusals: blocked (a placeholder alias such as \"unknown\"), max_aliases (a person would own too many)."

// watchRules adds metrics of profile backfills and rule-file reloads.
func (m *Metrics) watchRules(e *profiles.Engine, r *ruledir.Manager) {
	if e != nil {
		m.reg.MustRegister(
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "jds_profile_backfills_running", Help: "Profile templates being computed from the ledger.",
			}, func() float64 { n, _, _ := e.BackfillProgress(); return float64(n) }),
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "jds_profile_backfill_persons_remaining", Help: "Persons the running backfills still have to compute.",
			}, func() float64 { _, _, todo := e.BackfillProgress(); return float64(todo) }))
	}
	if r != nil {
		m.reg.MustRegister(
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "jds_rules_last_reload_success", Help: "1 when the last reload of the rule files succeeded, 0 when the previous set stayed in force.",
			}, func() float64 {
				if r.Status().OK {
					return 1
				}
				return 0
			}),
			prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name: "jds_rules_reload_failures_total", Help: "Reloads of the rule files refused for errors.",
			}, func() float64 { return float64(r.Status().Failures) }),
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "jds_rules_last_success_timestamp_seconds", Help: "When the working set of rule files was loaded.",
			}, func() float64 {
				if t := r.Status().LoadedAt; !t.IsZero() {
					return float64(t.Unix())
				}
				return 0
			}))
	}
}

// watchIngestGate adds the ingest gate's turns held and requests waiting, read at
// scrape time, and the requests it refused.
func (m *Metrics) watchIngestGate(g *ingestGate) {
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "jds_ingest_gate_in_use", Help: "HTTP ingest requests decoding and preparing their events (at most ingest.maxConcurrent; reads never wait for these turns).",
		}, func() float64 { return float64(g.inUse()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "jds_ingest_gate_waiting", Help: "HTTP ingest requests waiting for a turn to decode their events (at most ingest.maxQueued).",
		}, func() float64 { return float64(g.queued()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "jds_ingest_gate_refused_total", Help: "HTTP ingest requests refused with 503 because ingest.maxQueued were already waiting for a turn.",
		}, func() float64 { return float64(g.refused.Load()) }),
	)
}

const streamRefusedHelp = "Live streams refused (429) by the subscriber limits: instance (stream.maxSubscribers), workspace (stream.maxSubscribersPerWorkspace)."

// watch adds metrics that read the hub and the guard at scrape time.
func (m *Metrics) watch(h *live.Hub, g *identity.Guard) {
	if g != nil {
		m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "jds_identity_guardrail_total", Help: guardHelp, ConstLabels: prometheus.Labels{"guardrail": "blocked"},
		}, func() float64 { return float64(g.Blocked.Load()) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name: "jds_identity_guardrail_total", Help: guardHelp, ConstLabels: prometheus.Labels{"guardrail": "max_aliases"},
			}, func() float64 { return float64(g.TooMany.Load()) }))
	}
	if h == nil {
		return
	}
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "jds_stream_subscribers", Help: "Open live-stream subscriptions.",
		}, func() float64 { return float64(h.Subscribers()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "jds_stream_dropped_total", Help: "Live-stream subscribers cut off for reading too slowly.",
		}, func() float64 { return float64(h.Dropped()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "jds_stream_refused_total", Help: streamRefusedHelp, ConstLabels: prometheus.Labels{"limit": "instance"},
		}, func() float64 { n, _ := h.Refused(); return float64(n) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "jds_stream_refused_total", Help: streamRefusedHelp, ConstLabels: prometheus.Labels{"limit": "workspace"},
		}, func() float64 { _, n := h.Refused(); return float64(n) }),
	)
}

func (m *Metrics) handler() fiber.Handler {
	return adaptor.HTTPHandler(promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
}

// observe counts and times every request by its route pattern (not its path, which
// would make one series per customer).
func (s *Server) observe(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	if err != nil {
		// Let the error handler write the response now so that its status is counted.
		if herr := s.handleError(c, err); herr != nil {
			return herr
		}
	}
	route := strings.Clone(c.Route().Path)
	if route == "/" && c.Path() != "/" {
		route = "unmatched"
	}
	// Label values outlive the request: copy them out of fasthttp's buffers.
	method := strings.Clone(c.Method())
	s.metrics.requests.WithLabelValues(route, method, strconv.Itoa(c.Response().StatusCode())).Inc()
	s.metrics.latency.WithLabelValues(route, method).Observe(time.Since(start).Seconds())
	return nil
}
