package service_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openjds/jds/config"
	"github.com/openjds/jds/internal/jdstest"
	"github.com/openjds/jds/internal/sas"
	"github.com/openjds/jds/server/service"
)

// These tests run the whole service on a random port with a fake clock, as the binary
// runs it, and drive the scheduled jobs with RunNow (or the admin API) instead of
// waiting for their schedules.

// env is a whole jds (see jdstest.Start) with the helpers of these tests.
type env struct {
	*jdstest.Env
	t *testing.T
}

func start(t *testing.T, c *jdstest.Clock, mutate func(*config.Config)) *env {
	t.Helper()
	return &env{Env: jdstest.Start(t, c, mutate), t: t}
}

func (e *env) runJob(name string) {
	e.t.Helper()
	if err := e.Service.Jobs().RunNow(context.Background(), name); err != nil {
		e.t.Fatalf("job %s: %v", name, err)
	}
}

var admin = jdstest.AdminToken()

func (e *env) decode(r jdstest.Response, want int, v any) {
	e.t.Helper()
	if r.Status != want {
		e.t.Fatalf("status %d, want %d: %s", r.Status, want, r.Body)
	}
	if err := json.Unmarshal(r.Body, v); err != nil {
		e.t.Fatalf("%v: %s", err, r.Body)
	}
}

func (e *env) post(ws, id, typ, ident string, at time.Time) {
	e.t.Helper()
	ev := map[string]any{"id": id, "specversion": "1.0", "type": typ, "source": "test", "identity": ident,
		"identitytype": "phone", "data": map[string]any{"queue": "Billing"}, "time": at.Format(time.RFC3339Nano)}
	if r := e.Do("POST", "/publish/v1/api/event?workspaceId="+ws, admin, ev); r.Status != 202 {
		e.t.Fatalf("posting %s: %d %s", id, r.Status, r.Body)
	}
}

func (e *env) history(ws, ident string) []string {
	e.t.Helper()
	var body struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	e.decode(e.Do("GET", "/v1/api/events/workspace-id/"+ws+"?identity="+ident+"&pageSize=1000", admin, nil), 200, &body)
	ids := []string{}
	for _, d := range body.Data {
		ids = append(ids, d.ID)
	}
	return ids
}

func (e *env) writeRules(name, body string) {
	e.t.Helper()
	jdstest.WriteFile(e.t, filepath.Join(e.Config.RulesDir, name), body)
	if r := e.Do("POST", "/admin/v1/api/rules/reload", admin, nil); r.Status != 200 {
		e.t.Fatalf("reload: %d %s", r.Status, r.Body)
	}
}

type jobView struct {
	Name                string  `json:"name"`
	Schedule            string  `json:"schedule"`
	Running             bool    `json:"running"`
	LastStart           *string `json:"lastStart"`
	LastDurationSeconds float64 `json:"lastDurationSeconds"`
	LastError           *string `json:"lastError"`
	LastSuccess         *string `json:"lastSuccess"`
	NextRun             *string `json:"nextRun"`
	Runs                int64   `json:"runs"`
	Failures            int64   `json:"failures"`
}

func (e *env) jobs(tok string) (int, map[string]jobView) {
	e.t.Helper()
	r := e.Do("GET", "/admin/v1/api/jobs", tok, nil)
	if r.Status != 200 {
		return r.Status, nil
	}
	var body struct {
		Meta map[string]any `json:"meta"`
		Data []jobView      `json:"data"`
	}
	e.decode(r, 200, &body)
	if body.Meta["organizationId"] != jdstest.Org || body.Meta["resultCount"] != float64(len(body.Data)) {
		e.t.Errorf("meta = %v", body.Meta)
	}
	out := map[string]jobView{}
	for _, j := range body.Data {
		out[j.Name] = j
	}
	return r.Status, out
}

