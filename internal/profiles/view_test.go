package profiles

import (
	"fmt"
	"testing"
	"time"

	"github.com/openjds/jds/internal/store"
)

// A profile view lists the newest maxFirings firings, each with all its deliveries.
func TestFiringsKeepsTheNewest(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var ds []*store.Delivery // newest first, as Store.Deliveries lists them
	for i := maxFirings + 50; i > 0; i-- {
		payload := fmt.Sprintf(`{"id":"d%d","actionId":"a","action":"Text","eventId":"e%d"}`, i, i)
		ds = append(ds, &store.Delivery{ID: fmt.Sprint(i), Payload: []byte(payload), State: "sent", CreatedAt: t0.Add(time.Duration(i) * time.Minute)})
	}
	// A second delivery of the newest firing, listed last (its record is older).
	ds = append(ds, &store.Delivery{Payload: []byte(fmt.Sprintf(`{"actionId":"a","eventId":"e%d"}`, maxFirings+50)), State: "dead", CreatedAt: t0})

	got := firings(ds)
	if len(got) != maxFirings {
		t.Fatalf("%d firings listed, want %d", len(got), maxFirings)
	}
	if got[0].EventID != fmt.Sprintf("e%d", maxFirings+50) || got[len(got)-1].EventID != "e51" {
		t.Fatalf("firings from %s to %s, want the newest: e%d to e51", got[0].EventID, got[len(got)-1].EventID, maxFirings+50)
	}
	if fmt.Sprint(got[0].Deliveries) != "[sent dead]" {
		t.Fatalf("the newest firing's deliveries: %v, want [sent dead]", got[0].Deliveries)
	}
}
