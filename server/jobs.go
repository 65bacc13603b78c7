package server

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/scheduler"
)

// Scheduled jobs (ext): their status at GET /admin/v1/api/jobs, one job at
// GET /admin/v1/api/jobs/{name}, a run on demand at POST /admin/v1/api/jobs/{name}/run,
// and their metrics. Jobs belong to the whole instance, not to a workspace (retention
// and expiry run over every organization): only an instance admin's token may read
// them and run one (scope.go).

func (s *Server) jobRoutes() {
	a := s.app
	a.Get("/admin/v1/api/jobs", s.instanceAdmin(false), s.listJobs)
	a.Get("/admin/v1/api/jobs/:name", s.instanceAdmin(false), s.getJob)
	a.Post("/admin/v1/api/jobs/:name/run", s.instanceAdmin(true), s.runJob)
}

// jobView is a job's status as the API shows it: times in RFC 3339 with milliseconds,
// null when there is none; the duration in seconds.
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
	Skipped             int64   `json:"skipped"`
	// With several nodes on one store: the scheduled runs another node made, and the
	// job's last run on any node (which node, when).
	Elsewhere int64          `json:"elsewhere,omitempty"`
	LastRun   *sharedRunView `json:"lastRun,omitempty"`
}

// sharedRunView is a job's last run among the nodes sharing the store.
type sharedRunView struct {
	Node            string  `json:"node"`
	ScheduledFor    *string `json:"scheduledFor"` // null for a run asked for by hand
	Start           *string `json:"start"`
	DurationSeconds float64 `json:"durationSeconds"`
	Finished        bool    `json:"finished"`
	Error           *string `json:"error"`
}

func viewJob(j scheduler.JobStatus) jobView {
	at := func(t time.Time) *string {
		if t.IsZero() {
			return nil
		}
		s := t.UTC().Format(event.TimeLayout)
		return &s
	}
	v := jobView{
		Name: j.Name, Schedule: j.Schedule, Running: j.Running,
		LastStart: at(j.LastStart), LastDurationSeconds: j.LastDuration.Seconds(),
		LastSuccess: at(j.LastSuccess), NextRun: at(j.NextRun),
		Runs: j.Runs, Failures: j.Failures, Skipped: j.Skipped,
	}
	if j.LastError != "" {
		v.LastError = &j.LastError
	}
	v.Elsewhere = j.Elsewhere
	if r := j.Shared; r != nil {
		v.LastRun = &sharedRunView{Node: r.Node, ScheduledFor: at(r.At), Start: at(r.Start),
			DurationSeconds: r.Duration.Seconds(), Finished: r.Finished}
		if r.Error != "" {
			v.LastRun.Error = &r.Error
		}
	}
	return v
}

// adminMeta checks the request's token again (instanceAdmin has let it through) and
// returns the envelope's meta.
func (s *Server) adminMeta(c *fiber.Ctx) (fiber.Map, error) {
	a, _ := c.Locals(localToken).(*access)
	if a == nil {
		return nil, errors.New("route without auth")
	}
	if err := a.token.Allow(a.service, a.write, a.token.Org, a.token.Workspace); err != nil {
		return nil, newError(http.StatusForbidden, err.Error())
	}
	return fiber.Map{"organizationId": strings.Clone(a.token.Org), "workspaceId": strings.Clone(a.token.Workspace)}, nil
}

func (s *Server) listJobs(c *fiber.Ctx) error {
	m, err := s.adminMeta(c)
	if err != nil {
		return err
	}
	out := []jobView{}
	if s.jobs != nil {
		for _, j := range s.jobs.Jobs() {
			out = append(out, viewJob(j))
		}
	}
	m["resultCount"] = len(out)
	return c.JSON(envelope{Meta: m, Data: out})
}

func (s *Server) getJob(c *fiber.Ctx) error {
	m, err := s.adminMeta(c)
	if err != nil {
		return err
	}
	j, err := s.job(c.Params("name"))
	if err != nil {
		return err
	}
	return c.JSON(envelope{Meta: m, Data: viewJob(j)})
}

