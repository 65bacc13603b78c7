package pgstore_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/internal/store/pgstore"
	"github.com/openjds/jds/internal/store/storetest"
)

// twoNodes opens two stores, node-a and node-b, on one new database.
func twoNodes(t *testing.T) (a, b *pgstore.Store) {
	t.Helper()
	place := t.TempDir()
	openAt(t, place, storetest.Options{}).Close() // creates the database
	open := func(node string) *pgstore.Store {
		s, err := pgstore.Open(context.Background(), pgstore.Options{URL: databaseURL(t, place), Node: node, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	return open("node-a"), open("node-b")
}

// TestJobRunClaimedOnce: of nodes claiming the run of one scheduled instant, one gets
// it, however many try at once; the next instant is claimed afresh, an earlier one never
// again; and every node reads which node ran each job last.
func TestJobRunClaimedOnce(t *testing.T) {
	a, b := twoNodes(t)
	ctx := context.Background()
	at := time.Date(2026, 1, 1, 3, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	won := map[string]int{}
	var wg sync.WaitGroup
	for i := range 10 {
		s := a
		if i%2 == 1 {
			s = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := s.ClaimJob(ctx, "retention", at)
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				won[s.Node()]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(won) != 1 || won["node-a"]+won["node-b"] != 1 {
		t.Fatalf("claims of one instant won: %v, want one", won)
	}
	if ok, err := b.ClaimJob(ctx, "retention", at.Add(-time.Hour)); ok || err != nil {
		t.Errorf("an earlier instant: claimed %v, %v; want not", ok, err)
	}
	if ok, err := b.ClaimJob(ctx, "retention", at.Add(time.Hour)); !ok || err != nil {
		t.Errorf("the next instant: claimed %v, %v; want claimed", ok, err)
	}
	if ok, err := a.ClaimJob(ctx, "expire-anonymous", at); !ok || err != nil {
		t.Errorf("another job's instant: claimed %v, %v; want claimed", ok, err)
	}
	start := time.Now().Truncate(time.Millisecond)
	if err := b.JobRan(ctx, "retention", start, 1500*time.Millisecond, "boom"); err != nil {
		t.Fatal(err)
	}
	runs, err := a.JobRuns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r := runs["retention"]
	if r.Node != "node-b" || !r.At.Equal(at.Add(time.Hour)) || !r.Start.Equal(start) || r.Duration != 1500*time.Millisecond ||
		!r.Finished || r.Error != "boom" {
		t.Errorf("retention's last run as node-a reads it: %+v", r)
	}
	if r := runs["expire-anonymous"]; r.Node != "node-a" || r.Finished {
		t.Errorf("expire-anonymous's run, claimed and not finished: %+v", r)
	}
	// A run asked for by hand is recorded without a claim; the instant claimed stays.
	if err := a.JobRan(ctx, "retention", start, time.Second, ""); err != nil {
		t.Fatal(err)
	}
	if ok, _ := a.ClaimJob(ctx, "retention", at.Add(time.Hour)); ok {
		t.Error("a run by hand let the instant claimed already be claimed again")
	}
}

// TestBroadcastAndLoads: a broadcast reaches the other nodes' listeners (not its own)
// within a second, and what each node loaded is read by all.
func TestBroadcastAndLoads(t *testing.T) {
	a, b := twoNodes(t)
	ctx := context.Background()
	heard := make(chan string, 4)
	a.OnBroadcast(func(topic string) { heard <- "a:" + topic })
	b.OnBroadcast(func(topic string) { heard <- "b:" + topic })
	start := time.Now()
	if err := a.Broadcast(ctx, "reload rules"); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-heard:
		if got != "b:reload rules" {
			t.Fatalf("heard %q, want b:reload rules", got)
		}
		if took := time.Since(start); took > time.Second {
			t.Errorf("the broadcast took %s", took)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("node b never heard the broadcast")
	}
	select {
	case got := <-heard:
		t.Errorf("also heard %q", got)
	case <-time.After(200 * time.Millisecond):
	}

	now := time.Now().UTC().Truncate(time.Millisecond)
	for i, s := range []*pgstore.Store{a, b} {
		if err := s.SetLoaded(ctx, "rules", store.NodeLoad{Version: "v1", OK: true, Reloads: uint64(i + 1), LoadedAt: now, CheckedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.SetLoaded(ctx, "rules", store.NodeLoad{Version: "v2", OK: false, Errors: 2, Reloads: 2, LoadedAt: now, CheckedAt: now.Add(time.Second)}); err != nil {
		t.Fatal(err)
	}
	got, err := a.Loaded(ctx, "rules")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Node != "node-a" || got[0].Version != "v1" || got[1].Node != "node-b" ||
		got[1].Version != "v2" || got[1].OK || got[1].Errors != 2 || !got[1].CheckedAt.Equal(now.Add(time.Second)) {
		t.Errorf("loads: %+v", got)
	}
	if flows, err := a.Loaded(ctx, "flows"); err != nil || len(flows) != 0 {
		t.Errorf("flows: %+v, %v; want none", flows, err)
	}
}

// TestBeatCountsTheLiveNodes: each node's beat counts every node that beat lately, itself
// included; a node that closes its store is not counted from then on.
func TestBeatCountsTheLiveNodes(t *testing.T) {
	a, b := twoNodes(t)
	ctx := context.Background()
	if n, err := a.Beat(ctx, time.Minute); err != nil || n != 1 {
		t.Fatalf("node-a alone: %d, %v; want 1", n, err)
	}
	for _, s := range []*pgstore.Store{b, a, b} {
		if n, err := s.Beat(ctx, time.Minute); err != nil || n != 2 {
			t.Fatalf("%s beside the other: %d, %v; want 2", s.Node(), n, err)
		}
	}
	a.Close()
	if n, err := b.Beat(ctx, time.Minute); err != nil || n != 1 {
		t.Fatalf("node-b once node-a closed: %d, %v; want 1", n, err)
	}
}
