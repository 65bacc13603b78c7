package delivery

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openjds/jds/internal/store"
)

// BenchmarkQuietDelivery times one workspace's deliveries from their commit to their
// arrival at a healthy partner, one at a time: alone, and beside a workspace whose
// partner never answers, with 200 deliveries queued to it first and one more with every
// quiet one (so the scan reads past a growing queue of them). It reports the p50, p99 and
// max latency. Recorded in docs/BENCHMARKS.md:
//
//	go test ./delivery -run '^$' -bench QuietDelivery -benchtime 2000x
func BenchmarkQuietDelivery(b *testing.B) {
	for _, noisy := range []bool{false, true} {
		name := "alone"
		if noisy {
			name = "beside-a-dead-partner"
		}
		b.Run(name, func(b *testing.B) {
			noisyWS, quietWS := store.Workspace{Org: "cctsa", Name: "noisy"}, store.Workspace{Org: "acme", Name: "quiet"}
			arrived := make(chan struct{}, 1)
			healthy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				arrived <- struct{}{}
			}))
			defer healthy.Close()
			dead := newSink(b)
			// The service's clock and poll: commits and freed slots wake the worker.
			r := newFairRig(b, routed{noisyWS: {dead.srv.URL}, quietWS: {healthy.URL}}, Options{Now: time.Now, Poll: 250 * time.Millisecond})
			if noisy {
				r.post(noisyWS, 200, first)
			}
			r.run()
			took := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for range b.N {
				if noisy {
					r.post(noisyWS, 1, first)
				}
				r.post(quietWS, 1, first)
				start := time.Now()
				<-arrived
				took = append(took, time.Since(start))
			}
			b.StopTimer()
			slices.Sort(took)
			q := func(p float64) float64 { return float64(took[int(p*float64(len(took)-1))].Microseconds()) / 1000 }
			b.ReportMetric(q(0.5), "p50-ms")
			b.ReportMetric(q(0.99), "p99-ms")
			b.ReportMetric(q(1), "max-ms")
			if noisy {
				b.ReportMetric(float64(dead.got.Load()), "dead-held")
			}
		})
	}
}

// BenchmarkBacklog times how long a backlog of 20,000 deliveries to one healthy partner
// takes to drain: the throughput of one lane when its queue is long.
//
//	go test ./delivery -run '^$' -bench Backlog -benchtime 1x
func BenchmarkBacklog(b *testing.B) {
	const n = 20000
	for range b.N {
		var got atomic.Int64
		done := make(chan struct{})
		fast := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if got.Add(1) == n {
				close(done)
			}
		}))
		ws := store.Workspace{Org: "acme", Name: "bulk"}
		r := newFairRig(b, routed{ws: {fast.URL}}, Options{Now: time.Now, Poll: 250 * time.Millisecond})
		for range n / 1000 {
			r.post(ws, 1000, first)
		}
		start := time.Now()
		r.run()
		<-done
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "deliveries/s")
		fast.Close()
	}
}
