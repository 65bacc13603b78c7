package badgerstore

import (
	"context"
	"errors"
	"fmt"

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
	if p, ok := s.opts.Deriver.(store.Preparer); ok {
		for _, ev := range evs {
			p.Prepare(ws, ev)
		}
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

// appendEvent applies the identity rules of ingest and stores one event:
//
//  1. an event whose source and id the workspace already holds is a duplicate: nothing
//     is written;
//  2. the event's alias is looked up; an unknown alias becomes a new person owning it;
//  3. with previousidentity owned by person P: an unknown alias is added to P; an alias
//     owned by another person Q makes P merge into Q (the newer, identified one survives);
//     an unknown previousidentity is ignored;
//  4. the event is written under the live owner of its alias.
func (b *batch) appendEvent(ws wsid, w store.Workspace, ev *event.Event) (store.AppendResult, error) {
	dk := dedupeKey(ws, ev.ID, ev.Source)
	if v, dup, err := b.get(dk); err != nil {
		return store.AppendResult{}, err
	} else if dup {
		ref, err := parseEventRef(v)
		if err != nil {
			return store.AppendResult{}, err
		}
		p, err := b.root(ws, ref.person)
		switch {
		case err == nil:
			return store.AppendResult{PersonID: p.ID, Duplicate: true}, nil
		case !errors.Is(err, store.ErrNotFound):
			return store.AppendResult{}, err
		}
		// The event belonged to an erased person whose purge is not finished: it is
		// gone, and this one is new.
	}

	owner, err := b.resolveOwner(ws, ev)
	if err != nil {
		return store.AppendResult{}, err
	}

	b.seq++
	ref := eventRef{person: owner, time: ev.Time.UnixNano(), seq: b.seq}
	if err := b.set(eventKey(ws, ref), ev.Raw); err != nil {
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

// resolveOwner applies rules 2 and 3 of appendEvent and returns the live owner.
// Guardrails: a blocked previousidentity never links, and a link or merge that would
// give a person more aliases than allowed does not happen; the guard counts both, and
// the event is still stored under its own alias.
func (b *batch) resolveOwner(ws wsid, ev *event.Event) (pid, error) {
	cur, known, err := b.eventAlias(ws, ev)
	if err != nil {
		return pid{}, err
	}
	if ev.PreviousIdentity != "" {
		if b.s.opts.Guard.Check(ev.PreviousIdentity) != nil {
			return b.ownerOrNew(ws, cur, known, ev)
		}
		prev, found, err := b.lookup(ws, ev.PreviousIdentity)
		if err != nil {
			return pid{}, err
		}
		switch {
		case !found:
			// Unknown previous identity: ignored.
		case !known:
			p, err := b.person(ws, prev.person)
			if err != nil {
				return pid{}, err
			}
			if b.s.opts.Guard.Fits(len(p.Aliases())+1) != nil {
				break
			}
			p = p.Clone()
			if err := b.addAlias(ws, p, identity.Alias{Kind: ev.IdentityType, Value: ev.Alias}); err != nil {
				return pid{}, err
			}
			return prev.person, b.putPerson(ws, p)
		case prev.person != cur.person:
			if _, err := b.merge(ws, cur.person, prev.person); err != nil {
				return pid{}, err
			}
		}
	}
	return b.ownerOrNew(ws, cur, known, ev)
}

// eventAlias looks up the owner of an event's alias. A phone is also looked up under its
// legacy form (identity.LegacyPhone) when that differs: an alias stored before phones
// were E.164 keeps finding its person, so the event joins that person instead of
// starting a new one. Only the lookup changes; a new alias is stored in canonical form.
func (b *batch) eventAlias(ws wsid, ev *event.Event) (aliasEntry, bool, error) {
	e, ok, err := b.alias(ws, ev.Alias)
	if err != nil || ok || ev.IdentityType != identity.Phone {
		return e, ok, err
	}
	if old, valid := identity.LegacyPhone(ev.Identity, b.s.opts.Region); valid && old != ev.Alias {
		return b.alias(ws, old)
	}
	return e, false, nil
}

// ownerOrNew returns the alias's owner, or a new person owning it.
func (b *batch) ownerOrNew(ws wsid, cur aliasEntry, known bool, ev *event.Event) (pid, error) {
	if known {
		return cur.person, nil
	}
	p, err := b.newPerson(ws, "", "", []identity.Alias{{Kind: ev.IdentityType, Value: ev.Alias}})
	if err != nil {
		return pid{}, err
	}
	return pidFromString(p.ID)
}

// newPerson creates a person owning aliases that nobody owns (callers check). A person
// owning only temporaryIds enters the expiry index.
func (b *batch) newPerson(ws wsid, first, last string, aliases []identity.Alias) (*identity.Person, error) {
	id := pid(uuid.New())
	p := &identity.Person{ID: id.String(), FirstName: first, LastName: last, CreatedAt: b.now, UpdatedAt: b.now}
	for _, a := range aliases {
		if err := b.addAlias(ws, p, a); err != nil {
			return nil, err
		}
	}
	if onlyTemporary(p) {
		if err := b.set(temporaryKey(ws, b.now, id), nil); err != nil {
			return nil, err
		}
	}
	return p, b.putPerson(ws, p)
}

// addAlias gives p (a clone being changed) an alias and points the alias at p.
func (b *batch) addAlias(ws wsid, p *identity.Person, a identity.Alias) error {
	id, err := parsePID(p.ID)
	if err != nil {
		return err
	}
	p.AddAlias(a)
	p.UpdatedAt = b.now
	return b.setAlias(ws, a.Value, aliasEntry{person: id, kind: a.Kind})
}

func onlyTemporary(p *identity.Person) bool {
	return len(p.TemporaryID) > 0 && len(p.Phone)+len(p.Email)+len(p.CustomerID)+len(p.SocialID) == 0
}

// lookup finds the owner of an alias of unknown kind (see identity.Candidates).
func (b *batch) lookup(ws wsid, value string) (aliasEntry, bool, error) {
	for _, c := range identity.Candidates(value, b.s.opts.Region) {
		e, ok, err := b.alias(ws, c)
		if err != nil || ok {
			return e, ok, err
		}
	}
	return aliasEntry{}, false, nil
}

// merge folds person from into person into: from's aliases move to into, and both
// record the merge. No event is rewritten; reads of into merge from's stream in. It
// reports false, changing nothing, when the merged person would own more aliases than
// the guard allows.
func (b *batch) merge(ws wsid, into, from pid) (bool, error) {
	q, err := b.person(ws, into)
	if err != nil {
		return false, err
	}
	p, err := b.person(ws, from)
	if err != nil {
		return false, err
	}
	moved := p.Aliases()
	if b.s.opts.Guard.Fits(len(q.Aliases())+len(moved)) != nil {
		return false, nil
	}
	q, p = q.Clone(), p.Clone()
	for _, a := range moved {
		p.RemoveAlias(a.Value)
		if err := b.addAlias(ws, q, a); err != nil {
			return false, err
		}
	}
	p.MergedInto = q.ID
	p.UpdatedAt = b.now
	q.Merges = append(q.Merges, identity.Merge{PersonID: p.ID, Aliases: moved, At: b.now, Seq: b.seq})
	if err := b.putPerson(ws, p); err != nil {
		return false, err
	}
	return true, b.putPerson(ws, q)
}

func pidFromString(s string) (pid, error) {
	u, err := uuid.Parse(s)
	return pid(u), err
}