func TestJobsAPIAndMetrics(t *testing.T) {
	c := &jdstest.Clock{}
	t0 := time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)
	c.Set(t0)
	e := start(t, c, func(cfg *config.Config) { cfg.Retention.Schedule = "0 4 * * *" })

	status, jobs := e.jobs(admin)
	if status != 200 {
		t.Fatalf("GET jobs = %d", status)
	}
	for name, spec := range map[string]string{
		service.JobValueLogGC: "@every 10m", service.JobExpireAnon: "@every 10m",
		service.JobRetention: "0 4 * * *", service.JobOutboxSweep: "@every 1m",
	} {
		j, ok := jobs[name]
		if !ok || j.Schedule != spec || j.NextRun == nil || j.LastStart != nil || j.Runs != 0 || j.Running {
			t.Errorf("job %s = %+v (listed %v), want schedule %q, a next run, never run", name, j, ok, spec)
		}
	}

	// Only admin tokens see or run jobs.
	for _, tok := range []string{jdstest.Token("tape", "r", "*"), jdstest.Token("action", "rw", "sandbox"), jdstest.Token("profile", "rw", "*")} {
		if status, _ := e.jobs(tok); status != 403 {
			t.Errorf("GET jobs with %s = %d, want 403", tok[:40], status)
		}
		if r := e.Do("POST", "/admin/v1/api/jobs/retention/run", tok, nil); r.Status != 403 {
			t.Errorf("POST run with a non-admin token = %d, want 403", r.Status)
		}
	}
	if status, _ := e.jobs(""); status != 401 {
		t.Errorf("GET jobs without a token = %d, want 401", status)
	}
	// Jobs span every organization: an admin token of one workspace is not enough.
	if status, _ := e.jobs(jdstest.Token(sas.ServiceAdmin, "r", "sandbox")); status != 403 {
		t.Errorf("GET jobs with a workspace admin token = %d, want 403", status)
	}

	// Run one now through the API: 202 at once, the outcome in the status.
	var started struct{ Data jobView }
	e.decode(e.Do("POST", "/admin/v1/api/jobs/retention/run", admin, nil), 202, &started)
	if started.Data.Name != service.JobRetention || started.Data.LastStart == nil {
		t.Errorf("POST run answered %+v", started.Data)
	}
	jdstest.WaitFor(t, "the run to finish", func() bool {
		_, jobs := e.jobs(admin)
		return jobs[service.JobRetention].Runs == 1 && !jobs[service.JobRetention].Running
	})
	_, jobs = e.jobs(admin)
	j := jobs[service.JobRetention]
	if j.LastError != nil || j.Failures != 0 || *j.LastStart != "2026-03-10T09:30:00.000Z" || *j.LastSuccess != *j.LastStart {
		t.Errorf("after a run: %+v", j)
	}
	var one struct{ Data jobView }
	e.decode(e.Do("GET", "/admin/v1/api/jobs/retention", admin, nil), 200, &one)
	if one.Data.Runs != 1 {
		t.Errorf("GET one job = %+v", one.Data)
	}
	if r := e.Do("POST", "/admin/v1/api/jobs/nope/run", admin, nil); r.Status != 404 || !strings.Contains(string(r.Body), `no job named \"nope\"`) {
		t.Errorf("POST run of an unknown job = %d %s", r.Status, r.Body)
	}

	// Jobs added after the start (pollers) are served and exported too.
	polled := make(chan struct{}, 1)
	if err := e.Service.Jobs().Add("poll:sms-replies", "@every 1m", func(context.Context) error { polled <- struct{}{}; return nil }); err != nil {
		t.Fatal(err)
	}
	if r := e.Do("POST", "/admin/v1/api/jobs/poll:sms-replies/run", admin, nil); r.Status != 202 {
		t.Fatalf("POST run of a poller = %d %s", r.Status, r.Body)
	}
	<-polled
	jdstest.WaitFor(t, "the poller's run", func() bool { _, jobs := e.jobs(admin); return jobs["poll:sms-replies"].Runs == 1 })

	// Prometheus.
	e.runJob(service.JobOutboxSweep)
	r := e.Do("GET", "/metrics", "", nil)
	for _, want := range []string{
		`jds_job_runs_total{job="retention",result="success"} 1`,
		`jds_job_runs_total{job="retention",result="failure"} 0`,
		`jds_job_runs_total{job="outbox-sweep",result="success"} 1`,
		`jds_job_runs_total{job="value-log-gc",result="success"} 0`,
		`jds_job_last_run_success{job="retention"} 1`,
		`jds_job_last_duration_seconds{job="retention"} `,
		`jds_job_running{job="retention"} 0`,
		`jds_job_runs_total{job="poll:sms-replies",result="success"} 1`,
	} {
		if !strings.Contains(string(r.Body), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	for _, m := range []string{`jds_job_last_run_timestamp_seconds{job="retention"}`, `jds_job_last_success_timestamp_seconds{job="outbox-sweep"}`} {
		if v, ok := metric(string(r.Body), m); !ok || v != float64(t0.Unix()) {
			t.Errorf("%s = %v (present %v), want %d", m, v, ok, t0.Unix())
		}
	}
	if _, ok := metric(string(r.Body), `jds_job_last_run_timestamp_seconds{job="value-log-gc"}`); ok {
		t.Error("a job that never ran has a last-run timestamp")
	}
}

// Retention through the real service: per-workspace periods from the config, history and
// profile views afterwards.
func TestRetentionJob(t *testing.T) {
	c := &jdstest.Clock{}
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	c.Set(now)
	e := start(t, c, func(cfg *config.Config) {
		cfg.Retention.Workspaces = map[string]config.Duration{
			"cctsa/short": 30 * config.Day, // this organization's "short" workspace
			"forever":     0,               // in every organization
		}
	})
	e.writeRules("calls.yaml", `
templates:
  - name: Calls
    attributes:
      - {name: calls, displayName: Calls in ten years, event: Call, aggregationMode: Count, lookBack: 3650d}
`)
	day := 24 * time.Hour
	ages := map[string]time.Duration{"a400d": 400 * day, "b100d": 100 * day, "c10d": 10 * day}
	for _, ws := range []string{"sandbox", "short", "forever"} {
		for _, id := range []string{"a400d", "b100d", "c10d"} {
			e.post(ws, id, "Call", "+12263762555", now.Add(-ages[id]))
		}
	}
	e.runJob(service.JobRetention)

	for ws, want := range map[string][]string{
		"sandbox": {"c10d", "b100d"}, // 365 days by default
		"short":   {"c10d"},
		"forever": {"c10d", "b100d", "a400d"},
	} {
		if got := e.history(ws, "+12263762555"); !slices.Equal(got, want) {
			t.Errorf("history of %s after retention = %v, want %v", ws, got, want)
		}
	}
	// The profile's window is longer than the retention: it counts what is left.
	counts := map[string]string{}
	for _, ws := range []string{"sandbox", "short", "forever"} {
		var body struct {
			Data []struct {
				Attributes []struct {
					Result string `json:"result"`
				} `json:"attributes"`
			} `json:"data"`
		}
		e.decode(e.Do("GET", "/v1/api/progressive-profile-view/workspace-id/"+ws+"/identity/12263762555/template-name/Calls", admin, nil), 200, &body)
		counts[ws] = body.Data[0].Attributes[0].Result
	}
	if want := map[string]string{"sandbox": "2", "short": "1", "forever": "3"}; !maps.Equal(counts, want) {
		t.Errorf("profile counts after retention = %v, want %v", counts, want)
	}
	// The person stays when all its events are gone.
	c.Add(21 * day)
	e.runJob(service.JobRetention)
	if got := e.history("short", "+12263762555"); len(got) != 0 {
		t.Errorf("short after 21 more days = %v", got)
	}
	if r := e.Do("GET", "/admin/v1/api/person/workspace-id/short/aliases/%2B12263762555", admin, nil); r.Status != 200 {
		t.Errorf("the person of an emptied history: %d %s", r.Status, r.Body)
	}
	// An expired id may be posted again: it is a new event.
	e.post("short", "a400d", "Call", "+12263762555", c.Now())
	if got := e.history("short", "+12263762555"); !slices.Equal(got, []string{"a400d"}) {
		t.Errorf("re-posted expired id: history %v", got)
	}
}

// metric reads the value of one series from the Prometheus text format.
func metric(text, series string) (float64, bool) {
	for line := range strings.SplitSeq(text, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			var f float64
			_, err := fmt.Sscan(v, &f)
			return f, err == nil
		}
	}
	return 0, false
}

