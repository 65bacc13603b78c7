package badgerstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/identity"
	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/internal/store/storetest"
)

// seqList is a test Deriver whose state grows with every event: "seqs" lists the
// sequences of a person's events, in order, and "u" counts those of type U.
type seqList struct{}

func (seqList) Derive(st store.State, ev store.StoredEvent) error {
	if err := addSeq(st, ev.Seq); err != nil || ev.Type != "U" {
		return err
	}
	v, err := st.Get("u")
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(string(v))
	return st.Set("u", []byte(strconv.Itoa(n+1)))
}

func addSeq(st store.State, seq uint64) error {
	v, err := st.Get("seqs")
	if err != nil {
		return err
	}
	var list []uint64
	for _, f := range strings.Fields(string(v)) {
		n, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			return err
		}
		list = append(list, n)
	}
	if i, found := slices.BinarySearch(list, seq); !found {
		list = slices.Insert(list, i, seq)
	}
	return st.Set("seqs", []byte(strings.Trim(fmt.Sprint(list), "[]")))
}

// Rebuild replaces "seqs", and "u" when the person has U events: a "u" left over from
// events the person no longer has is for the ledger's clear to delete.
func (seqList) Rebuild(st store.State, events store.EventSource) error {
	if err := st.Delete("seqs"); err != nil {
		return err
	}
	u := 0
	err := events(time.Time{}, func(ev store.StoredEvent) error {
		if ev.Type == "U" {
			u++
		}
		return addSeq(st, ev.Seq)
	})
	if err != nil || u == 0 {
		return err
	}
	return st.Set("u", []byte(strconv.Itoa(u)))
}

// seqsOf reads the derived state of the persons behind identities, as views do.
func seqsOf(t *testing.T, s *Store, idents ...string) string {
	t.Helper()
	var out []string
	for _, ident := range idents {
		out = append(out, ident+storetest.State(t, s, ws, ident, "seqs"))
	}
	return strings.Join(out, " ")
}

