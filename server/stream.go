package server

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/openjds/jds/internal/identity"
	"github.com/openjds/jds/internal/live"
	"github.com/openjds/jds/internal/store"
)

// stream serves both live-stream paths as Server-Sent Events: every event of the person
// owning the identity, from now on, one per message. With Last-Event-ID (header, or the
// lastEventId query parameter) it first replays, from the ledger, what was committed
// after that event, so a client that reconnects misses nothing.
func (s *Server) stream(c *fiber.Ctx) error {
	ws, err := s.workspace(c)
	if err != nil {
		return err
	}
	ident := strings.Clone(c.Params("identity"))
	m, errs := compileMatcher(c)
	if len(errs) > 0 {
		return badRequest(strings.Join(errs, "; "), errs...)
	}
	lastID := c.Get("Last-Event-ID")
	if lastID == "" {
		lastID = c.Query("lastEventId")
	}
	lastID = strings.Clone(lastID)

	// Subscribe before reading the backlog: an event committed in between is then in
	// both, and the sequence check below sends it once.
	sub, err := s.hub.Subscribe(ws)
	if err != nil {
		return err
	}
	f := &follower{s: s, ws: ws, ident: ident}
	ctx, cancel := s.requestContext()
	defer cancel()
	f.resolve(ctx)
	var backlog []store.Committed
	resumed := ""
	if lastID != "" {
		if f.person != nil {
			backlog, err = s.store.After(ctx, ws, f.person, lastID)
		} else {
			err = store.ErrNotFound
		}
		switch {
		case errors.Is(err, store.ErrNotFound):
			// Not silence: the client learns it cannot resume there. %q keeps a
			// lastEventId query value from writing lines of its own.
			resumed = fmt.Sprintf(": last event id %q not found for this identity; streaming new events only\n\n", lastID)
		case err != nil:
			s.hub.Unsubscribe(sub)
			return err
		}
	}

	sseHeaders(c)
	rid := requestID(c)
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		defer s.hub.Unsubscribe(sub)
		var sent uint64
		send := func(e *store.Committed) error {
			if e.Seq <= sent {
				return nil
			}
			sent = e.Seq
			if m.Func() != nil && !m.Match(e.Raw) {
				return nil
			}
			w.WriteString("id: ")
			w.WriteString(e.EventID)
			w.WriteString("\nevent: event\ndata: ")
			w.Write(e.Raw)
			w.WriteString("\n\n")
			s.metrics.streamEvents.Inc()
			return w.Flush()
		}
		w.WriteString("retry: 2000\n: connected\n\n")
		w.WriteString(resumed)
		if err := w.Flush(); err != nil {
			return
		}
		for i := range backlog {
			if send(&backlog[i]) != nil {
				return
			}
		}
		s.sseLoop(w, sub, rid, ws, f, nil, func(owned []*store.Committed) error {
			for _, e := range owned {
				if err := send(e); err != nil {
					return err
				}
			}
			return nil
		})
	})
	return nil
}

// sseLoop keeps a Server-Sent Events stream going until the client goes away, the server
// stops or the subscription ends (a reader too slow): it hands onOwned the events of the
// workspace that f's person owns, in commit order, calls onTick (when not nil) every
// second, and writes a heartbeat comment every heartbeat period. An error from either
// ends the stream.
func (s *Server) sseLoop(w *bufio.Writer, sub *live.Sub, rid string, ws store.Workspace, f *follower, onTick func() error, onOwned func([]*store.Committed) error) {
	var tick <-chan time.Time
	if onTick != nil {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		tick = t.C
	}
	beat := time.NewTicker(s.heartbeat())
	defer beat.Stop()
	flush := time.NewTicker(resolveEvery)
	defer flush.Stop()
	// take takes what waits and hands on what the person owns; false ends the stream.
	take := func(force bool) bool {
		batches, ok := sub.Next()
		for _, b := range batches {
			f.take(b)
		}
		if f.waiting() {
			if owned, decided := f.decide(force); decided && len(owned) > 0 && onOwned(owned) != nil {
				return false
			}
		}
		if !ok && sub.Overflowed() {
			s.log.Info("live stream cut off: reader too slow", "request_id", rid, "workspace", ws.String())
		}
		return ok
	}
	for {
		// A stream whose identity nobody owns yet has nothing to send at once: it takes
		// what waits on the flush tick only, and commits do not wake it.
		var ready <-chan struct{}
		if f.person != nil || f.previous != "" {
			ready = sub.Ready()
		}
		select {
		case <-s.ctx.Done():
			return
		case <-flush.C:
			if !take(true) {
				return
			}
		case <-ready:
			if !take(false) {
				return
			}
		case <-tick:
			if onTick() != nil {
				return
			}
		case <-beat.C:
			w.WriteString(": heartbeat\n\n")
			if w.Flush() != nil {
				return
			}
		}
	}
}