// runJob starts a run of the job now, in the background (a retention run may take
// longer than a request may), and answers 202 with the job's status; the outcome shows
// in the status later. 409 when the job is running already.
func (s *Server) runJob(c *fiber.Ctx) error {
	m, err := s.adminMeta(c)
	if err != nil {
		return err
	}
	name := strings.Clone(c.Params("name"))
	if _, err := s.job(name); err != nil {
		return err
	}
	switch err := s.jobs.Trigger(name); {
	case errors.Is(err, scheduler.ErrRunning):
		return newError(http.StatusConflict, err.Error())
	case errors.Is(err, scheduler.ErrStopped):
		return newError(http.StatusServiceUnavailable, "shutting down")
	case err != nil:
		return err
	}
	j, err := s.job(name)
	if err != nil {
		return err
	}
	return c.Status(http.StatusAccepted).JSON(envelope{Meta: m, Data: viewJob(j)})
}

func (s *Server) job(name string) (scheduler.JobStatus, error) {
	if s.jobs == nil {
		return scheduler.JobStatus{}, newError(http.StatusNotFound, fmt.Sprintf("no job named %q", name))
	}
	j, err := s.jobs.Job(name)
	if errors.Is(err, scheduler.ErrUnknownJob) {
		return j, newError(http.StatusNotFound, fmt.Sprintf("no job named %q", name))
	}
	return j, err
}

// jobCollector reads the scheduler's jobs at scrape time, so that jobs added after the
// server was built (pollers) are exported too.
type jobCollector struct {
	jobs                                   *scheduler.Scheduler
	lastRun, lastSuccess, duration, result *prometheus.Desc
	runs, running                          *prometheus.Desc
}

// watchJobs exports the scheduler's jobs: when each last ran and succeeded, how long
// the last run took and whether it succeeded, whether it is running, and its runs by
// result (success, failure, skipped).
func (m *Metrics) watchJobs(jobs *scheduler.Scheduler) {
	if jobs == nil {
		return
	}
	job := []string{"job"}
	m.reg.MustRegister(&jobCollector{
		jobs: jobs,
		lastRun: prometheus.NewDesc("jds_job_last_run_timestamp_seconds",
			"When the job's last run began (Unix time); absent before its first run.", job, nil),
		lastSuccess: prometheus.NewDesc("jds_job_last_success_timestamp_seconds",
			"When the job's last successful run began (Unix time); absent before the first success.", job, nil),
		duration: prometheus.NewDesc("jds_job_last_duration_seconds",
			"How long the job's last finished run took.", job, nil),
		result: prometheus.NewDesc("jds_job_last_run_success",
			"1 when the job's last finished run succeeded, 0 when it failed (its error is at /admin/v1/api/jobs).", job, nil),
		running: prometheus.NewDesc("jds_job_running",
			"1 while a run of the job is in progress.", job, nil),
		runs: prometheus.NewDesc("jds_job_runs_total",
			"Runs of the job by result: success, failure, or skipped (the previous run was still in progress).", []string{"job", "result"}, nil),
	})
}

func (c *jobCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.lastRun, c.lastSuccess, c.duration, c.result, c.running, c.runs} {
		ch <- d
	}
}

func (c *jobCollector) Collect(ch chan<- prometheus.Metric) {
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	for _, j := range c.jobs.Jobs() {
		if !j.LastStart.IsZero() {
			gauge(c.lastRun, float64(j.LastStart.UnixMilli())/1e3, j.Name)
		}
		if !j.LastSuccess.IsZero() {
			gauge(c.lastSuccess, float64(j.LastSuccess.UnixMilli())/1e3, j.Name)
		}
		if j.Runs > 0 {
			gauge(c.duration, j.LastDuration.Seconds(), j.Name)
			ok := 1.0
			if j.LastError != "" {
				ok = 0
			}
			gauge(c.result, ok, j.Name)
		}
		running := 0.0
		if j.Running {
			running = 1
		}
		gauge(c.running, running, j.Name)
		for _, r := range []struct {
			result string
			n      int64
		}{{"success", j.Runs - j.Failures}, {"failure", j.Failures}, {"skipped", j.Skipped}} {
			ch <- prometheus.MustNewConstMetric(c.runs, prometheus.CounterValue, float64(r.n), j.Name, r.result)
		}
	}
}
