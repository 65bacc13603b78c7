package server_test

import (
	"strings"
	"testing"
	"time"

	"github.com/openjds/jds/config"
	"github.com/openjds/jds/internal/jdstest"
)

// Live streams are bounded in the instance and per workspace: past a limit a new stream
// (every SSE route) answers 429 with Retry-After and the limit's name; closing one frees
// its slot, and one workspace's cap leaves the others theirs.
func TestLiveStreamLimits(t *testing.T) {
	e := start(t, func(c *config.Config) {
		c.Stream.MaxSubscribers = 2
		c.Stream.MaxSubscribersPerWorkspace = 1
		// Heartbeats are how the server notices a client gone.
		c.Stream.Heartbeat = config.Duration(20 * time.Millisecond)
	})
	if r := e.Do("POST", "/admin/v1/api/profile-view-template/workspace-id/other", jdstest.Token("profile", "w", "other"), repeatCaller); r.Status != 201 {
		t.Fatal(r.Status, string(r.Body))
	}
	events := func(w string) string { return "/v1/api/events/stream/workspace-id/" + w + "/identity/c1" }
	profile := func(w string) string {
		return "/v1/api/progressive-profile-view/stream/workspace-id/" + w + "/identity/c1/template-name/Repeat%20Caller"
	}
	refused := func(name, path, tok, limit string) {
		t.Helper()
		r := e.Do("GET", path, tok, nil)
		if r.Status != 429 || r.Header.Get("Retry-After") == "" || !strings.Contains(r.JSON(t)["message"].(string), limit) {
			t.Fatalf("%s: %d Retry-After %q %s, want 429 naming %s", name, r.Status, r.Header.Get("Retry-After"), r.Body, limit)
		}
	}
	first := e.openStream(events(ws), jdstest.Token("stream", "r", ws))
	refused("second stream of a workspace", "/v1/journey/streams/c2?workspaceId="+ws, jdstest.Token("stream", "r", ws), "stream.maxSubscribersPerWorkspace")
	// Another workspace has its own slot; its profile stream counts like an event stream.
	e.openStream(profile("other"), jdstest.Token("profile", "r", "other"))
	refused("third stream of the instance", events("third"), jdstest.Token("stream", "r", "third"), "stream.maxSubscribers")
	refused("profile stream past the limit", profile("other"), jdstest.Token("profile", "r", "other"), "stream.maxSubscribersPerWorkspace")

	first.res.Body.Close()
	jdstest.WaitFor(t, "the closed stream's slot to free", func() bool {
		return strings.Contains(string(e.Do("GET", "/metrics", "", nil).Body), "jds_stream_subscribers 1\n")
	})
	e.openStream(events("third"), jdstest.Token("stream", "r", "third"))
	metrics := string(e.Do("GET", "/metrics", "", nil).Body)
	for _, want := range []string{`jds_stream_refused_total{limit="instance"} 1`, `jds_stream_refused_total{limit="workspace"} 2`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}
