package badgerstore

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/internal/store/storetest"
)

// fakeDisk is an Options.FreeSpace whose answer the test sets.
type fakeDisk struct{ free atomic.Uint64 }

func (d *fakeDisk) FreeSpace(string) (uint64, error) { return d.free.Load(), nil }

const testReserve = 8 << 20

func openOnFakeDisk(t *testing.T, dir string, d *fakeDisk) *Store {
	t.Helper()
	return openWith(t, Options{Dir: dir, SyncWrites: true, MemTableSize: 1 << 20, DiskReserve: testReserve, FreeSpace: d.FreeSpace})
}

// bigEvent is an event of about n bytes.
func bigEvent(t *testing.T, id string, n int) *event.Event {
	t.Helper()
	ev := storetest.Event(t, id, "Note", "12263762555", "phone", "", time.Now())
	raw := strings.Replace(string(ev.Raw), `"data":{`, `"data":{"pad":"`+strings.Repeat("x", n)+`",`, 1)
	big, bad := event.Decode([]byte(raw), time.Now(), event.Limits{DefaultRegion: "US", MaxEventBytes: 2*n + 4096})
	if bad != nil {
		t.Fatalf("decode %s: %v", id, bad)
	}
	return big
}

// TestCommitRefusedWithoutSpace: a commit that would leave less than the reserve plus its
// own bytes free is refused with ErrNoSpace and stores nothing; the same event is stored
// once there is room again, without reopening.
func TestCommitRefusedWithoutSpace(t *testing.T) {
	dir := t.TempDir()
	disk := &fakeDisk{}
	disk.free.Store(1 << 30)
	s := openOnFakeDisk(t, dir, disk)
	ctx := context.Background()
	if _, err := s.Append(ctx, ws, []*event.Event{storetest.Event(t, "before", "Note", "12263762555", "phone", "", time.Now())}); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name string
		free uint64
		size int // event padding
	}{
		{"nothing free", 0, 10},
		{"one byte short of the reserve", testReserve - 1, 10},
		{"the reserve but not the event's own bytes", testReserve + 100<<10, 200 << 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			disk.free.Store(tc.free)
			_, err := s.Append(ctx, ws, []*event.Event{bigEvent(t, "refused", tc.size)})
			if !errors.Is(err, store.ErrNoSpace) {
				t.Fatalf("append with %d bytes free: %v, want ErrNoSpace", tc.free, err)
			}
			var se *store.SpaceError
			if !errors.As(err, &se) || se.Dir != dir || se.Free != tc.free || se.Need <= tc.free {
				t.Fatalf("error %v: want a SpaceError naming %s, %d bytes free and more needed", err, dir, tc.free)
			}
			if !strings.Contains(err.Error(), dir) {
				t.Errorf("message %q does not name the data directory", err)
			}
			if got := storetest.History(t, s, ws, "12263762555", store.Query{Limit: 10}); len(got) != 1 || got[0] != "before" {
				t.Fatalf("history after a refused commit: %v, want only [before]", got)
			}
		})
	}
	disk.free.Store(testReserve - 1)
	if err := s.CheckSpace(); !errors.Is(err, store.ErrNoSpace) {
		t.Fatalf("CheckSpace with %d bytes free: %v", disk.free.Load(), err)
	}

	disk.free.Store(testReserve + 1<<20) // room for the reserve and a small commit
	if err := s.CheckSpace(); err != nil {
		t.Fatalf("CheckSpace with room: %v", err)
	}
	if _, err := s.Append(ctx, ws, []*event.Event{bigEvent(t, "refused", 10)}); err != nil {
		t.Fatalf("append once there is room: %v", err)
	}
	if got := storetest.History(t, s, ws, "12263762555", store.Query{Limit: 10}); len(got) != 2 {
		t.Fatalf("history: %v, want the refused event stored now", got)
	}
}

// TestOpenRefusedWithoutSpace: a store does not open on a filesystem too full for Badger
// to open it, and says so; with room below the reserve it opens, serves reads and refuses
// writes.
func TestOpenRefusedWithoutSpace(t *testing.T) {
	dir := t.TempDir()
	disk := &fakeDisk{}
	disk.free.Store(1 << 30)
	s := openOnFakeDisk(t, dir, disk)
	if _, err := s.Append(context.Background(), ws, []*event.Event{storetest.Event(t, "kept", "Note", "12263762555", "phone", "", time.Now())}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	disk.free.Store(1 << 20)
	_, err := Open(Options{Dir: dir, SyncWrites: true, MemTableSize: 1 << 20, DiskReserve: testReserve, FreeSpace: disk.FreeSpace})
	if !errors.Is(err, store.ErrNoSpace) || !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "opening the store") {
		t.Fatalf("open with 1 MiB free: %v, want ErrNoSpace naming %s", err, dir)
	}

	disk.free.Store(testReserve - 1)
	s = openOnFakeDisk(t, dir, disk)
	if got := storetest.History(t, s, ws, "12263762555", store.Query{Limit: 10}); len(got) != 1 || got[0] != "kept" {
		t.Fatalf("history on a store short of space: %v", got)
	}
	if _, err := s.Append(context.Background(), ws, []*event.Event{storetest.Event(t, "new", "Note", "12263762555", "phone", "", time.Now())}); !errors.Is(err, store.ErrNoSpace) {
		t.Fatalf("append on a store short of space: %v", err)
	}
	if _, err := s.CollectGarbage(context.Background()); !errors.Is(err, store.ErrNoSpace) {
		t.Fatalf("value-log gc short of space: %v", err)
	}
}

func TestByteCount(t *testing.T) {
	for n, want := range map[uint64]string{
		0:        "0 bytes",
		1023:     "1023 bytes",
		1 << 20:  "1 MiB (1048576 bytes)",
		12345678: "11.8 MiB (12345678 bytes)",
	} {
		if got := store.ByteCount(n); got != want {
			t.Errorf("store.ByteCount(%d) = %q, want %q", n, got, want)
		}
	}
}
