package profiles

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/openjds/jds/connectors"
	"github.com/openjds/jds/internal/store"
)

// A profile view lists the newest maxFirings firings, each with all its deliveries.
func TestFiringsKeepsTheNewest(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var ds []*store.Delivery // newest first, as Store.Deliveries lists them
	// Payloads as the deriver queues them.
	payload := func(i int) []byte {
		b, err := json.Marshal(connectors.Delivery{ID: fmt.Sprint("d", i), ActionID: "a", Action: "Text", EventID: fmt.Sprint("e", i),
			Profile: map[string]any{"calls": 6}, Aliases: []string{"+15550000001"}})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for i := maxFirings + 50; i > 0; i-- {
		ds = append(ds, &store.Delivery{ID: fmt.Sprint(i), Payload: payload(i), State: "sent", CreatedAt: t0.Add(time.Duration(i) * time.Minute)})
	}
	// A second delivery of the newest firing, listed last (its record is older).
	ds = append(ds, &store.Delivery{Payload: payload(maxFirings + 50), State: "dead", CreatedAt: t0})

	got := firings(ds)
	if len(got) != maxFirings {
		t.Fatalf("%d firings listed, want %d", len(got), maxFirings)
	}
	if got[0].EventID != fmt.Sprintf("e%d", maxFirings+50) || got[len(got)-1].EventID != "e51" {
		t.Fatalf("firings from %s to %s, want the newest: e%d to e51", got[0].EventID, got[len(got)-1].EventID, maxFirings+50)
	}
	if got[0].ActionName != "Text" || fmt.Sprint(got[0].Deliveries) != "[sent dead]" {
		t.Fatalf("the newest firing: action %q, deliveries %v; want Text, [sent dead]", got[0].ActionName, got[0].Deliveries)
	}
}
