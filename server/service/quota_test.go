package service_test

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/openjds/jds/config"
	"github.com/openjds/jds/internal/jdstest"
	"github.com/openjds/jds/internal/pgtest"
)

// Two nodes on one PostgreSQL database divide a workspace's ingest rate: the node that
// started second counts both (each beats as it starts) and admits half the rate, with
// the whole burst, and says so when it refuses. Skipped without JDS_TEST_POSTGRES_URL.
func TestIngestQuotaDividedAmongNodes(t *testing.T) {
	b := make([]byte, 6)
	rand.Read(b)
	dbURL := pgtest.Database(t, "jds_quota_"+hex.EncodeToString(b))
	c := &jdstest.Clock{}
	c.Set(time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC))
	node := func(addr string) *env {
		return start(t, c, func(cfg *config.Config) {
			cfg.Addr = addr // nodes are named by host and address: two of them in one process
			cfg.Store.URL = dbURL
			cfg.Limits.EventsPerSecond, cfg.Limits.Burst = 10, 10
		})
	}
	node("127.0.0.1:0")
	second := node("localhost:0")
	n := 0
	batch := func(size int) (int, string) {
		var evs []map[string]any
		for range size {
			n++
			evs = append(evs, map[string]any{"id": fmt.Sprint("q", n), "specversion": "1.0", "type": "T", "source": "test",
				"identity": "+15550001111", "identitytype": "phone", "data": map[string]any{}})
		}
		r := second.Do("POST", "/publish/v1/api/events?workspaceId=sandbox", admin, evs)
		return r.Status, string(r.Body)
	}
	if status, body := batch(10); status != 202 {
		t.Fatalf("the burst: %d %s", status, body)
	}
	c.Add(time.Second) // 5 events: half the rate
	if status, body := batch(6); status != 429 || !strings.Contains(body, "its share of 10 (limits.eventsPerSecond) among 2 nodes") {
		t.Fatalf("6 events a second after the burst: %d %s, want 429 naming the share", status, body)
	}
	if status, body := batch(5); status != 202 {
		t.Fatalf("5 events a second after the burst: %d %s", status, body)
	}
}
