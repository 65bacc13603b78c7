//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestMigrateStoreToPostgres: an installation on the embedded store, killed with
// SIGKILL (its derived state partly in the journal), is copied to PostgreSQL with
// `jds migrate-store`, twice (the second run skips what is there); a node on the
// database then answers the same history and profiles, and takes events on from there.
// Then the way back: the database is copied to a new data directory, twice again, and
// a node on it answers the same, the event taken on PostgreSQL included.
func TestMigrateStoreToPostgres(t *testing.T) {
	dbURL := newDatabase(t)
	dir := t.TempDir()
	cfg := countingConfig(t, dir)
	data := filepath.Join(dir, "data")
	s := startServer(t, data, cfg)
	idents := []string{"+15550600001", "+15550600002"}
	for i := range 20 {
		s.postEvent(t, fmt.Sprintf("ms-%02d", i), "Queued Caller", idents[i%2])
	}
	history := map[string][]string{}
	for _, ident := range idents {
		history[ident] = historyIDs(t, s, ident)
		if got := profileCount(t, s, ident); got != 10 {
			t.Fatalf("profile of %s on Badger: %d, want 10", ident, got)
		}
	}
	s.kill(t)

	for run := range 2 {
		out, err := exec.Command(binary, "migrate-store", "--from", data, "--to", dbURL, "--batch", "7").CombinedOutput()
		if err != nil || !strings.Contains(string(out), "copied and verified: workspaces 1, events 20, persons 2, aliases 2") {
			t.Fatalf("jds migrate-store, run %d: %v\n%s", run+1, err, out)
		}
		t.Logf("run %d: %s", run+1, strings.TrimSpace(string(out)))
	}

	pgCfg := filepath.Join(dir, "pg.yaml")
	body, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pgCfg, append(body, fmt.Sprintf("store: {url: %q}\n", dbURL)...), 0o600); err != nil {
		t.Fatal(err)
	}
	p := startServer(t, filepath.Join(dir, "pgnode"), pgCfg)
	for _, ident := range idents {
		if got := historyIDs(t, p, ident); !slices.Equal(got, history[ident]) {
			t.Errorf("history of %s on PostgreSQL: %v, want %v", ident, got, history[ident])
		}
		if got := profileCount(t, p, ident); got != 10 {
			t.Errorf("profile of %s on PostgreSQL: %d, want 10", ident, got)
		}
	}
	p.postEvent(t, "ms-after", "Queued Caller", idents[0])
	if got := profileCount(t, p, idents[0]); got != 11 {
		t.Errorf("after one more event on PostgreSQL, the profile counts %d, want 11", got)
	}
	for _, ident := range idents {
		history[ident] = historyIDs(t, p, ident)
	}
	p.kill(t)

	back := filepath.Join(dir, "back")
	for run := range 2 {
		out, err := exec.Command(binary, "migrate-store", "--from", dbURL, "--to", back, "--batch", "7").CombinedOutput()
		if err != nil || !strings.Contains(string(out), "copied and verified: workspaces 1, events 21, persons 2, aliases 2") {
			t.Fatalf("jds migrate-store back, run %d: %v\n%s", run+1, err, out)
		}
		t.Logf("back, run %d: %s", run+1, strings.TrimSpace(string(out)))
	}
	b := startServer(t, back, cfg)
	for i, ident := range idents {
		if got := historyIDs(t, b, ident); !slices.Equal(got, history[ident]) {
			t.Errorf("history of %s back on Badger: %v, want %v", ident, got, history[ident])
		}
		if got, want := profileCount(t, b, ident), 10+1-i; got != want {
			t.Errorf("profile of %s back on Badger: %d, want %d", ident, got, want)
		}
	}
	b.postEvent(t, "ms-back", "Queued Caller", idents[1])
	if got := profileCount(t, b, idents[1]); got != 11 {
		t.Errorf("after one more event back on Badger, the profile counts %d, want 11", got)
	}
}
