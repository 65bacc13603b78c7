package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// cmdActions measures journey actions end to end: it posts events at a fixed rate and
// receives, on a loopback HTTP receiver of its own, the webhook deliveries that an action
// fires for each; the latency is from the event's 202 to the delivery's arrival. jds must
// run a rule file whose action sends `{"event": "${event.id}"}` to the receiver's
// address (--listen), e.g. scripts/bench-rules-actions/every-event.yaml.
func cmdActions(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("actions", stderr)
	finish := addTargetFlags(fs, 16)
	listen := fs.String("listen", "127.0.0.1:18099", "address of the delivery receiver (loopback)")
	rate := fs.Int("rate", 1000, "events posted per second")
	events := fs.Int("events", 20_000, "events to post in all (the run also stops at --duration)")
	eventType := fs.String("type", "Closed Queue", "event type the action counts")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	t, err := finish()
	if err != nil {
		return usageError(stderr, "%v", err)
	}
	host, _, err := net.SplitHostPort(*listen)
	if err != nil || !isLoopback(host) {
		return usageError(stderr, "--listen must be a loopback host:port, got %q", *listen)
	}
	if *rate < 1 || *events < 1 {
		return usageError(stderr, "--rate and --events must be positive")
	}

	var mu sync.Mutex
	acked := make(map[string]time.Time, *events)
	arrived := make(map[string]time.Time, *events)
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := time.Now()
		var body struct{ Event string }
		json.NewDecoder(r.Body).Decode(&body)
		mu.Lock()
		if _, dup := arrived[body.Event]; !dup {
			arrived[body.Event] = now
		}
		mu.Unlock()
		w.WriteHeader(http.StatusOK)
	})}
	go srv.Serve(ln)
	defer srv.Close()

	client := t.httpClient()
	endpoint := t.endpoint("/publish/v1/api/event", "", map[string][]string{"workspaceId": {t.workspace}})
	auth := t.authorization()
	hard, cancel, stopIssuing := t.deadlines(ctx)
	defer cancel()
	run := fmt.Sprintf("act-%d", time.Now().UnixNano())
	var posted, errs atomic.Int64
	var wg sync.WaitGroup
	tick := time.NewTicker(time.Second / time.Duration(*rate))
	defer tick.Stop()
	start := time.Now()
	for i := 0; i < *events && time.Now().Before(stopIssuing) && hard.Err() == nil; i++ {
		<-tick.C
		id := fmt.Sprintf("%s-%d", run, i)
		body, _ := json.Marshal(map[string]any{"id": id, "specversion": "1.0", "type": *eventType, "source": "jdsload",
			"identity": fmt.Sprintf("+1555%07d", 2000000+i%5000), "identitytype": "phone", "data": map[string]any{"queue": "Billing"}})
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequestWithContext(hard, http.MethodPost, endpoint, bytes.NewReader(body))
			req.Header.Set("Authorization", auth)
			req.Header.Set("Content-Type", "application/json")
			res, err := client.Do(req)
			if err != nil {
				errs.Add(1)
				return
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusAccepted {
				errs.Add(1)
				return
			}
			now := time.Now()
			posted.Add(1)
			mu.Lock()
			acked[id] = now
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	// Wait (bounded) for the deliveries still on their way.
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		mu.Lock()
		done := len(arrived) >= len(acked)
		mu.Unlock()
		if done {
			break
		}
	}
	mu.Lock()
	lat := newLatencies(len(acked))
	missing := 0
	for id, a := range acked {
		if r, ok := arrived[id]; ok {
			lat = append(lat, max(r.Sub(a), 0))
		} else {
			missing++
		}
	}
	mu.Unlock()
	s := summarize([]latencies{lat})
	fmt.Fprintf(stdout, "actions: %d events posted at %d/s in %.1f s, %d deliveries received, %d missing, %d errors\n",
		posted.Load(), *rate, elapsed.Seconds(), s.n, missing, errs.Load())
	printLatency(stdout, "202 → delivery", s)
	res := newResult("actions", posted.Load(), posted.Load(), errs.Load()+int64(missing), elapsed, s)
	res.Extra["rate"], res.Extra["missing"] = *rate, missing
	fmt.Fprintln(stdout, res.line())
	if errs.Load() > 0 || missing > 0 {
		return errFailed
	}
	return nil
}
