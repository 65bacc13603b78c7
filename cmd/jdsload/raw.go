package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
)

// cmdRaw is the baseline: the same event bodies as ingest, written straight into Badger by
// one writer, one transaction and one synced commit per group. It measures what the disk
// and Badger allow before HTTP, validation, identity resolution and indexing cost anything.
func cmdRaw(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fset := newFlags("raw", stderr)
	dir := fset.String("dir", "", "Badger directory; must not exist or be empty (required)")
	events := fset.Int("events", 200_000, "events to write (the run also stops at --duration)")
	group := fset.Int("group", 256, "events per transaction and synced commit")
	persons := fset.Int("persons", 10_000, "distinct phone numbers in the generated events (as ingest)")
	dur := fset.Duration("duration", 60*time.Second, "stop starting commits after this long")
	dbSync := fset.Bool("db-sync", true, "call db.Sync() after each commit (the commit itself already syncs: SyncWrites is on)")
	runID := fset.String("run-id", "", "16 hex digits prefixing event ids (default random)")
	progress := fset.Duration("progress", 10*time.Second, "print progress to stderr this often (0: never)")
	if err := parseFlags(fset, args); err != nil {
		return err
	}
	switch {
	case *dir == "":
		return usageError(stderr, "--dir is required")
	case *events < 1:
		return usageError(stderr, "--events must be positive, got %d", *events)
	case *group < 1 || *group > 100_000:
		return usageError(stderr, "--group must be from 1 to 100000, got %d", *group)
	case *dur <= 0:
		return usageError(stderr, "--duration must be positive")
	}
	if err := checkEmptyDir(*dir); err != nil {
		return usageError(stderr, "--dir: %v", err)
	}
	g, err := newGenerator(*runID, *persons, "")
	if err != nil {
		return usageError(stderr, "%v", err)
	}

	db, err := badger.Open(rawOptions(*dir, stderr))
	if err != nil {
		return fmt.Errorf("opening badger at %q: %w", *dir, err)
	}
	defer func() {
		if db != nil {
			db.Close()
		}
	}()

	lat := newLatencies(*events / *group + 1)
	var written, commits, valueBytes int64
	var failure error
	stopBy := "count"
	start := time.Now()
	stopAt := start.Add(*dur)
	nextProgress, lastN, lastT := start.Add(*progress), int64(0), start
	for from := 0; from < *events; from += *group {
		if ctx.Err() != nil {
			stopBy = "signal"
			break
		}
		now := time.Now()
		if now.After(stopAt) {
			stopBy = "duration"
			break
		}
		if *progress > 0 && now.After(nextProgress) {
			fmt.Fprintf(stderr, "  ... %6.1f s: %d events written, %.0f events/s over the last %s\n",
				now.Sub(start).Seconds(), written, float64(written-lastN)/now.Sub(lastT).Seconds(), *progress)
			nextProgress, lastN, lastT = now.Add(*progress), written, now
		}
		to := min(from+*group, *events)
		// Fresh buffers per group: Badger holds the slices until the commit returns.
		keys := make([]byte, 16*(to-from))
		vals := make([]byte, 0, 560*(to-from))
		ends := make([]int, 0, to-from)
		for i := from; i < to; i++ {
			vals = g.appendEvent(vals, uint64(i))
			ends = append(ends, len(vals))
		}
		t0 := time.Now()
		txn := db.NewTransaction(true)
		prev := 0
		for k, end := range ends {
			key := keys[16*k : 16*k+16]
			fillRandom(key)
			if err := txn.Set(key, vals[prev:end]); err != nil {
				failure = fmt.Errorf("writing event %d: %w", from+k, err)
				break
			}
			prev = end
		}
		if failure == nil {
			if err := txn.Commit(); err != nil {
				failure = fmt.Errorf("committing events [%d,%d): %w", from, to, err)
			}
		}
		txn.Discard()
		if failure == nil && *dbSync {
			if err := db.Sync(); err != nil {
				failure = fmt.Errorf("syncing after events [%d,%d): %w", from, to, err)
			}
		}
		lat = append(lat, time.Since(t0))
		if failure != nil {
			stopBy = "error"
			break
		}
		commits++
		written += int64(to - from)
		valueBytes += int64(len(vals))
	}
	elapsed := time.Since(start)
	err = db.Close()
	db = nil
	if err != nil && failure == nil {
		failure = fmt.Errorf("closing badger: %w", err)
	}
	onDisk, _ := dirSize(*dir)

	s := summarize([]latencies{lat})
	var errs int64
	if failure != nil {
		errs = 1
	}
	res := newResult("raw", written, commits, errs, elapsed, s)
	res.Extra["group"] = *group
	res.Extra["db_sync"] = *dbSync
	res.Extra["stopped_by"] = stopBy
	res.Extra["value_bytes"] = valueBytes
	res.Extra["disk_bytes"] = onDisk
	if written > 0 {
		res.Extra["avg_event_bytes"] = valueBytes / written
	}

	fmt.Fprintf(stdout, "raw: %d events into Badger at %s, 1 writer, %d events per synced commit (SyncWrites%s)\n",
		written, *dir, *group, map[bool]string{true: " + db.Sync", false: ""}[*dbSync])
	fmt.Fprintf(stdout, "  %.2f s: %.0f events/s, %.0f commits/s; stopped by %s; %.1f MB of values, %.1f MB on disk\n",
		res.Seconds, res.EventsPerSec, res.RequestsPerSec, stopBy, float64(valueBytes)/1e6, float64(onDisk)/1e6)
	printLatency(stdout, "commit", s)
	if failure != nil {
		fmt.Fprintf(stdout, "  FAILED: %v\n", failure)
	}
	fmt.Fprintln(stdout, res.line())
	if failure != nil {
		return errFailed
	}
	return nil
}

