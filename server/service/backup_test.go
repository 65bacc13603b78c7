package service_test

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openjds/jds/config"
	"github.com/openjds/jds/internal/jdstest"
	"github.com/openjds/jds/internal/store/badgerstore"
	"github.com/openjds/jds/server/service"
)

// The backup job writes a full backup every fullEvery runs and incrementals in between,
// keeps the newest keep fulls with theirs, shows in the jobs and the metrics, and what
// it keeps restores to the store it copied.
func TestScheduledBackups(t *testing.T) {
	c := &jdstest.Clock{}
	c.Set(time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC))
	dir := filepath.Join(t.TempDir(), "backups")
	e := start(t, c, func(cfg *config.Config) {
		cfg.Backup = config.Backup{Schedule: "@every 1h", Dir: dir, Keep: 2, FullEvery: 3}
	})
	for run := range 7 {
		e.post("ws", fmt.Sprint("e", run), "T", "+15550002222", c.Now())
		c.Add(time.Hour)
		e.runJob(service.JobBackup)
	}
	entries, _ := os.ReadDir(dir)
	var kinds []string
	var files []string
	for _, en := range entries {
		switch name := en.Name(); {
		case strings.Contains(name, "-full-"):
			kinds, files = append(kinds, "full"), append(files, filepath.Join(dir, name))
		case strings.Contains(name, "-incr-"):
			kinds, files = append(kinds, "incr"), append(files, filepath.Join(dir, name))
		default:
			t.Errorf("unexpected file %s", name)
		}
	}
	// Runs: full incr incr full incr incr full; the oldest full and its incrementals go.
	if got := strings.Join(kinds, " "); got != "full incr incr full" {
		t.Fatalf("files kept: %s (%v)", got, entries)
	}

	_, jobs := e.jobs(admin)
	if j := jobs[service.JobBackup]; j.Runs != 7 || j.LastError != nil || j.LastSuccess == nil {
		t.Fatalf("backup job: %+v", j)
	}
	metrics := string(e.Do("GET", "/metrics", "", nil).Body)
	for _, m := range []string{"jds_backup_last_success_timestamp_seconds ", "jds_backup_last_size_bytes "} {
		if !strings.Contains(metrics, m) || strings.Contains(metrics, m+"0\n") {
			t.Errorf("metric %s missing or zero", m)
		}
	}

	// Another store's job in the same directory finds the last file no base for it, and
	// takes a full backup instead of an incremental.
	other := start(t, c, func(cfg *config.Config) {
		cfg.Backup = config.Backup{Schedule: "@every 1h", Dir: dir, Keep: 2, FullEvery: 3}
	})
	c.Add(time.Hour)
	other.runJob(service.JobBackup)
	entries, _ = os.ReadDir(dir)
	if newest := entries[len(entries)-1].Name(); !strings.Contains(newest, "-full-") || len(entries) != 2 {
		t.Fatalf("after another store's run: %v", entries)
	}

	// The last full of the first store alone holds all seven events.
	restored := filepath.Join(t.TempDir(), "ledger")
	f, err := os.Open(files[3])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	info, err := badgerstore.Restore(restored, io.Reader(f))
	if err != nil || info.Trailer.Counts["events"] != 7 {
		t.Fatalf("restore: %+v %v", info, err)
	}
}
