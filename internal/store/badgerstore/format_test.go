package badgerstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/internal/store/storetest"
)

// legacyFormat turns the store at dir into a format-1 store: dedupe keys by id alone and
// no format key. keepBoth names an event id whose entry keeps its format-2 key too, as a
// crash in the middle of an upgrade leaves it; dangling adds an entry whose event is gone.
func legacyFormat(t *testing.T, dir, keepBoth, dangling string) {
	t.Helper()
	db, err := badger.Open(badger.DefaultOptions(dir).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(txn *badger.Txn) error {
		opt := badger.DefaultIteratorOptions
		opt.Prefix = []byte{tagDedupe}
		it := txn.NewIterator(opt)
		type kv struct{ k, v []byte }
		var entries []kv
		for it.Rewind(); it.Valid(); it.Next() {
			v, _ := it.Item().ValueCopy(nil)
			entries = append(entries, kv{it.Item().KeyCopy(nil), v})
		}
		it.Close()
		for _, e := range entries {
			legacy := e.k[:1+wsidLen+bytes.IndexByte(e.k[1+wsidLen:], 0)]
			if string(legacy[1+wsidLen:]) != keepBoth {
				if err := txn.Delete(e.k); err != nil {
					return err
				}
			}
			if err := txn.Set(legacy, e.v); err != nil {
				return err
			}
		}
		if dangling != "" && len(entries) > 0 {
			gone := eventRef{person: pid{1}, time: 1, seq: 1 << 40}
			key := append(append([]byte{}, entries[0].k[:1+wsidLen]...), dangling...)
			if err := txn.Set(key, gone.appendTo(nil)); err != nil {
				return err
			}
		}
		return txn.Delete(metaFormat)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestOpenUpgradesDedupeEntriesToSourceAndID(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := openTest(t, dir)
	var evs []*event.Event
	for i := range 5 {
		evs = append(evs, storetest.WithSource(t, storetest.Event(t, fmt.Sprint("e", i), "Visit", "carol", "customerId", "", t0.Add(time.Duration(i)*time.Second)), "web"))
	}
	if _, err := s.Append(ctx, ws, evs); err != nil {
		t.Fatal(err)
	}
	s.Close()
	legacyFormat(t, dir, "e1", "gone")

	s = openTest(t, dir)
	err := s.db.View(func(txn *badger.Txn) error {
		if f, err := readUint(txn, metaFormat); err != nil || f != formatVersion {
			return fmt.Errorf("format after upgrade = %d, %v", f, err)
		}
		opt := badger.DefaultIteratorOptions
		opt.Prefix = []byte{tagDedupe}
		it := txn.NewIterator(opt)
		defer it.Close()
		n := 0
		for it.Rewind(); it.Valid(); it.Next() {
			n++
			if k := it.Item().Key(); !bytes.HasSuffix(k, []byte("\x00web")) {
				return fmt.Errorf("dedupe key %q is not keyed by source", k)
			}
		}
		if n != 5 {
			return fmt.Errorf("%d dedupe entries after the upgrade, want 5 (the dangling one dropped)", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Append(ctx, ws, []*event.Event{evs[3], storetest.WithSource(t, evs[3], "crm")})
	if err != nil {
		t.Fatal(err)
	}
	if !res[0].Duplicate || res[1].Duplicate {
		t.Fatalf("after the upgrade, (web, e3) is a duplicate and (crm, e3) is new: %+v", res)
	}
	p, _ := s.Resolve(ctx, ws, "carol")
	after, err := s.After(ctx, ws, p, "e2")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range after {
		got = append(got, c.EventID)
	}
	if fmt.Sprint(got) != "[e3 e4 e3]" {
		t.Fatalf("after e2 = %v, want [e3 e4 e3] (the crm event last)", got)
	}
}

func TestOpenRefusesANewerFormat(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	s.Close()
	db, err := badger.Open(badger.DefaultOptions(dir).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(txn *badger.Txn) error {
		return txn.Set(metaFormat, []byte{0, 0, 0, 0, 0, 0, 0, formatVersion + 1})
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	if s, err := Open(Options{Dir: dir}); err == nil {
		s.Close()
		t.Fatal("a store of a newer format opened")
	}
}

// TestUpgradeStopsOnAFullDisk: the one-time upgrade checks the free space before each
// chunk it writes, as commits do: on a disk too full for it, Open fails saying so, having
// written nothing that could fault; with room again, the next Open upgrades.
func TestUpgradeStopsOnAFullDisk(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s := openTest(t, dir)
	ev := storetest.Event(t, "e1", "Visit", "carol", "customerId", "", time.Now())
	if _, err := s.Append(ctx, ws, []*event.Event{ev}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	legacyFormat(t, dir, "", "")

	// Room to open (a memtable and the slack), not for the reserve a write leaves.
	tight := func(string) (uint64, error) { return 48 << 20, nil }
	if _, err := Open(Options{Dir: dir, SyncWrites: true, FreeSpace: tight, Logger: slog.New(slog.DiscardHandler)}); !errors.Is(err, store.ErrNoSpace) || !strings.Contains(err.Error(), "the format upgrade") {
		t.Fatalf("Open on a full disk: %v, want ErrNoSpace naming the upgrade", err)
	}
	s = openTest(t, dir)
	res, err := s.Append(ctx, ws, []*event.Event{ev})
	if err != nil || !res[0].Duplicate {
		t.Fatalf("after the upgrade with room: %+v, %v; want the event a duplicate", res, err)
	}
}

// enqueueEach queues a delivery, due at once, for every event.
type enqueueEach struct{}

func (enqueueEach) Derive(st store.State, _ store.StoredEvent) error {
	_, err := st.Enqueue([]byte(`{}`), st.Now())
	return err
}

func (enqueueEach) Rebuild(store.State, store.EventSource) error { return nil }

// A format-2 store's queued deliveries are indexed by workspace when it is opened, so
// that the sweep meets them.
func TestOpenIndexesTheDeliveryQueueByWorkspace(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	o := Options{Dir: dir, SyncWrites: true, Deriver: enqueueEach{}, Now: func() time.Time { return t0 }}
	s, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range []store.Workspace{ws, {Org: "acme", Name: "quiet"}} {
		if _, err := s.Append(ctx, w, []*event.Event{storetest.Event(t, fmt.Sprint("e", i), "Visit", "carol", "customerId", "", t0)}); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	db, err := badger.Open(badger.DefaultOptions(dir).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.DropPrefix([]byte{tagDue}); err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(txn *badger.Txn) error { return txn.Set(metaFormat, []byte{0, 0, 0, 0, 0, 0, 0, 2}) })
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	s = openWith(t, o)
	got, err := s.Sweep(ctx, t0, 10, 10, store.Picker{})
	if err != nil || len(got.Deliveries) != 2 || len(got.Whole) != 2 {
		t.Fatalf("sweep after the upgrade: %v, %d deliveries, whole %v; want both workspaces' one", err, len(got.Deliveries), got.Whole)
	}
}
