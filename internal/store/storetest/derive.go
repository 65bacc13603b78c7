package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/store"
)

func testDerivedStateFollowsIdentity(t *testing.T, b Backend) {
	s := open(t, b, Options{Deriver: counter{}})
	ctx := context.Background()
	t0 := time.Now()
	s.Append(ctx, ws, []*event.Event{
		Event(t, "a1", "T", "+15550000001", "phone", "", t0),
		Event(t, "a2", "T", "+15550000001", "phone", "", t0),
		Event(t, "b1", "T", "tmp-1", "temporaryId", "", t0),
	})
	if got := counts(t, s, "+15550000001"); got != "[2]" {
		t.Fatalf("state after ingest = %s", got)
	}
	// A merge combines the states; an unmerge rebuilds them, including the event posted
	// under the returning alias after the merge.
	a, _ := s.Resolve(ctx, ws, "+15550000001")
	bp, _ := s.Resolve(ctx, ws, "tmp-1")
	s.Merge(ctx, ws, a.ID, []string{bp.ID})
	s.Append(ctx, ws, []*event.Event{Event(t, "b2", "T", "tmp-1", "temporaryId", "", t0)})
	if got := counts(t, s, "tmp-1"); got != "[3 1]" {
		t.Fatalf("state after merge = %s (survivor's, then the merged person's)", got)
	}
	s.Unmerge(ctx, ws, a.ID)
	if got := counts(t, s, "tmp-1") + counts(t, s, "+15550000001"); got != "[2][2]" {
		t.Fatalf("state after unmerge = %s", got)
	}
	// Deriving after the unmerge reads the rebuilt state, not what the committer's state
	// cache held before.
	s.Append(ctx, ws, []*event.Event{Event(t, "a3", "T", "+15550000001", "phone", "", t0)})
	if got := counts(t, s, "+15550000001"); got != "[3]" {
		t.Fatalf("state after unmerge and one more event = %s", got)
	}
	// Backfill recomputes every person.
	var progress []int
	err := s.Backfill(ctx, ws, func(st store.State, events store.EventSource) error {
		return st.Set("n", []byte("9"))
	}, func(done, total int) { progress = append(progress, done, total) })
	if err != nil || fmt.Sprint(progress) != "[2 2]" || counts(t, s, "tmp-1") != "[9]" {
		t.Fatalf("backfill: %v %v %s", err, progress, counts(t, s, "tmp-1"))
	}
	// Erasure removes it.
	if _, err := s.Erase(ctx, ws, a.ID); err != nil {
		t.Fatal(err)
	}
	s.Append(ctx, ws, []*event.Event{Event(t, "c1", "T", "+15550000001", "phone", "", t0)})
	if got := counts(t, s, "+15550000001"); got != "[1]" {
		t.Fatalf("state of the new person after erase = %s", got)
	}
}

// PersonState.Version changes whenever the value changes, so that a value can be cached
// by (person, name, version): across ingest, a merge, events filed under the merged
// person, and the unmerge that rebuilds both states, no version of a person's value
// stands for two values.
func testStateVersions(t *testing.T, b Backend) {
	s := open(t, b, Options{Deriver: counter{}})
	ctx := context.Background()
	t0 := time.Now()
	seen := map[string]string{} // person, name and version → value
	check := func(step string) {
		t.Helper()
		for _, ident := range []string{"+15550000001", "tmp-1"} {
			p, err := s.Resolve(ctx, ws, ident)
			if errors.Is(err, store.ErrNotFound) {
				continue
			} else if err != nil {
				t.Fatal(err)
			}
			st, err := s.States(ctx, ws, p, []string{"n", "sum"})
			if err != nil {
				t.Fatal(err)
			}
			for name, values := range st {
				for _, v := range values {
					key := fmt.Sprint(v.PersonID, " ", name, " ", v.Version)
					if was, ok := seen[key]; ok && was != string(v.Value) {
						t.Fatalf("%s: version %d of %s of %s stands for %q and %q", step, v.Version, name, v.PersonID, was, v.Value)
					}
					seen[key] = string(v.Value)
				}
			}
		}
	}
	post := func(id, ident, kind string, v int) {
		t.Helper()
		if _, err := s.Append(ctx, ws, []*event.Event{eventWith(t, id, "T", ident, kind, "", t0, map[string]any{"v": v})}); err != nil {
			t.Fatal(err)
		}
		check("after " + id)
	}
	post("a1", "+15550000001", "phone", 1)
	post("a2", "+15550000001", "phone", 2)
	post("b1", "tmp-1", "temporaryId", 3)
	a, _ := s.Resolve(ctx, ws, "+15550000001")
	b1, _ := s.Resolve(ctx, ws, "tmp-1")
	if _, err := s.Merge(ctx, ws, a.ID, []string{b1.ID}); err != nil {
		t.Fatal(err)
	}
	check("after the merge")
	post("b2", "tmp-1", "temporaryId", 4)
	post("a3", "+15550000001", "phone", 0) // sum unchanged, n changed
	if _, _, err := s.Unmerge(ctx, ws, a.ID); err != nil {
		t.Fatal(err)
	}
	check("after the unmerge")
	post("b3", "tmp-1", "temporaryId", 5)
	if got := counts(t, s, "+15550000001") + counts(t, s, "tmp-1"); got != "[3][3]" {
		t.Fatalf("n after the unmerge = %s", got)
	}
	if len(seen) < 10 {
		t.Fatalf("only %d versions met: the test tests too little", len(seen))
	}
}

