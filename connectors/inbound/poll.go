package inbound

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/openjds/jds/connectors"
	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/ingest"
	"github.com/openjds/jds/internal/quota"
	"github.com/openjds/jds/internal/store"
)

// CursorCollection is the ledger document collection that keeps pollers'
// cursors, one document per poller (by name) in its workspace.
const CursorCollection = "inbound-cursors"

// MaxPollBytes bounds one answer of a polled partner.
const MaxPollBytes = 16 << 20

// ErrBackoff is what Poll returns, without calling the partner, while it
// waits after failures.
var ErrBackoff = errors.New("backing off")

var pollSpec = []connectors.Field{
	orgField, workspaceField,
	{Name: "schedule", Type: connectors.TypeString, Required: true,
		Doc: "When to poll, a cron schedule: `@every 1m`, `*/5 * * * *`."},
	{Name: "url", Type: connectors.TypeString, Required: true, Doc: "The http(s) URL to GET."},
	{Name: "headers", Type: connectors.TypeMap, Doc: "Headers of every request; values may be `${ENV}`."},
	{Name: "bearerToken", Type: connectors.TypeString, Secret: true, Doc: "Sent as `Authorization: Bearer <token>`."},
	{Name: "cursorParam", Type: connectors.TypeString, Default: "cursor",
		Doc: "The query parameter that carries the cursor (the stored one, or initialCursor); none is sent while the cursor is empty."},
	{Name: "initialCursor", Type: connectors.TypeString, Doc: "The cursor of the very first request (`2024-01-01T00:00:00Z`, `0`)."},
	{Name: "maxPages", Type: connectors.TypeInt, Default: 10,
		Doc: "Requests one run may make, following the cursor, before waiting for the next run."},
	{Name: "timeout", Type: connectors.TypeDuration, Default: 30 * time.Second, Doc: "How long one request may take."},
	{Name: "backoff", Type: connectors.TypeObject, Doc: "Waiting after failed runs: runs due sooner are skipped.", Fields: []connectors.Field{
		{Name: "initial", Type: connectors.TypeDuration, Default: 30 * time.Second, Doc: "The wait after the first failure; it doubles with each failure in a row."},
		{Name: "max", Type: connectors.TypeDuration, Default: time.Hour, Doc: "The longest wait."},
	}},
	mappingSpec(true),
}

// Poller pulls events from a partner that cannot push them: on each run it
// GETs url (with the stored cursor as cursorParam), maps the answer to
// events, appends them, and stores the next cursor, page after page. Events
// are appended before the cursor moves, so a crash in between repeats the
// page (at least once) and the ledger's id dedupe drops the repeats. After a
// failed run it backs off exponentially (honouring Retry-After). It is safe
// for concurrent use; runs do not overlap.
type Poller struct {
	name, schedule string
	ws             store.Workspace
	url            *url.URL
	headers        http.Header
	cursorParam    string
	initialCursor  string
	maxPages       int
	client         *http.Client
	mapping        *mapping
	store          Store
	limits         event.Limits
	ingest         *ingest.Pipeline
	quota          *quota.Limiter
	log            *slog.Logger
	now            func() time.Time
	initial, max   time.Duration

	mu        sync.Mutex // one run at a time; guards the backoff state
	failures  int
	notBefore time.Time
	lastErr   error
}