// copyDir copies a store's files while it is open and idle: what a kill -9 would leave.
func copyDir(t *testing.T, from string) string {
	t.Helper()
	to := t.TempDir()
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		src, err := os.Open(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		dst, err := os.Create(filepath.Join(to, e.Name()))
		if err == nil {
			_, err = io.Copy(dst, src)
			if cerr := dst.Close(); err == nil {
				err = cerr
			}
		}
		src.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	return to
}

// keysWith counts the keys of a table, as stored.
func keysWith(t *testing.T, s *Store, tag byte) int {
	t.Helper()
	n := 0
	err := s.db.View(func(txn *badger.Txn) error {
		opt := badger.DefaultIteratorOptions
		opt.Prefix, opt.PrefetchValues = []byte{tag}, false
		it := txn.NewIterator(opt)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// Journaled state is read at once and survives merges, unmerges, erasure, a clean stop
// and a crash, whether it is all still pending (a large generation) or written out
// under its own keys after every commit (a generation of one byte).
func TestJournaledStateSurvivesCrash(t *testing.T) {
	for _, genBytes := range []int{64 << 20, 1} {
		t.Run(fmt.Sprint("generation of ", genBytes, " bytes"), func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			// A state cache too small to hold anything: the committer reads state from
			// where it is, pending or stored.
			opts := Options{Dir: dir, SyncWrites: true, Deriver: seqList{}, PendingStateBytes: genBytes, StateCacheBytes: 1, ValueLogFileSize: 1 << 20}
			s, err := Open(opts)
			if err != nil {
				t.Fatal(err)
			}
			t0 := time.Now()
			for i := range 30 {
				ident := fmt.Sprintf("+1555000000%d", i%4)
				if _, err := s.Append(ctx, ws, []*event.Event{storetest.Event(t, fmt.Sprint("e", i), "T", ident, "phone", "", t0)}); err != nil {
					t.Fatal(err)
				}
			}
			s.Append(ctx, ws, []*event.Event{storetest.Event(t, "t1", "T", "tmp-1", "temporaryId", "", t0)})
			a, _ := s.Resolve(ctx, ws, "+15550000000")
			b, _ := s.Resolve(ctx, ws, "tmp-1")
			if _, err := s.Merge(ctx, ws, a.ID, []string{b.ID}); err != nil {
				t.Fatal(err)
			}
			s.Append(ctx, ws, []*event.Event{storetest.Event(t, "t2", "T", "tmp-1", "temporaryId", "", t0)})
			if _, _, err := s.Unmerge(ctx, ws, a.ID); err != nil {
				t.Fatal(err)
			}
			s.Append(ctx, ws, []*event.Event{storetest.Event(t, "t3", "T", "tmp-1", "temporaryId", "", t0)})
			gone, _ := s.Resolve(ctx, ws, "+15550000003")
			if _, err := s.Erase(ctx, ws, gone.ID); err != nil {
				t.Fatal(err)
			}
			idents := []string{"+15550000000", "+15550000001", "+15550000002", "tmp-1"}
			want := seqsOf(t, s, idents...)
			if n := strings.Count(want, " ") + 1; n != 8+8+7+3 {
				t.Fatalf("%d sequences in the state, want 26 (the erased person's 7 gone): %s", n, want)
			}
			erased := func(r *Store) map[string][]store.PersonState {
				st, err := r.States(ctx, ws, gone, []string{"seqs"})
				if err != nil {
					t.Fatal(err)
				}
				return st
			}
			if got := erased(s); len(got) > 0 {
				t.Fatalf("the erased person's state is still read: %v", got)
			}
			journals, states := keysWith(t, s, tagJournal), keysWith(t, s, tagState)
			switch {
			case genBytes > 1 && (journals < 30 || states > 0):
				t.Fatalf("%d journal records and %d state keys: every change should still be pending", journals, states)
			case genBytes == 1 && (journals > 2 || states == 0):
				t.Fatalf("%d journal records and %d state keys: the changes should be written out", journals, states)
			}

			crashed := copyDir(t, dir)
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			for _, d := range []string{dir, crashed} {
				opts.Dir = d
				r := openWith(t, opts)
				if got := seqsOf(t, r, idents...); got != want {
					t.Errorf("reopened (crash image: %v):\n got %s\nwant %s", d == crashed, got, want)
				}
				if got := erased(r); len(got) > 0 {
					t.Errorf("reopened (crash image: %v): the erased person's state is back: %v", d == crashed, got)
				}
				// And deriving goes on from there.
				if _, err := r.Append(ctx, ws, []*event.Event{storetest.Event(t, "after", "T", "+15550000001", "phone", "", t0)}); err != nil {
					t.Fatal(err)
				}
				if got := seqsOf(t, r, "+15550000001"); strings.Count(got, " ") != 8 {
					t.Errorf("reopened (crash image: %v): after one more event, state %s, want 9 sequences", d == crashed, got)
				}
			}
		})
	}
}

// A reader never sees a state go back, and sees every acknowledged event, while
// generations are written out and dropped under it (one per commit here).
func TestJournaledStateReadsDuringCheckpoints(t *testing.T) {
	s := openWith(t, Options{Dir: t.TempDir(), Deriver: seqList{}, PendingStateBytes: 1})
	ctx := context.Background()
	t0 := time.Now()
	const n = 200
	var acked sync.WaitGroup
	acked.Add(1)
	var seen []int
	done := make(chan struct{})
	go func() {
		defer close(done)
		acked.Wait()
		for {
			got := seqsOf(t, s, "+15550000001")
			seen = append(seen, strings.Count(got, " ")+1)
			if seen[len(seen)-1] == n {
				return
			}
		}
	}()
	for i := range n {
		if _, err := s.Append(ctx, ws, []*event.Event{storetest.Event(t, fmt.Sprint("e", i), "T", "+15550000001", "phone", "", t0)}); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			acked.Done()
		}
		if got := seqsOf(t, s, "+15550000001"); strings.Count(got, " ")+1 != i+1 {
			t.Fatalf("after %d acknowledged events the state holds %s", i+1, got)
		}
	}
	<-done
	if !slices.IsSorted(seen) {
		t.Fatalf("the state went back: counts read %v", seen)
	}
}

// A generation written out skips what a later clear deleted and values changed since,
// writes the rest under their keys, and deletes its journal records.
func TestCheckpointOfAGeneration(t *testing.T) {
	s := openWith(t, Options{InMemory: true})
	p := newPendingStates(1<<20, 32<<20)
	pk, qk := stateKey(1, pid{1}, "n"), stateKey(1, pid{2}, "n")
	// commit does what run and commitGroup do with a batch that journaled ops.
	commit := func(ops []byte) (done bool) {
		t.Helper()
		b := &batch{s: s, txn: s.db.NewTransaction(true), journal: ops}
		defer b.txn.Discard()
		var err error
		if b.checkpoint, b.checkpointDone, err = p.checkpoint(b); err != nil {
			t.Fatal(err)
		}
		if err := b.journalRecords(p.next, func(no uint64, rec []byte) error { return b.set(journalKey(no), rec) }); err != nil {
			t.Fatal(err)
		}
		if err := b.txn.Commit(); err != nil {
			t.Fatal(err)
		}
		if err := p.committed(b); err != nil {
			t.Fatal(err)
		}
		return b.checkpointDone
	}
	commit(appendSetOp(appendSetOp(nil, pk, []byte("p1")), qk, []byte("q1")))
	commit(appendClearOp(nil, statePrefix(1, pid{1})))
	if v, _, pending := p.lookup(pk); !pending || v != nil {
		t.Fatalf("a cleared value reads as %q (pending %v), want absent", v, pending)
	}
	p.genBytes = 0 // full: the next commit sets it aside to be written out
	commit(nil)
	if p.old == nil || len(p.old.journals) != 2 {
		t.Fatal("the full generation was not set aside to be written out")
	}
	p.genBytes = 1 << 20
	j3 := appendSetOp(nil, qk, []byte("q2"))
	quota := p.quota
	p.quota = 0 // q changes before the checkpoint begins
	commit(j3)
	p.quota = quota
	if !commit(nil) || p.old != nil {
		t.Fatal("the generation set aside was not written out and dropped")
	}
	stored := map[string]string{}
	s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.DefaultIteratorOptions)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			v, _ := it.Item().ValueCopy(nil)
			stored[fmt.Sprintf("%c", it.Item().Key()[0])] += string(v) + ";"
		}
		return nil
	})
	// p1 was cleared, q1 changed since: q2 is the current generation's to write, and
	// its record stays until then.
	if stored["s"] != "" || stored["j"] != string(j3)+";" {
		t.Fatalf("stored after the checkpoint: %q", stored)
	}
	if v, _, _ := p.lookup(qk); string(v) != "q2" {
		t.Fatalf("q reads as %q, want q2", v)
	}
}

