//go:build e2e

// Package e2e runs the real jds binary as users and operators do. These tests are slower
// than the unit suite and run from scripts/test.sh (go test -tags e2e ./e2e/).
package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/openjds/jds/internal/sas"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "jds-e2e")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "jds")
	build := exec.Command("go", "build", "-o", binary, "../cmd/jds")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building jds:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

const (
	org       = "crash"
	workspace = "ws"
	secret    = "s3cret-of-16-bytes"
)

// server is one jds process.
type server struct {
	cmd  *exec.Cmd
	base string
	logs *bytes.Buffer
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// writeConfig writes a config file in dir holding the tests' signing key, then the
// YAML in more, and returns its path.
func writeConfig(t *testing.T, dir, more string) string {
	t.Helper()
	cfg := filepath.Join(dir, "jds.yaml")
	body := fmt.Sprintf("keys:\n  - name: k\n    organization: %s\n    secret: %q\n", org, secret) + more
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func startServer(t *testing.T, dataDir, configPath string) *server {
	t.Helper()
	return startUntil(t, dataDir, configPath, "/readyz")
}

// startUntil starts jds and waits until probe ("/readyz", or "/livez" where a store
// short of space is alive but not ready) answers 200.
func startUntil(t *testing.T, dataDir, configPath, probe string) *server {
	t.Helper()
	addr := freePort(t)
	cmd := exec.Command(binary, "serve", "--config", configPath)
	cmd.Env = append(os.Environ(), "JDS_ADDR="+addr, "JDS_DATA_DIR="+dataDir, "JDS_LOG_LEVEL=warn")
	logs := &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, base: "http://" + addr, logs: logs}
	t.Cleanup(func() { s.cmd.Process.Kill(); s.cmd.Wait() })
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if res, err := http.Get(s.base + probe); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return s
			}
		}
	}
	t.Fatalf("jds did not answer %s: %s", probe, logs)
	return nil
}

func (s *server) kill(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	s.cmd.Wait()
}

var client = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

func tok(service, perm string) string {
	return sas.Sign(org, workspace, service, perm, time.Now().Add(time.Hour), "k", []byte(secret))
}

// TestAcknowledgedEventsSurviveKill9 posts events from many clients, kills the server
// with SIGKILL in the middle of the burst, restarts it, and finds every event whose
// post was answered 202 — several times over the same data directory. A profile counts
// the events of each person: after the kills it must count exactly the events stored,
// none lost and none twice.
func TestAcknowledgedEventsSurviveKill9(t *testing.T) {
	dir := t.TempDir()
	cfg := countingConfig(t, dir)
	data := filepath.Join(dir, "data")
	write := tok("ds", "w")
	acked := map[string]string{} // event id → identity
	var mu sync.Mutex

	for round := range 3 {
		s := startServer(t, data, cfg)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for c := range 32 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					ident := fmt.Sprintf("+1555%07d", (c*7+i)%50)
					var evs []map[string]any
					n := 1 + (c%3)*10 // single events and batches of 11 and 21
					for j := range n {
						evs = append(evs, map[string]any{
							"id": fmt.Sprintf("r%d-c%d-%d-%d", round, c, i, j), "specversion": "1.0", "type": "Queued Caller",
							"source": "crash-test", "identity": ident, "identitytype": "phone",
							"data": map[string]any{"queue": "Billing", "n": j},
						})
					}
					var body []byte
					path := "/v1/journey/events"
					if n == 1 {
						body, _ = json.Marshal(evs[0])
					} else {
						body, _ = json.Marshal(evs)
					}
					req, _ := http.NewRequest("POST", s.base+path, bytes.NewReader(body))
					req.Header.Set("Authorization", write)
					req.Header.Set("Content-Type", "application/json")
					res, err := client.Do(req)
					if err != nil {
						continue // the server died mid-request: not acknowledged
					}
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode == 202 {
						mu.Lock()
						for _, e := range evs {
							acked[e["id"].(string)] = ident
						}
						mu.Unlock()
					}
				}
			}()
		}
		time.Sleep(time.Duration(700+300*round) * time.Millisecond)
		s.kill(t)
		close(stop)
		wg.Wait()
		t.Logf("round %d: %d events acknowledged so far", round, len(acked))
	}
	if len(acked) < 1000 {
		t.Fatalf("only %d events acknowledged: the burst was too small to mean anything", len(acked))
	}

	s := startServer(t, data, cfg)
	found := map[string]bool{}
	for p := range 50 {
		ident := fmt.Sprintf("+1555%07d", p)
		ids := historyIDs(t, s, ident)
		for _, id := range ids {
			if found[id] {
				t.Fatalf("event %s stored twice", id)
			}
			found[id] = true
		}
		stored := len(ids)
		if counted := profileCount(t, s, ident); counted != stored {
			t.Errorf("%s: the profile counts %d events, the ledger holds %d", ident, counted, stored)
		}
	}
	missing := 0
	for id, ident := range acked {
		if !found[id] {
			missing++
			if missing < 10 {
				t.Errorf("acknowledged event %s of %s is missing after kill -9", id, ident)
			}
		}
	}
	if missing > 0 {
		t.Fatalf("%d of %d acknowledged events lost", missing, len(acked))
	}
	t.Logf("all %d acknowledged events found (%d stored in all)", len(acked), len(found))
}

