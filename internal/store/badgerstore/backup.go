package badgerstore

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"github.com/dgraph-io/badger/v4"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/internal/store/backupfile"
)

// Backups (store.Backuper) and Restore.
//
// A backup is every key of one Badger read transaction, in key order, in a backupfile:
// the snapshot holds every commit acknowledged before it was taken, and every commit
// wrote its events, identity changes, deliveries and documents in one transaction, so
// the copy is consistent. Derived state (profiles) is consistent too: what a commit
// derives is in its tagJournal record, written in the same transaction, and a
// checkpoint writes values under their tagState keys and deletes the records it has
// written out in one transaction too; the backup copies both tables, and the restored
// store's Open replays the journal as after a crash.
//
// An incremental backup (Since > 0) carries the value of every key written at a version
// after Since, and every other key alone (backupfile.KindKept). Listing every key is what
// makes deletions exact: Badger compacts tombstones away, so a backup of "what changed"
// alone would bring erased persons and delivered outbox entries back on restore. Restore
// deletes what the incremental does not list, and refuses one that lists a key the
// restored store lacks (it does not build on what was restored).

// metaStoreID holds the store's random id, made by its first backup; Restore gives the
// store it makes a new one, since its versions start afresh.
var metaStoreID = []byte{tagMeta, 'i'}

// backendName is the backupfile.Header.Backend of Badger backups.
const backendName = "badger"

// storeIDMu makes the store id once.
var storeIDMu sync.Mutex

// storeID returns the store's id, made and stored at first use.
func (s *Store) storeID() (string, error) {
	storeIDMu.Lock()
	defer storeIDMu.Unlock()
	var id string
	err := s.db.Update(func(txn *badger.Txn) error {
		item, err := txn.Get(metaStoreID)
		if err == nil {
			v, err := item.ValueCopy(nil)
			id = string(v)
			return err
		}
		if !errors.Is(err, badger.ErrKeyNotFound) {
			return err
		}
		id = newStoreID()
		return txn.Set(metaStoreID, []byte(id))
	})
	if err != nil {
		return "", fmt.Errorf("reading the store id: %w", err)
	}
	return id, nil
}

func newStoreID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// OpenBackup takes the read snapshot of a backup (store.Backuper).
func (s *Store) OpenBackup(ctx context.Context, o store.BackupOptions) (store.Backup, error) {
	s.mu.RLock()
	closed := s.closed
	s.mu.RUnlock()
	if closed {
		return nil, store.ErrClosed
	}
	if s.opts.InMemory {
		return nil, errors.New("an in-memory store has no backups")
	}
	id, err := s.storeID()
	if err != nil {
		return nil, err
	}
	if o.Store != "" && o.Store != id {
		return nil, fmt.Errorf("%w: the base backup is of store %s, this is store %s; take a full backup", store.ErrBackupBase, o.Store, id)
	}
	txn := s.db.NewTransaction(false)
	h := backupfile.Header{
		JDSVersion: o.JDSVersion, Backend: backendName, Store: id,
		Since: o.Since, Until: txn.ReadTs(), Created: s.opts.Now().UTC(),
	}
	if o.Since > h.Until {
		txn.Discard()
		return nil, fmt.Errorf("%w: version %d is after this store's latest, %d; take a full backup", store.ErrBackupBase, o.Since, h.Until)
	}
	seq, err := readUint(txn, metaSeq)
	if err == nil {
		var f uint64
		f, err = readUint(txn, metaFormat)
		h.StoreFormat = int(f)
	}
	if err != nil {
		txn.Discard()
		return nil, fmt.Errorf("reading the snapshot's meta: %w", err)
	}
	h.LastSeq = seq
	lsm, vlog := s.db.Size()
	h.ApproxBytes = lsm + vlog
	return &backup{txn: txn, header: h}, nil
}

// backup is an open backup snapshot.
type backup struct {
	txn    *badger.Txn
	header backupfile.Header
	once   sync.Once
}

func (b *backup) Header() backupfile.Header { return b.header }

func (b *backup) Close() error {
	b.once.Do(b.txn.Discard)
	return nil
}