// A batch whose changes outgrow a journal record writes several, all applied.
func TestLargeJournal(t *testing.T) {
	s := openWith(t, Options{InMemory: true, Deriver: seqList{}})
	ctx := context.Background()
	t0 := time.Now()
	var evs []*event.Event
	for i := range 3000 {
		evs = append(evs, storetest.Event(t, fmt.Sprint("e", i), "T", fmt.Sprintf("+1555%07d", i%5), "phone", "", t0))
	}
	if _, err := s.Append(ctx, ws, evs); err != nil {
		t.Fatal(err)
	}
	if n := keysWith(t, s, tagJournal); n < 2 {
		t.Fatalf("%d journal records, want several", n)
	}
	if got := seqsOf(t, s, "+15550000004"); strings.Count(got, " ")+1 != 600 {
		t.Fatalf("the last person's state holds %d sequences, want 600", strings.Count(got, " ")+1)
	}
}

// For random sequences of events, merges, unmerges, erasures and restarts, with
// generations small enough to be written out every few commits, the state read is the
// state computed again from the ledger, and erased persons have none. Seeds from 6 on
// run four writers at once and no restart, so that commits group several requests.
func TestJournaledStateMatchesRebuild(t *testing.T) {
	for seed := range uint64(9) {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 1))
			ctx := context.Background()
			t0 := time.Now()
			opts := Options{Dir: t.TempDir(), Deriver: seqList{}, PendingStateBytes: 256 << rng.IntN(6)}
			if rng.IntN(2) == 0 {
				opts.StateCacheBytes = 1
			}
			s := openWith(t, opts)
			idents := []string{"+15550000001", "+15550000002", "+15550000003", "+15550000004", "tmp-1", "tmp-2", "tmp-3"}
			kind := func(ident string) string {
				if strings.HasPrefix(ident, "tmp") {
					return "temporaryId"
				}
				return "phone"
			}
			person := func(ident string) *identity.Person {
				p, err := s.Resolve(ctx, ws, ident)
				if err != nil {
					return nil
				}
				return p
			}
			var mu sync.Mutex
			var erased []*identity.Person
			// ops runs n random operations; it returns the first error.
			ops := func(rng *rand.Rand, name string, n int, restarts bool) error {
				for i := range n {
					switch n := rng.IntN(100); {
					case n < 80:
						var evs []*event.Event
						for j := range 1 + rng.IntN(5) {
							ident := idents[rng.IntN(len(idents))]
							evs = append(evs, storetest.Event(t, fmt.Sprint(name, i, "-", j), []string{"T", "U"}[rng.IntN(2)], ident, kind(ident), "", t0))
						}
						if _, err := s.Append(ctx, ws, evs); err != nil {
							return err
						}
					case n < 88:
						a, b := person(idents[rng.IntN(len(idents))]), person(idents[rng.IntN(len(idents))])
						if a != nil && b != nil && a.ID != b.ID {
							s.Merge(ctx, ws, a.ID, []string{b.ID})
						}
					case n < 95:
						if a := person(idents[rng.IntN(len(idents))]); a != nil {
							s.Unmerge(ctx, ws, a.ID)
						}
					case n < 97:
						if a := person(idents[rng.IntN(len(idents))]); a != nil {
							// Erase takes the live person a belongs to now, with everyone
							// merged into it; the check below reads the live one's own state.
							if out, err := s.Erase(ctx, ws, a.ID); err == nil {
								mu.Lock()
								erased = append(erased, &identity.Person{ID: out.Person.ID})
								mu.Unlock()
							} else if !errors.Is(err, store.ErrNotFound) {
								return err // another writer may have erased it first
							}
						}
					case restarts:
						// A restart applies the journal again, as after a crash: Close
						// writes nothing out (TestJournaledStateSurvivesCrash takes crash
						// images).
						s.Close()
						s = openWith(t, opts)
					}
				}
				return nil
			}
			if seed < 6 {
				if err := ops(rng, "e", 400, true); err != nil {
					t.Fatal(err)
				}
			} else {
				errs := make(chan error, 4)
				for w := range uint64(4) {
					go func() { errs <- ops(rand.New(rand.NewPCG(seed, w)), fmt.Sprint("w", w, "e"), 100, false) }()
				}
				for range 4 {
					if err := <-errs; err != nil {
						t.Fatal(err)
					}
				}
				if c := s.StatsRef(); c.CommitOps.Load() == c.Commits.Load() {
					t.Log("no commit grouped two requests")
				}
			}
			read := func(persons []*identity.Person) map[string]string {
				got := map[string]string{}
				for _, p := range persons {
					st, err := s.States(ctx, ws, p, []string{"seqs", "u"})
					if err != nil {
						t.Fatal(err)
					}
					for name, parts := range st {
						for _, v := range parts {
							got[v.PersonID+" "+name] = string(v.Value)
						}
					}
				}
				return got
			}
			var live []*identity.Person
			for _, ident := range idents {
				if p := person(ident); p != nil {
					live = append(live, p)
				}
			}
			incremental := read(live)
			if len(incremental) < 6 {
				t.Fatalf("only %d states: the sequence tests too little", len(incremental))
			}
			if err := s.Backfill(ctx, ws, seqList{}.Rebuild, nil); err != nil {
				t.Fatal(err)
			}
			if rebuilt := read(live); !maps.Equal(incremental, rebuilt) {
				t.Fatalf("state read:\n%v\ncomputed again from the ledger:\n%v", incremental, rebuilt)
			}
			if got := read(erased); len(got) > 0 {
				t.Fatalf("erased persons have state: %v", got)
			}
		})
	}
}

// Within a batch, a clear of a person's state hides what the batch set before it.
func TestBatchReadsPastItsClear(t *testing.T) {
	s := openWith(t, Options{InMemory: true, StateCacheBytes: 1})
	ctx := context.Background()
	var got []string
	err := s.do(ctx, func(b *batch) error {
		st := b.state(ws, 1, pid{1})
		for _, step := range []func() error{
			func() error { return st.Set("a", []byte("1")) },
			func() error { return st.Set("b", []byte("2")) },
			st.Clear,
			func() error { return st.Set("b", []byte("3")) },
		} {
			if err := step(); err != nil {
				return err
			}
		}
		for _, name := range []string{"a", "b"} {
			v, err := st.Get(name)
			if err != nil {
				return err
			}
			got = append(got, fmt.Sprintf("%s=%q", name, v))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{`a=""`, `b="3"`}; !slices.Equal(got, want) {
		t.Fatalf("read in the batch: %v, want %v", got, want)
	}
}
