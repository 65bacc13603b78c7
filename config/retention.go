package config

import (
	"maps"
	"slices"
	"strings"
	"time"
)

// Retention says how long events are kept. The retention job deletes, on its schedule,
// every event whose time is older than its workspace's period; persons and their
// aliases stay (they are identities, not events), and so do journey-action deliveries.
type Retention struct {
	// Default is the period of every workspace that Workspaces does not list. 0 keeps
	// events forever.
	Default Duration `yaml:"default"`
	// Schedule is the cron schedule of the retention job.
	Schedule string `yaml:"schedule"`
	// Workspaces sets the period of some workspaces, keyed "<organization>/<workspace>"
	// or "<workspace>" (that workspace name in every organization); the first form wins.
	// 0 keeps that workspace's events forever.
	Workspaces map[string]Duration `yaml:"workspaces"`
}

// minRetention guards against a unit typo ("30m" for "30d") deleting almost everything.
const minRetention = Day

// For returns the retention period of a workspace; 0 means its events are kept forever.
func (r Retention) For(org, workspace string) time.Duration {
	if d, ok := r.Named(org, workspace); ok {
		return d
	}
	return time.Duration(r.Default)
}

// Named returns the period Workspaces sets for a workspace, and whether it names it.
func (r Retention) Named(org, workspace string) (time.Duration, bool) {
	if d, ok := r.Workspaces[org+"/"+workspace]; ok {
		return time.Duration(d), true
	}
	if d, ok := r.Workspaces[workspace]; ok && !strings.Contains(workspace, "/") {
		return time.Duration(d), true
	}
	return 0, false
}

func (r Retention) problems(ps *problems) {
	period := func(path string, d Duration) {
		if d != 0 && d < minRetention {
			ps.add(path, "must be 0 (keep forever) or at least 1d, got %s", d)
		}
	}
	period("retention.default", r.Default)
	if err := checkSchedule(r.Schedule); err != nil {
		ps.add("retention.schedule", "%v", err)
	}
	for _, key := range slices.Sorted(maps.Keys(r.Workspaces)) {
		path := "retention.workspaces." + key
		if problem := workspaceKeyProblem(key); problem != "" {
			ps.add(path, "%s", problem)
			continue
		}
		period(path, r.Workspaces[key])
	}
}