// WriteTo writes every key of the snapshot, with its value when it changed after Since.
func (b *backup) WriteTo(ctx context.Context, w io.Writer) (backupfile.Trailer, error) {
	bw, err := backupfile.NewWriter(w, b.header)
	if err != nil {
		return backupfile.Trailer{}, err
	}
	opt := badger.DefaultIteratorOptions
	opt.PrefetchValues = b.header.Full()
	it := b.txn.NewIterator(opt)
	defer it.Close()
	var counts keyCounter
	var value []byte
	n := 0
	for it.Rewind(); it.Valid(); it.Next() {
		if n++; n%1024 == 0 && ctx.Err() != nil {
			return backupfile.Trailer{}, ctx.Err()
		}
		item := it.Item()
		key := item.Key()
		counts.add(key)
		if item.Version() <= b.header.Since {
			if err := bw.Add(backupfile.KindKept, key, nil); err != nil {
				return backupfile.Trailer{}, err
			}
			continue
		}
		if value, err = item.ValueCopy(value[:0]); err != nil {
			return backupfile.Trailer{}, fmt.Errorf("reading %x: %w", key, err)
		}
		if err := bw.Add(backupfile.KindValue, key, value); err != nil {
			return backupfile.Trailer{}, err
		}
	}
	return bw.Close(counts.m)
}

// keyCounter counts keys by what they are.
type keyCounter struct{ m map[string]int64 }

// Names of the counts in a backup's trailer.
var countNames = map[byte]string{
	tagEvent: "events", tagPerson: "persons", tagAlias: "aliases", tagWorkspace: "workspaces",
	tagDelivery: "deliveries", tagJournal: "stateJournalRecords", tagState: "states",
}

func (c *keyCounter) add(key []byte) {
	if c.m == nil {
		c.m = map[string]int64{}
	}
	if len(key) == 0 {
		return
	}
	if name, ok := countNames[key[0]]; ok {
		c.m[name]++
		return
	}
	if key[0] == tagDoc && len(key) > 1+wsidLen {
		// 'D' wsid collection 0x00 id: counted by collection.
		if coll, _, ok := bytes.Cut(key[1+wsidLen:], []byte{0}); ok {
			c.m["documents/"+string(coll)]++
		}
	}
}

// RestoreInfo says what Restore loaded.
type RestoreInfo struct {
	Files   int
	Header  backupfile.Header  // of the last file
	Trailer backupfile.Trailer // of the last file: what the restored store holds
}

// Restore makes a store in dir, which must be empty or absent, from a full backup and
// the incrementals after it, in order. Each file is checked (layout, counts, checksum)
// as it is read, and each incremental must build on the file before it (same store,
// its Since the previous Until); on any problem nothing is left in dir. The store is
// built beside dir and renamed into place once whole and synced.
func Restore(dir string, files ...io.Reader) (RestoreInfo, error) {
	if len(files) == 0 {
		return RestoreInfo{}, errors.New("no backup file to restore")
	}
	if err := checkEmpty(dir); err != nil {
		return RestoreInfo{}, err
	}
	tmp := dir + ".restoring"
	if _, err := os.Stat(tmp); err == nil {
		return RestoreInfo{}, fmt.Errorf("%s exists: a restore is running or was interrupted; remove it and start again", tmp)
	}
	opts := Options{Dir: tmp, Logger: slog.New(slog.DiscardHandler)}
	opts.setDefaults()
	db, err := badger.Open(badgerOptions(opts))
	if err != nil {
		return RestoreInfo{}, fmt.Errorf("creating the store at %s: %w", tmp, err)
	}
	info, err := restoreInto(db, files)
	if err == nil {
		err = db.Sync()
	}
	if cerr := db.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("closing the restored store: %w", cerr)
	}
	if err == nil {
		// The restore's Badger does not sync as it goes (its files are new, and it
		// would be slower for nothing): every file of it is flushed once, here.
		err = syncTree(tmp)
	}
	if err == nil {
		err = moveInto(tmp, dir)
	}
	if err != nil {
		os.RemoveAll(tmp)
		return RestoreInfo{}, err
	}
	return info, nil
}

