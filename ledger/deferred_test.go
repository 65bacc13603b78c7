package ledger

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/openjds/jds/event"
)

// seqList is a test Deriver that defers its state, as profiles do: "seqs" lists the
// sequences of a person's events. Deriving an event again changes nothing.
type seqList struct{}

func (seqList) Derive(st *State, ev StoredEvent) error {
	return addSeq(st, st.Defer, ev.Seq)
}

func (seqList) Rebuild(st *State, events EventSource) error {
	if err := st.Delete("seqs"); err != nil {
		return err
	}
	return events(time.Time{}, func(ev StoredEvent) error { return addSeq(st, st.Set, ev.Seq) })
}

func addSeq(st *State, set func(string, []byte) error, seq uint64) error {
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
	i, found := slices.BinarySearch(list, seq)
	if found {
		return nil
	}
	list = slices.Insert(list, i, seq)
	return set("seqs", []byte(strings.Trim(fmt.Sprint(list), "[]")))
}

// seqsOf reads the derived state of the persons behind identities, as views do.
func seqsOf(t *testing.T, s *Store, idents ...string) string {
	t.Helper()
	ctx := context.Background()
	var out []string
	for _, ident := range idents {
		p, err := s.Resolve(ctx, ws, ident)
		if err != nil {
			t.Fatal(err)
		}
		st, err := s.States(ctx, ws, p, []string{"seqs"})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range st["seqs"] {
			out = append(out, ident+"["+string(v.Value)+"]")
		}
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

// Deferred state is read at once, survives merges, unmerges and a clean stop, and after
// a crash Replay derives what was lost: the state is then what it was before the crash.
func TestDeferredStateSurvivesCrash(t *testing.T) {
	for _, flushAfter := range []time.Duration{time.Hour, time.Nanosecond} {
		t.Run(fmt.Sprint("flush after ", flushAfter), func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			// A state cache too small to hold anything: the committer reads pending state
			// from where it is pending.
			opts := Options{Dir: dir, SyncWrites: true, Deriver: seqList{}, DerivedFlushAfter: flushAfter, StateCacheBytes: 1}
			s, err := Open(opts)
			if err != nil {
				t.Fatal(err)
			}
			t0 := time.Now()
			for i := range 30 {
				ident := fmt.Sprintf("+1555000000%d", i%3)
				if _, err := s.Append(ctx, ws, []*event.Event{mkEvent(t, fmt.Sprint("e", i), "T", ident, "phone", "", t0)}); err != nil {
					t.Fatal(err)
				}
			}
			s.Append(ctx, ws, []*event.Event{mkEvent(t, "t1", "T", "tmp-1", "temporaryId", "", t0)})
			a, _ := s.Resolve(ctx, ws, "+15550000000")
			b, _ := s.Resolve(ctx, ws, "tmp-1")
			if _, err := s.Merge(ctx, ws, a.ID, []string{b.ID}); err != nil {
				t.Fatal(err)
			}
			s.Append(ctx, ws, []*event.Event{mkEvent(t, "t2", "T", "tmp-1", "temporaryId", "", t0)})
			if _, _, err := s.Unmerge(ctx, ws, a.ID); err != nil {
				t.Fatal(err)
			}
			s.Append(ctx, ws, []*event.Event{mkEvent(t, "t3", "T", "tmp-1", "temporaryId", "", t0)})
			idents := []string{"+15550000000", "+15550000001", "+15550000002", "tmp-1"}
			want := seqsOf(t, s, idents...)
			if n := len(strings.Fields(strings.NewReplacer("[", " ", "]", " ").Replace(want))) - len(idents); n != 30+3 {
				t.Fatalf("%d sequences in the state, want 33: %s", n, want)
			}
			if flushAfter == time.Hour && s.pendingStates() == 0 {
				t.Fatal("no state is pending: nothing was deferred")
			}

			crashed := copyDir(t, dir)
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			// A clean stop wrote everything: nothing to replay.
			s = openWith(t, opts)
			if n, err := s.Replay(ctx, nil); err != nil || n != 0 {
				t.Fatalf("replay after a clean stop: %d events, %v", n, err)
			}
			if got := seqsOf(t, s, idents...); got != want {
				t.Errorf("after a clean stop:\n got %s\nwant %s", got, want)
			}

			opts.Dir = crashed
			c := openWith(t, opts)
			n, err := c.Replay(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if flushAfter == time.Hour && n < 30 {
				t.Errorf("replayed %d events, want at least the 30 whose state was pending", n)
			}
			if got := seqsOf(t, c, idents...); got != want {
				t.Errorf("after a crash and replay:\n got %s\nwant %s", got, want)
			}
			if c.pendingStates() != 0 {
				t.Error("replayed state is still pending after Replay")
			}
		})
	}
}
