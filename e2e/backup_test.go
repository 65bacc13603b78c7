//go:build e2e

package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openjds/jds/internal/sas"
)

// TestBackupRestoreAfterKill9 takes a full backup and an incremental from a jds under
// concurrent ingest with the jds command line, a last incremental once ingest has
// stopped, kills the server with SIGKILL, and restores into fresh data directories:
// the full backup alone holds every event acknowledged before it began, with profiles
// that count exactly the events restored; the whole chain holds every acknowledged
// event, the same persons and merges, and the same profile values as the server had.
// Damaged files (a flipped byte, a truncated file) are refused by verify and restore.
func TestBackupRestoreAfterKill9(t *testing.T) {
	dir := t.TempDir()
	cfg := countingConfig(t, dir)
	s := startServer(t, filepath.Join(dir, "data"), cfg)
	adminTok := sas.Sign(org, "*", "admin", "r", time.Now().Add(time.Hour), "k", []byte(secret))

	const people = 40
	ident := func(i int) string { return fmt.Sprintf("+1555200%04d", i) }
	acked := map[string]string{} // event id → identity
	var mu sync.Mutex
	post := func(id, who string) bool {
		body, _ := json.Marshal(map[string]any{"id": id, "specversion": "1.0", "type": "Queued Caller", "source": "backup-test",
			"identity": who, "identitytype": "phone", "data": map[string]any{"queue": "Billing"}})
		req, _ := http.NewRequest("POST", s.base+"/v1/journey/events", bytes.NewReader(body))
		req.Header.Set("Authorization", tok("ds", "w"))
		req.Header.Set("Content-Type", "application/json")
		res, err := client.Do(req)
		if err != nil {
			return false
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != 202 {
			return false
		}
		mu.Lock()
		acked[id] = who
		mu.Unlock()
		return true
	}
	// Every person exists before the backups, and some are merged: pairs (0,1), (2,3)…
	for i := range people {
		if !post(fmt.Sprint("seed-", i), ident(i)) {
			t.Fatal("seeding failed")
		}
	}
	for i := 0; i < 10; i += 2 {
		body, _ := json.Marshal(map[string]any{"phone": []string{ident(i), ident(i + 1)}})
		req, _ := http.NewRequest("POST", s.base+"/admin/v1/api/person/merge-identities/workspace-id/"+workspace, bytes.NewReader(body))
		req.Header.Set("Authorization", tok("idmt", "w"))
		req.Header.Set("Content-Type", "application/json")
		res, err := client.Do(req)
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("merge-identities: %v %v", err, res)
		}
		res.Body.Close()
	}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	for c := range 16 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				post(fmt.Sprintf("c%d-%d", c, i), ident((c*7+i)%people))
			}
		})
	}
	snapshot := func() map[string]string {
		mu.Lock()
		defer mu.Unlock()
		return maps.Clone(acked)
	}
	jds := func(args ...string) (string, error) {
		cmd := exec.Command(binary, args...)
		cmd.Env = append(os.Environ(), "JDS_ADMIN_TOKEN="+adminTok)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	full, inc1, inc2 := filepath.Join(dir, "full.jdsbak"), filepath.Join(dir, "inc1.jdsbak"), filepath.Join(dir, "inc2.jdsbak")

	time.Sleep(700 * time.Millisecond)
	beforeFull := snapshot()
	out, err := jds("backup", "--url", s.base, "--out", full)
	if err != nil {
		t.Fatalf("jds backup: %v\n%s", err, out)
	}
	t.Logf("full backup under ingest: %s", strings.TrimSpace(out))
	time.Sleep(500 * time.Millisecond)
	if out, err := jds("backup", "--url", s.base, "--out", inc1, "--since", full); err != nil {
		t.Fatalf("jds backup --since: %v\n%s", err, out)
	}
	close(stop)
	wg.Wait()
	if out, err := jds("backup", "--url", s.base, "--out", inc2, "--since", inc1); err != nil {
		t.Fatalf("jds backup --since: %v\n%s", err, out)
	}
	if len(beforeFull) < 500 {
		t.Fatalf("only %d events acknowledged before the backup: too few to mean anything", len(beforeFull))
	}
	// What the server holds once ingest has stopped: persons, merges and profiles.
	want := map[string]string{}
	for i := range people {
		want[ident(i)] = personAndProfile(t, s, ident(i))
	}
	s.kill(t)

	// The full backup alone.
	data1 := filepath.Join(dir, "restored-full")
	if out, err := jds("restore", "--data-dir", data1, full); err != nil || !strings.Contains(out, "events") {
		t.Fatalf("jds restore: %v\n%s", err, out)
	}
	r := startServer(t, data1, cfg)
	// The restored store computes the rule file's template again at start (its workspace
	// has no backfill marker): compare once that is done, as personAndProfile does.
	personAndProfile(t, r, ident(people-1))
	found := map[string]bool{}
	for i := range people {
		ids := historyIDs(t, r, ident(i))
		if counted := profileCount(t, r, ident(i)); counted != len(ids) && i >= 10 {
			t.Errorf("%s: the restored profile counts %d events, the restored history holds %d", ident(i), counted, len(ids))
		}
		for _, id := range ids {
			found[id] = true
		}
	}
	missing := 0
	for id := range beforeFull {
		if !found[id] {
			missing++
		}
	}
	if missing > 0 {
		t.Fatalf("%d of %d events acknowledged before the backup began are not in it", missing, len(beforeFull))
	}
	t.Logf("full backup: all %d events acknowledged before it began restored (%d in all)", len(beforeFull), len(found))
	r.kill(t)

	// The whole chain: everything the server had.
	data2 := filepath.Join(dir, "restored-chain")
	if out, err := jds("restore", "--data-dir", data2, full, inc1, inc2); err != nil {
		t.Fatalf("jds restore of the chain: %v\n%s", err, out)
	} else {
		t.Logf("%s", strings.TrimSpace(out))
	}
	r = startServer(t, data2, cfg)
	found = map[string]bool{}
	for i := range people {
		if got := personAndProfile(t, r, ident(i)); got != want[ident(i)] {
			t.Errorf("%s restored as\n%s\nthe server had\n%s", ident(i), got, want[ident(i)])
		}
		for _, id := range historyIDs(t, r, ident(i)) {
			found[id] = true
		}
	}
	for id := range snapshot() {
		if !found[id] {
			t.Fatalf("acknowledged event %s is not in the restored chain", id)
		}
	}
	r.kill(t)

	// Damaged files are refused, and a restore leaves nothing behind.
	raw, _ := os.ReadFile(full)
	flipped := bytes.Clone(raw)
	flipped[len(flipped)/3] ^= 0x01
	damaged := map[string][]byte{"flipped": flipped, "truncated": raw[:len(raw)-len(raw)/4]}
	for name, b := range damaged {
		path := filepath.Join(dir, name+".jdsbak")
		os.WriteFile(path, b, 0o600)
		if out, err := jds("backup", "verify", path); err == nil || !strings.Contains(out, "BAD") {
			t.Errorf("verify of a %s file: %v\n%s", name, err, out)
		}
		target := filepath.Join(dir, "restored-"+name)
		if out, err := jds("restore", "--data-dir", target, path); err == nil || !strings.Contains(out, "nothing restored") {
			t.Errorf("restore of a %s file: %v\n%s", name, err, out)
		}
		if entries, _ := os.ReadDir(target); len(entries) > 0 {
			t.Errorf("restore of a %s file left %s behind", name, entries[0].Name())
		}
	}
	if out, err := jds("backup", "verify", full, inc1, inc2); err != nil {
		t.Errorf("verify of the good files: %v\n%s", err, out)
	}
	if out, err := jds("restore", "--data-dir", data2, full); err == nil || !strings.Contains(out, "not empty") {
		t.Errorf("restore over a store: %v\n%s", err, out)
	}
	if out, err := jds("restore", "--data-dir", filepath.Join(dir, "gap"), full, inc2); err == nil || !strings.Contains(out, "builds on version") {
		t.Errorf("restore of a chain with a gap: %v\n%s", err, out)
	}
}

