package service_test

import (
	"slices"
	"testing"
	"time"

	"github.com/openjds/jds/config"
	"github.com/openjds/jds/internal/jdstest"
	"github.com/openjds/jds/server/service"
)

// A workspace's own dataRetentionDays (set through the workspace API) decides its
// retention when the configuration does not name it; retention.workspaces wins over it;
// retention.default is for the rest.
func TestRetentionOfAWorkspaceSetting(t *testing.T) {
	c := &jdstest.Clock{}
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	c.Set(now)
	e := start(t, c, func(cfg *config.Config) {
		cfg.Retention.Default = 365 * config.Day
		cfg.Retention.Workspaces = map[string]config.Duration{"cctsa/pinned": 30 * config.Day}
	})
	days := func(n int) map[string]any {
		return map[string]any{"general": map[string]any{"dataRetentionDays": n}}
	}
	for id, settings := range map[string]any{"own": days(7), "pinned": days(7), "forever": days(0), "plain": map[string]any{}} {
		body := map[string]any{"id": id, "name": id, "settings": settings}
		if r := e.Do("POST", "/admin/v1/api/workspace", admin, body); r.Status != 201 {
			t.Fatalf("creating %s: %d %s", id, r.Status, r.Body)
		}
	}
	day := 24 * time.Hour
	ages := map[string]time.Duration{"a400d": 400 * day, "b100d": 100 * day, "c20d": 20 * day, "d3d": 3 * day}
	for _, ws := range []string{"own", "pinned", "forever", "plain"} {
		for _, id := range []string{"a400d", "b100d", "c20d", "d3d"} {
			e.post(ws, id, "Call", "+12263762555", now.Add(-ages[id]))
		}
	}
	e.runJob(service.JobRetention)
	for ws, want := range map[string][]string{
		"own":     {"d3d"},                           // its own 7 days
		"pinned":  {"d3d", "c20d"},                   // the config's 30 days, not its own 7
		"forever": {"d3d", "c20d", "b100d", "a400d"}, // its own 0: kept forever
		"plain":   {"d3d", "c20d", "b100d"},          // retention.default
	} {
		if got := e.history(ws, "+12263762555"); !slices.Equal(got, want) {
			t.Errorf("history of %s after retention = %v, want %v", ws, got, want)
		}
	}
	// Changing the setting changes the next run.
	if r := e.Do("PUT", "/admin/v1/api/workspace/workspace-id/plain", admin, map[string]any{"name": "plain", "settings": days(50)}); r.Status != 200 {
		t.Fatalf("PUT: %d %s", r.Status, r.Body)
	}
	e.runJob(service.JobRetention)
	if got := e.history("plain", "+12263762555"); !slices.Equal(got, []string{"d3d", "c20d"}) {
		t.Errorf("plain after its own 50 days = %v", got)
	}
}
