package storetest

import (
	"context"
	"fmt"
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
	if err := s.DeleteDoc(ctx, ws, "templates", "t1"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteDoc(ctx, ws, "templates", "t1"); err == nil {
		t.Fatal("deleting twice must say not found")
	}
}
