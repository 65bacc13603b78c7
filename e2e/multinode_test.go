//go:build e2e

package e2e

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openjds/jds/internal/pgtest"
	"github.com/openjds/jds/internal/sas"
)

// Several jds nodes on one PostgreSQL database, as docs/DEPLOY.md deploys them: real
// binaries, a real server (JDS_TEST_POSTGRES_URL, which scripts/test.sh sets), a
// database of the test's own.

// newDatabase creates a database for the test, dropped when it ends (after its nodes are
// killed: call it before starting them), and returns its URL; without a server named by
// $JDS_TEST_POSTGRES_URL it skips the test.
func newDatabase(t *testing.T) string {
	t.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	return pgtest.Database(t, "jds_e2e_"+hex.EncodeToString(b))
}

// clusterConfig writes the configuration every node shares: the database, a rule
// directory (a profile counting Queued Caller events; an action sending each Closed
// Queue event to hook), a flow answering that count, the outbox sweep every second (the
// job whose runs are counted) and a short delivery lease (a dead node's sends are
// retried soon).
func clusterConfig(t *testing.T, dir, dbURL, hook string) string {
	t.Helper()
	countingConfig(t, dir) // rules/count.yaml: the Crash Count profile (its jds.yaml is replaced below)
	rulesDir, flowsDir := filepath.Join(dir, "rules"), filepath.Join(dir, "flows")
	for _, d := range []string{rulesDir, flowsDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string]string{
		filepath.Join(rulesDir, "cluster.yaml"): closedQueueTemplate + everyCall(hook),
		filepath.Join(flowsDir, "calls.yaml"): `description: How often the caller queued.
identity: ani
bindings:
  calls: profile("Crash Count").calls ?? 0
rules:
  - name: count
    respond: {calls: "${calls}"}
fallback: {calls: 0}
`,
		filepath.Join(dir, "jds.yaml"): fmt.Sprintf(`keys: [{name: k, organization: %s, secret: %s}]
admins: [%s]
rulesDir: %s
flowsDir: %s
store:
  url: %q
  postgres: {maxConns: 8, lease: 3s}
delivery: {sweepSchedule: "@every 1s"}
`, org, secret, org, rulesDir, flowsDir, dbURL),
	}
	for path, body := range files {
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "jds.yaml")
}

func adminTok(perm string) string {
	return sas.Sign(org, "*", "admin", perm, time.Now().Add(time.Hour), "k", []byte(secret))
}

// getJSON reads path of s into out, failing the test unless it answers 200.
func (s *server) getJSON(t *testing.T, path, token string, out any) {
	t.Helper()
	r := s.do(t, "GET", path, token, nil)
	if r.status != 200 {
		t.Fatalf("GET %s%s: %d %s", s.base, path, r.status, r.body)
	}
	if err := json.Unmarshal(r.body, out); err != nil {
		t.Fatalf("GET %s: %v: %s", path, err, r.body)
	}
}

