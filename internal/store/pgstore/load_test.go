package pgstore_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/internal/store/badgerstore"
	"github.com/openjds/jds/internal/store/pgstore"
	"github.com/openjds/jds/internal/store/storetest"
)

// tallyAndNotify keeps storetest.Tally's state and queues a delivery for every
// "Closed Queue" event.
type tallyAndNotify struct{ storetest.Tally }

func (d tallyAndNotify) Derive(st store.State, ev store.StoredEvent) error {
	if err := d.Tally.Derive(st, ev); err != nil {
		return err
	}
	if ev.Type == "Closed Queue" {
		_, err := st.Enqueue([]byte(`{"sms":"call you back?"}`), st.Now())
		return err
	}
	return nil
}

// TestCopyFromBadger: a whole Badger installation (two workspaces; events, a merge,
// aliases, an anonymous person, an erased one, derived state in the journal or under its
// own keys, deliveries, documents) copied to PostgreSQL reads the same there; a second
// copy adds nothing; the copy goes on taking events after the last one copied. Copied
// back from PostgreSQL to a new Badger store (the backup path), it reads the same again,
// with the same sequence numbers, and goes on there too.
func TestCopyFromBadger(t *testing.T) {
	// 0: the state stays in the journal; 1: every commit writes it out.
	for _, pending := range []int{0, 1} {
		t.Run(fmt.Sprintf("pendingStateBytes=%d", pending), func(t *testing.T) { copyFromBadger(t, pending) })
	}
}

