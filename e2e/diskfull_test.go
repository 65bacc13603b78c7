//go:build e2e

package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// mountTmpfs mounts a tmpfs of size bytes on a new directory, unmounted when the test
// ends, or skips the test where mounting is not allowed.
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "disk")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput()
	if err != nil {
		t.Skipf("a full disk is tested on a tmpfs of its own, and mounting one is not allowed here "+
			"(mount -t tmpfs: %v: %s); run the e2e suite as root (or with CAP_SYS_ADMIN) to test it", err, bytes.TrimSpace(out))
	}
	// Registered before the servers start: cleanups run last in, first out, so the
	// servers are killed before the unmount.
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

// fill writes a file in dir until the filesystem is full, then gives back keep bytes.
func fill(t *testing.T, dir string, keep int64) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 1<<20)
	var n int64
	for {
		w, err := f.Write(chunk)
		n += int64(w)
		if errors.Is(err, syscall.ENOSPC) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	// tmpfs may keep a partial page: write byte by byte until it is really full.
	for {
		w, err := f.Write(chunk[:1])
		n += int64(w)
		if err != nil {
			break
		}
	}
	if keep > 0 {
		if err := f.Truncate(max(n-keep, 0)); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

func freeBytes(t *testing.T, dir string) uint64 {
	t.Helper()
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	return uint64(st.Bavail) * uint64(st.Bsize)
}

// post sends one event and returns the response's status, Retry-After and body.
func postOne(t *testing.T, s *server, id, ident string) (int, string, string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"id": id, "specversion": "1.0", "type": "Queued Caller", "source": "disk-test",
		"identity": ident, "identitytype": "phone", "data": map[string]any{"queue": "Billing", "pad": strings.Repeat("x", 200)}})
	req, _ := http.NewRequest("POST", s.base+"/v1/journey/events", bytes.NewReader(body))
	req.Header.Set("Authorization", tok("ds", "w"))
	req.Header.Set("Content-Type", "application/json")
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("posting %s: %v\n%s", id, err, s.logs)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Get("Retry-After"), string(b)
}

