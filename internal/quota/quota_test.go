package quota

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/openjds/jds/config"
	"github.com/openjds/jds/internal/store"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

var (
	a     = store.Workspace{Org: "o", Name: "a"}
	b     = store.Workspace{Org: "o", Name: "b"}
	fast  = store.Workspace{Org: "o", Name: "fast"}
	other = store.Workspace{Org: "p", Name: "fast"}
)

func TestTakeIsAllOrNothingPerWorkspace(t *testing.T) {
	c := &clock{t: time.Unix(1e9, 0)}
	var throttled int
	l := New(config.Limits{EventsPerSecond: 10, Burst: 20, Workspaces: map[string]config.RateLimit{
		"o/fast": {EventsPerSecond: 1000}, // burst: one second's worth
		"fast":   {EventsPerSecond: 1, Burst: 1},
	}}, c.now, func(n int) { throttled += n })
	if err := l.Take(a, 15); err != nil {
		t.Fatal(err)
	}
	// 5 left: a batch of 8 is refused whole, and says when 8 fit (0.3 s).
	err := l.Take(a, 8)
	var ex *Exceeded
	if !errors.Is(err, ErrThrottled) || !errors.As(err, &ex) || ex.Never() || ex.RetryAfter != 300*time.Millisecond || ex.RetryAfterSeconds() != 1 {
		t.Fatalf("over the quota: %v", err)
	}
	if !strings.Contains(err.Error(), "limits.eventsPerSecond") {
		t.Errorf("message names no limit: %v", err)
	}
	if err := l.Ready(a, 5); err != nil {
		t.Fatalf("5 tokens left: %v", err)
	}
	if err := l.Ready(a, 6); !errors.As(err, &ex) || ex.Events != 6 {
		t.Fatalf("Ready refuses what Take would: %v", err)
	}
	if err := l.Take(a, 5); err != nil {
		t.Fatalf("the refused batch took tokens: %v", err)
	}
	// None left: Ready refuses a request of unknown size (0: at least one event).
	if err := l.Ready(a, 0); !errors.As(err, &ex) || ex.Events != 1 || ex.RetryAfter != 100*time.Millisecond {
		t.Fatalf("an empty bucket: %v", err)
	}
	if err := l.Take(b, 20); err != nil {
		t.Fatalf("another workspace is untouched: %v", err)
	}
	c.t = c.t.Add(time.Second)
	if err := l.Take(a, 10); err != nil {
		t.Fatalf("a second refills 10: %v", err)
	}
	// More than the burst never passes, however long one waits.
	c.t = c.t.Add(time.Hour)
	if err := l.Take(a, 21); !errors.As(err, &ex) || !ex.Never() || !strings.Contains(err.Error(), "never pass") || !strings.Contains(err.Error(), "limits.burst") {
		t.Fatalf("above the burst: %v", err)
	}
	if throttled != 6+8+1+21 {
		t.Errorf("throttled %d events, want 36", throttled)
	}
	// Overrides: organization/workspace first, then the workspace name in any organization.
	if err := l.Take(fast, 1000); err != nil {
		t.Fatalf("o/fast: %v", err)
	}
	if err := l.Take(other, 2); !errors.As(err, &ex) || ex.Burst != 1 {
		t.Fatalf("p/fast has the name's override: %v", err)
	}
}