// A commit that fails leaves nothing of what it derived: the next event counts from the
// committed state, not from the failed batch's writes (which the state cache saw).
func testFailedCommitDerivesNothing(t *testing.T, b Backend) {
	s := open(t, b, Options{Deriver: failing{}})
	ctx := context.Background()
	t0 := time.Now()
	if _, err := s.Append(ctx, ws, []*event.Event{Event(t, "a1", "T", "+15550000001", "phone", "", t0)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(ctx, ws, []*event.Event{Event(t, "a2", "boom", "+15550000001", "phone", "", t0)}); err == nil {
		t.Fatal("the deriver's error must fail the append")
	}
	if _, err := s.Append(ctx, ws, []*event.Event{Event(t, "a3", "T", "+15550000001", "phone", "", t0)}); err != nil {
		t.Fatal(err)
	}
	if got := counts(t, s, "+15550000001"); got != "[2]" {
		t.Fatalf("state = %s, want [2]: a1 and a3", got)
	}
}

func testDocuments(t *testing.T, b Backend) {
	s := open(t, b, Options{})
	ctx := context.Background()
	other := store.Workspace{Org: "o", Name: "w2"}
	s.PutDoc(ctx, ws, "templates", "t1", []byte(`{"a":1}`))
	s.PutDoc(ctx, other, "templates", "t2", []byte(`{"b":2}`))
	s.PutDoc(ctx, ws, "actions", "x", []byte(`{}`))
	s.PutDoc(ctx, ws, "templates", "t1", []byte(`{"a":2}`))
	got := map[string]string{}
	s.AllDocs(ctx, "templates", func(w store.Workspace, id string, v []byte) error {
		got[w.String()+"/"+id] = string(v)
		return nil
	})
	if len(got) != 2 || got["cctsa/sandbox/t1"] != `{"a":2}` || got["o/w2/t2"] != `{"b":2}` {
		t.Fatalf("docs = %v", got)
	}
	// One workspace's documents of a collection, in id order, without another's.
	s.PutDoc(ctx, ws, "templates", "t0", []byte(`{"a":0}`))
	var mine []string
	err := s.Docs(ctx, ws, "templates", func(id string, v []byte) error {
		mine = append(mine, id+"="+string(v))
		return nil
	})
	if want := []string{`t0={"a":0}`, `t1={"a":2}`}; err != nil || !slices.Equal(mine, want) {
		t.Fatalf("the workspace's templates: %v %v, want %v", err, mine, want)
	}
	none := 0
	if err := s.Docs(ctx, store.Workspace{Org: "o", Name: "empty"}, "templates", func(string, []byte) error { none++; return nil }); err != nil || none != 0 {
		t.Fatalf("a workspace that holds nothing: %v, %d documents", err, none)
	}
	if err := s.DeleteDoc(ctx, ws, "templates", "t1"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteDoc(ctx, ws, "templates", "t1"); err == nil {
		t.Fatal("deleting twice must say not found")
	}
}
