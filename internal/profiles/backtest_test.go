package profiles

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/ingest"
	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/internal/store/badgerstore"
	"github.com/openjds/jds/rules"
)

// The bounds of a backtest: firings listed (the earliest, the count goes on) and
// events scanned (past it, truncated).
func TestBacktestBounds(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	sets := NewSets()
	d := NewDeriver(sets, quiet, nil)
	t0 := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	now := t0
	s, err := badgerstore.Open(badgerstore.Options{Dir: t.TempDir(), Deriver: d, Logger: quiet, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	e, err := Open(ctx, s, sets, quiet, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	pipe := ingest.New(s, ingest.Options{Prepare: []store.Preparer{d}})
	ws := store.Workspace{Org: "o", Name: "w"}
	for i := range 30 {
		at := t0.Add(time.Duration(i) * time.Minute)
		raw := fmt.Sprintf(`{"id":"e%02d","specversion":"1.0","type":"Call","source":"t","identity":"a@example.com","identitytype":"email","time":%q,"data":{}}`, i, at.Format(time.RFC3339))
		ev, bad := event.Decode([]byte(raw), at, event.Limits{})
		if bad != nil {
			t.Fatal(bad.Errors)
		}
		if _, err := pipe.Append(ctx, ws, []*event.Event{ev}); err != nil {
			t.Fatal(err)
		}
	}
	now = t0.Add(time.Hour)
	tpl, err := rules.Compile(&rules.Template{Name: "T", Attributes: []rules.Attribute{{DisplayName: "calls", Event: "Call",
		AggregationMode: "Count", LookBackDurationType: "hours", LookBackPeriod: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	a, err := e.CompileAction(ws, tpl, &rules.Action{Name: "A", Condition: "calls >= 1",
		ActionTriggers: []rules.Trigger{{Type: "Connector", Connector: "x"}}})
	if err != nil {
		t.Fatal(err)
	}
	b := Backtest{Action: a, From: t0, To: now, MaxFirings: 5}
	res, err := e.Backtest(ctx, ws, b)
	if err != nil {
		t.Fatal(err)
	}
	if res.FiringsTotal != 30 || len(res.Firings) != 5 || res.Firings[0].EventID != "e00" || res.Firings[4].EventID != "e04" || res.Truncated || res.Events != 30 {
		t.Fatalf("firings capped: %+v", res)
	}
	b.MaxEvents = 10
	res, err = e.Backtest(ctx, ws, b)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Truncated || !strings.Contains(res.TruncatedReason, "more than 10 events") || res.Events != 10 || res.Persons != 0 {
		t.Fatalf("events capped: %+v", res)
	}
	// A cancelled run is truncated, not an error.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if res, err = e.Backtest(cctx, ws, Backtest{Action: a, From: t0, To: now}); err != nil || !res.Truncated {
		t.Fatalf("cancelled: %+v %v", res, err)
	}
}
