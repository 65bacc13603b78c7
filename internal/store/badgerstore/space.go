package badgerstore

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/openjds/jds/internal/store"
)

// Why the space checks exist, and why they look as they do.
//
// Badger writes its value log, its memtable WAL (.mem files) and new SST tables through
// memory maps of sparse files: a file is truncated to its full size (a value-log file to
// twice store.badger.valueLogFileSize) but takes room only as pages are written. On a full
// filesystem, writing such a page does not fail with ENOSPC: the kernel answers the page
// fault with SIGBUS and the process dies, in Badger's own goroutines where nothing can
// recover. On tmpfs even reading a hole of a mapped file allocates a page, so opening a
// store whose last value-log file was left at full size by a crash faulted too, at every
// start. Preallocating is not possible from outside Badger (it creates those files with
// O_EXCL as it needs them), so jds keeps room instead: measured on tmpfs, an open costs a
// few pages and a commit costs what it writes, whatever the file sizes.
//
//   - Every commit checks the free space first (one statfs) and needs the reserve plus
//     twice its own bytes (value log and WAL). The reserve is what Badger may write in the
//     background after a commit, before it deletes anything: a memtable flush (one SST of
//     up to MemTableSize), an L0 compaction (the L0 tables, a few MemTableSize, rewritten
//     before the old ones go), and the pending-state checkpoint a commit carries.
//   - Open needs the allocated size of the .mem files (replayed and flushed as SSTs), one
//     memtable and a few MiB for the new value-log file, DISCARD and MANIFEST; that is
//     less than the reserve, so a store that refused writes for want of space opens again
//     and serves reads.
//   - Value-log GC needs the reserve plus a value-log file: it copies live entries into the
//     current file before it deletes the old one.
//
// The reserve covers jds's own growth. Another process filling the same filesystem to the
// last byte can still starve a flush in progress: keep the data directory on its own
// filesystem, or watch its free space.

// openSlack is what an open writes beyond replaying memtables: the header page of a new
// value-log file and the page read past the end of the last one, DISCARD, MANIFEST and
// KEYREGISTRY, the first pages of a new memtable.
const openSlack = 4 << 20

// defaultReserve is the reserve for a memtable size (see Options.DiskReserve).
func defaultReserve(memTable int64) int64 { return 4*memTable + 16<<20 }

// checkSpace returns a *SpaceError when less than need bytes are free in the data
// directory. A store in memory never runs out. A failing statfs lets the write go ahead:
// the check guards against a known crash and must not invent an outage of its own.
func (s *Store) checkSpace(need uint64, what string) error {
	if s.opts.InMemory {
		return nil
	}
	free, err := s.opts.FreeSpace(s.opts.Dir)
	if err != nil {
		s.log.Warn("free space unknown", "err", err)
		return nil
	}
	if free < need {
		return &store.SpaceError{Dir: s.opts.Dir, Free: free, Need: need, What: what}
	}
	return nil
}

// CheckSpace reports whether a commit has room now: nil, or a *SpaceError (ErrNoSpace)
// saying how much is free and how much the next commit needs at least. It is cheap (one
// statfs) and safe to call from any goroutine; readiness checks call it.
func (s *Store) CheckSpace() error {
	return s.checkSpace(uint64(s.opts.DiskReserve), "a commit")
}

// commitSpace checks the room for a commit of n bytes and logs when the store starts and
// stops refusing writes (once each, not at every refused commit). Committer only.
func (s *Store) commitSpace(n int) error {
	err := s.checkSpace(uint64(s.opts.DiskReserve)+2*uint64(n), "a commit")
	switch was := s.noSpace.Load(); {
	case err != nil && !was:
		s.noSpace.Store(true)
		s.log.Error("writes refused until there is room again", "err", err)
	case err == nil && was:
		s.noSpace.Store(false)
		s.log.Info("free space is back: writes resume", "dir", s.opts.Dir)
	}
	return err
}

// checkOpenSpace refuses to open a store on a filesystem too full to open it without
// Badger faulting (see above).
func checkOpenSpace(o Options) error {
	if o.InMemory {
		return nil
	}
	free, err := o.FreeSpace(o.Dir)
	if errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(o.Dir, 0o700); err != nil {
			return fmt.Errorf("creating the data directory: %w", err)
		}
		free, err = o.FreeSpace(o.Dir)
	}
	if err != nil {
		o.Logger.Warn("free space unknown", "err", err)
		return nil
	}
	need := uint64(memFileBytes(o.Dir) + o.MemTableSize + openSlack)
	if free < need {
		return fmt.Errorf("%w; free some space and start again", &store.SpaceError{Dir: o.Dir, Free: free, Need: need, What: "opening the store"})
	}
	return nil
}

// memFileBytes is the room the memtable files of dir take on disk (they are sparse).
func memFileBytes(dir string) int64 {
	files, _ := filepath.Glob(filepath.Join(dir, "*.mem"))
	var n int64
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil {
			continue
		}
		n += allocated(fi)
	}
	return n
}
