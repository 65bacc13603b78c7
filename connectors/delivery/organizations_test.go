package delivery

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openjds/jds/connectors"
	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/internal/store/badgerstore"
)

// syncWriter is a log the test reads while the sender writes it.
type syncWriter struct {
	mu sync.Mutex
	b  strings.Builder
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// viaConnector queues one delivery through a named connector for every event.
type viaConnector string

func (c viaConnector) Derive(st store.State, ev store.StoredEvent) error {
	payload, _ := json.Marshal(connectors.Delivery{Connector: string(c), EventID: event.ID(ev.Raw), Attributes: map[string]string{"text": "hi"}})
	_, err := st.Enqueue(payload, st.Now())
	return err
}

func (viaConnector) Rebuild(store.State, store.EventSource) error { return nil }

// A connector that lists organizations delivers only theirs: another organization's
// delivery through it (queued before the configuration changed, say) is dead at once,
// with the reason, and the instance never sees it.
func TestConnectorServesOnlyItsOrganizations(t *testing.T) {
	now := time.Date(2026, 6, 1, 22, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	s, err := badgerstore.Open(badgerstore.Options{Dir: t.TempDir(), Deriver: viaConnector("sms"), Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	logged := &syncWriter{}
	senders, err := connectors.Build([]connectors.Instance{{Name: "sms", Kind: "log", Organizations: []string{"acme"}}},
		connectors.Options{Logger: slog.New(slog.NewTextHandler(logged, nil))})
	if err != nil {
		t.Fatal(err)
	}
	w := New(Options{Store: s, Senders: senders, Now: clock, Poll: 5 * time.Millisecond,
		Organizations: map[string][]string{"sms": {"acme"}}, Logger: slog.New(slog.DiscardHandler)})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	post := func(ws store.Workspace, id string) string {
		raw, _ := json.Marshal(map[string]any{"id": id, "specversion": "1.0", "type": "Call", "source": "ivr",
			"identity": "+12263762555", "identitytype": "phone", "data": map[string]any{}})
		ev, bad := event.Decode(raw, now, event.Limits{DefaultRegion: "US"})
		if bad != nil {
			t.Fatal(bad)
		}
		res, err := s.Append(ctx, ws, []*event.Event{ev})
		if err != nil {
			t.Fatal(err)
		}
		return res[0].PersonID
	}
	settled := func(ws store.Workspace, person string) *store.Delivery {
		for range 400 {
			ds, err := s.Deliveries(ctx, ws, person, "")
			if err != nil {
				t.Fatal(err)
			}
			if len(ds) == 1 && ds[0].State != store.Pending {
				return ds[0]
			}
			time.Sleep(5 * time.Millisecond)
		}
		t.Fatalf("the delivery of %s was not settled", ws)
		return nil
	}
	acme, globex := store.Workspace{Org: "acme", Name: "sandbox"}, store.Workspace{Org: "globex", Name: "sandbox"}
	if d := settled(acme, post(acme, "a1")); d.State != store.Sent {
		t.Fatalf("its organization's delivery: %+v", d)
	}
	d := settled(globex, post(globex, "g1"))
	if d.State != store.Dead || d.Attempts != 1 || !strings.Contains(d.LastError, `the connector "sms" does not serve organization "globex"`) {
		t.Fatalf("another organization's delivery: %+v", d)
	}
	if n := strings.Count(logged.String(), "connector delivery"); n != 1 {
		t.Fatalf("the instance sent %d deliveries, want only acme's:\n%s", n, logged.String())
	}
}