// sseHeaders starts a Server-Sent Events response; proxies must not buffer it.
func sseHeaders(c *fiber.Ctx) {
	c.Set(fiber.HeaderContentType, "text/event-stream")
	c.Set(fiber.HeaderCacheControl, "no-cache")
	c.Set(fiber.HeaderConnection, "keep-alive")
	c.Set("X-Accel-Buffering", "no")
}

func (s *Server) heartbeat() time.Duration {
	if d := time.Duration(s.cfg.Stream.Heartbeat); d > 0 {
		return d
	}
	return 15 * time.Second
}

// resolveEvery is how often at most a stream resolves its identity again while the
// identity graph changes (new persons, links, merges: under ingest, all the time). Events
// wait for it, so it is also how late a live event may be under ingest.
const resolveEvery = 250 * time.Millisecond

// follower tracks which live person a stream's identity belongs to, re-resolving only
// when the identity graph has changed, and then at most every resolveEvery: an idle
// stream must not cost a lookup per event, nor per commit, of its workspace. Events
// wait (pending) until the resolution is as recent as their commit.
type follower struct {
	s      *Server
	ws     store.Workspace
	ident  string
	person *identity.Person
	// previous is the person followed before the last change (a merge): events of a
	// commit made before the change were filed under it.
	previous   string
	version    uint64
	resolvedAt time.Time
	pending    [][]store.Committed
	pendingN   int
}

// maxPending is how many events a stream lets wait for a resolution before resolving
// at once.
const maxPending = 4096

func (f *follower) resolve(ctx context.Context) {
	f.version = f.s.store.IdentityVersion()
	f.resolvedAt = time.Now()
	p, err := f.s.store.Resolve(ctx, f.ws, f.ident)
	if err == nil {
		f.person = p
	}
}

// take queues a commit's events until the stream can tell which are its person's.
func (f *follower) take(batch []store.Committed) {
	f.pending = append(f.pending, batch)
	f.pendingN += len(batch)
}

// waiting reports whether events wait for the identity to be resolved again.
func (f *follower) waiting() bool { return len(f.pending) > 0 }

// decide returns the waiting events that the stream's person owns, in commit order, once
// the identity is known as of their commits: at once when the identity graph has not
// changed since the last resolution; else after resolving again, which it does when
// forced (the flush tick), when resolveEvery has passed, or when too many events wait.
// ok is false when the events must go on waiting.
func (f *follower) decide(force bool) (owned []*store.Committed, ok bool) {
	if f.s.store.IdentityVersion() != f.version {
		if !force && f.pendingN < maxPending && time.Since(f.resolvedAt) < resolveEvery {
			return nil, false
		}
		f.refresh()
	}
	if f.person != nil || f.previous != "" { // else nothing is ours: skip the scan
		for _, b := range f.pending {
			for i := range b {
				if f.owns(b[i].PersonID) {
					owned = append(owned, &b[i])
				}
			}
		}
	}
	clear(f.pending) // the batches are shared: hold none of them longer
	f.pending, f.pendingN = f.pending[:0], 0
	return owned, true
}

// refresh resolves the identity again, keeping the previous person.
func (f *follower) refresh() {
	old := f.person
	ctx, cancel := f.s.requestContext()
	defer cancel()
	f.resolve(ctx)
	if old != nil && (f.person == nil || f.person.ID != old.ID) {
		f.previous = old.ID
	}
}

func (f *follower) owns(personID string) bool {
	return f.person != nil && f.person.ID == personID || f.previous != "" && f.previous == personID
}
