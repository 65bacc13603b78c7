package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"
)

// cmdIngest runs "ingest" (events spread over --persons phone numbers, times now) and
// "seed" (events for one --identity, times spread over the last 30 days).
func cmdIngest(ctx context.Context, scenario string, args []string, stdout, stderr io.Writer) error {
	seed := scenario == "seed"
	fs := newFlags(scenario, stderr)
	defClients, defBatch, defEvents := 16, 100, 200_000
	if seed {
		defClients, defBatch, defEvents = 1, 1000, 10_000
	}
	finish := addTargetFlags(fs, defClients)
	batch := fs.Int("batch", defBatch, "events per request: 1 posts single events to /publish/v1/api/event, more posts arrays to /publish/v1/api/events")
	events := fs.Int("events", defEvents, "events to post in all (the run also stops at --duration)")
	persons := fs.Int("persons", 10_000, "distinct phone numbers (+1555 and 7 digits) the events are spread over")
	identity := fs.String("identity", "", "post every event for this one identity")
	span := fs.Duration("span", 0, "spread event times evenly over this span ending now (0: each event's time is when it was generated)")
	runID := fs.String("run-id", "", "16 hex digits prefixing event ids (default random: events never collide with an earlier run's)")
	if seed {
		fs.Lookup("identity").DefValue = "+15550000001"
		*identity = "+15550000001"
		fs.Lookup("span").DefValue = "720h0m0s"
		*span = 30 * 24 * time.Hour
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	t, err := finish()
	if err != nil {
		return usageError(stderr, "%v", err)
	}
	switch {
	case *batch < 1 || *batch > 10_000:
		return usageError(stderr, "--batch must be from 1 to 10000, got %d", *batch)
	case *events < 1:
		return usageError(stderr, "--events must be positive, got %d", *events)
	case seed && *identity == "":
		return usageError(stderr, "--identity is required")
	case *span < 0:
		return usageError(stderr, "--span must not be negative")
	}
	g, err := newGenerator(*runID, *persons, *identity)
	if err != nil {
		return usageError(stderr, "%v", err)
	}
	if *span > 0 {
		g.spread(time.Now(), *span, *events)
	}
	r := &ingestRun{target: t, gen: g, batch: *batch, events: *events, log: stderr}
	res, err := r.run(ctx)
	if err != nil {
		return err
	}
	res.Scenario = scenario
	res.Extra["clients"] = t.clients
	res.Extra["batch"] = *batch
	if seed || *identity != "" {
		res.Extra["identity"] = *identity
	} else {
		res.Extra["persons"] = *persons
	}
	res.Extra["target_events"] = *events

	who := fmt.Sprintf("%d persons", *persons)
	if *identity != "" {
		who = "identity " + *identity
	}
	fmt.Fprintf(stdout, "%s: %d events (%s) in %d requests of up to %d, %d clients, %s\n",
		scenario, res.Events, who, res.Requests, *batch, t.clients, t.endpointFor(*batch))
	fmt.Fprintf(stdout, "  %.2f s: %.0f events/s, %.0f requests/s; stopped by %s; average event %d bytes, %.1f MB sent\n",
		res.Seconds, res.EventsPerSec, res.RequestsPerSec, res.Extra["stopped_by"], res.Extra["avg_event_bytes"],
		float64(res.Extra["bytes_sent"].(int64))/1e6)
	return res.report(stdout, r.lat, &r.fails)
}

func (t *target) endpointFor(batch int) string {
	if batch == 1 {
		return "POST /publish/v1/api/event"
	}
	return "POST /publish/v1/api/events"
}

type ingestRun struct {
	*target
	gen    *generator
	batch  int
	events int
	log    io.Writer // progress lines

	acked atomic.Int64 // events acknowledged with 202
	fails failures
	lat   summary
}

// run posts the events with t.clients clients: each takes the next request's slice of
// event indexes until all are issued, the duration passes, too many fail, or ctx ends.
func (r *ingestRun) run(parent context.Context) (*result, error) {
	single := r.batch == 1
	q := url.Values{"workspaceId": {r.workspace}}
	path := "/publish/v1/api/events"
	if single {
		path = "/publish/v1/api/event"
	}
	endpoint := r.endpoint(path, "", q)
	auth := r.authorization()
	client := r.httpClient()
	defer client.CloseIdleConnections()

	total := int64((r.events + r.batch - 1) / r.batch) // requests
	perClient := int(total)/r.clients + 1

	var (
		next, issued, evIssued, errs, sent atomic.Int64
		stopBy                             atomic.Value
	)
	stop := func(why string) { stopBy.CompareAndSwap(nil, why) }
	ctx, cancel, stopIssuing := r.deadlines(parent)
	defer cancel()

	parts := make([]latencies, r.clients)
	for i := range parts {
		parts[i] = newLatencies(perClient)
	}
	start := time.Now()
	stopProgress := r.startProgress(start)
	var wg sync.WaitGroup
	for c := range r.clients {
		wg.Go(func() {
			lat := parts[c]
			buf := make([]byte, 0, r.batch*560+16)
			for {
				if parent.Err() != nil {
					stop("signal")
					break
				}
				if r.maxErrors > 0 && errs.Load() >= r.maxErrors {
					stop("errors")
					break
				}
				if time.Now().After(stopIssuing) {
					stop("duration")
					break
				}
				idx := next.Add(1) - 1
				if idx >= total {
					stop("count")
					break
				}
				from := uint64(idx) * uint64(r.batch)
				to := min(from+uint64(r.batch), uint64(r.events))
				buf = r.gen.appendBody(buf[:0], from, to, single)
				sent.Add(int64(len(buf)))
				req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(buf))
				if err != nil {
					errs.Add(1)
					r.fails.add("building request: %v", err)
					break
				}
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", auth)
				issued.Add(1)
				evIssued.Add(int64(to - from))
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil && parent.Err() != nil {
					stop("signal")
					issued.Add(-1) // cut short by a signal: neither a result nor a failure
					evIssued.Add(-int64(to - from))
					break
				}
				if err != nil {
					lat = append(lat, time.Since(t0))
					errs.Add(1)
					r.fails.add("events [%d,%d): %v", from, to, err)
					buf = make([]byte, 0, cap(buf)) // the transport may still hold the old one
					continue
				}
				var body []byte
				if resp.StatusCode == http.StatusAccepted {
					_, err = io.Copy(io.Discard, resp.Body)
				} else {
					body, err = io.ReadAll(io.LimitReader(resp.Body, 4<<10))
					io.Copy(io.Discard, resp.Body)
				}
				resp.Body.Close()
				lat = append(lat, time.Since(t0))
				switch {
				case resp.StatusCode != http.StatusAccepted:
					errs.Add(1)
					r.fails.add("events [%d,%d): status %d: %s", from, to, resp.StatusCode, snippet(body))
					buf = make([]byte, 0, cap(buf))
				case err != nil:
					errs.Add(1)
					r.fails.add("events [%d,%d): reading the response: %v", from, to, err)
				default:
					r.acked.Add(int64(to - from))
				}
			}
			parts[c] = lat
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	stopProgress()
	if errors.Is(ctx.Err(), context.DeadlineExceeded) && parent.Err() == nil {
		stop("duration")
	}
	r.lat = summarize(parts)
	res := newResult("", r.acked.Load(), issued.Load(), errs.Load(), elapsed, r.lat)
	why, _ := stopBy.Load().(string)
	res.Extra["stopped_by"] = why
	res.Extra["bytes_sent"] = sent.Load()
	avg := int64(0)
	if n := evIssued.Load(); n > 0 {
		avg = sent.Load() / n // batches add a comma per event and brackets: close enough
	}
	res.Extra["avg_event_bytes"] = avg
	return res, nil
}

// startProgress prints the events acknowledged so far every r.progress, on stderr.
func (r *ingestRun) startProgress(start time.Time) (stop func()) {
	if r.progress <= 0 {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(r.progress)
		defer tick.Stop()
		last, lastT := int64(0), start
		for {
			select {
			case <-done:
				return
			case now := <-tick.C:
				n := r.acked.Load()
				fmt.Fprintf(r.log, "  ... %6.1f s: %d events acknowledged, %.0f events/s over the last %s\n",
					now.Sub(start).Seconds(), n, float64(n-last)/now.Sub(lastT).Seconds(), r.progress)
				last, lastT = n, now
			}
		}
	})
	return func() { close(done); wg.Wait() }
}
