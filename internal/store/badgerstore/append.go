package badgerstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/identity"
	"github.com/openjds/jds/internal/store"
)

// Append stores validated events durably, in order, and resolves their identities (see
// appendEvent). It returns when they are synced to disk. Events whose source and id the
// workspace already holds are not stored again.
func (s *Store) Append(ctx context.Context, ws store.Workspace, evs []*event.Event) ([]store.AppendResult, error) {
	if len(evs) == 0 {
		return nil, nil
	}
	o := &appendOp{ws: ws, evs: evs}
	if err := s.submit(ctx, o); err != nil {
		return nil, fmt.Errorf("appending %d events to %s: %w", len(evs), ws, err)
	}
	return o.results, nil
}

type appendOp struct {
	ws      store.Workspace
	evs     []*event.Event
	results []store.AppendResult
}

func (o *appendOp) events() int { return len(o.evs) }

func (o *appendOp) apply(b *batch) error {
	o.results = o.results[:0]
	ws, err := b.workspace(o.ws)
	if err != nil {
		return err
	}
	for _, ev := range o.evs {
		res, err := b.appendEvent(ws, o.ws, ev)
		if err != nil {
			return fmt.Errorf("event %q: %w", ev.ID, err)
		}
		o.results = append(o.results, res)
	}
	return nil
}

// appendEvent stores one event: an event whose source and id the workspace already holds
// is a duplicate, and nothing is written; else identity.Rules.Owner finds (or makes) the
// person it belongs to, and the event is written under that person, then derived from.
func (b *batch) appendEvent(ws wsid, w store.Workspace, ev *event.Event) (store.AppendResult, error) {
	dk := dedupeKey(ws, ev.ID, ev.Source)
	if v, dup, err := b.get(dk); err != nil {
		return store.AppendResult{}, err
	} else if dup {
		ref, err := parseEventRef(v)
		if err != nil {
			return store.AppendResult{}, err
		}
		p, err := identity.Live(b.graph(w, ws), ref.person)
		switch {
		case err == nil:
			return store.AppendResult{PersonID: p.ID, Duplicate: true}, nil
		case !errors.Is(err, store.ErrNotFound):
			return store.AppendResult{}, err
		}
		// The event belonged to an erased person whose purge is not finished: it is
		// gone, and this one is new.
	}

	owner, err := b.s.rules.Owner(b.graph(w, ws), identity.Sighting{Kind: ev.IdentityType, Alias: ev.Alias, Identity: ev.Identity, Previous: ev.PreviousIdentity})
	if err != nil {
		return store.AppendResult{}, err
	}

	b.seq++
	ref := eventRef{person: owner, time: ev.Time.UnixNano(), seq: b.seq}
	if err := b.setEvent(ws, ref, ev.Raw, ev.Type); err != nil {
		return store.AppendResult{}, err
	}
	if err := b.set(dk, ref.appendTo(make([]byte, 0, eventRefLen))); err != nil {
		return store.AppendResult{}, err
	}
	if err := b.derive(w, ws, owner, ev, b.seq); err != nil {
		return store.AppendResult{}, fmt.Errorf("deriving state: %w", err)
	}
	personID := owner.String()
	b.committed = append(b.committed, store.Committed{Workspace: w, PersonID: personID, EventID: ev.ID, Seq: b.seq, Raw: ev.Raw})
	return store.AppendResult{PersonID: personID}, nil
}

// graph is the identity graph of one workspace in a batch: what identity.Rules read
// and change.
type graph struct {
	b  *batch
	ws wsid
	w  store.Workspace
}

func (b *batch) graph(w store.Workspace, ws wsid) graph { return graph{b: b, ws: ws, w: w} }

func (g graph) Alias(alias string) (uuid.UUID, identity.Kind, bool, error) {
	e, ok, err := g.b.alias(g.ws, alias)
	return e.person, e.kind, ok, err
}

func (g graph) Person(id uuid.UUID) (*identity.Person, error) { return g.b.person(g.ws, id) }

func (g graph) SetAlias(alias string, owner uuid.UUID, kind identity.Kind) error {
	return g.b.setAlias(g.ws, alias, aliasEntry{person: owner, kind: kind})
}

func (g graph) DeleteAlias(alias string) error { return g.b.deleteAlias(g.ws, alias) }

func (g graph) PutPerson(p *identity.Person) error { return g.b.putPerson(g.ws, p) }

func (g graph) IndexTemporary(id uuid.UUID, created time.Time) error {
	return g.b.set(temporaryKey(g.ws, created, id), nil)
}

func (g graph) MoveEvents(from, to uuid.UUID, after uint64, take func(raw []byte) bool) error {
	return g.b.moveEvents(g.ws, from, to, after, take)
}

func (g graph) Rebuild(ids ...uuid.UUID) error { return g.b.rebuild(g.w, g.ws, ids...) }

func (g graph) Now() time.Time { return g.b.now }

func (g graph) Seq() uint64 { return g.b.seq }

var _ identity.Graph = graph{}