func TestNoRateNoLimit(t *testing.T) {
	for name, l := range map[string]*Limiter{
		"nil":        nil,
		"default":    New(config.Default().Limits, nil, nil),
		"other only": New(config.Limits{Workspaces: map[string]config.RateLimit{"x": {EventsPerSecond: 1}}}, nil, nil),
	} {
		if err := l.Take(a, 1_000_000); err != nil || l.Wait(a) != 0 {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// A poller charges what it fetched, into debt, and waits its turn until the debt is paid.
func TestChargeLeavesADebtThatWaitWaitsOut(t *testing.T) {
	c := &clock{t: time.Unix(1e9, 0)}
	l := New(config.Limits{EventsPerSecond: 10, Burst: 10}, c.now, nil)
	if l.Wait(a) != 0 {
		t.Fatal("a full bucket has no wait")
	}
	l.Charge(a, 25) // 15 in debt
	if w := l.Wait(a); w != 1600*time.Millisecond {
		t.Fatalf("wait %v, want 1.6s", w)
	}
	if err := l.Take(a, 1); err == nil {
		t.Fatal("the debt holds back requests too")
	}
	c.t = c.t.Add(1600 * time.Millisecond)
	if l.Wait(a) != 0 || l.Take(a, 1) != nil {
		t.Fatal("the debt is paid")
	}
}

// Forgetting full buckets bounds memory whatever workspace names clients make up, and
// keeps the ones that are not full.
func TestSweepForgetsFullBuckets(t *testing.T) {
	c := &clock{t: time.Unix(1e9, 0)}
	l := New(config.Limits{EventsPerSecond: 1, Burst: 5}, c.now, nil)
	l.Charge(a, 100) // not full for the next 100 s
	for i := range 3 * minSweep {
		l.Take(store.Workspace{Org: "o", Name: fmt.Sprint("w", i)}, 1)
		c.t = c.t.Add(5 * time.Millisecond) // each bucket is full again a second later
	}
	if n := len(l.buckets); n > 2*minSweep {
		t.Fatalf("%d buckets kept", n)
	}
	if _, ok := l.buckets[a]; !ok {
		t.Fatal("a bucket in use was forgotten")
	}
}

// With n nodes sharing the store, each refills at the rate divided by n (the burst stays
// whole), never below MinNodeRate; the share follows the count as nodes come and go, and
// the time before a change is refilled at the share then in force.
func TestNodesDivideTheRate(t *testing.T) {
	c := &clock{t: time.Unix(1e9, 0)}
	l := New(config.Limits{EventsPerSecond: 100, Burst: 100, Workspaces: map[string]config.RateLimit{
		"slow": {EventsPerSecond: 4, Burst: 10},
	}}, c.now, nil)
	slow := store.Workspace{Org: "o", Name: "slow"}
	l.SetNodes(4)
	if err := l.Take(a, 100); err != nil {
		t.Fatalf("the burst is each node's: %v", err)
	}
	c.t = c.t.Add(time.Second) // 25 events: a quarter of 100
	if err := l.Take(a, 25); err != nil {
		t.Fatalf("a second at a quarter of the rate: %v", err)
	}
	err := l.Take(a, 1)
	var ex *Exceeded
	if !errors.As(err, &ex) || ex.Rate != 25 || ex.Nodes != 4 || ex.RetryAfter != 40*time.Millisecond ||
		!strings.Contains(err.Error(), "25 events per second to this node, its share of 100 (limits.eventsPerSecond) among 4 nodes") {
		t.Fatalf("past this node's share: %v", err)
	}
	c.t = c.t.Add(time.Second) // 25 more at the old share, then the others go away
	l.SetNodes(1)
	c.t = c.t.Add(100 * time.Millisecond) // 10 at the whole rate
	if err := l.Take(a, 35); err != nil {
		t.Fatalf("25 at the share of 4, then 10 at the whole rate: %v", err)
	}
	if err := l.Take(a, 1); err == nil {
		t.Fatal("took more than the refill")
	}
	// A rate below MinNodeRate per node is refilled at MinNodeRate: 4 events/s on 8 nodes
	// is 1 a second each, not half.
	l.SetNodes(8)
	if err := l.Take(slow, 10); err != nil {
		t.Fatal(err)
	}
	c.t = c.t.Add(time.Second)
	if err := l.Take(slow, 1); err != nil {
		t.Fatalf("the floor of %g a second: %v", MinNodeRate, err)
	}
	if l.Nodes() != 8 {
		t.Fatalf("Nodes: %d", l.Nodes())
	}
}