func newPoller(c *connectors.Config, o *Options) (*Poller, []error) {
	ws, errs := workspaceOf(c)
	p := &Poller{
		name: c.Name(), schedule: c.String("schedule"), ws: ws, headers: http.Header{},
		cursorParam: c.String("cursorParam"), initialCursor: c.String("initialCursor"),
		maxPages: c.Int("maxPages"), store: o.Store, ingest: o.Ingest, limits: o.Limits, now: o.Now,
		quota: o.Quota, log: o.Logger.With("inbound", c.Name()),
		initial: c.Object("backoff").Duration("initial"), max: c.Object("backoff").Duration("max"),
	}
	if _, err := cron.ParseStandard(p.schedule); err != nil {
		errs = append(errs, c.Errorf("schedule", "%q is not a schedule: %v", p.schedule, err))
	}
	u, err := url.Parse(c.String("url"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, c.Errorf("url", "not an absolute http(s) URL"))
	}
	p.url = u
	for k, v := range c.Map("headers") {
		if strings.ContainsAny(v, "\r\n") || strings.ContainsAny(k, " :\r\n") {
			errs = append(errs, c.Errorf("headers."+k, "not a valid header"))
			continue
		}
		p.headers.Set(k, v)
	}
	if t := c.String("bearerToken"); t != "" {
		if p.headers.Get("Authorization") != "" {
			errs = append(errs, c.Errorf("bearerToken", "headers sets Authorization already"))
		}
		p.headers.Set("Authorization", "Bearer "+t)
	}
	if p.maxPages < 1 || p.maxPages > 1000 {
		errs = append(errs, c.Errorf("maxPages", "must be between 1 and 1000, got %d", p.maxPages))
	}
	if p.max < p.initial {
		errs = append(errs, c.Errorf("backoff.max", "must not be shorter than backoff.initial (%s)", p.initial))
	}
	tr := o.Transport
	if tr == nil {
		tr = http.DefaultTransport.(*http.Transport).Clone()
	}
	p.client = &http.Client{Transport: tr, Timeout: c.Duration("timeout")}
	m, merrs := compileMapping(c, true)
	p.mapping = m
	return p, append(errs, merrs...)
}

// Name is the instance's name.
func (p *Poller) Name() string { return p.name }

// Schedule is its cron schedule.
func (p *Poller) Schedule() string { return p.schedule }

func (p *Poller) close() {
	p.client.CloseIdleConnections()
}

