package profiles

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/rules"
)

// backfiller computes templates that are new or changed from the events already stored,
// in the background, a few persons per unit of work so that ingest keeps flowing, and
// records which definitions are done so that a restart does not compute them again.
type backfiller struct {
	store     store.Store
	log       *slog.Logger
	now       func() time.Time
	backfills sync.Map // template id → *Backfill
	wg        sync.WaitGroup
	ctx       context.Context
	cancel    context.CancelFunc
}

func newBackfiller(st store.Store, log *slog.Logger, now func() time.Time) *backfiller {
	b := &backfiller{store: st, log: log, now: now}
	b.ctx, b.cancel = context.WithCancel(context.Background())
	return b
}

// Backfill is the progress of computing a template from the ledger.
type Backfill struct {
	State     string    `json:"state"` // running, done, failed
	Done      int64     `json:"done"`
	Total     int64     `json:"total"`
	StartedAt time.Time `json:"startedAt"`
	Error     string    `json:"error,omitempty"`
}

// backfillUnlessDone backfills a template in the workspaces where its definition was
// never completely computed.
func (b *backfiller) backfillUnlessDone(ctx context.Context, c *rules.Compiled, workspaces []store.Workspace) error {
	var todo []store.Workspace
	for _, w := range workspaces {
		_, err := b.store.GetDoc(ctx, w, doneCollection, definition(c))
		switch {
		case errors.Is(err, store.ErrNotFound):
			todo = append(todo, w)
		case err != nil:
			return err
		}
	}
	if len(todo) > 0 {
		b.backfill(c, todo)
	}
	return nil
}

// Close stops backfills in progress and waits for them.
func (b *backfiller) Close() {
	b.cancel()
	b.wg.Wait()
}

// backfill computes a template's attributes for every person of the workspaces given,
// in the background, recording progress under the template's id.
func (b *backfiller) backfill(c *rules.Compiled, workspaces []store.Workspace) {
	byEvent := map[string][]*rules.CompiledAttr{}
	var horizon time.Duration
	for _, a := range c.Attrs {
		byEvent[a.Event] = append(byEvent[a.Event], a)
		horizon = max(horizon, a.Window)
	}
	bf := &Backfill{State: "running", StartedAt: b.now().UTC()}
	b.backfills.Store(c.Template.ID, bf)
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		start := time.Now()
		var done int64
		for _, w := range workspaces {
			err := b.store.Backfill(b.ctx, w, func(st store.State, events store.EventSource) error {
				return rebuild(st, byEvent, horizon, events)
			}, func(d, total int) {
				b.backfills.Store(c.Template.ID, &Backfill{State: "running", StartedAt: bf.StartedAt, Done: done + int64(d), Total: done + int64(total)})
			})
			if err == nil {
				err = b.store.PutDoc(b.ctx, w, doneCollection, definition(c), []byte("{}"))
			}
			if err != nil {
				b.log.Error("backfill failed", "template", c.Template.Name, "workspace", w.String(), "err", err)
				b.backfills.Store(c.Template.ID, &Backfill{State: "failed", StartedAt: bf.StartedAt, Error: err.Error()})
				return
			}
			if v, ok := b.backfills.Load(c.Template.ID); ok {
				done = v.(*Backfill).Done
			}
		}
		b.backfills.Store(c.Template.ID, &Backfill{State: "done", StartedAt: bf.StartedAt, Done: done, Total: done})
		b.log.Info("backfill done", "template", c.Template.Name, "persons", done, "took", time.Since(start).Round(time.Millisecond))
	}()
}

// BackfillProgress sums the backfills now running: how many, and the persons they have
// done and still have to do.
func (b *backfiller) BackfillProgress() (running int, done, todo int64) {
	b.backfills.Range(func(_, v any) bool {
		if bf := v.(*Backfill); bf.State == "running" {
			running++
			done += bf.Done
			todo += bf.Total - bf.Done
		}
		return true
	})
	return running, done, todo
}

// BackfillOf returns a template's backfill progress, nil when none ran.
func (b *backfiller) BackfillOf(id string) *Backfill {
	if v, ok := b.backfills.Load(id); ok {
		return v.(*Backfill)
	}
	return nil
}
