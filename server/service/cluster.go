package service

import (
	"context"
	"time"

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