// cursorDoc is a poller's stored cursor.
type cursorDoc struct {
	Cursor    string    `json:"cursor"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Cursor returns the stored cursor, or initialCursor when none is stored.
func (p *Poller) Cursor(ctx context.Context) (string, error) {
	raw, err := p.store.GetDoc(ctx, p.ws, CursorCollection, p.name)
	if errors.Is(err, store.ErrNotFound) {
		return p.initialCursor, nil
	}
	if err != nil {
		return "", fmt.Errorf("reading the cursor of poller %q: %w", p.name, err)
	}
	var d cursorDoc
	if err := json.Unmarshal(raw, &d); err != nil {
		return "", fmt.Errorf("reading the cursor of poller %q: %w", p.name, err)
	}
	return d.Cursor, nil
}

// Poll makes one run: pages until the cursor stops moving, a page has no
// items, or maxPages. During a backoff it returns an error wrapping
// ErrBackoff at once. The error of a failed run says what failed and where.
func (p *Poller) Poll(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if p.failures > 0 && now.Before(p.notBefore) {
		return fmt.Errorf("poller %q: %w until %s after %d failed runs (last: %v)",
			p.name, ErrBackoff, p.notBefore.UTC().Format(time.RFC3339), p.failures, p.lastErr)
	}
	retryAfter, err := p.run(ctx)
	if err == nil {
		p.failures, p.lastErr = 0, nil
		return nil
	}
	if ctx.Err() != nil {
		return err // shutting down: not the partner's failure
	}
	p.failures++
	wait := p.initial
	for i := 1; i < p.failures && wait < p.max; i++ {
		wait *= 2
	}
	wait = max(min(wait, p.max), retryAfter)
	p.notBefore, p.lastErr = now.Add(wait), err
	p.log.Warn("poll failed; backing off", "failures", p.failures, "wait", wait, "err", err)
	return err
}

func (p *Poller) run(ctx context.Context) (time.Duration, error) {
	cursor, err := p.Cursor(ctx)
	if err != nil {
		return 0, err
	}
	for page := 0; page < p.maxPages; page++ {
		// Over its workspace's ingest quota, the poller waits for a later run rather
		// than fetch what it could not store: the cursor stays, nothing is lost.
		if wait := p.quota.Wait(p.ws); wait > 0 {
			p.log.Info("poll: the workspace's ingest quota is spent; the rest waits for a later run", "cursor", cursor, "wait", wait)
			return 0, nil
		}
		received := p.now()
		body, header, retryAfter, err := p.fetch(ctx, cursor, received)
		if err != nil {
			return retryAfter, err
		}
		e := env{Body: body, Headers: lowerHeaders(header), Query: map[string]string{}, Received: received, Cursor: cursor}
		out := p.mapping.run(e, p.limits, 0)
		for _, problem := range out.problems {
			// Fetching again will not change the item: it is skipped, loudly.
			p.log.Warn("poll: item not mapped to an event; skipped", "cursor", cursor, "problem", problem)
		}
		p.ingest.Refused(len(out.problems))
		chunk := p.limits.MaxBatch
		if chunk <= 0 {
			chunk = max(len(out.events), 1)
		}
		for start := 0; start < len(out.events); start += chunk {
			end := min(len(out.events), start+chunk)
			_, err := p.ingest.Append(ctx, p.ws, out.events[start:end])
			if err != nil {
				return 0, fmt.Errorf("poller %q: appending events: %w", p.name, err)
			}
			// A page fetched is stored whole; its events count against the quota,
			// in debt if need be, which holds back the workspace's next requests.
			p.quota.Charge(p.ws, end-start)
		}
		next, err := p.mapping.cursorOf(e)
		if err != nil {
			return 0, fmt.Errorf("poller %q: %w", p.name, err)
		}
		if next == "" || next == cursor {
			return 0, nil
		}
		doc, _ := json.Marshal(cursorDoc{Cursor: next, UpdatedAt: received.UTC()})
		if err := p.store.PutDoc(ctx, p.ws, CursorCollection, p.name, doc); err != nil {
			return 0, fmt.Errorf("poller %q: storing the cursor: %w", p.name, err)
		}
		cursor = next
		if len(out.events)+out.skipped+len(out.problems) == 0 {
			return 0, nil
		}
	}
	return 0, nil
}

// fetch GETs one page and parses its JSON.
func (p *Poller) fetch(ctx context.Context, cursor string, now time.Time) (any, http.Header, time.Duration, error) {
	u := *p.url
	if cursor != "" && p.cursorParam != "" {
		q := u.Query()
		q.Set(p.cursorParam, cursor)
		u.RawQuery = q.Encode()
	}
	where := redacted(&u)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("poller %q: GET %s: %w", p.name, where, err)
	}
	req.Header = p.headers.Clone()
	req.Header.Set("Accept", "application/json")
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", "jds-inbound")
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("poller %q: GET %s: %w", p.name, where, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxPollBytes+1))
	if err != nil {
		return nil, nil, 0, fmt.Errorf("poller %q: GET %s: reading the answer: %w", p.name, where, err)
	}
	if out := connectors.Classify(resp.StatusCode, resp.Header, data, now); !out.OK() {
		return nil, nil, out.RetryAfter, fmt.Errorf("poller %q: GET %s: %w", p.name, where, out.Err)
	}
	if len(data) > MaxPollBytes {
		return nil, nil, 0, fmt.Errorf("poller %q: GET %s: the answer is larger than %d bytes", p.name, where, MaxPollBytes)
	}
	var body any
	if err := json.Unmarshal(data, &body); err != nil {
		return nil, nil, 0, fmt.Errorf("poller %q: GET %s: the answer is not JSON: %w", p.name, where, err)
	}
	return body, resp.Header, 0, nil
}

// redacted is a URL for messages: no user info, no query (it may carry keys).
func redacted(u *url.URL) string {
	c := *u
	c.User, c.RawQuery, c.Fragment = nil, "", ""
	return c.String()
}
