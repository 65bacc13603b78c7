package delivery

import "github.com/prometheus/client_golang/prometheus"

// PolicyMetrics count the deliveries contact policies held back when their actions
// fired:
//
//	jds_policy_deliveries_total{policy,outcome}   outcome: suppressed or deferred
//
// A nil *PolicyMetrics counts nothing. It is safe for concurrent use.
type PolicyMetrics struct {
	held *prometheus.CounterVec
}

// NewPolicyMetrics registers the contact policy counter in reg.
func NewPolicyMetrics(reg prometheus.Registerer) *PolicyMetrics {
	m := &PolicyMetrics{held: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "jds_policy_deliveries_total",
		Help: "Deliveries a contact policy held back when their action fired, by policy and outcome: suppressed (recorded, never sent: opt-out, maxPerPerson) or deferred (to the end of quiet hours).",
	}, []string{"policy", "outcome"})}
	reg.MustRegister(m.held)
	return m
}

// Held counts one delivery the policy held back. The deriver calls it inside the commit
// of the event: it only increments a counter.
func (m *PolicyMetrics) Held(policy, outcome string) {
	if m != nil {
		m.held.WithLabelValues(policy, outcome).Inc()
	}
}
