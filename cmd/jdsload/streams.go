package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// cmdStreams opens idle live streams (SSE) and holds them for --duration: each follows
// an identity of its own that no event names, as a wall of dashboards nobody looks at
// would. It counts the streams opened, those refused (429: the subscriber limits) and
// those that failed or ended early, and prints the first refusal's answer.
func cmdStreams(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("streams", stderr)
	finish := addTargetFlags(fs, 64)
	count := fs.Int("count", 2000, "streams to open (at most 20,000); --clients open them concurrently")
	prefix := fs.String("identity-prefix", "idle-", "stream i follows the identity PREFIX<i>")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	t, err := finish()
	if err != nil {
		return usageError(stderr, "%v", err)
	}
	if *count < 1 || *count > 20_000 {
		return usageError(stderr, "--count must be from 1 to 20000, got %d", *count)
	}
	// One connection per stream; no client timeout: a stream lasts the whole run.
	tr := t.httpClient().Transport.(*http.Transport)
	tr.MaxConnsPerHost, tr.MaxIdleConnsPerHost, tr.MaxIdleConns = 0, 0, 0
	tr.ReadBufferSize, tr.WriteBufferSize = 4<<10, 4<<10
	client := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	defer tr.CloseIdleConnections()
	hold, cancel := context.WithTimeout(ctx, t.duration)
	defer cancel()

	var (
		next, opened, refused, failed, ended atomic.Int64
		fails                                failures
		firstRefusal                         atomic.Value
		held                                 sync.WaitGroup
		openers                              sync.WaitGroup
	)
	start := time.Now()
	open := func(i int) {
		endpoint := t.endpoint("/v1/api/events/stream/workspace-id/"+t.workspace+"/identity/"+*prefix+strconv.Itoa(i),
			"/v1/api/events/stream/workspace-id/"+url.PathEscape(t.workspace)+"/identity/"+url.PathEscape(*prefix+strconv.Itoa(i)), nil)
		req, _ := http.NewRequestWithContext(hold, http.MethodGet, endpoint, nil)
		req.Header.Set("Authorization", t.authorization())
		res, err := client.Do(req)
		if err != nil {
			if hold.Err() == nil {
				failed.Add(1)
				fails.add("stream %d: %v", i, err)
			}
			return
		}
		if res.StatusCode != http.StatusOK {
			body, _ := io.ReadAll(io.LimitReader(res.Body, 4<<10))
			res.Body.Close()
			if res.StatusCode == http.StatusTooManyRequests {
				refused.Add(1)
				firstRefusal.CompareAndSwap(nil, fmt.Sprintf("429 Retry-After %q: %s", res.Header.Get("Retry-After"), snippet(body)))
				return
			}
			failed.Add(1)
			fails.add("stream %d: status %d: %s", i, res.StatusCode, snippet(body))
			return
		}
		opened.Add(1)
		held.Add(1)
		go func() {
			defer held.Done()
			defer res.Body.Close()
			rd := bufio.NewReaderSize(res.Body, 1<<10)
			for {
				if _, err := rd.ReadSlice('\n'); err != nil && err != bufio.ErrBufferFull {
					if hold.Err() == nil {
						ended.Add(1) // the server ended it: cut off, or shutting down
					}
					return
				}
			}
		}()
	}
	for range t.clients {
		openers.Add(1)
		go func() {
			defer openers.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= *count || hold.Err() != nil {
					return
				}
				open(i)
			}
		}()
	}
	openers.Wait()
	openTook := time.Since(start)
	fmt.Fprintf(stderr, "jdsload streams: %d open, %d refused, %d failed in %s; holding them\n", opened.Load(), refused.Load(), failed.Load(), openTook.Round(time.Millisecond))
	<-hold.Done()
	held.Wait()

	fmt.Fprintf(stdout, "streams: %d asked, %d opened, %d refused (429), %d failed, %d ended by the server; opened in %s, held %s\n",
		*count, opened.Load(), refused.Load(), failed.Load(), ended.Load(), openTook.Round(time.Millisecond), t.duration)
	if r, ok := firstRefusal.Load().(string); ok {
		fmt.Fprintf(stdout, "  first refusal: %s\n", r)
	}
	fails.print(stdout, failed.Load())
	r := newResult("streams", 0, opened.Load()+refused.Load()+failed.Load(), failed.Load()+ended.Load(), time.Since(start), summary{})
	r.Extra["opened"], r.Extra["refused"], r.Extra["ended"] = opened.Load(), refused.Load(), ended.Load()
	fmt.Fprintln(stdout, r.line())
	if failed.Load()+ended.Load() > 0 {
		return errFailed
	}
	return nil
}