// TestMultiNode runs three nodes on one fresh database: what one is told, any answers at
// once; a live stream on one sees what another ingests; a reload asked of one is done by
// all; a scheduled job runs once per instant across them; and kill -9 of one in the
// middle of a burst of deliveries loses no acknowledged event and sends each delivery at
// most twice, with one idempotency key.
func TestMultiNode(t *testing.T) {
	dbURL := newDatabase(t)
	hook := newPartner(t, func(i int, r *http.Request, _ http.ResponseWriter) int {
		if r.URL.Path != "/every" {
			return 404
		}
		return hold(r, time.Duration(150+(i%8)*50)*time.Millisecond, 200)
	})
	dir := t.TempDir()
	cfg := clusterConfig(t, dir, dbURL, hook.URL)
	started := time.Now()
	nodes := make([]*server, 3)
	var wg sync.WaitGroup
	for i := range nodes {
		wg.Add(1)
		go func() { // together: they migrate the new database under its lock
			defer wg.Done()
			nodes[i] = startServer(t, filepath.Join(dir, fmt.Sprintf("data%d", i)), cfg)
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	logs := func() string {
		var b strings.Builder
		for i, n := range nodes {
			fmt.Fprintf(&b, "--- node %d:\n%s\n", i, n.logs)
		}
		return b.String()
	}

	t.Run("AnyNodeAnswersAtOnce", func(t *testing.T) {
		flowTok := tok("flow", "rw")
		for i := range 12 {
			ident := fmt.Sprintf("+1555030%04d", i%3)
			id := fmt.Sprintf("mn-%02d", i)
			in, history, profile := nodes[i%3], nodes[(i+1)%3], nodes[(i+2)%3]
			in.postEvent(t, id, "Queued Caller", ident)
			ids := historyIDs(t, history, ident)
			if len(ids) == 0 || ids[0] != id {
				t.Fatalf("right after %s's 202 from %s, %s's history of %s begins %v", id, in.base, history.base, ident, ids)
			}
			want := i/3 + 1
			if got := profileCount(t, profile, ident); got != want {
				t.Fatalf("right after %s's 202, %s's profile of %s counts %d, want %d", id, profile.base, ident, got, want)
			}
			r := nodes[i%3].do(t, "POST", "/v1/flows/calls", flowTok, map[string]any{"ani": ident})
			if r.status != 200 || strings.TrimSpace(string(r.body)) != fmt.Sprintf(`{"calls":%d}`, want) {
				t.Fatalf("flow calls on %s: %d %s, want calls %d", nodes[i%3].base, r.status, r.body, want)
			}
		}
	})

	t.Run("LiveStreamSeesOtherNodes", func(t *testing.T) {
		const ident = "+15550400001"
		nodes[0].postEvent(t, "live-0", "Queued Caller", ident) // the person to follow
		req, _ := http.NewRequest("GET", nodes[1].base+"/v1/api/events/stream/workspace-id/"+workspace+"/identity/"+url.PathEscape(ident), nil)
		req.Header.Set("Authorization", tok("stream", "r"))
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		res, err := http.DefaultClient.Do(req.WithContext(ctx))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("stream on node 1: %d", res.StatusCode)
		}
		lines := bufio.NewScanner(res.Body)
		for lines.Scan() && !strings.HasPrefix(lines.Text(), ": connected") {
		}
		want := []string{"live-1", "live-2", "live-3"}
		posted := time.Now()
		for i, id := range want {
			nodes[[]int{0, 2, 0}[i]].postEvent(t, id, "Queued Caller", ident)
		}
		var got []string
		for len(got) < len(want) && lines.Scan() {
			// live-0 may come too: node 0's notice of it can reach node 1 after the
			// stream opened.
			if id, ok := strings.CutPrefix(lines.Text(), "id: "); ok && id != "live-0" {
				got = append(got, id)
			}
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("node 1's stream saw %v, want %v (posted to nodes 0 and 2)\n%s", got, want, logs())
		}
		t.Logf("node 1's stream saw the events of nodes 0 and 2 within %s", time.Since(posted).Round(time.Millisecond))
	})

	t.Run("ReloadOnEveryNode", func(t *testing.T) {
		type status struct {
			Data struct {
				Reloads uint64 `json:"reloads"`
				Version string `json:"version"`
				Node    string `json:"node"`
				Nodes   []struct {
					Node    string `json:"node"`
					Version string `json:"version"`
					Reloads uint64 `json:"reloads"`
				} `json:"nodes"`
			}
		}
		read := func(n *server) status {
			var st status
			n.getJSON(t, "/admin/v1/api/rules", adminTok("r"), &st)
			return st
		}
		before := make([]status, len(nodes))
		for i, n := range nodes {
			before[i] = read(n)
		}
		if v := before[0].Data.Version; len(before[2].Data.Nodes) != 3 || v == "" {
			t.Fatalf("node 2 lists what the nodes loaded: %+v, want 3 nodes", before[2].Data)
		}
		for _, l := range before[2].Data.Nodes {
			if l.Version != before[0].Data.Version {
				t.Errorf("node %s loaded version %s, node 0 %s", l.Node, l.Version, before[0].Data.Version)
			}
		}
		// No file changed: only the request makes the others reload.
		asked := time.Now()
		if r := nodes[0].do(t, "POST", "/admin/v1/api/rules/reload", adminTok("rw"), nil); r.status != 200 {
			t.Fatalf("reload on node 0: %d %s", r.status, r.body)
		}
		waitFor(t, time.Second, func() string { return fmt.Sprintf("not every node reloaded within a second\n%s", logs()) }, func() bool {
			for i, n := range nodes {
				if read(n).Data.Reloads != before[i].Data.Reloads+1 {
					return false
				}
			}
			return true
		})
		t.Logf("every node reloaded within %s of the request to node 0", time.Since(asked).Round(time.Millisecond))
		waitFor(t, 2*time.Second, func() string { return fmt.Sprintf("the nodes' records: %+v", read(nodes[1]).Data.Nodes) }, func() bool {
			for _, l := range read(nodes[1]).Data.Nodes {
				if l.Reloads != before[0].Data.Reloads+1 {
					return false
				}
			}
			return true
		})
	})

	t.Run("Kill9InBurst", func(t *testing.T) {
		const n = 60
		var mu sync.Mutex
		acked := map[string]bool{}
		idents := map[string]string{} // event → its caller's identity, one per event
		for i := range n {
			idents[fmt.Sprintf("k9-%02d", i)] = fmt.Sprintf("+1555050%04d", i)
		}
		var posting sync.WaitGroup
		killed := make(chan struct{})
		for c := range 6 {
			posting.Add(1)
			go func() {
				defer posting.Done()
				for i := c; i < n; i += 6 {
					if i >= n/2 && c%3 == 0 {
						<-killed // the second half of node 0's share is posted after its death: refused
					}
					id := fmt.Sprintf("k9-%02d", i)
					if err := nodes[c%3].post(id, "Closed Queue", idents[id]); err == nil {
						mu.Lock()
						acked[id] = true
						mu.Unlock()
					}
				}
			}()
		}
		answered := func() map[string]int { // idempotency key → requests answered 200
			m := map[string]int{}
			for _, h := range hook.snapshot() {
				if h.status == 200 {
					m[h.key]++
				}
			}
			return m
		}
		waitFor(t, 15*time.Second, func() string { return fmt.Sprintf("no delivery answered\n%s", logs()) },
			func() bool { return len(answered()) >= 5 })
		nodes[0].kill(t)
		close(killed)
		posting.Wait()
		mu.Lock()
		nAcked := len(acked)
		mu.Unlock()
		inFlight := 0
		for _, h := range hook.snapshot() {
			if h.status == 0 {
				inFlight++
			}
		}
		t.Logf("node 0 killed with %d deliveries answered and %d in flight; %d of %d events acknowledged", len(answered()), inFlight, nAcked, n)

		// Every acknowledged event is stored, and its delivery sent once in jds's records.
		live := nodes[1]
		var ds []delivery
		waitFor(t, 20*time.Second, func() string {
			return fmt.Sprintf("%d deliveries recorded (want %d sent): %+v\n%s", len(ds), nAcked, ds, logs())
		}, func() bool {
			ds = live.deliveries(t, "history")
			sent := map[string]bool{}
			for _, d := range ds {
				if d.State == "sent" {
					sent[d.Payload.EventID] = true
				}
			}
			for id := range acked {
				if !sent[id] {
					return false
				}
			}
			return true
		})
		perEvent := map[string]int{}
		byKey := map[string]delivery{}
		for _, d := range ds {
			perEvent[d.Payload.EventID]++
			byKey[d.ID] = d
		}
		for id := range acked {
			if got := historyIDs(t, nodes[2], idents[id]); len(got) != 1 || got[0] != id {
				t.Errorf("acknowledged event %s: history %v", id, got)
			}
			if perEvent[id] != 1 {
				t.Errorf("event %s has %d deliveries, want 1", id, perEvent[id])
			}
		}
		// The partner: each delivery at most twice (a send node 0 had in flight, again by
		// another node after the lease), always with the delivery's own key.
		received := map[string]int{}
		for _, h := range hook.snapshot() {
			received[h.key]++
			if d, ok := byKey[h.key]; !ok || d.Payload.EventID != h.event {
				t.Errorf("the partner received key %q for event %s: no such delivery in jds", h.key, h.event)
			}
		}
		repeats := 0
		for key, d := range byKey {
			switch c := received[key]; {
			case c == 0 && d.State == "sent":
				t.Errorf("delivery %s (event %s) is sent but never reached the partner", key, d.Payload.EventID)
			case c > 2:
				t.Errorf("delivery %s (event %s) reached the partner %d times, want at most 2", key, d.Payload.EventID, c)
			case c == 2:
				repeats++
			}
		}
		t.Logf("%d deliveries, %d repeated once with the same key after the kill", len(byKey), repeats)
	})

	t.Run("JobOncePerInstant", func(t *testing.T) {
		type job struct {
			Name      string `json:"name"`
			Runs      int64  `json:"runs"`
			Elsewhere int64  `json:"elsewhere"`
			LastRun   *struct {
				Node string `json:"node"`
			} `json:"lastRun"`
		}
		var runs, elsewhere int64
		names := map[string]bool{}
		live := nodes[1:] // node 0 is dead: its runs are lost with it, so count from here
		from := time.Now()
		counts := make([]int64, len(live))
		for i, n := range live {
			var body struct{ Data job }
			n.getJSON(t, "/admin/v1/api/jobs/outbox-sweep", adminTok("r"), &body)
			counts[i] = body.Data.Runs
		}
		time.Sleep(3 * time.Second)
		for i, n := range live {
			var body struct{ Data job }
			n.getJSON(t, "/admin/v1/api/jobs/outbox-sweep", adminTok("r"), &body)
			runs += body.Data.Runs - counts[i]
			elsewhere += body.Data.Elsewhere
			if body.Data.LastRun != nil {
				names[body.Data.LastRun.Node] = true
			}
		}
		seconds := int64(time.Since(from)/time.Second) + 2 // the whole seconds the window touched
		if runs < 1 || runs > seconds {
			t.Errorf("the outbox sweep (@every 1s) ran %d times on the two nodes in %s, want 1..%d: once per second between them",
				runs, time.Since(from).Round(time.Millisecond), seconds)
		}
		if elsewhere == 0 {
			t.Errorf("no node counts a run made elsewhere")
		}
		if len(names) == 0 {
			t.Errorf("the jobs API names no node that ran the sweep")
		}
		t.Logf("outbox sweep: %d runs on the two live nodes in %s; %d runs seen made elsewhere since the start; last by %v",
			runs, time.Since(from).Round(time.Millisecond), elsewhere, names)
	})
	t.Logf("three nodes, all of it, in %s", time.Since(started).Round(time.Millisecond))
}
