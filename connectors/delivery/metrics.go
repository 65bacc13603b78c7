package delivery

import (
	"context"
	"time"

	"github.com/openjds/jds/internal/store"
	"github.com/prometheus/client_golang/prometheus"
)

// Results of a delivery attempt, as the jds_deliveries_total metric labels them.
const (
	ResultSent       = "sent"       // the partner accepted it
	ResultRetry      = "retry"      // it failed and is due again after a backoff
	ResultDead       = "dead"       // it failed for good: a dead letter
	ResultSuppressed = "suppressed" // an action's rule held within its cooldown: nothing was queued
)

// InlineConnector is the connector label of deliveries of actions' inline Webhook
// triggers, which name no instance. Instance names start with a letter, so it is no
// instance's name.
const InlineConnector = "(inline)"

// Metrics are the delivery metrics, registered by NewMetrics:
//
//	jds_deliveries_total{connector,result}              attempts by result, and suppressed firings
//	jds_delivery_attempt_duration_seconds{connector}    how long partners take to answer
//	jds_outbox_deliveries                               deliveries queued, scheduled ones included
//	jds_outbox_oldest_due_age_seconds                   how late the most overdue one is
//
// A nil *Metrics counts nothing. It is safe for concurrent use.
type Metrics struct {
	deliveries *prometheus.CounterVec
	latency    *prometheus.HistogramVec
}

// NewMetrics registers the delivery metrics in reg, with a series for each result of
// each connector named (configured instances; the inline webhook sender is added), so
// that rates start from zero.
func NewMetrics(reg prometheus.Registerer, connectors []string) *Metrics {
	m := &Metrics{
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "jds_deliveries_total",
			Help: "Delivery attempts by connector and result: sent, retry (due again after a backoff), dead (a dead letter); suppressed counts firings an action's cooldown kept from being queued, per trigger.",
		}, []string{"connector", "result"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "jds_delivery_attempt_duration_seconds",
			Help:    "Time of one delivery attempt by connector, until the partner answered or the attempt failed.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"connector"}),
	}
	reg.MustRegister(m.deliveries, m.latency)
	for _, c := range append([]string{InlineConnector}, connectors...) {
		for _, r := range []string{ResultSent, ResultRetry, ResultDead, ResultSuppressed} {
			m.deliveries.WithLabelValues(c, r)
		}
	}
	return m
}

func label(connector string) string {
	if connector == "" {
		return InlineConnector
	}
	return connector
}

// count counts one attempt's result.
func (m *Metrics) count(connector, result string) {
	if m != nil {
		m.deliveries.WithLabelValues(label(connector), result).Inc()
	}
}

// observe records how long one attempt took.
func (m *Metrics) observe(connector string, took time.Duration) {
	if m != nil {
		m.latency.WithLabelValues(label(connector)).Observe(took.Seconds())
	}
}

// Suppressed counts a delivery that an action's cooldown kept from being queued;
// connector is the trigger's ("" for an inline Webhook). The actions engine calls it
// inside the commit of the event: it only increments a counter.
func (m *Metrics) Suppressed(connector string) { m.count(connector, ResultSuppressed) }

// WatchOutbox registers the outbox gauges in reg, read from st at each scrape: how many
// deliveries are queued, and how long past its due time the most overdue one is (0
// when none is overdue).
func WatchOutbox(reg prometheus.Registerer, st store.Outbox, now func() time.Time) {
	reg.MustRegister(&outboxCollector{st: st, now: now,
		depth: prometheus.NewDesc("jds_outbox_deliveries",
			"Deliveries in the outbox: queued, in flight or due again after a failed attempt, scheduled ones included.", nil, nil),
		age: prometheus.NewDesc("jds_outbox_oldest_due_age_seconds",
			"How long past its due time the most overdue delivery of the outbox is; 0 when none is overdue. A growing value means the worker is behind or stuck.", nil, nil),
	})
}

// outboxCollector reads the outbox once per scrape for both gauges.
type outboxCollector struct {
	st         store.Outbox
	now        func() time.Time
	depth, age *prometheus.Desc
}

func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.depth; ch <- c.age }

func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, err := c.st.OutboxStats(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.depth, err)
		return
	}
	var age float64
	if !st.OldestDue.IsZero() {
		age = max(c.now().Sub(st.OldestDue).Seconds(), 0)
	}
	ch <- prometheus.MustNewConstMetric(c.depth, prometheus.GaugeValue, float64(st.Pending))
	ch <- prometheus.MustNewConstMetric(c.age, prometheus.GaugeValue, age)
}
