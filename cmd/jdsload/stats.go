package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"time"
)

// latencies is one client's record: every latency, in a slice allocated before the run.
type latencies []time.Duration

func newLatencies(expected int) latencies {
	return make(latencies, 0, expected+expected/4+16)
}

// summary holds the exact percentiles of a set of latencies.
type summary struct {
	n                  int
	p50, p90, p99, max time.Duration
}

// summarize merges the clients' records and sorts them: exact percentiles, nearest rank.
func summarize(parts []latencies) summary {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	all := make([]time.Duration, 0, n)
	for _, p := range parts {
		all = append(all, p...)
	}
	slices.Sort(all)
	return summary{n: n, p50: rank(all, 0.50), p90: rank(all, 0.90), p99: rank(all, 0.99), max: rank(all, 1)}
}

// rank is the nearest-rank percentile q (0 < q <= 1) of sorted values; 0 when empty.
func rank(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func ms(d time.Duration) float64 { return round(float64(d)/float64(time.Millisecond), 3) }

func round(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}

// result is the machine-readable outcome of a run: the common fields, then extras.
type result struct {
	Scenario       string         `json:"scenario"`
	Events         int64          `json:"events"`
	Requests       int64          `json:"requests"`
	Seconds        float64        `json:"seconds"`
	EventsPerSec   float64        `json:"events_per_sec"`
	RequestsPerSec float64        `json:"requests_per_sec"`
	P50            float64        `json:"p50_ms"`
	P90            float64        `json:"p90_ms"`
	P99            float64        `json:"p99_ms"`
	Max            float64        `json:"max_ms"`
	Errors         int64          `json:"errors"`
	Extra          map[string]any `json:"-"`
}

func newResult(scenario string, events, requests, errs int64, elapsed time.Duration, s summary) *result {
	secs := elapsed.Seconds()
	r := &result{Scenario: scenario, Events: events, Requests: requests, Errors: errs,
		Seconds: round(secs, 3), P50: ms(s.p50), P90: ms(s.p90), P99: ms(s.p99), Max: ms(s.max),
		Extra: map[string]any{}}
	if secs > 0 {
		r.EventsPerSec = round(float64(events)/secs, 1)
		r.RequestsPerSec = round(float64(requests)/secs, 1)
	}
	return r
}

// line renders "RESULT {json}": the common fields in their order, then the extras sorted.
func (r *result) line() string {
	b, _ := json.Marshal(r)
	b = b[:len(b)-1]
	keys := make([]string, 0, len(r.Extra))
	for k := range r.Extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		kb, _ := json.Marshal(k)
		vb, err := json.Marshal(r.Extra[k])
		if err != nil {
			vb, _ = json.Marshal(fmt.Sprint(r.Extra[k]))
		}
		b = append(b, ',')
		b = append(b, kb...)
		b = append(b, ':')
		b = append(b, vb...)
	}
	return "RESULT " + string(append(b, '}'))
}

// report ends a run of requests: their latency, the failures, the RESULT line, and
// errFailed when any request failed.
func (r *result) report(w io.Writer, lat summary, fails *failures) error {
	printLatency(w, "request", lat)
	fails.print(w, r.Errors)
	fmt.Fprintln(w, r.line())
	if r.Errors > 0 {
		return errFailed
	}
	return nil
}

// printLatency writes the human form of a latency summary.
func printLatency(w io.Writer, what string, s summary) {
	fmt.Fprintf(w, "  %s latency (ms, %d samples): p50 %.2f  p90 %.2f  p99 %.2f  max %.2f\n",
		what, s.n, ms(s.p50), ms(s.p90), ms(s.p99), ms(s.max))
}
