package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func testGen(t testing.TB, persons int, identity string) *generator {
	t.Helper()
	g, err := newGenerator("0123456789abcdef", persons, identity)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

var phoneRE = regexp.MustCompile(`^\+1555[0-9]{7}$`)

func TestEventsAreRealistic(t *testing.T) {
	g := testGen(t, 10_000, "")
	ids := map[string]bool{}
	types := map[string]bool{}
	for i := range uint64(2000) {
		raw := g.appendEvent(nil, i)
		if len(raw) < 400 || len(raw) > 560 {
			t.Errorf("event %d is %d bytes, want about 400-500: %s", i, len(raw), raw)
		}
		var ev struct {
			ID, SpecVersion, Type, Source, Identity, IdentityType, DataContentType, Time string
			Data                                                                         map[string]string
		}
		if err := json.Unmarshal(raw, &ev); err != nil {
			t.Fatalf("event %d is not JSON: %v\n%s", i, err, raw)
		}
		if ids[ev.ID] {
			t.Fatalf("duplicate id %s", ev.ID)
		}
		ids[ev.ID] = true
		types[ev.Type] = true
		if ev.SpecVersion != "1.0" || ev.IdentityType != "phone" || ev.DataContentType != "application/json" {
			t.Errorf("event %d: bad attributes: %s", i, raw)
		}
		if !phoneRE.MatchString(ev.Identity) || ev.Data["phone"] != ev.Identity {
			t.Errorf("event %d: identity %q", i, ev.Identity)
		}
		if strings.Contains(ev.Source, " ") || ev.Source == "" {
			t.Errorf("event %d: source %q", i, ev.Source)
		}
		if _, err := time.Parse(time.RFC3339Nano, ev.Time); err != nil || !strings.HasSuffix(ev.Time, "Z") {
			t.Errorf("event %d: time %q", i, ev.Time)
		}
		for _, k := range []string{"origin", "channelType", "category", "status", "Notification", "Past Due Amount", "queue"} {
			if ev.Data[k] == "" {
				t.Errorf("event %d: data.%s missing: %s", i, k, raw)
			}
		}
	}
	if len(types) != 4 {
		t.Errorf("types %v, want the 4 kinds", types)
	}
}

func TestSameBodiesForSameSettings(t *testing.T) {
	end := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a, b := testGen(t, 100, ""), testGen(t, 100, "")
	a.spread(end, time.Hour, 10)
	b.spread(end, time.Hour, 10)
	for i := range uint64(10) {
		if x, y := a.appendEvent(nil, i), b.appendEvent(nil, i); !bytes.Equal(x, y) {
			t.Fatalf("event %d differs:\n%s\n%s", i, x, y)
		}
	}
}

func TestSeedSpreadsOneIdentity(t *testing.T) {
	end := time.Now()
	g := testGen(t, 0, "+15550000001")
	g.spread(end, 30*24*time.Hour, 1000)
	var first, last time.Time
	for i := range uint64(1000) {
		var ev struct{ Identity, Time string }
		if err := json.Unmarshal(g.appendEvent(nil, i), &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Identity != "+15550000001" {
			t.Fatalf("identity %q", ev.Identity)
		}
		tm, _ := time.Parse(time.RFC3339Nano, ev.Time)
		if i == 0 {
			first = tm
		}
		last = tm
	}
	if d := end.Sub(first); d < 29*24*time.Hour || d > 30*24*time.Hour+time.Second {
		t.Errorf("first event %v before the end, want about 30 days", d)
	}
	if last.After(end) {
		t.Errorf("last event %v after the end %v", last, end)
	}
}

func TestBatchBody(t *testing.T) {
	g := testGen(t, 10, "")
	var arr []json.RawMessage
	if err := json.Unmarshal(g.appendBody(nil, 5, 105, false), &arr); err != nil || len(arr) != 100 {
		t.Fatalf("batch: %d events, %v", len(arr), err)
	}
	if one := g.appendBody(nil, 7, 8, true); one[0] != '{' {
		t.Fatalf("single body is not an object: %s", one)
	}
}

func TestLoopbackOnly(t *testing.T) {
	for raw, ok := range map[string]bool{
		"http://127.0.0.1:8080":      true,
		"http://127.1.2.3:9":         true,
		"http://localhost:8080/":     true,
		"http://LOCALHOST":           true,
		"http://[::1]:8080":          true,
		"https://127.0.0.1":          true,
		"http://10.0.0.1:8080":       false,
		"http://0.0.0.0:8080":        false,
		"http://example.com":         false,
		"http://localhost.evil.com":  false,
		"http://127.0.0.1.nip.io":    false,
		"ftp://127.0.0.1":            false,
		"http://[::ffff:8.8.8.8]:80": false,
		"127.0.0.1:8080":             false,
	} {
		if _, err := checkURL(raw); (err == nil) != ok {
			t.Errorf("checkURL(%q) error %v, want allowed=%v", raw, err, ok)
		}
	}
}

func TestPercentiles(t *testing.T) {
	var parts []latencies
	for c := range 4 {
		var p latencies
		for i := c; i < 1000; i += 4 {
			p = append(p, time.Duration(1000-i)*time.Millisecond) // 1..1000 ms, shuffled over parts
		}
		parts = append(parts, p)
	}
	s := summarize(parts)
	if s.n != 1000 || s.p50 != 500*time.Millisecond || s.p90 != 900*time.Millisecond ||
		s.p99 != 990*time.Millisecond || s.max != 1000*time.Millisecond {
		t.Errorf("summary %+v", s)
	}
	if (summarize(nil) != summary{}) {
		t.Error("empty summary is not zero")
	}
}

func TestResultLine(t *testing.T) {
	r := newResult("ingest", 1000, 10, 0, 2*time.Second, summary{p50: 1500 * time.Microsecond})
	r.Extra["clients"] = 16
	r.Extra["batch"] = 100
	line := r.line()
	want := `RESULT {"scenario":"ingest","events":1000,"requests":10,"seconds":2,"events_per_sec":500,"requests_per_sec":5,"p50_ms":1.5,"p90_ms":0,"p99_ms":0,"max_ms":0,"errors":0,"batch":100,"clients":16}`
	if line != want {
		t.Errorf("got  %s\nwant %s", line, want)
	}
}

func TestResultCount(t *testing.T) {
	n, ok := resultCount([]byte(`{"meta":{"identity":"+1","resultCount": 50,"x":1},"data":[{"data":{"resultCount":3}}]}`))
	if !ok || n != 50 {
		t.Errorf("got %d %v", n, ok)
	}
	if _, ok := resultCount([]byte(`{"status":"401 UNAUTHORIZED"}`)); ok {
		t.Error("found a count in an error")
	}
}

func TestParseStatus(t *testing.T) {
	st, err := parseStatus([]byte("Name:\tjds\nState:\tS (sleeping)\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\nRssAnon:\t   92400 kB\nRssFile:\t   10000 kB\n"))
	if err != nil || st.name != "jds" || st.rssKB != 102400 || st.hwmKB != 204800 || st.anonKB != 92400 || st.fileKB != 10000 {
		t.Errorf("got %+v, %v", st, err)
	}
	if _, err := parseStatus([]byte("Name:\tkthreadd\n")); err == nil {
		t.Error("no error without VmRSS")
	}
}

// fakeJDS accepts ingest and answers history like jds, counting what it got.
type fakeJDS struct {
	mu     sync.Mutex
	ids    map[string]bool
	bad    int
	events atomic.Int64
}

func (f *fakeJDS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "SharedAccessSignature so=x" {
		http.Error(w, `{"status":"401 UNAUTHORIZED"}`, http.StatusUnauthorized)
		return
	}
	body, _ := io.ReadAll(r.Body)
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/publish/v1/api/events":
		var evs []struct{ ID string }
		if err := json.Unmarshal(body, &evs); err != nil || r.URL.Query().Get("workspaceId") != "ws" {
			http.Error(w, "bad batch", http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		for _, e := range evs {
			if f.ids[e.ID] {
				f.bad++
			}
			f.ids[e.ID] = true
		}
		f.mu.Unlock()
		f.events.Add(int64(len(evs)))
		w.WriteHeader(http.StatusAccepted)
	case r.Method == http.MethodPost && r.URL.Path == "/publish/v1/api/event":
		if f.events.Add(1)%10 == 0 {
			http.Error(w, `{"status":"503 SERVICE_UNAVAILABLE"}`, http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	case r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/v1/flows/"):
		if !bytes.Equal(body, []byte(`{"ani":"+15550000001"}`)) {
			http.Error(w, "bad flow call "+string(body), http.StatusBadRequest)
			return
		}
		if r.URL.Path == "/v1/flows/broken" {
			w.Header().Set("X-JDS-Fallback", "timeout")
		}
		io.WriteString(w, `{"say":"hello"}`)
	case r.Method == http.MethodGet && r.URL.Path == "/v1/api/events/workspace-id/ws":
		if r.URL.Query().Get("identity") != "+15550000001" || r.URL.Query().Get("filter") != "type eq 'Payment'" {
			http.Error(w, "bad query "+r.URL.RawQuery, http.StatusBadRequest)
			return
		}
		fmt.Fprintf(w, `{"meta":{"resultCount":%s},"data":[]}`, r.URL.Query().Get("pageSize"))
	default:
		http.NotFound(w, r)
	}
}

func runCmd(t *testing.T, args ...string) (string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut)
	return out.String() + errOut.String(), code
}

func resultOf(t *testing.T, out string) map[string]any {
	t.Helper()
	i := strings.LastIndex(out, "RESULT ")
	if i < 0 {
		t.Fatalf("no RESULT line:\n%s", out)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(strings.TrimSpace(out[i+len("RESULT "):])), &m); err != nil {
		t.Fatalf("bad RESULT: %v\n%s", err, out)
	}
	return m
}

func TestAgainstFakeServer(t *testing.T) {
	f := &fakeJDS{ids: map[string]bool{}}
	srv := httptest.NewServer(f)
	defer srv.Close()
	common := []string{"--url", srv.URL, "--token", "SharedAccessSignature so=x", "--workspace", "ws", "--progress", "0"}

	out, code := runCmd(t, append([]string{"ingest", "--clients", "8", "--batch", "100", "--events", "10050"}, common...)...)
	m := resultOf(t, out)
	if code != 0 || m["events"] != 10050.0 || m["requests"] != 101.0 || m["errors"] != 0.0 || f.bad != 0 || m["stopped_by"] != "count" {
		t.Errorf("ingest: code %d, duplicates %d, result %v\n%s", code, f.bad, m, out)
	}

	f.events.Store(0)
	out, code = runCmd(t, append([]string{"ingest", "--clients", "4", "--batch", "1", "--events", "100"}, common...)...)
	m = resultOf(t, out)
	if code != 1 || m["errors"] != 10.0 || m["events"] != 90.0 || !strings.Contains(out, "status 503") {
		t.Errorf("single: code %d, result %v\n%s", code, m, out)
	}

	out, code = runCmd(t, append([]string{"history", "--requests", "200", "--top", "50", "--expect", "10000",
		"--filter", "type eq 'Payment'"}, common...)...)
	m = resultOf(t, out)
	if code != 0 || m["requests"] != 200.0 || m["events"] != 10000.0 || m["errors"] != 0.0 {
		t.Errorf("history: code %d, result %v\n%s", code, m, out)
	}
	out, code = runCmd(t, append([]string{"history", "--requests", "20", "--top", "50", "--expect", "10",
		"--filter", "type eq 'Payment'"}, common...)...)
	if m = resultOf(t, out); code != 1 || m["errors"] != 20.0 || !strings.Contains(out, "resultCount 50, want 10") {
		t.Errorf("history with a wrong expectation: code %d, result %v\n%s", code, m, out)
	}

	out, code = runCmd(t, append([]string{"history", "--requests", "30", "--flow", "repeat-caller"}, common...)...)
	if m = resultOf(t, out); code != 0 || m["scenario"] != "flow" || m["requests"] != 30.0 || m["events"] != 30.0 || m["errors"] != 0.0 {
		t.Errorf("flow: code %d, result %v\n%s", code, m, out)
	}
	out, code = runCmd(t, append([]string{"history", "--requests", "30", "--flow", "broken"}, common...)...)
	if m = resultOf(t, out); code != 1 || m["errors"] != 30.0 || !strings.Contains(out, "fallback: timeout") {
		t.Errorf("flow answered by its fallback: code %d, result %v\n%s", code, m, out)
	}
}

func TestCeiling(t *testing.T) {
	var gets, authed atomic.Int64
	failing := atomic.Bool{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/livez" {
			http.NotFound(w, r)
			return
		}
		gets.Add(1)
		if r.Header.Get("Authorization") != "" {
			authed.Add(1)
		}
		if failing.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ok\n")
	}))
	defer srv.Close()
	t.Setenv("JDS_TOKEN", "SharedAccessSignature so=x") // set, but /livez must go without it

	out, code := runCmd(t, "ceiling", "--url", srv.URL, "--clients", "8", "--requests", "500", "--progress", "0")
	m := resultOf(t, out)
	if code != 0 || m["scenario"] != "ceiling" || m["requests"] != 500.0 || m["errors"] != 0.0 ||
		m["clients"] != 8.0 || m["stopped_by"] != "count" || m["requests_per_sec"].(float64) <= 0 || m["p99_ms"] == nil {
		t.Errorf("ceiling: code %d, result %v\n%s", code, m, out)
	}
	if gets.Load() != 500 || authed.Load() != 0 {
		t.Errorf("server saw %d GETs, %d with a token; want 500, none", gets.Load(), authed.Load())
	}

	failing.Store(true)
	out, code = runCmd(t, "ceiling", "--url", srv.URL, "--clients", "2", "--requests", "10", "--progress", "0")
	if m = resultOf(t, out); code != 1 || m["errors"] != 10.0 || !strings.Contains(out, "status 503") {
		t.Errorf("failing ceiling: code %d, result %v\n%s", code, m, out)
	}
	if _, code := runCmd(t, "ceiling", "--url", srv.URL, "--token", "x"); code != 2 {
		t.Errorf("ceiling --token: code %d, want 2 (it takes no token)", code)
	}
}

func TestDurationBoundsTheRun(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		time.Sleep(20 * time.Millisecond)
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	start := time.Now()
	out, code := runCmd(t, "ingest", "--url", srv.URL, "--token", "t", "--clients", "2", "--batch", "10",
		"--events", "1000000", "--duration", "300ms", "--progress", "0")
	m := resultOf(t, out)
	if code != 0 || m["stopped_by"] != "duration" || time.Since(start) > 5*time.Second {
		t.Errorf("code %d after %v, result %v", code, time.Since(start), m)
	}
}

func TestRaw(t *testing.T) {
	dir := t.TempDir()
	out, code := runCmd(t, "raw", "--dir", dir, "--events", "1000", "--group", "256", "--progress", "0")
	m := resultOf(t, out)
	if code != 0 || m["events"] != 1000.0 || m["requests"] != 4.0 {
		t.Errorf("raw: code %d, result %v\n%s", code, m, out)
	}
	if _, code := runCmd(t, "raw", "--dir", dir, "--events", "10"); code != 2 {
		t.Errorf("raw into a non-empty dir: code %d, want 2", code)
	}
}

func BenchmarkBatchBody(b *testing.B) {
	g := testGen(b, 10_000, "")
	buf := make([]byte, 0, 64<<10)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		buf = g.appendBody(buf[:0], uint64(i*100), uint64(i*100+100), false)
	}
	b.SetBytes(int64(len(buf)))
}
