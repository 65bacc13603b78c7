package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// cmdHistory reads one identity's history (or profile, or an IVR flow's answer for it)
// over and over and reports the latency.
func cmdHistory(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("history", stderr)
	finish := addTargetFlags(fs, 4)
	identity := fs.String("identity", "+15550000001", "identity whose history is read")
	requests := fs.Int("requests", 20_000, "requests to make in all (the run also stops at --duration)")
	top := fs.Int("top", 50, "page size (pageSize=)")
	filterExpr := fs.String("filter", "", "filter= on event attributes, e.g. \"type eq 'Payment'\"")
	dataExpr := fs.String("data", "", "data= filter on keys inside data, e.g. \"Notification eq 1\"")
	template := fs.String("template", "", "read this profile template's view of the identity instead of its history")
	flow := fs.String("flow", "", "call this IVR flow with the identity instead (POST /v1/flows/NAME {\"ani\": identity}); an answer from its fallback counts as an error")
	expect := fs.Int("expect", -1, "the identity's number of (matching) events: each response must then carry resultCount = min(top, expect); -1: do not check")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	t, err := finish()
	if err != nil {
		return usageError(stderr, "%v", err)
	}
	switch {
	case *identity == "":
		return usageError(stderr, "--identity is required")
	case *requests < 1:
		return usageError(stderr, "--requests must be positive, got %d", *requests)
	case *top < 1 || *top > 1000:
		return usageError(stderr, "--top must be from 1 to 1000, got %d", *top)
	}
	want := -1
	if *expect >= 0 {
		want = min(*top, *expect)
	}
	q := url.Values{"identity": {*identity}, "pageSize": {strconv.Itoa(*top)}}
	if *filterExpr != "" {
		q.Set("filter", *filterExpr)
	}
	if *dataExpr != "" {
		q.Set("data", *dataExpr)
	}
	endpoint := t.endpoint("/v1/api/events/workspace-id/"+t.workspace,
		"/v1/api/events/workspace-id/"+url.PathEscape(t.workspace), q)
	var flowBody []byte
	switch {
	case *flow != "" && (*template != "" || want >= 0):
		return usageError(stderr, "--flow cannot go with --template or --expect")
	case *flow != "":
		endpoint = t.endpoint("/v1/flows/"+*flow, "/v1/flows/"+url.PathEscape(*flow), nil)
		flowBody, _ = json.Marshal(map[string]string{"ani": *identity})
	case *template != "":
		if want >= 0 {
			return usageError(stderr, "--expect applies to history, not to --template")
		}
		p := "/v1/api/progressive-profile-view/workspace-id/%s/identity/%s/template-name/%s"
		endpoint = t.endpoint(fmt.Sprintf(p, t.workspace, *identity, *template),
			fmt.Sprintf(p, url.PathEscape(t.workspace), url.PathEscape(*identity), url.PathEscape(*template)), nil)
	}
	auth := t.authorization()
	newReq := func(ctx context.Context) (*http.Request, error) {
		method, reqBody := http.MethodGet, io.Reader(nil)
		if flowBody != nil {
			method, reqBody = http.MethodPost, bytes.NewReader(flowBody)
		}
		req, err := http.NewRequestWithContext(ctx, method, endpoint, reqBody)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", auth)
		req.Header.Set("Accept", "application/json")
		if flowBody != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		return req, nil
	}
	check := func(resp *http.Response, body []byte) (int64, string) {
		if flowBody != nil || *template != "" { // an answer, not a page of events
			if why := resp.Header.Get("X-JDS-Fallback"); why != "" {
				return 1, "the flow answered with its fallback: " + why
			}
			return 1, ""
		}
		n, ok := resultCount(body)
		if !ok {
			return 0, "no meta.resultCount in the response: " + snippet(body)
		}
		if want >= 0 && n != want {
			return int64(n), fmt.Sprintf("resultCount %d, want %d", n, want)
		}
		return int64(n), ""
	}
	h := t.hammer(ctx, *requests, newReq, check)
	lat, why := h.lat, h.stoppedBy
	name := "history"
	if *flow != "" {
		name = "flow"
	}
	res := newResult(name, h.returned, h.issued, h.errs, h.elapsed, lat)
	res.Extra["stopped_by"] = why
	res.Extra["clients"] = t.clients
	res.Extra["top"] = *top
	res.Extra["identity"] = *identity
	res.Extra["expect"] = want
	res.Extra["bytes_received"] = h.bytesIn
	if *filterExpr != "" {
		res.Extra["filter"] = *filterExpr
	}
	if *dataExpr != "" {
		res.Extra["data"] = *dataExpr
	}

	if *flow != "" {
		res.Extra["flow"] = *flow
		fmt.Fprintf(stdout, "flow %s: %d calls for %s, %d clients\n", *flow, res.Requests, *identity, t.clients)
	} else {
		fmt.Fprintf(stdout, "history: %d requests for %s (pageSize %d), %d clients; %d events returned\n",
			res.Requests, *identity, *top, t.clients, res.Events)
	}
	fmt.Fprintf(stdout, "  %.2f s: %.0f requests/s; stopped by %s; %.1f MB received\n",
		res.Seconds, res.RequestsPerSec, why, float64(h.bytesIn)/1e6)
	return res.report(stdout, lat, &h.fails)
}