func copyFromBadger(t *testing.T, pendingStateBytes int) {
	ctx := context.Background()
	d := tallyAndNotify{}
	src, err := badgerstore.Open(badgerstore.Options{Dir: t.TempDir(), Deriver: d, PendingStateBytes: pendingStateBytes,
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	ws := []store.Workspace{{Org: "o", Name: "a"}, {Org: "o", Name: "b"}}
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for i, w := range ws {
		for j := range 5 {
			typ := "Queued Caller"
			if j%2 == 0 {
				typ = "Closed Queue"
			}
			ev := storetest.Event(t, fmt.Sprintf("e%d-%d", i, j), typ, fmt.Sprintf("+1555000%04d", j%3), "phone", "", at.Add(time.Duration(j)*time.Minute))
			if _, err := src.Append(ctx, w, []*event.Event{ev}); err != nil {
				t.Fatal(err)
			}
		}
		// A link of two identities: a merge.
		if _, err := src.Append(ctx, w, []*event.Event{storetest.Event(t, fmt.Sprintf("m%d", i), "Login", "+15550000001", "phone", "+15550000002", at)}); err != nil {
			t.Fatal(err)
		}
		if err := src.PutDoc(ctx, w, "profile-templates", "t1", []byte(`{"name":"T"}`)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := src.Append(ctx, ws[0], []*event.Event{storetest.Event(t, "anon", "webvisit", "anon-1", "temporaryId", "", at)}); err != nil {
		t.Fatal(err)
	}

	gone, err := src.Append(ctx, ws[1], []*event.Event{storetest.Event(t, "gone", "Queued Caller", "+15559999999", "phone", "", at)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Erase(ctx, ws[1], gone[0].PersonID); err != nil {
		t.Fatal(err)
	}

	dst := openAt(t, t.TempDir(), storetest.Options{Deriver: d}).(*pgstore.Store)
	defer dst.Close()
	var progress int
	read, err := store.Copy(ctx, src, dst, 7, func(map[string]int64) { progress++ })
	if err != nil {
		t.Fatal(err)
	}
	if read[store.KindEvent] != 13 || read[store.KindWorkspace] != 2 || read[store.KindState] == 0 || read[store.KindDelivery] != 6 || progress < 3 {
		t.Fatalf("read %v in %d batches", read, progress)
	}
	again, err := store.Copy(ctx, src, dst, 1000, nil)
	if err != nil || fmt.Sprint(again) != fmt.Sprint(read) {
		t.Fatalf("copying again: %v, %v", again, err)
	}

	sameCopy(t, src, dst, ws)

	// And back: the PostgreSQL copy copied to a new Badger store (the backup path)
	// reads as the first did, a second copy adds nothing, and it takes events on.
	back, err := badgerstore.Open(badgerstore.Options{Dir: t.TempDir(), Deriver: d, PendingStateBytes: pendingStateBytes,
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer back.Close()
	home, err := store.Copy(ctx, dst, back, 5, nil)
	if err != nil || fmt.Sprint(home) != fmt.Sprint(read) {
		t.Fatalf("copying back: read %v, %v; want %v", home, err, read)
	}
	if again, err := store.Copy(ctx, dst, back, 1000, nil); err != nil || fmt.Sprint(again) != fmt.Sprint(read) {
		t.Fatalf("copying back again: %v, %v", again, err)
	}
	sameCopy(t, src, back, ws)
	expireOne(t, back)
	appendAfter(t, back, ws[1], at)

	expireOne(t, dst)
	appendAfter(t, dst, ws[1], at)
}

// sameCopy checks that a copy reads as the original does in every workspace of ws:
// persons, histories, derived state, aliases, deliveries (6 due) and documents.
func sameCopy(t *testing.T, src, dst store.Store, ws []store.Workspace) {
	t.Helper()
	ctx := context.Background()
	same := func(what string, a, b any) {
		t.Helper()
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if !bytes.Equal(ja, jb) {
			t.Errorf("%s:\n original %s\n copy     %s", what, ja, jb)
		}
	}
	for _, w := range ws {
		persons, err := src.Persons(ctx, w, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		got, err := dst.Persons(ctx, w, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		same(w.String()+" persons", persons, got)
		for _, p := range persons {
			h1, _ := src.History(ctx, w, p, store.Query{Limit: 100})
			h2, _ := dst.History(ctx, w, p, store.Query{Limit: 100})
			same(w.String()+" history of "+p.ID, h1, h2)
			if len(h1) > 1 { // the events keep their sequence numbers
				seqs := func(s store.Store) []string {
					c, err := s.After(ctx, w, p, event.ID(h1[len(h1)-1]))
					if err != nil {
						t.Fatal(err)
					}
					var out []string
					for _, e := range c {
						out = append(out, fmt.Sprintf("%s@%d", e.EventID, e.Seq))
					}
					return out
				}
				same(w.String()+" sequence numbers of "+p.ID, seqs(src), seqs(dst))
			}
			s1, _ := src.States(ctx, w, p, []string{"n", "first"})
			s2, _ := dst.States(ctx, w, p, []string{"n", "first"})
			values := func(m map[string][]store.PersonState) map[string][]string {
				out := map[string][]string{}
				for k, v := range m {
					for _, s := range v {
						out[k] = append(out[k], s.PersonID+"="+string(s.Value))
					}
				}
				return out
			}
			same(w.String()+" states of "+p.ID, values(s1), values(s2))
			for _, a := range p.Aliases() {
				r, err := dst.Resolve(ctx, w, a.Value)
				if err != nil || r.ID != p.ID {
					t.Errorf("%s: alias %s resolves to %v, %v; want %s", w, a.Value, r, err, p.ID)
				}
			}
		}
		d1, _ := src.Deliveries(ctx, w, "", "")
		d2, _ := dst.Deliveries(ctx, w, "", "")
		if len(d1) != 3 {
			t.Errorf("%s: %d deliveries in the original, want 3", w, len(d1))
		}
		same(w.String()+" deliveries", d1, d2)
		doc, err := dst.GetDoc(ctx, w, "profile-templates", "t1")
		if err != nil || string(doc) != `{"name":"T"}` {
			t.Errorf("%s: document %s, %v", w, doc, err)
		}
	}
	due, err := dst.Due(ctx, time.Now().Add(time.Hour), 100, nil)
	if err != nil || len(due) != 6 {
		t.Errorf("pending deliveries due after the copy: %d, %v; want 6", len(due), err)
	}
}

// expireOne checks that the copy's expiry index has the one anonymous person.
func expireOne(t *testing.T, dst store.Store) {
	t.Helper()
	if n, err := dst.ExpireTemporary(context.Background(), time.Now().Add(time.Hour)); err != nil || n != 1 {
		t.Errorf("anonymous persons expired after the copy: %d, %v; want 1", n, err)
	}
}

// appendAfter checks that the copy goes on: an event appended after it follows the last
// one copied.
func appendAfter(t *testing.T, dst store.Store, w store.Workspace, at time.Time) {
	t.Helper()
	ctx := context.Background()
	p, err := dst.Resolve(ctx, w, "+15550000000")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dst.Append(ctx, w, []*event.Event{storetest.Event(t, "after", "Queued Caller", "+15550000000", "phone", "", at.Add(time.Hour))}); err != nil {
		t.Fatal(err)
	}
	after, err := dst.After(ctx, w, p, "e1-3")
	if err != nil || len(after) != 1 || after[0].EventID != "after" {
		t.Errorf("after the last copied event of %s: %+v, %v; want the new one", w, after, err)
	}
}
