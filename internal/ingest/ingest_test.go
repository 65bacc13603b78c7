package ingest_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/ingest"
	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/internal/store/badgerstore"
)

// marker is a Deriver and a Preparer: Prepare marks each event, and Derive records, in
// the person's state, whether the event it derives from arrived prepared.
type marker struct{}

func (marker) Prepare(w store.Workspace, ev *event.Event) { ev.Prepared = w.Name }

func (marker) Derive(st store.State, ev store.StoredEvent) error {
	v := "unprepared"
	if ev.Prepared == st.Workspace().Name {
		v = "prepared"
	}
	return st.Set("last", []byte(v))
}

func (marker) Rebuild(store.State, store.EventSource) error { return nil }

func TestPipelinePreparesCommitsCountsAndPublishes(t *testing.T) {
	st, err := badgerstore.Open(badgerstore.Options{InMemory: true, Deriver: marker{}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var published []string
	st.OnCommit(func(c []store.Committed) {
		for _, e := range c {
			published = append(published, e.EventID)
		}
	})
	var accepted, duplicates, rejected int
	p := ingest.New(st, ingest.Options{Prepare: []store.Preparer{marker{}}, Count: func(a, d, r int) {
		accepted, duplicates, rejected = accepted+a, duplicates+d, rejected+r
	}})
	w := store.Workspace{Org: "o", Name: "w"}
	ctx := context.Background()
	evs := []*event.Event{mkEvent(t, "e1"), mkEvent(t, "e2")}
	res, err := p.Append(ctx, w, evs)
	if err != nil || len(res) != 2 || res[0].Duplicate || res[0].PersonID == "" {
		t.Fatalf("Append = %+v, %v", res, err)
	}
	if _, err := p.Append(ctx, w, []*event.Event{mkEvent(t, "e1")}); err != nil {
		t.Fatal(err)
	}
	p.Refused(3)
	if accepted != 2 || duplicates != 1 || rejected != 3 {
		t.Errorf("counted accepted %d, duplicates %d, rejected %d; want 2, 1, 3", accepted, duplicates, rejected)
	}
	if len(published) != 2 || published[0] != "e1" || published[1] != "e2" {
		t.Errorf("published %v, want [e1 e2] in commit order", published)
	}
	person, err := st.Resolve(ctx, w, "+15551230000")
	if err != nil {
		t.Fatal(err)
	}
	states, err := st.States(ctx, w, person, []string{"last"})
	if err != nil || len(states["last"]) != 1 || string(states["last"][0].Value) != "prepared" {
		t.Errorf("the deriver saw %v (%v), want an event prepared on the way in", states, err)
	}
}

func mkEvent(t *testing.T, id string) *event.Event {
	t.Helper()
	raw, _ := json.Marshal(map[string]any{
		"id": id, "specversion": "1.0", "type": "t", "source": "test",
		"identity": "+15551230000", "identitytype": "phone", "data": map[string]any{},
		"time": time.Now().UTC().Format(time.RFC3339Nano),
	})
	ev, bad := event.Decode(raw, time.Now(), event.Limits{DefaultRegion: "US"})
	if bad != nil {
		t.Fatal(bad)
	}
	return ev
}