func restoreInto(db *badger.DB, files []io.Reader) (RestoreInfo, error) {
	var info RestoreInfo
	for i, f := range files {
		r, err := backupfile.NewReader(f)
		if err != nil {
			return info, fmt.Errorf("file %d: %w", i+1, err)
		}
		h := r.Header()
		if err := Chains(info.Header, h, i); err != nil {
			return info, fmt.Errorf("file %d: %w", i+1, err)
		}
		if err := applyFile(db, r); err != nil {
			return info, fmt.Errorf("file %d (since %d, until %d): %w", i+1, h.Since, h.Until, err)
		}
		info.Files, info.Header, info.Trailer = i+1, h, r.Trailer()
	}
	// The restored store is a new one: its versions start afresh, so incrementals of
	// the old store must not chain onto its backups.
	err := db.Update(func(txn *badger.Txn) error { return txn.Set(metaStoreID, []byte(newStoreID())) })
	return info, err
}

// Chains says whether backup h can follow prev as the i-th file (from 0) of a restore.
func Chains(prev, h backupfile.Header, i int) error {
	switch {
	case h.Backend != backendName:
		return fmt.Errorf("a backup of a %q store, not a Badger one", h.Backend)
	case h.StoreFormat > formatVersion:
		return fmt.Errorf("a backup of a store of format %d; this jds reads up to %d: restore with a newer jds", h.StoreFormat, formatVersion)
	case i == 0 && !h.Full():
		return fmt.Errorf("an incremental backup (since version %d): the first file must be a full backup", h.Since)
	case i > 0 && h.Full():
		return errors.New("a full backup: only the first file may be one; restore it alone, or the incrementals after it")
	case i > 0 && h.Store != prev.Store:
		return fmt.Errorf("a backup of store %s, the file before it of store %s", h.Store, prev.Store)
	case i > 0 && h.Since != prev.Until:
		return fmt.Errorf("builds on version %d, the file before it ends at %d: files missing or out of order", h.Since, prev.Until)
	}
	return nil
}

// applyFile loads one backup file: its values, and, for an incremental, the deletion of
// every key it does not list.
func applyFile(db *badger.DB, r *backupfile.Reader) error {
	wb := db.NewWriteBatch()
	defer wb.Cancel()
	txn := db.NewTransaction(false) // what the files before held
	defer txn.Discard()
	opt := badger.DefaultIteratorOptions
	opt.PrefetchValues = false
	it := txn.NewIterator(opt)
	defer it.Close()
	it.Rewind()
	full := r.Header().Full()
	for {
		kind, key, value, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		// Keys before this one that the backup does not list were deleted since.
		for ; it.Valid() && bytes.Compare(it.Item().Key(), key) < 0; it.Next() {
			if err := wb.Delete(it.Item().KeyCopy(nil)); err != nil {
				return err
			}
		}
		held := it.Valid() && bytes.Equal(it.Item().Key(), key)
		if held {
			it.Next()
		}
		switch {
		case kind == backupfile.KindKept && full:
			return fmt.Errorf("%w: a full backup with a key without its value", backupfile.ErrCorrupt)
		case kind == backupfile.KindKept && !held:
			return fmt.Errorf("key %x is unchanged since version %d, but the files before do not hold it: this incremental does not build on them", key, r.Header().Since)
		case kind == backupfile.KindValue:
			e := badger.NewEntry(key, value)
			if key[0] == tagEvent {
				e = e.WithMeta(typeMark(event.TypeOf(value)))
			}
			if err := wb.SetEntry(e); err != nil {
				return err
			}
		}
	}
	for ; it.Valid(); it.Next() {
		if err := wb.Delete(it.Item().KeyCopy(nil)); err != nil {
			return err
		}
	}
	return wb.Flush()
}

// checkEmpty refuses a directory that holds anything.
func checkEmpty(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return err
	case len(entries) > 0:
		return fmt.Errorf("%s is not empty (it holds %s…): restore only into an empty or new directory, never over a store", dir, entries[0].Name())
	}
	return nil
}

// moveInto renames the restored store into dir and syncs the parent directory.
func moveInto(tmp, dir string) error {
	if err := os.Remove(dir); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		return err
	}
	return syncPath(filepath.Dir(dir))
}

// syncTree flushes every file of a directory, then the directory itself.
func syncTree(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		if err := syncPath(filepath.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	return syncPath(dir)
}

// syncPath flushes a file, or a directory's entries, to the disk.
func syncPath(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

var _ store.Backuper = (*Store)(nil)
