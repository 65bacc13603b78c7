// Package jdstest runs a whole jds in-process for tests, as the binary runs it, on a
// random port, and talks HTTP to it: a settable clock, the service environment, tokens
// for its one signing key, an HTTP helper, a stand-in for a delivery partner, and
// polling for what happens on other goroutines.
package jdstest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openjds/jds/config"
	"github.com/openjds/jds/internal/sas"
	"github.com/openjds/jds/server/service"
)

// The one signing key an Env is configured with.
const (
	Org     = "cctsa"               // the key's organization
	KeyName = "sandbox"             // the key's name
	Secret  = "change-me-16-bytes+" // the key's secret
)

// Clock is a settable time for windows, expiry and timestamps. The zero value reads
// the Unix epoch. It is safe for concurrent use.
type Clock struct{ ns atomic.Int64 }

// Now returns the clock's time, in UTC.
func (c *Clock) Now() time.Time { return time.Unix(0, c.ns.Load()).UTC() }

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) { c.ns.Store(t.UnixNano()) }

// Add moves the clock on by d.
func (c *Clock) Add(d time.Duration) { c.ns.Add(int64(d)) }

// Env is a running jds.
type Env struct {
	t       testing.TB
	Config  config.Config    // what it runs with
	Clock   *Clock           // its clock; nil for the real one
	Service *service.Service // the running service
	URL     string           // its base URL, "http://127.0.0.1:port"
}

// Start runs jds until the test ends, on 127.0.0.1 and a random port, with a fresh
// data directory, rules and flows directories that do not exist until the test writes
// them (see WriteFile), the signing key Org/KeyName/Secret, and logs at level error.
// mutate, when not nil, changes that configuration before it is validated and used. A
// nil clock is the real one.
func Start(t testing.TB, clock *Clock, mutate func(*config.Config)) *Env {
	t.Helper()
	cfg := config.Default()
	cfg.Addr = "127.0.0.1:0"
	cfg.DataDir = t.TempDir()
	cfg.RulesDir = filepath.Join(t.TempDir(), "rules")
	cfg.FlowsDir = filepath.Join(t.TempDir(), "flows")
	cfg.Keys = []config.Key{{Name: KeyName, Organization: Org, Secret: Secret}}
	cfg.Log.Level = "error"
	if mutate != nil {
		mutate(&cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	e := &Env{t: t, Config: cfg, Clock: clock}
	e.boot()
	return e
}

func (e *Env) boot() {
	e.t.Helper()
	o := service.Options{Logger: service.NewLogger(e.Config.Log, io.Discard), Out: io.Discard}
	if e.Clock != nil {
		o.Now = e.Clock.Now
	}
	svc, err := service.Start(e.Config, o)
	if err != nil {
		e.t.Fatal(err)
	}
	e.Service = svc
	e.URL = "http://" + svc.Addr()
	e.t.Cleanup(func() { svc.Close() })
}

// Restart closes the service and starts it again on the same data directory, with the
// same configuration and clock, on a new port.
func (e *Env) Restart() {
	e.t.Helper()
	if err := e.Service.Close(); err != nil {
		e.t.Fatal(err)
	}
	e.boot()
}

// Token signs a token with the Env's key for service with permissions perm ("r", "w"
// or "rw") on workspace ("*" for every one), valid for an hour.
func Token(service, perm, workspace string) string {
	return sas.Sign(Org, workspace, service, perm, time.Now().Add(time.Hour), KeyName, []byte(Secret))
}

// AdminToken is a token of the admin service that reads and writes every workspace.
func AdminToken() string { return Token(sas.ServiceAdmin, "rw", "*") }

// Response is what the service answered.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body as a JSON object; anything else fails the test.
func (r Response) JSON(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("response is not a JSON object: %v: %s", err, r.Body)
	}
	return m
}

// Do sends a request to path (with its query string) and reads the whole answer. token,
// when not empty, is the Authorization header. body may be nil (no body), a string or
// a []byte (sent as it is), or any other value (sent as JSON). A request with a body is
// application/json unless headers say otherwise. headers are name, value pairs.
func (e *Env) Do(method, path, token string, body any, headers ...string) Response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, e.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return Response{Status: res.StatusCode, Header: res.Header, Body: raw}
}

// WriteFile writes body to path, making the directories it needs (an Env's rules and
// flows directories do not exist until a test writes them).
func WriteFile(t testing.TB, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// WaitFor polls cond until it holds, for up to five seconds, and then fails the test
// naming what it waited for. Deliveries, backfills and triggered runs happen on other
// goroutines.
func WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
