package badgerstore

import (
	"testing"

	"github.com/openjds/jds/internal/store/storetest"
)

// TestExpireEventsInChunks runs retention over more persons and events than one
// transaction takes, and checks that the chunks add up with nothing missed or counted
// twice.
func TestExpireEventsInChunks(t *testing.T) {
	s := openWith(t, Options{InMemory: true, Deriver: storetest.Tally{}})
	if got := storetest.ExpireEventsInChunks(t, s, retentionChunk+10); got.Chunks < 3 {
		t.Fatalf("ExpireEvents = %+v, want several chunks", got)
	}
}
