package inbound_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/openjds/jds/config"
	"github.com/openjds/jds/connectors/inbound"
	"github.com/openjds/jds/internal/ingest"
	"github.com/openjds/jds/internal/quota"
	"github.com/openjds/jds/internal/store"
)

// A poller over its workspace's ingest quota skips its runs instead of fetching what it
// could not db; a page it fetched is stored whole (the quota goes into debt), and the
// cursor moves only past stored pages: nothing is lost, nothing is stored twice.
func TestPollerWaitsForTheQuota(t *testing.T) {
	ctx := context.Background()
	p := newPartner(t, 5) // pages of 2
	c := &clock{t: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)}
	db := openStore(t, t.TempDir())
	defer db.Close()
	q := quota.New(config.Limits{Workspaces: map[string]config.RateLimit{"acme/default": {EventsPerSecond: 1, Burst: 2}}}, c.now, nil)
	set, err := inbound.Build(instances(t, pollConfig(p.srv.URL)), inbound.Options{Getenv: getenv, Store: db, Ingest: ingest.New(db, ingest.Options{}), Limits: limits, Now: c.now, Quota: q})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(set.Close)
	poller := set.Pollers[0]

	poll := func(wantCursor string) {
		t.Helper()
		if err := poller.Poll(ctx); err != nil {
			t.Fatalf("a poller waiting for the quota has not failed: %v", err)
		}
		if cur, _ := poller.Cursor(ctx); cur != wantCursor {
			t.Fatalf("cursor %q, want %q", cur, wantCursor)
		}
	}
	poll("2") // 2 tokens: one page, then the bucket is empty
	if err := q.Take(store.Workspace{Org: "acme", Name: "default"}, 1); err == nil {
		t.Error("the poller's events count against its workspace's quota")
	}
	poll("2") // no token: the partner is not called
	c.add(time.Second)
	poll("4") // 1 token: a whole page of 2 is stored, 1 in debt
	c.add(time.Second)
	poll("4") // the debt is paid, no token yet
	c.add(time.Second)
	poll("5")
	c.add(time.Second)
	poll("5") // the empty page: the end
	if got := strings.Join(p.seen(), ","); got != ",2,4,5" {
		t.Errorf("cursors sent = %s, want ,2,4,5", got)
	}
	for i := range 5 {
		if n := countEvents(t, db, "+1555010"+strconv.Itoa(i)); n != 1 {
			t.Errorf("item %d: %d events", i+1, n)
		}
	}
}
