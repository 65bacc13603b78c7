package service

import (
	"context"
	"time"

	"github.com/openjds/jds/internal/quota"
	"github.com/openjds/jds/internal/scheduler"
	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/rules/ruledir"
	"github.com/openjds/jds/server"
)

// Several jds nodes on one store (PostgreSQL) are a cluster: each scheduled job runs
// once per scheduled instant across them (the scheduler claims each run in the store's
// job lock), a reload asked of one node's API is done by every node (the server
// broadcasts it; every node's listener below reloads), and each node records what it
// loaded, for /admin/v1/api/rules and /admin/v1/api/flows. A store one process owns
// implements neither interface and none of this happens.

// jobOptions are the scheduler's options for the store: its job lock when it has one.
func jobOptions(st store.Store) []scheduler.Option {
	if l, ok := st.(store.JobLock); ok {
		return []scheduler.Option{scheduler.WithJobLock(l)}
	}
	return nil
}

// joinCluster records every reload of the rule and flow directories for the other
// nodes and reloads them when another node asks. Called before their first reload.
func (s *Service) joinCluster(ctx context.Context) {
	n, ok := s.store.(store.Nodes)
	if !ok {
		return
	}
	dirs := map[string]*ruledir.Manager{server.ReloadRules: s.rules, server.ReloadFlows: s.flowDir}
	for topic, m := range dirs {
		what := server.Loads[topic]
		m.OnReload(func(st ruledir.Status) {
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			err := n.SetLoaded(rctx, what, store.NodeLoad{Version: st.Version, OK: st.OK, Errors: len(st.Errors),
				Reloads: st.Reloads, LoadedAt: st.LoadedAt, CheckedAt: st.CheckedAt})
			if err != nil {
				s.log.Warn("recording what this node loaded for the other nodes", "dir", st.Dir, "err", err)
			}
		})
	}
	n.OnBroadcast(func(topic string) {
		if m := dirs[topic]; m != nil {
			s.log.Info("another node asked to "+topic, "dir", m.Status().Dir)
			go func() { // not s.background: a notice may come while Close waits for those
				if ctx.Err() == nil {
					m.Reload(ctx)
				}
			}()
		}
	})
}

// How often a node records that it is alive (store.Nodes.Beat), and how long after its
// last beat the others stop counting a node that did not close its store.
const (
	beatEvery  = 10 * time.Second
	beatWithin = 30 * time.Second
)

// shareQuota divides the ingest quotas among the live nodes: every beatEvery this node
// beats and gives the count of live nodes to q, which refills each workspace's bucket at
// its share of the rate (docs/OPERATIONS.md, Quotas). The first count is taken before
// serving; a beat that fails leaves the last count in force.
func (s *Service) shareQuota(ctx context.Context, q *quota.Limiter) {
	n, ok := s.store.(store.Nodes)
	if !ok {
		return
	}
	beat := func() {
		bctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		live, err := n.Beat(bctx, beatWithin)
		if err != nil {
			if ctx.Err() == nil {
				s.log.Warn("counting the live nodes for the ingest quotas: the last count stands", "nodes", q.Nodes(), "err", err)
			}
			return
		}
		if live != q.Nodes() && q.Active() {
			s.log.Info("ingest quotas divided among the live nodes", "nodes", live)
		}
		q.SetNodes(live)
	}
	beat()
	s.background(func() {
		t := time.NewTicker(beatEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				beat()
			}
		}
	})
}