// TestGracefulShutdown stops the binary with SIGTERM in the middle of ingest: it must exit
// 0 promptly, and every acknowledged event must be there after a restart.
func TestGracefulShutdown(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "")
	data := filepath.Join(dir, "data")
	s := startServer(t, data, cfg)
	var acked sync.Map
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for c := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				id := fmt.Sprintf("g%d-%d", c, i)
				body, _ := json.Marshal(map[string]any{"id": id, "specversion": "1.0", "type": "T", "source": "term-test",
					"identity": "+15550001234", "identitytype": "phone", "data": map[string]any{}})
				req, _ := http.NewRequest("POST", s.base+"/v1/journey/events", bytes.NewReader(body))
				req.Header.Set("Authorization", tok("ds", "w"))
				req.Header.Set("Content-Type", "application/json")
				res, err := client.Do(req)
				if err != nil {
					continue
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode == 202 {
					acked.Store(id, true)
				}
			}
		}()
	}
	time.Sleep(500 * time.Millisecond)
	start := time.Now()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err := s.cmd.Wait()
	took := time.Since(start)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("jds did not exit cleanly on SIGTERM: %v\n%s", err, s.logs)
	}
	if took > 10*time.Second {
		t.Fatalf("shutdown took %s", took)
	}
	s = startServer(t, data, cfg)
	found := map[string]bool{}
	for _, id := range historyIDs(t, s, "+15550001234") {
		found[id] = true
	}
	n := 0
	acked.Range(func(k, _ any) bool {
		n++
		if !found[k.(string)] {
			t.Errorf("acknowledged event %s lost in a graceful shutdown", k)
		}
		return true
	})
	if n == 0 {
		t.Fatal("nothing was acknowledged before the shutdown")
	}
	t.Logf("%d acknowledged events all found; shutdown took %s", n, took.Round(time.Millisecond))
}

// countingConfig writes, in dir, a configuration with this package's key and a rule
// file whose template "Crash Count" counts each person's Queued Caller events, and
// returns its path.
func countingConfig(t *testing.T, dir string) string {
	rules := filepath.Join(dir, "rules")
	os.Mkdir(rules, 0o755)
	os.WriteFile(filepath.Join(rules, "count.yaml"), []byte(`templates:
  - name: Crash Count
    attributes:
      - {name: calls, displayName: Calls, event: Queued Caller, aggregationMode: Count, lookBack: 30d, limit: 10000}
`), 0o644)
	return writeConfig(t, dir, "rulesDir: "+rules+"\n")
}

// historyIDs reads the ids of every event of an identity's person.
func historyIDs(t *testing.T, s *server, ident string) []string {
	t.Helper()
	var ids []string
	for page := 0; ; page++ {
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s/v1/journey/streams/historic/%s?pageSize=1000&page=%d", s.base, url.PathEscape(ident), page), nil)
		req.Header.Set("Authorization", tok("tape", "r"))
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body struct{ Data []struct{ ID string } }
		json.NewDecoder(res.Body).Decode(&body)
		res.Body.Close()
		for _, d := range body.Data {
			ids = append(ids, d.ID)
		}
		if len(body.Data) < 1000 {
			return ids
		}
	}
}

// profileCount reads the Crash Count profile of an identity.
func profileCount(t *testing.T, s *server, ident string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/v1/api/progressive-profile-view/workspace-id/%s/identity/%s/template-name/%s",
		s.base, workspace, url.PathEscape(ident), url.PathEscape("Crash Count")), nil)
	req.Header.Set("Authorization", tok("profile", "r"))
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body struct {
		Data []struct {
			Attributes []struct{ Value int }
		}
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil || res.StatusCode != 200 ||
		len(body.Data) != 1 || len(body.Data[0].Attributes) != 1 {
		t.Fatalf("profile of %s: status %d, %+v, %v", ident, res.StatusCode, body, err)
	}
	return body.Data[0].Attributes[0].Value
}

// TestSecondSignalStopsAStuckShutdown: a shutdown that cannot finish (here the data
// directory was deleted under jds, so the store's last flush fails and Badger retries
// it forever) ends at a second SIGTERM, as operators expect of Ctrl-C twice.
func TestSecondSignalStopsAStuckShutdown(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "")
	data := filepath.Join(dir, "data")
	s := startServer(t, data, cfg)
	body := `{"id":"stuck-1","specversion":"1.0","type":"T","source":"stuck-test","identity":"+15550001234","identitytype":"phone","data":{}}`
	req, _ := http.NewRequest("POST", s.base+"/v1/journey/events", strings.NewReader(body))
	req.Header.Set("Authorization", tok("ds", "w"))
	req.Header.Set("Content-Type", "application/json")
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 202 {
		t.Fatalf("POST: %d", res.StatusCode)
	}
	if err := os.RemoveAll(data); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- s.cmd.Wait() }()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
		return // it finished anyway: nothing to stop
	case <-time.After(2 * time.Second):
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		t.Fatalf("jds still running 10 s after a second SIGTERM:\n%s", s.logs)
	}
}
