package profiles

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/internal/store/badgerstore"
	"github.com/openjds/jds/rules"
)

// openVersioned opens an engine over a Badger store, which before prepares (may be nil),
// both closed when the test ends.
func openVersioned(t *testing.T, before func(store.Store) error) (store.Store, *Engine) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	sets := NewSets()
	s, err := badgerstore.Open(badgerstore.Options{Dir: t.TempDir(), Deriver: NewDeriver(sets, quiet, nil), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if before != nil {
		if err := before(s); err != nil {
			t.Fatal(err)
		}
	}
	e, err := Open(context.Background(), s, sets, quiet, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	return s, e
}

// The versions of a definition are bounded: past KeepVersions the oldest go, their
// documents with them, and the numbers go on.
func TestVersionsKeepTheLast(t *testing.T) {
	s, e := openVersioned(t, nil)
	ctx := context.Background()
	ws := store.Workspace{Org: "o", Name: "w"}
	tpl := func(days int) *rules.Template {
		return &rules.Template{Name: "T", Attributes: []rules.Attribute{{DisplayName: "calls", Event: "Call",
			AggregationMode: "Count", LookBackDurationType: "days", LookBackPeriod: days}}}
	}
	c, err := e.Create(ctx, ws, tpl(1))
	if err != nil {
		t.Fatal(err)
	}
	id := c.Template.ID
	for i := 2; i <= KeepVersions+3; i++ {
		if _, err := e.Replace(ctx, ws, id, tpl(i)); err != nil {
			t.Fatal(err)
		}
	}
	vs, err := e.Versions(ctx, ws, Ref{Template: id})
	if err != nil || len(vs) != KeepVersions || vs[0].Version != 4 || vs[len(vs)-1].Version != KeepVersions+3 || !vs[len(vs)-1].Current {
		t.Fatalf("versions: %v, %d of them", err, len(vs))
	}
	if _, err := s.GetDoc(ctx, ws, versionCollections[collection], versionID(id, 3)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("version 3's document: %v, want it gone", err)
	}
	if _, err := e.Version(ctx, ws, Ref{Template: id}, 3); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("version 3: %v, want ErrNotFound", err)
	}
	if err := e.Delete(ctx, ws, id); err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := s.AllDocs(ctx, versionCollections[collection], func(store.Workspace, string, []byte) error { n++; return nil }); err != nil || n != 0 {
		t.Errorf("after the delete, %d version documents (%v)", n, err)
	}
}

// A template stored before versions were kept has one, its state, which its next change
// keeps as version 1.
func TestVersionsOfADefinitionStoredBefore(t *testing.T) {
	ctx := context.Background()
	ws := store.Workspace{Org: "o", Name: "w"}
	old := `{"id":"t1","name":"T","attributes":[{"displayName":"calls","event":"Call","lookBackDurationType":"days","lookBackPeriod":1,"aggregationMode":"Count"}]}`
	_, e := openVersioned(t, func(s store.Store) error { return s.PutDoc(ctx, ws, collection, "t1", []byte(old)) })
	if vs, err := e.Versions(ctx, ws, Ref{Template: "t1"}); err != nil || len(vs) != 1 || !vs[0].Current {
		t.Fatalf("before a change: %v %+v", err, vs)
	}
	if _, err := e.Replace(ctx, ws, "t1", &rules.Template{Name: "T", Attributes: []rules.Attribute{{DisplayName: "calls", Event: "Call",
		AggregationMode: "Count", LookBackDurationType: "days", LookBackPeriod: 2}}}); err != nil {
		t.Fatal(err)
	}
	v1, err := e.Version(ctx, ws, Ref{Template: "T"}, 1)
	if err != nil || string(v1.Definition) != old || v1.Current {
		t.Fatalf("version 1: %v %+v", err, v1)
	}
	v2, err := e.Version(ctx, ws, Ref{Template: "t1"}, 2)
	if err != nil {
		t.Fatal(err)
	}
	d, err := Diff(v1, v2)
	if err != nil || len(d) != 2 || d[0].Path != "attributes[0].lookBackPeriod" || d[1].Path != "source" {
		t.Fatalf("diff: %v %+v", err, d)
	}
}