func get(t *testing.T, s *server, path, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", s.base+path, nil)
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v\n%s", path, err, s.logs)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// storedIDs reads the ids of every event of ident.
func storedIDs(t *testing.T, s *server, ident string) map[string]bool {
	t.Helper()
	found := map[string]bool{}
	for page := 0; ; page++ {
		status, body := get(t, s, fmt.Sprintf("/v1/journey/streams/historic/%s?pageSize=1000&page=%d", strings.ReplaceAll(ident, "+", "%2B"), page), tok("tape", "r"))
		if status != 200 {
			t.Fatalf("history of %s: %d %s", ident, status, body)
		}
		var res struct{ Data []struct{ ID string } }
		if err := json.Unmarshal([]byte(body), &res); err != nil {
			t.Fatal(err)
		}
		for _, d := range res.Data {
			found[d.ID] = true
		}
		if len(res.Data) < 1000 {
			return found
		}
	}
}

// TestFullDisk runs jds with its data directory on a small tmpfs and fills it. Ingest
// must answer 507 with Retry-After, not die of SIGBUS; /livez and reads keep working;
// /readyz says why; ingest resumes by itself once the space is back. A start on the full
// disk fails with a clear message, one with some room but less than the reserve serves
// reads; after a kill -9, every acknowledged event is there.
// smallBadger is the config of a store that fits a 64 MiB disk.
const smallBadger = "store:\n  badger:\n    memTableSize: 1MiB\n    valueLogFileSize: 1MiB\n"

func TestFullDisk(t *testing.T) {
	disk := mountTmpfs(t, "64m")
	dir := t.TempDir()
	// Small memtables and value-log files so that a 64 MiB disk holds the store and its
	// reserve (4×memTableSize + 16 MiB = 20 MiB).
	cfg := writeConfig(t, dir, smallBadger)
	data := filepath.Join(disk, "data")
	const ident = "+15550007777"
	acked := map[string]bool{}
	post := func(s *server, id string) (int, string, string) {
		status, retry, body := postOne(t, s, id, ident)
		if status == 202 {
			acked[id] = true
		}
		return status, retry, body
	}

	s := startServer(t, data, cfg)
	for i := range 300 {
		if status, _, body := post(s, fmt.Sprintf("before-%d", i)); status != 202 {
			t.Fatalf("post with room: %d %s", status, body)
		}
	}

	// The disk fills up (another writer, a large log): writes are refused, nothing dies.
	filler := fill(t, disk, 0)
	t.Logf("disk filled: %d bytes free", freeBytes(t, disk))
	for i := range 50 {
		status, retry, body := post(s, fmt.Sprintf("full-%d", i))
		if status != 507 || retry == "" || !strings.Contains(body, "no space left") || !strings.Contains(body, data) {
			t.Fatalf("post on a full disk: %d Retry-After %q %s, want 507 naming %s with Retry-After\n%s", status, retry, body, data, s.logs)
		}
		if i == 0 {
			t.Logf("refused: %s", body)
		}
	}
	if status, body := get(t, s, "/livez", ""); status != 200 {
		t.Fatalf("/livez on a full disk: %d %s", status, body)
	}
	if status, body := get(t, s, "/readyz", ""); status != 503 || !strings.Contains(body, "no space left") {
		t.Fatalf("/readyz on a full disk: %d %s, want 503 saying why", status, body)
	} else {
		t.Logf("/readyz: %s", body)
	}
	if got := storedIDs(t, s, ident); len(got) != len(acked) {
		t.Fatalf("reads on a full disk: %d events, want the %d acknowledged", len(got), len(acked))
	}

	// Space comes back: ingest resumes by itself.
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if status, _, body := post(s, "after-room"); status != 202 {
		t.Fatalf("post once the space is back: %d %s", status, body)
	}
	if status, body := get(t, s, "/readyz", ""); status != 200 {
		t.Fatalf("/readyz once the space is back: %d %s", status, body)
	}
	for i := range 200 {
		if status, _, body := post(s, fmt.Sprintf("resumed-%d", i)); status != 202 {
			t.Fatalf("post once the space is back: %d %s", status, body)
		}
	}

	// Killed while the disk is full, jds does not crash-loop on SIGBUS at start: it
	// refuses to open, saying why.
	filler = fill(t, disk, 0)
	s.kill(t)
	cmd := exec.Command(binary, "serve", "--config", cfg)
	cmd.Env = append(os.Environ(), "JDS_ADDR="+freePort(t), "JDS_DATA_DIR="+data, "JDS_LOG_LEVEL=warn")
	out, err := runWithin(cmd, 30*time.Second)
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(out, "no space left") || !strings.Contains(out, data) ||
		strings.Contains(out, "SIGBUS") {
		t.Fatalf("start on a full disk: %v, want exit status 1 with a message naming %s:\n%s", err, data, out)
	}
	t.Logf("start on a full disk: %v: %s", err, strings.TrimSpace(out))

	// With some room, but less than the reserve, jds opens: reads served, writes refused.
	os.Remove(filler)
	filler = fill(t, disk, 12<<20)
	s = startUntil(t, data, cfg, "/livez")
	if got := storedIDs(t, s, ident); len(got) != len(acked) {
		t.Fatalf("reads on a store opened short of space: %d events, want the %d acknowledged", len(got), len(acked))
	}
	if status, _, body := post(s, "short"); status != 507 {
		t.Fatalf("post on a store opened short of space: %d %s", status, body)
	}
	if status, body := get(t, s, "/readyz", ""); status != 503 || !strings.Contains(body, "no space left") {
		t.Fatalf("/readyz on a store opened short of space: %d %s", status, body)
	}
	os.Remove(filler)
	for i := range 100 {
		if status, _, body := post(s, fmt.Sprintf("reopened-%d", i)); status != 202 {
			t.Fatalf("post once the space is back: %d %s", status, body)
		}
	}
	s.kill(t)

	// Every acknowledged event survived, none stored that was refused.
	s = startServer(t, data, cfg)
	found := storedIDs(t, s, ident)
	for id := range acked {
		if !found[id] {
			t.Errorf("acknowledged event %s lost", id)
		}
	}
	if len(found) != len(acked) {
		t.Errorf("%d events stored, %d acknowledged: a refused post was stored", len(found), len(acked))
	}
	t.Logf("%d acknowledged events all found after kill -9", len(acked))
}

// runWithin runs cmd and returns its output, killing it after d.
func runWithin(cmd *exec.Cmd, d time.Duration) (string, error) {
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return "", err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return out.String(), err
	case <-time.After(d):
		cmd.Process.Kill()
		<-done
		return out.String(), fmt.Errorf("still running after %s", d)
	}
}

