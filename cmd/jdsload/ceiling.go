package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
)

// cmdCeiling measures the HTTP ceiling: the rate of empty requests (GET /livez, which
// needs no token and does no work) with as many clients as the single-event ingest uses.
// What jds does for an event is then what single-event POSTs lose against it.
func cmdCeiling(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("ceiling", stderr)
	finish := addAnonymousTargetFlags(fs, 64)
	requests := fs.Int("requests", 200_000, "requests to make in all (the run also stops at --duration)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	t, err := finish()
	if err != nil {
		return usageError(stderr, "%v", err)
	}
	if *requests < 1 {
		return usageError(stderr, "--requests must be positive, got %d", *requests)
	}
	const path = "/livez"
	endpoint := t.endpoint(path, "", nil)
	newReq := func(ctx context.Context) (*http.Request, error) {
		return http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
	}
	h := t.hammer(ctx, *requests, newReq, func(*http.Response, []byte) (int64, string) { return 0, "" })
	res := newResult("ceiling", 0, h.issued, h.errs, h.elapsed, h.lat)
	res.Extra["stopped_by"] = h.stoppedBy
	res.Extra["clients"] = t.clients
	res.Extra["path"] = path

	fmt.Fprintf(stdout, "ceiling: %d requests GET %s, %d clients\n", res.Requests, path, t.clients)
	fmt.Fprintf(stdout, "  %.2f s: %.0f requests/s; stopped by %s\n", res.Seconds, res.RequestsPerSec, h.stoppedBy)
	return res.report(stdout, h.lat, &h.fails)
}