// resultCount finds meta.resultCount without decoding the whole page: jds writes the meta
// object first, so the first "resultCount" key is the one. ok is false when there is none.
func resultCount(body []byte) (n int, ok bool) {
	const key = `"resultCount":`
	i := bytes.Index(body, []byte(key))
	if i < 0 {
		return 0, false
	}
	rest := bytes.TrimLeft(body[i+len(key):], " ")
	j := 0
	for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
		j++
	}
	n, err := strconv.Atoi(string(rest[:j]))
	return n, err == nil
}

// hammered is the outcome of a hammer run.
type hammered struct {
	issued, errs, returned, bytesIn int64
	elapsed                         time.Duration
	lat                             summary
	stoppedBy                       string // count, duration, errors or signal
	fails                           failures
}

// hammer is the loop the read scenarios share: t.clients clients issue the requests that
// newReq makes (under the context it is given) until total are issued, t.duration passes,
// t.maxErrors fail or ctx ends. A response other than 200 is a failure; check judges a
// 200 and its body: how many items it carried, and why it is a failure ("" when it is
// not). Every latency is recorded, from sending to the last byte of the body.
func (t *target) hammer(ctx context.Context, total int,
	newReq func(context.Context) (*http.Request, error),
	check func(resp *http.Response, body []byte) (items int64, failure string)) *hammered {
	client := t.httpClient()
	defer client.CloseIdleConnections()

	var (
		next, issued, errs, returned, bytesIn atomic.Int64
		stopBy                                atomic.Value
		h                                     hammered
	)
	stop := func(why string) { stopBy.CompareAndSwap(nil, why) }
	hard, cancel, stopIssuing := t.deadlines(ctx)
	defer cancel()
	parts := make([]latencies, t.clients)
	for i := range parts {
		parts[i] = newLatencies(total/t.clients + 1)
	}
	// proceed says whether a client may start another request, and records why not.
	proceed := func() bool {
		switch {
		case ctx.Err() != nil:
			stop("signal")
		case t.maxErrors > 0 && errs.Load() >= t.maxErrors:
			stop("errors")
		case time.Now().After(stopIssuing):
			stop("duration")
		case next.Add(1) > int64(total):
			stop("count")
		default:
			return true
		}
		return false
	}
	start := time.Now()
	var wg sync.WaitGroup
	for c := range t.clients {
		wg.Go(func() {
			lat := parts[c]
			var body bytes.Buffer
			for proceed() {
				req, err := newReq(hard)
				if err != nil {
					errs.Add(1)
					h.fails.add("building request: %v", err)
					break
				}
				issued.Add(1)
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil && ctx.Err() != nil {
					stop("signal")
					issued.Add(-1) // cut short by a signal: neither a result nor a failure
					break
				}
				if err != nil {
					lat = append(lat, time.Since(t0))
					errs.Add(1)
					h.fails.add("%v", err)
					continue
				}
				body.Reset()
				_, err = body.ReadFrom(resp.Body)
				resp.Body.Close()
				lat = append(lat, time.Since(t0))
				bytesIn.Add(int64(body.Len()))
				if resp.StatusCode != http.StatusOK {
					errs.Add(1)
					h.fails.add("status %d: %s", resp.StatusCode, snippet(body.Bytes()))
					continue
				}
				if err != nil {
					errs.Add(1)
					h.fails.add("reading the response: %v", err)
					continue
				}
				n, failure := check(resp, body.Bytes())
				returned.Add(n)
				if failure != "" {
					errs.Add(1)
					h.fails.add("%s", failure)
				}
			}
			parts[c] = lat
		})
	}
	wg.Wait()
	h.elapsed = time.Since(start)
	if errors.Is(hard.Err(), context.DeadlineExceeded) && ctx.Err() == nil {
		stop("duration")
	}
	h.lat = summarize(parts)
	h.issued, h.errs, h.returned, h.bytesIn = issued.Load(), errs.Load(), returned.Load(), bytesIn.Load()
	h.stoppedBy, _ = stopBy.Load().(string)
	return &h
}