// rawOptions mirrors badgerstore.Open with jds's default configuration
// (internal/store/badgerstore/store.go): the same small-machine tuning, with SyncWrites on.
func rawOptions(dir string, stderr io.Writer) badger.Options {
	return badger.DefaultOptions(dir).
		WithSyncWrites(true).
		WithLogger(quietLogger{stderr}).
		WithMemTableSize(32 << 20).
		WithNumMemtables(3).
		WithNumLevelZeroTables(4).
		WithNumLevelZeroTablesStall(12).
		WithBlockCacheSize(64 << 20).
		WithIndexCacheSize(32 << 20).
		WithValueLogFileSize(256 << 20).
		WithNumCompactors(2).
		WithNumGoroutines(2).
		WithDetectConflicts(false).
		WithCompression(options.Snappy).
		WithValueThreshold(4 << 10).
		WithMetricsEnabled(false)
}

// fillRandom fills a key with random bytes (math/rand/v2's generator is fast and
// safe for concurrent use; the keys need no secrecy).
func fillRandom(b []byte) {
	for i := 0; i < len(b); i += 8 {
		v := rand.Uint64()
		for j := i; j < min(i+8, len(b)); j++ {
			b[j] = byte(v)
			v >>= 8
		}
	}
}

func checkEmptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		return fmt.Errorf("%s is not empty; give a new or empty directory", dir)
	}
	return nil
}

func dirSize(dir string) (int64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			info, err := d.Info()
			if err != nil {
				return err
			}
			n += info.Size()
		}
		return nil
	})
	return n, err
}

// quietLogger passes Badger's warnings and errors on, and drops its chatter.
type quietLogger struct{ w io.Writer }

func (l quietLogger) Errorf(f string, a ...any) {
	fmt.Fprintln(l.w, "badger ERROR: "+strings.TrimRight(fmt.Sprintf(f, a...), "\n"))
}
func (l quietLogger) Warningf(f string, a ...any) {
	fmt.Fprintln(l.w, "badger WARNING: "+strings.TrimRight(fmt.Sprintf(f, a...), "\n"))
}
func (quietLogger) Infof(string, ...any)  {}
func (quietLogger) Debugf(string, ...any) {}
