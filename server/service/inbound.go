package service

import (
	"context"
	"fmt"
	"os"

	"github.com/openjds/jds/config"
	"github.com/openjds/jds/connectors/inbound"
	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/identity"
	"github.com/openjds/jds/internal/ingest"
	"github.com/openjds/jds/internal/quota"
	"github.com/openjds/jds/internal/store"
)

// buildInbound checks and builds the inbound connectors of the config file: webhooks
// for the server, pollers for the scheduled jobs. They write through pipe with
// ingest's limits and guardrails; db keeps pollers' cursors.
func buildInbound(cfg config.Config, db store.Store, pipe *ingest.Pipeline, guard *identity.Guard, q *quota.Limiter, o Options) (*inbound.Set, error) {
	set, err := inbound.Build(cfg.Inbound, inbound.Options{
		Getenv: os.Getenv,
		Ingest: pipe,
		Store:  db,
		Limits: event.Limits{
			MaxBatch:      cfg.Ingest.MaxBatchEvents,
			MaxEventBytes: int(cfg.Ingest.MaxEventBytes),
			DefaultRegion: cfg.Identity.DefaultRegion,
			Guard:         guard,
		},
		Logger: o.Logger,
		Now:    o.Now,
		Quota:  q,
	})
	if err != nil {
		return nil, fmt.Errorf("inbound:\n%w", err)
	}
	return set, nil
}

// PollJobName is the scheduled job of an inbound poller.
func PollJobName(poller string) string { return "poll:" + poller }

// addPollers registers every poller of set as the job "poll:<name>" on its schedule,
// through add (a scheduler's Add).
func addPollers(set *inbound.Set, add func(name, spec string, run func(context.Context) error) error) error {
	for _, p := range set.Pollers {
		if err := add(PollJobName(p.Name()), p.Schedule(), p.Poll); err != nil {
			return fmt.Errorf("inbound poller %q: %w", p.Name(), err)
		}
	}
	return nil
}
