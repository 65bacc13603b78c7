package store

import (
	"context"
	"time"
)

// A store several jds processes share (PostgreSQL) makes them a cluster: the optional
// interfaces below are what the wiring uses, when the store implements them, so that
// a scheduled job runs once per cluster and a reload asked of one node is done by all.
// A store one process owns (Badger) implements neither: that process is the cluster.

// JobLock lets the nodes of a cluster share the runs of their scheduled jobs.
type JobLock interface {
	// ClaimJob claims the run of job scheduled at the instant at for this node: true
	// when it is this node's to run, false when another node claimed that run (or a
	// later one) first.
	ClaimJob(ctx context.Context, job string, at time.Time) (bool, error)
	// JobRan records a run of job this node made (scheduled or asked for by hand):
	// when it began, how long it took, its error ("" for none).
	JobRan(ctx context.Context, job string, start time.Time, took time.Duration, errText string) error
	// JobRuns returns the last run of each job, whichever node made it, by job name.
	JobRuns(ctx context.Context) (map[string]JobRun, error)
}

// JobRun is the last run of a job in a cluster.
type JobRun struct {
	Job  string
	Node string
	// At is the scheduled instant the run was for; zero for a run asked for by hand.
	At       time.Time
	Start    time.Time
	Duration time.Duration // zero while it runs
	Finished bool
	Error    string
}

// Nodes lets the nodes of a cluster ask each other to act and show what each loaded.
type Nodes interface {
	// Node is this process's name among the nodes.
	Node() string
	// Broadcast tells every other node's OnBroadcast listeners of topic, within a
	// moment ("reload rules").
	Broadcast(ctx context.Context, topic string) error
	// OnBroadcast adds a listener told of the topics other nodes broadcast. It must
	// not block. Add it before serving.
	OnBroadcast(fn func(topic string))
	// SetLoaded records what this node has loaded from a definition directory (what:
	// "rules", "flows").
	SetLoaded(ctx context.Context, what string, l NodeLoad) error
	// Loaded returns what every node recorded for what, by node name.
	Loaded(ctx context.Context, what string) ([]NodeLoad, error)
	// Beat records that this node is alive now and returns how many nodes are: those
	// that beat within the last within, this one included (at least 1). A node that
	// closes its store stops counting at once; one that dies, after within.
	Beat(ctx context.Context, within time.Duration) (int, error)
}

// NodeLoad is what one node loaded from a definition directory.
type NodeLoad struct {
	Node     string    `json:"node"`
	Version  string    `json:"version"` // a hash of the files in force
	OK       bool      `json:"ok"`      // the node's latest reload succeeded
	Errors   int       `json:"errors"`  // problems of its latest reload
	Reloads  uint64    `json:"reloads"` // successful reloads since the node started
	LoadedAt time.Time `json:"loadedAt"`
	// CheckedAt is when the node last read the directory: a node long silent may be gone.
	CheckedAt time.Time `json:"checkedAt"`
}
