// Package backup writes backup files where operators keep them: atomically (a
// temporary file, fsynced, renamed, and its directory fsynced), named so that a
// directory of them reads in order, and on a schedule (config backup.*): a full backup
// every fullEvery runs and incrementals on the previous file in between, keeping the
// newest keep fulls and the incrementals that build on them. The store makes the
// backups (store.Backuper); this package never reads what is inside one beyond its
// header.
package backup

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/internal/store/backupfile"
)

// Ext ends the name of every backup file.
const Ext = ".jdsbak"

// Name is the file name of a backup: its time (UTC, so that names sort in time order),
// its kind and its versions. jds-20261203T140000Z-full-u812.jdsbak,
// jds-20261203T150000Z-incr-s812-u907.jdsbak.
func Name(h backupfile.Header) string {
	at := h.Created.UTC().Format("20060102T150405.000Z")
	at = strings.Replace(at, ".", "", 1)
	if h.Full() {
		return fmt.Sprintf("jds-%s-full-u%d%s", at, h.Until, Ext)
	}
	return fmt.Sprintf("jds-%s-incr-s%d-u%d%s", at, h.Since, h.Until, Ext)
}

// WriteFile writes a file atomically: into a temporary file beside path, fsynced, then
// renamed to path, and the directory fsynced, so that path is either absent or whole,
// even across a crash. It returns the bytes written.
func WriteFile(path string, write func(w io.Writer) error) (int64, error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return 0, err
	}
	cw := &countWriter{w: f}
	err = write(cw)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return cw.n, err
	}
	d, err := os.Open(dir)
	if err != nil {
		return cw.n, err
	}
	defer d.Close()
	return cw.n, d.Sync()
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// Schedule takes the scheduled backups into one directory.
type Schedule struct {
	Dir string
	// Keep is how many full backups to keep, each with the incrementals after it.
	Keep int
	// FullEvery: a full backup every FullEvery runs, incrementals in between (1: fulls
	// only).
	FullEvery  int
	JDSVersion string
	Logger     *slog.Logger

	lastSuccess atomic.Int64 // Unix nanoseconds
	lastSize    atomic.Int64
}

// LastSuccess is when the last backup was written, zero before the first.
func (s *Schedule) LastSuccess() time.Time {
	if ns := s.lastSuccess.Load(); ns != 0 {
		return time.Unix(0, ns)
	}
	return time.Time{}
}

// LastSize is the size of the last backup written, in bytes.
func (s *Schedule) LastSize() int64 { return s.lastSize.Load() }

// Result is one scheduled backup.
type Result struct {
	Path    string
	Header  backupfile.Header
	Trailer backupfile.Trailer
	Size    int64
	Pruned  []string // files deleted as older than the fulls kept
}

// Run takes one backup: a full one when the directory has none, when the last full
// already has FullEvery-1 incrementals after it, or when the last file is not a base
// for this store (another store's, or one restored since); else an incremental on the
// last file. Then it deletes what is older than the Keep newest fulls.
func (s *Schedule) Run(ctx context.Context, b store.Backuper) (Result, error) {
	if err := os.MkdirAll(s.Dir, 0o750); err != nil {
		return Result{}, fmt.Errorf("backup directory: %w", err)
	}
	files, err := s.files()
	if err != nil {
		return Result{}, err
	}
	o := store.BackupOptions{JDSVersion: s.JDSVersion}
	if chain := lastChain(files); len(chain) > 0 && len(chain) < s.FullEvery {
		last := filepath.Join(s.Dir, chain[len(chain)-1])
		if h, err := backupfile.ReadHeader(last); err != nil {
			s.log().Warn("backup: the last backup file is unreadable, taking a full backup", "file", last, "err", err)
		} else {
			o.Since, o.Store = h.Until, h.Store
		}
	}
	snap, err := b.OpenBackup(ctx, o)
	if errors.Is(err, store.ErrBackupBase) {
		s.log().Warn("backup: the last backup file is not a base for this store, taking a full backup", "err", err)
		o.Since, o.Store = 0, ""
		snap, err = b.OpenBackup(ctx, o)
	}
	if err != nil {
		return Result{}, err
	}
	defer snap.Close()
	res := Result{Header: snap.Header()}
	res.Path = filepath.Join(s.Dir, Name(res.Header))
	res.Size, err = WriteFile(res.Path, func(w io.Writer) error {
		var err error
		res.Trailer, err = snap.WriteTo(ctx, w)
		return err
	})
	if err != nil {
		return res, fmt.Errorf("writing %s: %w", res.Path, err)
	}
	s.lastSuccess.Store(time.Now().UnixNano())
	s.lastSize.Store(res.Size)
	if files, err = s.files(); err == nil {
		res.Pruned, err = s.prune(files)
	}
	s.log().Info("backup written", "file", res.Path, "bytes", res.Size, "full", res.Header.Full(),
		"events", res.Trailer.Counts["events"], "lastSeq", res.Header.LastSeq, "pruned", len(res.Pruned))
	return res, err
}

func (s *Schedule) log() *slog.Logger {
	if s.Logger == nil {
		return slog.Default()
	}
	return s.Logger
}

// files lists the backup files of the directory, oldest first.
func (s *Schedule) files() ([]string, error) {
	entries, err := os.ReadDir(s.Dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if n := e.Name(); strings.HasPrefix(n, "jds-") && strings.HasSuffix(n, Ext) && !e.IsDir() {
			out = append(out, n)
		}
	}
	slices.SortFunc(out, func(a, b string) int {
		ta, ua := order(a)
		tb, ub := order(b)
		return cmp.Or(strings.Compare(ta, tb), cmp.Compare(ua, ub), strings.Compare(a, b))
	})
	return out, nil
}

// order is what a file sorts by: its time, then its until version (two backups in the
// same millisecond).
func order(name string) (at string, until uint64) {
	parts := strings.Split(strings.TrimSuffix(name, Ext), "-")
	if len(parts) >= 4 {
		at = parts[1]
		until, _ = strconv.ParseUint(strings.TrimPrefix(parts[len(parts)-1], "u"), 10, 64)
	}
	return at, until
}

func isFull(name string) bool { return strings.Contains(name, "-full-") }

// lastChain is the last full backup of files and the incrementals after it.
func lastChain(files []string) []string {
	for i := len(files) - 1; i >= 0; i-- {
		if isFull(files[i]) {
			return files[i:]
		}
	}
	return nil
}

// prune deletes the files older than the Keep-th newest full.
func (s *Schedule) prune(files []string) ([]string, error) {
	fulls := 0
	var pruned []string
	var errs []error
	for i := len(files) - 1; i >= 0; i-- {
		if fulls >= s.Keep {
			if err := os.Remove(filepath.Join(s.Dir, files[i])); err != nil {
				errs = append(errs, err)
				continue
			}
			pruned = append(pruned, files[i])
			continue
		}
		if isFull(files[i]) {
			fulls++
		}
	}
	return pruned, errors.Join(errs...)
}