type delivery struct {
	ID       string    `json:"id"`
	State    string    `json:"state"`
	Attempts int       `json:"attempts"`
	Due      time.Time `json:"due"`
}

func (e *env) deliveries() []delivery {
	e.t.Helper()
	var body struct{ Data []delivery }
	e.decode(e.Do("GET", "/admin/v1/api/journey-actions/workspace-id/sandbox/history", admin, nil), 200, &body)
	return body.Data
}

// notSentBefore gives the worker time for a few polls and a sweep, then checks that the
// scheduled delivery is still pending and the partner has nothing.
func (e *env) notSentBefore(p *jdstest.Partner, due time.Time) {
	e.t.Helper()
	e.runJob(service.JobOutboxSweep)
	time.Sleep(100 * time.Millisecond) // the sweep woke the worker: it has read the outbox
	if got := p.Received(); len(got) != 0 {
		e.t.Fatalf("delivered at %s, before its time %s: %v", e.Clock.Now(), due, got)
	}
	ds := e.deliveries()
	if len(ds) != 1 || ds[0].State != "pending" || ds[0].Attempts != 0 || !ds[0].Due.Equal(due) {
		e.t.Fatalf("deliveries at %s = %+v, want one pending, due %s", e.Clock.Now(), ds, due)
	}
}

