package delivery

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openjds/jds/connectors"
	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/store/badgerstore"
)

// TestNothingSentWhileShortOfSpace: while the store cannot record an attempt, the worker
// sends nothing (a send it could not settle would go out again at every scan); with room
// again, the delivery goes out once.
func TestNothingSentWhileShortOfSpace(t *testing.T) {
	p := newPartner(t)
	var free atomic.Uint64
	free.Store(1 << 40)
	now := time.Date(2026, 6, 1, 22, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	s, err := badgerstore.Open(badgerstore.Options{Dir: t.TempDir(), SyncWrites: true, Deriver: firing{p.srv.URL}, Now: clock,
		FreeSpace: func(string) (uint64, error) { return free.Load(), nil }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	raw, _ := json.Marshal(map[string]any{"id": "c1", "specversion": "1.0", "type": "Closed Queue", "source": "ivr",
		"identity": "+12263762555", "identitytype": "phone", "data": map[string]any{}})
	ev, bad := event.Decode(raw, now, event.Limits{DefaultRegion: "US"})
	if bad != nil {
		t.Fatal(bad)
	}
	res, err := s.Append(context.Background(), ws, []*event.Event{ev})
	if err != nil {
		t.Fatal(err)
	}
	senders, err := connectors.Build(nil, connectors.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var logs lockedBuffer
	w := New(Options{Store: s, Senders: senders, Now: clock, MaxAttempts: 3,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	ctx := context.Background()

	free.Store(0)
	for range 3 {
		w.dispatch(ctx)
		w.wg.Wait()
	}
	if got := p.received(); len(got) != 0 {
		t.Fatalf("sent %d times while the store was short of space", len(got))
	}
	if n := strings.Count(logs.String(), "deliveries paused"); n != 1 {
		t.Errorf("the pause logged %d times, want once:\n%s", n, logs.String())
	}

	free.Store(1 << 40)
	w.dispatch(ctx)
	w.wg.Wait()
	ds, err := s.Deliveries(ctx, ws, res[0].PersonID, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := p.received(); len(got) != 1 || len(ds) != 1 || ds[0].State != "sent" {
		t.Fatalf("with room again: %d sends, deliveries %+v", len(got), ds)
	}
}