// TestDiskFilledByIngest lets jds fill a small tmpfs itself, from several clients at once,
// with batches: it must stop at its reserve and answer 507 while Badger flushes and
// compacts what it holds, never die of SIGBUS; after an operator makes room (a ballast
// file goes), ingest resumes, and after a kill -9 every acknowledged event is there.
func TestDiskFilledByIngest(t *testing.T) {
	disk := mountTmpfs(t, "64m")
	dir := t.TempDir()
	cfg := writeConfig(t, dir, smallBadger)
	ballast := filepath.Join(disk, "ballast")
	if err := os.WriteFile(ballast, make([]byte, 12<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(disk, "data")
	s := startServer(t, data, cfg)

	var mu sync.Mutex
	acked := map[string]string{} // event id → identity
	refused := 0
	postBatches := func(round string, clients, batches int) {
		var wg sync.WaitGroup
		for c := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range batches {
					ident := fmt.Sprintf("+1555100%04d", c)
					var evs []map[string]any
					for j := range 20 {
						evs = append(evs, map[string]any{"id": fmt.Sprintf("%s-%d-%d-%d", round, c, i, j), "specversion": "1.0",
							"type": "Queued Caller", "source": "disk-test", "identity": ident, "identitytype": "phone",
							"data": map[string]any{"pad": strings.Repeat("y", 2000)}})
					}
					body, _ := json.Marshal(evs)
					req, _ := http.NewRequest("POST", s.base+"/v1/journey/events", bytes.NewReader(body))
					req.Header.Set("Authorization", tok("ds", "w"))
					req.Header.Set("Content-Type", "application/json")
					res, err := client.Do(req)
					if err != nil {
						t.Errorf("posting: %v (jds died?)\n%s", err, s.logs)
						return
					}
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
					mu.Lock()
					switch res.StatusCode {
					case 202:
						for _, e := range evs {
							acked[e["id"].(string)] = ident
						}
					case 507:
						refused++
					default:
						t.Errorf("post: %d", res.StatusCode)
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if t.Failed() {
			t.FailNow()
		}
	}
	// 4 clients × 300 batches × 20 events of 2 KB is 48 MB: more than the disk holds.
	postBatches("fill", 4, 300)
	if refused == 0 {
		t.Fatalf("%d events acknowledged and none refused: the disk did not fill", len(acked))
	}
	t.Logf("%d events acknowledged, %d batches refused; %d bytes free", len(acked), refused, freeBytes(t, disk))
	// Badger flushes and compacts what it holds, in the reserve; jds stays up and keeps
	// refusing what does not fit (a small commit may still fit while a batch does not).
	time.Sleep(2 * time.Second)
	refused = 0
	postBatches("more", 4, 50)
	if refused == 0 {
		t.Fatalf("no batch refused on the second round (%d bytes free)", freeBytes(t, disk))
	}
	if status, body := get(t, s, "/livez", ""); status != 200 {
		t.Fatalf("/livez: %d %s", status, body)
	}
	t.Logf("second round: %d batches refused; %d bytes free", refused, freeBytes(t, disk))

	// The operator makes room: ingest resumes without a restart.
	os.Remove(ballast)
	refused = 0
	postBatches("room", 2, 20)
	if refused != 0 {
		t.Fatalf("%d batches refused once there was room again (%d bytes free)", refused, freeBytes(t, disk))
	}
	s.kill(t)

	s = startServer(t, data, cfg)
	found := map[string]bool{}
	for c := range 4 {
		for id := range storedIDs(t, s, fmt.Sprintf("+1555100%04d", c)) {
			found[id] = true
		}
	}
	missing := 0
	for id := range acked {
		if !found[id] {
			if missing++; missing < 10 {
				t.Errorf("acknowledged event %s lost", id)
			}
		}
	}
	if missing > 0 || len(found) != len(acked) {
		t.Fatalf("%d of %d acknowledged events lost; %d stored", missing, len(acked), len(found))
	}
	t.Logf("all %d acknowledged events found after kill -9", len(acked))
}