// A trigger with "at" in the future is delivered then, not before, and the schedule
// survives a restart of the service.
func TestScheduledDelivery(t *testing.T) {
	p := jdstest.NewPartner(t, 202, "")
	c := &jdstest.Clock{}
	t0 := time.Date(2026, 3, 10, 22, 0, 0, 0, time.UTC)
	c.Set(t0)
	e := start(t, c, nil)
	e.writeRules("callback.yaml", `
templates:
  - name: Closed Queue
    attributes:
      - {name: closedCalls, displayName: Closed queue calls, event: Closed Queue, aggregationMode: Count, lookBack: 1d}
actions:
  - name: Call back at opening
    template: Closed Queue
    isActive: true
    cooldown: 24h
    condition: closedCalls >= 1
    actionTriggers:
      - type: Webhook
        webhookURL: `+p.URL+`/callback
        at: ${event.time + duration("11h")}
        attributes:
          httpverb: post
          requestbody: '{"to": "${person.phone[0]}", "event": "${event.id}"}'
`)
	e.post("sandbox", "closed-1", "Closed Queue", "+12263762555", t0)
	due := t0.Add(11 * time.Hour) // 09:00 the next morning
	jdstest.WaitFor(t, "the firing", func() bool { return len(e.deliveries()) == 1 })
	e.notSentBefore(p, due)

	c.Set(due.Add(-time.Minute))
	e.notSentBefore(p, due)

	// A restart before the time keeps the schedule (the outbox is in the ledger) and
	// does not send early.
	e.Restart()
	e.notSentBefore(p, due)

	c.Set(due)
	e.runJob(service.JobOutboxSweep)
	jdstest.WaitFor(t, "the scheduled delivery", func() bool { return len(p.Received()) == 1 })
	var body map[string]any
	if err := json.Unmarshal([]byte(p.Received()[0]), &body); err != nil || body["to"] != "+12263762555" || body["event"] != "closed-1" {
		t.Fatalf("delivered body %q: %v", p.Received()[0], err)
	}
	jdstest.WaitFor(t, "the delivery recorded as sent", func() bool {
		ds := e.deliveries()
		return len(ds) == 1 && ds[0].State == "sent" && ds[0].Attempts == 1
	})
	key := p.Requests()[0].Header.Get("Idempotency-Key")
	if key != e.deliveries()[0].ID {
		t.Errorf("idempotency key %q, delivery id %q", key, e.deliveries()[0].ID)
	}
	// Once sent, it is not sent again, restart or not.
	e.Restart()
	e.runJob(service.JobOutboxSweep)
	time.Sleep(100 * time.Millisecond)
	if n := len(p.Received()); n != 1 {
		t.Fatalf("%d deliveries after a restart, want 1", n)
	}
}