// personAndProfile is what the server says of an identity: its person (id, aliases,
// merges) and its profile.
func personAndProfile(t *testing.T, s *server, ident string) string {
	t.Helper()
	get := func(path, service string) string {
		req, _ := http.NewRequest("GET", s.base+path, nil)
		req.Header.Set("Authorization", tok(service, "r"))
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var body struct{ Data json.RawMessage }
		if err := json.NewDecoder(res.Body).Decode(&body); err != nil || res.StatusCode != 200 {
			t.Fatalf("GET %s: %d %v", path, res.StatusCode, err)
		}
		return string(body.Data)
	}
	path := fmt.Sprintf("/v1/api/progressive-profile-view/workspace-id/%s/identity/%s/template-name/%s", workspace, url.PathEscape(ident), url.PathEscape("Crash Count"))
	profile := get(path, "profile")
	// A store that starts with events and no backfill marker for a rule file's template
	// (its workspace was made after the rules loaded) computes it again at start.
	for deadline := time.Now().Add(20 * time.Second); strings.Contains(profile, `"backfill":`) && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
		profile = get(path, "profile")
	}
	// The view's timestamp is when it was read.
	profile = regexp.MustCompile(`"timestamp":"[^"]*"`).ReplaceAllString(profile, `"timestamp":""`)
	return get("/admin/v1/api/person/workspace-id/"+workspace+"/aliases/"+url.PathEscape(ident), "idmt") + "\n" + profile
}
