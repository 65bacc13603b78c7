package badgerstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/internal/store/backupfile"
	"github.com/openjds/jds/internal/store/storetest"
)

// takeBackup writes a backup of s on top of base (nil: a full one).
func takeBackup(t *testing.T, s *Store, base *backupfile.Header) ([]byte, backupfile.Header, backupfile.Trailer) {
	t.Helper()
	var o store.BackupOptions
	if base != nil {
		o.Since, o.Store = base.Until, base.Store
	}
	b, err := s.OpenBackup(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var buf bytes.Buffer
	tr, err := b.WriteTo(context.Background(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), b.Header(), tr
}

// dump reads every key and value of a store but its id, each value after the key's
// UserMeta byte (the type mark of an event).
func dump(t *testing.T, db *badger.DB) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.DefaultIteratorOptions)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			if bytes.Equal(it.Item().Key(), metaStoreID) {
				continue
			}
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			out[string(it.Item().KeyCopy(nil))] = string(append([]byte{it.Item().UserMeta()}, v...))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func readers(files ...[]byte) []io.Reader {
	rs := make([]io.Reader, len(files))
	for i, f := range files {
		rs[i] = bytes.NewReader(f)
	}
	return rs
}

// A full backup and two incrementals restore to exactly the store they were taken of:
// events, persons and merges, profile state (journal and checkpoints), documents, and
// the deletions between them (an erased person, a deleted document, delivered journal
// records).
func TestBackupRestoreChain(t *testing.T) {
	ctx := context.Background()
	// A small generation of pending state, so that checkpoints write state out and
	// delete journal records between the backups.
	s := openWith(t, Options{Dir: t.TempDir(), SyncWrites: true, Deriver: seqList{}, PendingStateBytes: 2048})
	t0 := time.Now()
	post := func(prefix string, n int) {
		for i := range n {
			if _, err := s.Append(ctx, ws, []*event.Event{storetest.Event(t, fmt.Sprintf("%s-%d", prefix, i), "T", fmt.Sprintf("+1555000%04d", i%20), "phone", "", t0)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	post("a", 200)
	s.PutDoc(ctx, ws, "profile-templates", "t1", []byte(`{"name":"one"}`))
	s.PutDoc(ctx, ws, "profile-templates", "t2", []byte(`{"name":"two"}`))
	full, fh, ft := takeBackup(t, s, nil)
	if !fh.Full() || fh.LastSeq != 200 || ft.Counts["events"] != 200 || ft.Counts["documents/profile-templates"] != 2 {
		t.Fatalf("full backup: header %+v, trailer %+v", fh, ft)
	}

	post("b", 100)
	p1, _ := s.Resolve(ctx, ws, "+15550000001")
	p2, _ := s.Resolve(ctx, ws, "+15550000002")
	if _, err := s.Merge(ctx, ws, p1.ID, []string{p2.ID}); err != nil {
		t.Fatal(err)
	}
	inc1, ih1, _ := takeBackup(t, s, &fh)

	post("c", 50)
	p3, _ := s.Resolve(ctx, ws, "+15550000003")
	if _, err := s.Erase(ctx, ws, p3.ID); err != nil {
		t.Fatal(err)
	}
	s.DeleteDoc(ctx, ws, "profile-templates", "t2")
	inc2, ih2, it2 := takeBackup(t, s, &ih1)
	if ih1.Since != fh.Until || ih2.Since != ih1.Until || len(inc2) >= len(full) {
		t.Fatalf("incrementals: %+v, %+v; sizes %d, %d (full %d)", ih1, ih2, len(inc1), len(inc2), len(full))
	}
	if it2.Values >= it2.Keys/2 {
		t.Fatalf("the last incremental carries %d values of %d keys: it should carry only what changed", it2.Values, it2.Keys)
	}
	want := dump(t, s.db)
	wantState := storetest.State(t, s, ws, "+15550000001", "seqs")

	dir := filepath.Join(t.TempDir(), "ledger")
	info, err := Restore(dir, readers(full, inc1, inc2)...)
	if err != nil {
		t.Fatal(err)
	}
	if info.Files != 3 || info.Trailer.Counts["events"] != it2.Counts["events"] || info.Header.LastSeq != ih2.LastSeq {
		t.Fatalf("restore info %+v", info)
	}
	r := openWith(t, Options{Dir: dir, SyncWrites: true, Deriver: seqList{}})
	if got := dump(t, r.db); len(got) != len(want) {
		t.Fatalf("restored %d keys, the store holds %d", len(got), len(want))
	} else {
		for k, v := range want {
			if got[k] != v {
				t.Fatalf("key %x: restored %q, want %q", k, got[k], v)
			}
		}
	}
	if got := storetest.State(t, r, ws, "+15550000001", "seqs"); got != wantState {
		t.Fatalf("profile state restored %s, want %s", got, wantState)
	}
	if _, err := r.Resolve(ctx, ws, "+15550000003"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the erased person came back: %v", err)
	}
	if got, want := storetest.History(t, r, ws, "+15550000002", store.Query{Limit: 1000}), storetest.History(t, s, ws, "+15550000002", store.Query{Limit: 1000}); len(got) != 36 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("the merged person's history was not restored")
	}
	// The restored store is a new store: backups of it do not chain onto the old ones.
	rb, err := r.OpenBackup(ctx, store.BackupOptions{Since: 1, Store: ih2.Store})
	if !errors.Is(err, store.ErrBackupBase) {
		t.Fatalf("an incremental of the restored store on the old chain: %v", err)
	}
	if rb != nil {
		rb.Close()
	}
	// And it takes writes.
	if _, err := r.Append(ctx, ws, []*event.Event{storetest.Event(t, "after", "T", "+15550000001", "phone", "", t0)}); err != nil {
		t.Fatal(err)
	}
}

// What a backup holds is what was acknowledged before it began, whatever is written
// while it is read.
func TestBackupUnderIngest(t *testing.T) {
	ctx := context.Background()
	s := openWith(t, Options{Dir: t.TempDir(), SyncWrites: true, Deriver: seqList{}})
	var mu sync.Mutex
	acked := map[string]bool{}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for c := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				id := fmt.Sprintf("c%d-%d", c, i)
				if _, err := s.Append(ctx, ws, []*event.Event{storetest.Event(t, id, "T", fmt.Sprintf("+1555100%04d", i%10), "phone", "", time.Now())}); err == nil {
					mu.Lock()
					acked[id] = true
					mu.Unlock()
				}
			}
		})
	}
	time.Sleep(300 * time.Millisecond)
	mu.Lock()
	before := len(acked)
	mu.Unlock()
	b, err := s.OpenBackup(ctx, store.BackupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	tr, err := b.WriteTo(ctx, &buf)
	b.Close()
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if tr.Counts["events"] < int64(before) || before == 0 {
		t.Fatalf("the backup holds %d events, %d were acknowledged before it began", tr.Counts["events"], before)
	}
	dir := filepath.Join(t.TempDir(), "ledger")
	if _, err := Restore(dir, bytes.NewReader(buf.Bytes())); err != nil {
		t.Fatal(err)
	}
	r := openWith(t, Options{Dir: dir, Deriver: seqList{}})
	total := 0
	for i := range 10 {
		ident := fmt.Sprintf("+1555100%04d", i)
		n := len(storetest.History(t, r, ws, ident, store.Query{Limit: 1 << 20}))
		if got := len(strings.Fields(strings.Trim(storetest.State(t, r, ws, ident, "seqs"), "[]"))); got != n {
			t.Fatalf("%s: the derived state lists %d events, the history holds %d", ident, got, n)
		}
		total += n
	}
	if int64(total) != tr.Counts["events"] || uint64(total) != b.Header().LastSeq {
		t.Fatalf("restored %d events; the backup counted %d, last sequence %d", total, tr.Counts["events"], b.Header().LastSeq)
	}
}

// Restore refuses what it cannot trust, and leaves nothing behind.
func TestRestoreRefuses(t *testing.T) {
	ctx := context.Background()
	s := openWith(t, Options{Dir: t.TempDir(), SyncWrites: true})
	s.Append(ctx, ws, []*event.Event{storetest.Event(t, "e1", "T", "+15550000001", "phone", "", time.Now())})
	full, fh, _ := takeBackup(t, s, nil)
	s.Append(ctx, ws, []*event.Event{storetest.Event(t, "e2", "T", "+15550000001", "phone", "", time.Now())})
	inc, ih, _ := takeBackup(t, s, &fh)
	other := openWith(t, Options{Dir: t.TempDir(), SyncWrites: true})
	other.Append(ctx, ws, []*event.Event{storetest.Event(t, "o1", "T", "+15550000001", "phone", "", time.Now())})
	otherFull, _, _ := takeBackup(t, other, nil)

	flipped := bytes.Clone(full)
	flipped[len(flipped)/2] ^= 0x40
	nonEmpty := t.TempDir()
	os.WriteFile(filepath.Join(nonEmpty, "x"), nil, 0o600)
	for _, c := range []struct {
		name  string
		dir   string
		files [][]byte
		want  string
	}{
		{"a flipped byte", "", [][]byte{flipped}, "corrupt"},
		{"a truncated file", "", [][]byte{full[:len(full)-10]}, "truncated"},
		{"a truncated incremental", "", [][]byte{full, inc[:len(inc)/2]}, "truncated"},
		{"not a backup", "", [][]byte{[]byte("hello")}, "not a jds backup"},
		{"an incremental first", "", [][]byte{inc}, "first file must be a full backup"},
		{"two fulls", "", [][]byte{full, full}, "only the first file"},
		{"an incremental of another store", "", [][]byte{otherFull, inc}, "of store"},
		{"a non-empty directory", nonEmpty, [][]byte{full}, "not empty"},
	} {
		dir := c.dir
		if dir == "" {
			dir = filepath.Join(t.TempDir(), "ledger")
		}
		_, err := Restore(dir, readers(c.files...)...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error saying %q", c.name, err, c.want)
		}
		if c.dir == "" {
			if _, serr := os.Stat(dir); !errors.Is(serr, os.ErrNotExist) {
				t.Errorf("%s: %s left behind", c.name, dir)
			}
			if _, serr := os.Stat(dir + ".restoring"); !errors.Is(serr, os.ErrNotExist) {
				t.Errorf("%s: %s.restoring left behind", c.name, dir)
			}
		}
	}
	for _, f := range [][]byte{flipped, full[:len(full)-1], append(bytes.Clone(full), 0)} {
		if _, _, _, err := backupfile.Verify(bytes.NewReader(f)); !errors.Is(err, backupfile.ErrCorrupt) {
			t.Errorf("verify of a damaged file: %v", err)
		}
	}
	if h, tr, sum, err := backupfile.Verify(bytes.NewReader(inc)); err != nil || h.Since != ih.Since || h.Until != ih.Until || tr.Counts["events"] != 2 || len(sum) != 64 {
		t.Errorf("verify of a good incremental: %+v %+v %q %v", h, tr, sum, err)
	}

	// Bases that are not this store's.
	if _, err := s.OpenBackup(ctx, store.BackupOptions{Since: ih.Until + 1000}); !errors.Is(err, store.ErrBackupBase) {
		t.Errorf("since a version not reached: %v", err)
	}
	if _, err := s.OpenBackup(ctx, store.BackupOptions{Since: ih.Until, Store: "another"}); !errors.Is(err, store.ErrBackupBase) {
		t.Errorf("on another store's backup: %v", err)
	}
}
