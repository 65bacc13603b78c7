package inbound_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/openjds/jds/connectors"
	"github.com/openjds/jds/connectors/inbound"
	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/ingest"
	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/internal/store/badgerstore"
)

// clock is a settable time.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func instances(t *testing.T, doc string) []connectors.Instance {
	t.Helper()
	var in []connectors.Instance
	if err := yaml.Unmarshal([]byte(doc), &in); err != nil {
		t.Fatalf("yaml: %v", err)
	}
	return in
}

func openStore(t *testing.T, dir string) *badgerstore.Store {
	t.Helper()
	s, err := badgerstore.Open(badgerstore.Options{Dir: dir, SyncWrites: true})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var limits = event.Limits{MaxBatch: 1000, MaxEventBytes: 256 << 10, DefaultRegion: "US"}

// TestBuildErrors: every problem of the inbound list is reported at once, naming the
// instance and the key.
func TestBuildErrors(t *testing.T) {
	in := instances(t, `
- name: a
  kind: webhok
- name: b
  kind: webhook
  organization: acme
  workspace: default
  verify: {scheme: standardwebhooks, secret: "whsec_dG9vc2hvcnQ="}
  mapping: {type: '"x"', identity: itme.phone, identitytype: '"phone"'}
- name: c
  kind: webhook
  organization: acme
  workspace: default
  verify: {scheme: twilio, secret: "${UNSET_TOKEN}"}
  mapping: {builtin: twiliosms}
- name: d
  kind: poll
  organization: acme
  workspace: default
  schedule: every minute
  url: ftp://x
  mapping: {type: '"x"', identitytype: '"phone"', colour: blue}
- name: e
  kind: webhook
  organization: acme
  workspace: default
  mapping: {builtin: webexcc}
- name: e
  kind: poll
- name: f
  kind: webhook
  organization: acme
  workspace: default
  verify: {scheme: hubsignature, secret: hub-secret}
  mapping: {type: '"x"', identity: item.phone, identitytype: '"phone"'}
- name: g
  kind: webhook
  organization: acme
  workspace: default
  verify: {scheme: token, secret: tok}
  mapping: {type: '"x"', identity: item.phone, identitytype: '"phone"'}
- name: h
  kind: webhook
  organization: acme
  workspace: default
  verify: {scheme: token, secret: a-token-of-16-bytes}
  mapping: {type: 'repeat("ab", 600000)', identity: item.phone, identitytype: '"phone"'}
`)
	_, err := inbound.Build(in, inbound.Options{})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		`inbound[0] "a": kind: unknown connector kind "webhok" (did you mean "webhook"?)`,
		`inbound[1] "b": verify.secret: the key is 8 bytes; Standard Webhooks asks for at least 24`,
		`inbound[1] "b": mapping.identity: unknown name itme`,
		`inbound[2] "c": verify.secret: environment variable not set: UNSET_TOKEN`,
		`inbound[3] "d": mapping.colour: unknown field`,
		`inbound[4] "e": verify: is required`,
		`inbound[5] "e": name: duplicate name (also inbound[4])`,
		`inbound[6] "f": verify.secret: must be at least 16 bytes (it has 10): a short secret can be guessed`,
		`inbound[7] "g": verify.secret: must be at least 16 bytes (it has 3): a short secret can be guessed`,
		`inbound[8] "h": mapping.type: expression budget: repeat(...) makes a string of 1200000 bytes, over the limit of 1048576 bytes per value`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
	// Fixing the unknown field shows the next problems of d.
	in = instances(t, `
- name: d
  kind: poll
  organization: acme
  workspace: default
  schedule: every minute
  url: ftp://x
  mapping: {type: '"x"', identitytype: '"phone"'}
- name: c
  kind: webhook
  organization: acme
  workspace: default
  verify: {scheme: twilio, secret: tok}
  mapping: {builtin: twiliosms}
`)
	_, err = inbound.Build(in, inbound.Options{})
	for _, want := range []string{
		`inbound[0] "d": schedule: "every minute" is not a schedule`,
		`inbound[0] "d": url: not an absolute http(s) URL`,
		`inbound[0] "d": mapping.identity: is required (or choose a mapping.builtin)`,
		`inbound[1] "c": verify.url: is required with scheme twilio`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
	var ce *connectors.ConfigError
	if !errors.As(err, &ce) || ce.Line == 0 {
		t.Errorf("errors carry no line: %#v", ce)
	}
}

// TestTwilioSignature checks the signature against Twilio's documented example.
func TestTwilioSignature(t *testing.T) {
	form := url.Values{"CallSid": {"CA1234567890ABCDE"}, "Caller": {"+12349013030"}, "Digits": {"1234"},
		"From": {"+12349013030"}, "To": {"+18005551212"}}
	got := inbound.TwilioSignature([]byte("12345"), "https://mycompany.com/myapp.php?foo=1&bar=2", form)
	if got != "0/KCTR6DLpKmkAf8muzZqo1nDgQ=" {
		t.Errorf("signature = %s", got)
	}
}

// partner is a polled API: pages of items keyed by a numeric cursor, or failures.
type partner struct {
	srv      *httptest.Server
	calls    atomic.Int32
	fail     atomic.Int32 // answer 503 this many times
	cursors  []string     // the cursor of each request
	mu       sync.Mutex
	items    []map[string]any
	pageSize int
}

func newPartner(t *testing.T, n int) *partner {
	p := &partner{pageSize: 2}
	for i := range n {
		p.items = append(p.items, map[string]any{"seq": i + 1, "phone": "+1555010" + strconv.Itoa(i), "kind": "Order Shipped"})
	}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.calls.Add(1)
		if r.Header.Get("Authorization") != "Bearer tok" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if p.fail.Load() > 0 {
			p.fail.Add(-1)
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		after, _ := strconv.Atoi(r.URL.Query().Get("after"))
		p.cursors = append(p.cursors, r.URL.Query().Get("after"))
		var page []map[string]any
		for _, it := range p.items {
			if seq := it["seq"].(int); seq > after && len(page) < p.pageSize {
				page = append(page, it)
			}
		}
		next := after
		if len(page) > 0 {
			next = page[len(page)-1]["seq"].(int)
		}
		json.NewEncoder(w).Encode(map[string]any{"items": page, "next": next})
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *partner) seen() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.cursors...)
}

func pollConfig(url string) string {
	return `
- name: orders
  kind: poll
  organization: acme
  workspace: default
  schedule: "@every 1m"
  url: ` + url + `/orders
  bearerToken: ${ORDERS_TOKEN}
  cursorParam: after
  maxPages: 10
  backoff: {initial: 30s, max: 5m}
  mapping:
    items: body.items
    id: '"order-" + string(item.seq)'
    type: item.kind
    source: '"orders"'
    identity: item.phone
    identitytype: '"phone"'
    data: '{"seq": item.seq, "channelType": "Orders", "origin": "Orders"}'
    cursor: body.next
`
}

func getenv(k string) string {
	if k == "ORDERS_TOKEN" {
		return "tok"
	}
	return ""
}

func buildPoller(t *testing.T, db *badgerstore.Store, url string, c *clock) *inbound.Poller {
	t.Helper()
	set, err := inbound.Build(instances(t, pollConfig(url)), inbound.Options{Getenv: getenv, Store: db, Ingest: ingest.New(db, ingest.Options{}), Limits: limits, Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(set.Close)
	return set.Pollers[0]
}

func countEvents(t *testing.T, db *badgerstore.Store, identity string) int {
	t.Helper()
	ctx, w := context.Background(), store.Workspace{Org: "acme", Name: "default"}
	p, err := db.Resolve(ctx, w, identity)
	if errors.Is(err, store.ErrNotFound) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	evs, err := db.History(ctx, w, p, store.Query{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return len(evs)
}

// TestPollerResumesFromDurableCursor: a run pages through the partner storing the
// cursor; after a restart on the same data directory, the next run starts where the
// last one ended, and items fetched again are not stored twice.
func TestPollerResumesFromDurableCursor(t *testing.T) {
	ctx := context.Background()
	p := newPartner(t, 5)
	dir := t.TempDir()
	c := &clock{t: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)}

	db := openStore(t, dir)
	poller := buildPoller(t, db, p.srv.URL, c)
	if err := poller.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	// Pages after 0, 2, 4 and 5 (empty: the cursor stops moving).
	if got := strings.Join(p.seen(), ","); got != ",2,4,5" {
		t.Errorf("cursors sent = %s", got)
	}
	if cur, _ := poller.Cursor(ctx); cur != "5" {
		t.Errorf("stored cursor = %q", cur)
	}
	for i := range 5 {
		if n := countEvents(t, db, "+1555010"+strconv.Itoa(i)); n != 1 {
			t.Errorf("item %d: %d events", i+1, n)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	// Restart: new db on the same directory, new poller; two more items arrive.
	p.mu.Lock()
	p.items = append(p.items, map[string]any{"seq": 6, "phone": "+15550105", "kind": "Order Shipped"},
		map[string]any{"seq": 7, "phone": "+15550106", "kind": "Order Shipped"})
	p.cursors = nil
	p.mu.Unlock()
	db = openStore(t, dir)
	defer db.Close()
	poller = buildPoller(t, db, p.srv.URL, c)
	if err := poller.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(p.seen(), ","); got != "5,7" {
		t.Errorf("after restart, cursors sent = %s, want 5,7", got)
	}
	if n := countEvents(t, db, "+15550106"); n != 1 {
		t.Errorf("new item: %d events", n)
	}

	// At least once: the partner repeats items (a cursor moved back); they are
	// duplicates, not new events.
	doc, _ := json.Marshal(map[string]any{"cursor": "0"})
	if err := db.PutDoc(ctx, store.Workspace{Org: "acme", Name: "default"}, inbound.CursorCollection, "orders", doc); err != nil {
		t.Fatal(err)
	}
	if err := poller.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range 7 {
		if n := countEvents(t, db, "+1555010"+strconv.Itoa(i)); n != 1 {
			t.Errorf("item %d after a repeat: %d events", i+1, n)
		}
	}
}

// TestPollerBackoff: a 5xx fails the run; runs due during the backoff do not call
// the partner; the wait doubles; a success resets it.
func TestPollerBackoff(t *testing.T) {
	ctx := context.Background()
	p := newPartner(t, 1)
	p.fail.Store(2)
	db := openStore(t, t.TempDir())
	defer db.Close()
	c := &clock{t: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)}
	poller := buildPoller(t, db, p.srv.URL, c)

	err := poller.Poll(ctx)
	var se *connectors.StatusError
	if !errors.As(err, &se) || se.Status != 503 || !strings.Contains(err.Error(), `poller "orders": GET http://`) {
		t.Fatalf("first run: %v", err)
	}
	c.add(10 * time.Second)
	if err := poller.Poll(ctx); !errors.Is(err, inbound.ErrBackoff) {
		t.Fatalf("during backoff: %v", err)
	}
	if n := p.calls.Load(); n != 1 {
		t.Errorf("partner called %d times during the backoff", n)
	}
	c.add(25 * time.Second) // 35s > 30s
	if err := poller.Poll(ctx); err == nil || errors.Is(err, inbound.ErrBackoff) {
		t.Fatalf("second failure: %v", err)
	}
	c.add(45 * time.Second) // the wait is now 60s
	if err := poller.Poll(ctx); !errors.Is(err, inbound.ErrBackoff) {
		t.Fatalf("doubled backoff: %v", err)
	}
	c.add(20 * time.Second)
	if err := poller.Poll(ctx); err != nil {
		t.Fatalf("after the partner recovered: %v", err)
	}
	if n := countEvents(t, db, "+15550100"); n != 1 {
		t.Errorf("%d events", n)
	}
	if err := poller.Poll(ctx); err != nil {
		t.Errorf("success reset the backoff: %v", err)
	}
}
