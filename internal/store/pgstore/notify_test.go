package pgstore_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/internal/store/pgstore"
	"github.com/openjds/jds/internal/store/storetest"
)

// TestOtherNodesHearOfCommitsAndDocuments: a node's commit listeners are told, in commit
// order, of the events another node stored on the same database, and its document
// listeners of the documents another node wrote or deleted; of its own, once.
func TestOtherNodesHearOfCommitsAndDocuments(t *testing.T) {
	place := t.TempDir()
	a := openAt(t, place, storetest.Options{}).(*pgstore.Store)
	defer a.Close()
	b, err := pgstore.Open(context.Background(), pgstore.Options{URL: databaseURL(t, place), Node: "node-b", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var mu sync.Mutex
	var onA, onB []string
	var docs []string
	a.OnCommit(func(c []store.Committed) {
		mu.Lock()
		defer mu.Unlock()
		for _, e := range c {
			onA = append(onA, e.EventID)
		}
	})
	b.OnCommit(func(c []store.Committed) {
		mu.Lock()
		defer mu.Unlock()
		for _, e := range c {
			onB = append(onB, e.EventID+"@"+e.Workspace.Name)
		}
	})
	b.OnDocument(func(w store.Workspace, collection, id string) {
		mu.Lock()
		defer mu.Unlock()
		docs = append(docs, w.Name+"/"+collection+"/"+id)
	})
	ctx := context.Background()
	w := store.Workspace{Org: "o", Name: "w"}
	now := time.Now()
	for _, id := range []string{"e1", "e2"} {
		if _, err := a.Append(ctx, w, []*event.Event{storetest.Event(t, id, "T", "+15550000001", "phone", "", now)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.PutDoc(ctx, w, "profile-templates", "t1", []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	if err := a.DeleteDoc(ctx, w, "profile-templates", "t1"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		got, gotDocs := len(onB), len(docs)
		mu.Unlock()
		if got >= 2 && gotDocs >= 2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(onA) != 2 {
		t.Errorf("node a was told of %v, want its two events once", onA)
	}
	if len(onB) != 2 || onB[0] != "e1@w" || onB[1] != "e2@w" {
		t.Errorf("node b was told of %v, want [e1@w e2@w]", onB)
	}
	if len(docs) != 2 || docs[0] != "w/profile-templates/t1" {
		t.Errorf("node b heard of documents %v, want the write and the delete of t1", docs)
	}
}
