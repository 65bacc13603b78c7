package badgerstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/identity"
	"github.com/openjds/jds/internal/store"
)

// This file holds identity management: the operations admins and flows call on persons.
// Every change runs in the committer, like ingest, so it is atomic with respect to
// events arriving at the same time.

// funcOp is a committer op given as a function. fn must follow the op contract: be
// repeatable from scratch, and return a *Rejected only before its first write.
type funcOp func(b *batch) error

func (f funcOp) apply(b *batch) error { return f(b) }
func (f funcOp) events() int          { return 1 }

func (s *Store) do(ctx context.Context, fn func(b *batch) error) error {
	return s.submit(ctx, funcOp(fn))
}

func reject(format string, args ...any) error {
	return &Rejected{Err: fmt.Errorf(format, args...)}
}

// livePerson resolves a person id to the live person it is or was merged into.
func (b *batch) livePerson(ws wsid, id string) (*identity.Person, error) {
	k, err := pidFromString(id)
	if err != nil {
		return nil, reject("person %q: %w", id, store.ErrNotFound)
	}
	p, err := b.root(ws, k)
	if err != nil {
		return nil, &Rejected{Err: err}
	}
	return p, nil
}

// checkFree rejects when an alias belongs to a person other than owner ("" for nobody).
func (b *batch) checkFree(ws wsid, a identity.Alias, owner string) error {
	e, ok, err := b.alias(ws, a.Value)
	if err != nil || !ok {
		return err
	}
	if e.person.String() != owner {
		return reject("%w: alias %q belongs to person %s", store.ErrConflict, a.Value, e.person)
	}
	return nil
}

func (b *batch) deleteAlias(ws wsid, value string) error {
	key := aliasKey(ws, value)
	if err := b.txn.Delete(key); err != nil {
		return fmt.Errorf("deleting alias: %w", err)
	}
	b.aliases[string(key)] = aliasEntry{}
	b.identityChanged = true
	return nil
}

func (b *batch) fits(n int) error {
	if err := b.s.opts.Guard.Fits(n); err != nil {
		return &Rejected{Err: err}
	}
	return nil
}

// CreatePerson creates a person owning aliases. ErrConflict when an alias belongs to
// someone already.
func (s *Store) CreatePerson(ctx context.Context, w store.Workspace, first, last string, aliases []identity.Alias) (*identity.Person, error) {
	var out *identity.Person
	err := s.do(ctx, func(b *batch) error {
		ws, err := b.workspace(w)
		if err != nil {
			return err
		}
		aliases = uniqueAliases(aliases)
		for _, a := range aliases {
			if err := b.checkFree(ws, a, ""); err != nil {
				return err
			}
		}
		if err := b.fits(len(aliases)); err != nil {
			return err
		}
		out, err = b.newPerson(ws, first, last, aliases)
		return err
	})
	return out, err
}

// UpdatePerson changes a live person with change, which edits names and alias lists of
// the copy it is given (aliases normalised) and returns an error to refuse. Aliases
// added must be free, removed ones are released. Nothing is written when nothing
// changed. id may name a merged person: the live one is changed.
func (s *Store) UpdatePerson(ctx context.Context, w store.Workspace, id string, change func(p *identity.Person) error) (*identity.Person, error) {
	var out *identity.Person
	err := s.do(ctx, func(b *batch) error {
		ws, err := b.workspace(w)
		if err != nil {
			return err
		}
		p, err := b.livePerson(ws, id)
		if err != nil {
			return err
		}
		q := p.Clone()
		if err := change(q); err != nil {
			return &Rejected{Err: err}
		}
		out, err = b.rewrite(ws, p, q)
		return err
	})
	return out, err
}

// rewrite stores q as the new state of p: alias keys follow the difference. It rejects
// before writing when an added alias is taken or q owns too many.
func (b *batch) rewrite(ws wsid, p, q *identity.Person) (*identity.Person, error) {
	before, after := p.Aliases(), uniqueAliases(q.Aliases())
	added := minus(after, before)
	removed := minus(before, after)
	for _, a := range added {
		if err := b.checkFree(ws, a, p.ID); err != nil {
			return nil, err
		}
	}
	if err := b.fits(len(after)); err != nil {
		return nil, err
	}
	if len(added) == 0 && len(removed) == 0 && p.FirstName == q.FirstName && p.LastName == q.LastName {
		return p, nil
	}
	id, err := pidFromString(q.ID)
	if err != nil {
		return nil, err
	}
	for _, a := range removed {
		if err := b.deleteAlias(ws, a.Value); err != nil {
			return nil, err
		}
	}
	for _, a := range added {
		if err := b.setAlias(ws, a.Value, aliasEntry{person: id, kind: a.Kind}); err != nil {
			return nil, err
		}
	}
	q.UpdatedAt = b.now
	return q, b.putPerson(ws, q)
}

// uniqueAliases drops repeated values, keeping the first kind given.
func uniqueAliases(as []identity.Alias) []identity.Alias {
	seen := map[string]bool{}
	out := as[:0:0]
	for _, a := range as {
		if !seen[a.Value] {
			seen[a.Value] = true
			out = append(out, a)
		}
	}
	return out
}

// minus returns the aliases of a whose value is not in b.
func minus(a, b []identity.Alias) []identity.Alias {
	in := make(map[string]bool, len(b))
	for _, y := range b {
		in[y.Value] = true
	}
	var out []identity.Alias
	for _, x := range a {
		if !in[x.Value] {
			out = append(out, x)
		}
	}
	return out
}

// Merge merges persons into primary: their aliases move to it, their events are read
// with its history, and each merge is recorded so that Unmerge can undo it.
func (s *Store) Merge(ctx context.Context, w store.Workspace, primary string, others []string) (*identity.Person, error) {
	var out *identity.Person
	err := s.do(ctx, func(b *batch) error {
		ws, err := b.workspace(w)
		if err != nil {
			return err
		}
		p, err := b.livePerson(ws, primary)
		if err != nil {
			return err
		}
		// This runs in the committer: linear in the persons named (a set, not a search
		// of the victims so far), and refused as soon as the aliases cannot fit, so that
		// a long list costs no more than the part of it that is read.
		var victims []*identity.Person
		seen := map[string]bool{p.ID: true}
		total := len(p.Aliases())
		for _, o := range others {
			v, err := b.livePerson(ws, o)
			if err != nil {
				return err
			}
			if seen[v.ID] {
				continue
			}
			seen[v.ID] = true
			victims = append(victims, v)
			total += len(v.Aliases())
			if err := b.fits(total); err != nil {
				return err
			}
		}
		out, err = b.mergeAll(ws, p, victims)
		return err
	})
	return out, err
}

// mergeAll merges victims into p (all live, checked to fit) and returns p's new state.
func (b *batch) mergeAll(ws wsid, p *identity.Person, victims []*identity.Person) (*identity.Person, error) {
	into, err := pidFromString(p.ID)
	if err != nil {
		return nil, err
	}
	for _, v := range victims {
		from, err := pidFromString(v.ID)
		if err != nil {
			return nil, err
		}
		if _, err := b.merge(ws, into, from); err != nil {
			return nil, err
		}
	}
	return b.person(ws, into)
}

// Identify is merge-identities, the one call that identifies: every person owning any
// listed alias is merged into the one created earliest (one is created when none
// exists), missing aliases are added and names set. Repeating a call changes nothing.
func (s *Store) Identify(ctx context.Context, w store.Workspace, req store.IdentifyRequest) (p *identity.Person, created bool, err error) {
	err = s.do(ctx, func(b *batch) error {
		p, created = nil, false
		ws, err := b.workspace(w)
		if err != nil {
			return err
		}
		aliases := uniqueAliases(req.Aliases)
		var owners []*identity.Person
		isOwner := map[string]bool{}
		for _, a := range aliases {
			e, ok, err := b.alias(ws, a.Value)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			o, err := b.root(ws, e.person)
			if err != nil {
				return err
			}
			if !isOwner[o.ID] {
				isOwner[o.ID] = true
				owners = append(owners, o)
			}
		}
		if len(owners) == 0 {
			if err := b.fits(len(aliases)); err != nil {
				return err
			}
			p, err = b.newPerson(ws, req.FirstName, req.LastName, aliases)
			created = true
			return err
		}
		slices.SortFunc(owners, func(x, y *identity.Person) int {
			if c := x.CreatedAt.Compare(y.CreatedAt); c != 0 {
				return c
			}
			return strings.Compare(x.ID, y.ID)
		})
		// The result must fit before anything is written.
		all := slices.Clone(aliases)
		if !req.Override {
			for _, o := range owners {
				all = append(all, o.Aliases()...)
			}
		}
		if err := b.fits(len(uniqueAliases(all))); err != nil {
			return err
		}
		primary := owners[0]
		if len(owners) > 1 {
			if primary, err = b.mergeAll(ws, primary, owners[1:]); err != nil {
				return err
			}
		}
		q := primary.Clone()
		for _, a := range aliases {
			q.AddAlias(a)
		}
		if req.Override {
			for _, a := range minus(q.Aliases(), aliases) {
				q.RemoveAlias(a.Value)
			}
		}
		if req.FirstName != "" {
			q.FirstName = req.FirstName
		}
		if req.LastName != "" {
			q.LastName = req.LastName
		}
		p, err = b.rewrite(ws, primary, q)
		return err
	})
	return p, created, err
}

// Unmerge undoes the most recent merge into person id: the merged person comes back
// with the aliases it brought (those the survivor still owns) and its events. Events
// stored after the merge under one of those aliases go back with the alias. It returns
// the restored person and the survivor.
func (s *Store) Unmerge(ctx context.Context, w store.Workspace, id string) (restored, survivor *identity.Person, err error) {
	err = s.do(ctx, func(b *batch) error {
		ws, err := b.workspace(w)
		if err != nil {
			return err
		}
		q, err := b.livePerson(ws, id)
		if err != nil {
			return err
		}
		if q.ID != id {
			return reject("%w: person %s was merged into %s; unmerge from %s", store.ErrConflict, id, q.ID, q.ID)
		}
		if len(q.Merges) == 0 {
			return reject("%w: nothing was merged into person %s", store.ErrConflict, id)
		}
		m := q.Merges[len(q.Merges)-1]
		pk, err := pidFromString(m.PersonID)
		if err != nil {
			return err
		}
		p, err := b.person(ws, pk)
		if err != nil {
			return err
		}
		qk, _ := pidFromString(q.ID)
		q, p = q.Clone(), p.Clone()
		q.Merges = q.Merges[:len(q.Merges)-1]
		back := map[string]bool{}
		for _, a := range m.Aliases {
			if e, ok, err := b.alias(ws, a.Value); err != nil {
				return err
			} else if !ok || e.person != qk {
				continue // removed or moved since the merge: it stays where it is
			}
			q.RemoveAlias(a.Value)
			if err := b.addAlias(ws, p, a); err != nil {
				return err
			}
			back[a.Value] = true
		}
		if err := b.moveEvents(ws, qk, pk, m.Seq, back); err != nil {
			return err
		}
		if err := b.rebuild(w, ws, qk, pk); err != nil {
			return err
		}
		p.MergedInto = ""
		p.UpdatedAt, q.UpdatedAt = b.now, b.now
		if err := b.putPerson(ws, p); err != nil {
			return err
		}
		restored, survivor = p, q
		return b.putPerson(ws, q)
	})
	return restored, survivor, err
}

// moveEvents moves the events of person from stored after sequence after under one of
// aliases to person to (same time and sequence, so every order is kept).
func (b *batch) moveEvents(ws wsid, from, to pid, after uint64, aliases map[string]bool) error {
	if len(aliases) == 0 {
		return nil
	}
	type move struct {
		ref eventRef
		raw []byte
	}
	var moves []move
	opt := badger.DefaultIteratorOptions
	opt.Prefix = eventPrefix(ws, from)
	it := b.txn.NewIterator(opt)
	for it.Rewind(); it.Valid(); it.Next() {
		ref, err := refFromEventKey(it.Item().Key())
		if err != nil {
			it.Close()
			return err
		}
		if ref.seq <= after {
			continue
		}
		raw, err := it.Item().ValueCopy(nil)
		if err != nil {
			it.Close()
			return err
		}
		if a, old := b.aliasOf(raw); aliases[a] || old != "" && aliases[old] {
			moves = append(moves, move{ref, raw})
		}
	}
	it.Close()
	for _, m := range moves {
		if err := b.txn.Delete(eventKey(ws, m.ref)); err != nil {
			return err
		}
		ref := m.ref
		ref.person = to
		if err := b.set(eventKey(ws, ref), m.raw); err != nil {
			return err
		}
		if err := b.set(dedupeKey(ws, event.ID(m.raw), event.SourceOf(m.raw)), ref.appendTo(nil)); err != nil {
			return err
		}
	}
	return nil
}

// aliasOf returns the normalised alias a stored event was posted under and, for a phone
// whose legacy form (identity.LegacyPhone) differs, that form too: the event may be
// filed under an alias stored before phones were E.164.
func (b *batch) aliasOf(raw []byte) (alias, legacy string) {
	var ev struct {
		Identity     string `json:"identity"`
		IdentityType string `json:"identitytype"`
	}
	if json.Unmarshal(raw, &ev) != nil {
		return "", ""
	}
	k, _ := identity.ParseKind(ev.IdentityType)
	alias, _ = identity.Normalize(k, ev.Identity, b.s.opts.Region)
	if k == identity.Phone {
		if old, ok := identity.LegacyPhone(ev.Identity, b.s.opts.Region); ok && old != alias {
			legacy = old
		}
	}
	return alias, legacy
}

// eraseChunk bounds the events one transaction deletes; a longer history is finished by
// follow-up transactions (see purge). Readers never see the rest: no alias or person
// leads to it, and ingest ignores dedupe entries of persons that are gone.
const eraseChunk = 5000

// Erase removes a person (live, or any person merged into it: the whole tree), its
// aliases, its events and everything derived from them.
func (s *Store) Erase(ctx context.Context, w store.Workspace, id string) (store.Erased, error) {
	var out store.Erased
	var leftover []pid
	var ws wsid
	err := s.do(ctx, func(b *batch) error {
		out, leftover = store.Erased{}, nil
		var err error
		if ws, err = b.workspace(w); err != nil {
			return err
		}
		p, err := b.livePerson(ws, id)
		if err != nil {
			return err
		}
		out, leftover, err = b.erase(ws, p)
		return err
	})
	if err != nil {
		return store.Erased{}, err
	}
	return out, s.purge(ctx, ws, leftover, &out)
}

// erase removes a live person's tree in this transaction, up to eraseChunk events; the
// persons whose events were not all deleted come back in leftover, marked for purge.
func (b *batch) erase(ws wsid, p *identity.Person) (out store.Erased, leftover []pid, err error) {
	out.Person = p
	ids := append([]string{p.ID}, p.MergedIDs(b.personByID(ws))...)
	for _, a := range p.Aliases() {
		if err := b.deleteAlias(ws, a.Value); err != nil {
			return out, nil, err
		}
		out.Aliases++
	}
	budget := eraseChunk
	for _, id := range ids {
		k, err := pidFromString(id)
		if err != nil {
			return out, nil, err
		}
		key := personKey(ws, k)
		if err := b.txn.Delete(key); err != nil {
			return out, nil, err
		}
		b.persons[string(key)] = nil
		if err := b.clearStates(ws, k); err != nil {
			return out, nil, err
		}
		if err := b.deleteDeliveries(ws, k); err != nil {
			return out, nil, err
		}
		out.Persons++
		n, more, err := b.deleteEvents(ws, k, budget)
		if err != nil {
			return out, nil, err
		}
		out.Events += n
		budget -= n
		if more {
			if err := b.set(purgeKey(ws, k), nil); err != nil {
				return out, nil, err
			}
			leftover = append(leftover, k)
		}
	}
	b.identityChanged = true
	return out, leftover, nil
}

// deleteEvents deletes up to max events of a person with their dedupe entries; more
// reports whether some are left.
func (b *batch) deleteEvents(ws wsid, p pid, max int) (n int, more bool, err error) {
	opt := badger.DefaultIteratorOptions
	opt.Prefix = eventPrefix(ws, p)
	it := b.txn.NewIterator(opt)
	var keys, dedupe [][]byte
	for it.Rewind(); it.Valid(); it.Next() {
		if len(keys) == max {
			more = true
			break
		}
		raw, err := it.Item().ValueCopy(nil)
		if err != nil {
			it.Close()
			return 0, false, err
		}
		keys = append(keys, it.Item().KeyCopy(nil))
		dedupe = append(dedupe, dedupeKey(ws, event.ID(raw), event.SourceOf(raw)))
	}
	it.Close()
	for i, k := range keys {
		if err := b.txn.Delete(k); err != nil {
			return 0, false, err
		}
		// The id may have been posted again since the erasure began: that entry
		// belongs to the new event and stays.
		dk := dedupe[i]
		v, ok, err := b.get(dk)
		if err != nil {
			return 0, false, err
		}
		if ref, err := parseEventRef(v); ok && err == nil && ref.person == p {
			if err := b.txn.Delete(dk); err != nil {
				return 0, false, err
			}
		}
	}
	return len(keys), more, nil
}

// purge finishes erasures: it deletes the remaining events of erased persons, a chunk
// per transaction, then their purge marks. It runs on the caller's goroutine; Open
// resumes purges a crash interrupted.
func (s *Store) purge(ctx context.Context, ws wsid, persons []pid, out *store.Erased) error {
	for _, p := range persons {
		for more := true; more; {
			err := s.do(ctx, func(b *batch) error {
				n, m, err := b.deleteEvents(ws, p, eraseChunk)
				if err != nil {
					return err
				}
				more = m
				if out != nil {
					out.Events += n
				}
				if !m {
					return b.txn.Delete(purgeKey(ws, p))
				}
				return nil
			})
			if err != nil {
				return fmt.Errorf("purging events of erased person %s: %w", p, err)
			}
		}
	}
	return nil
}

// resumePurges finishes erasures that a crash interrupted.
func (s *Store) resumePurges(ctx context.Context) error {
	type job struct {
		ws wsid
		p  pid
	}
	var jobs []job
	err := s.db.View(func(txn *badger.Txn) error {
		opt := badger.DefaultIteratorOptions
		opt.Prefix = []byte{tagPurge}
		opt.PrefetchValues = false
		it := txn.NewIterator(opt)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			ws, p, err := parsePurgeKey(it.Item().Key())
			if err != nil {
				return err
			}
			jobs = append(jobs, job{ws, p})
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, j := range jobs {
		if err := s.purge(ctx, j.ws, []pid{j.p}, nil); err != nil {
			return err
		}
	}
	if len(jobs) > 0 {
		s.log.Info("finished interrupted erasures", "persons", len(jobs))
	}
	return nil
}

// ExpireTemporary removes every person that was created owning only temporaryIds
// before cutoff and was never linked to another alias, with its events. It reads only
// the expiry index, oldest first, and returns how many persons it removed.
func (s *Store) ExpireTemporary(ctx context.Context, cutoff time.Time) (int, error) {
	type candidate struct {
		key []byte
		ws  wsid
		p   pid
	}
	var cands []candidate
	err := s.db.View(func(txn *badger.Txn) error {
		opt := badger.DefaultIteratorOptions
		opt.Prefix = []byte{tagTemporary}
		opt.PrefetchValues = false
		it := txn.NewIterator(opt)
		defer it.Close()
		limit := sortableTime(cutoff.UnixNano())
		for it.Seek([]byte{tagTemporary}); it.Valid(); {
			k := it.Item().KeyCopy(nil)
			ws, created, p, err := parseTemporaryKey(k)
			if err != nil {
				return err
			}
			if created >= limit {
				// The rest of this workspace is younger: jump to the next workspace.
				it.Seek(appendWS(nil, tagTemporary, ws+1))
				continue
			}
			cands = append(cands, candidate{k, ws, p})
			it.Next()
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("reading the expiry index: %w", err)
	}
	expired := 0
	for len(cands) > 0 {
		chunk := cands[:min(len(cands), 100)]
		cands = cands[len(chunk):]
		var leftovers map[wsid][]pid
		n := 0
		err := s.do(ctx, func(b *batch) error {
			leftovers, n = map[wsid][]pid{}, 0
			for _, c := range chunk {
				if err := b.txn.Delete(c.key); err != nil {
					return err
				}
				p, err := b.person(c.ws, c.p)
				if errors.Is(err, store.ErrNotFound) || err == nil && (p.MergedInto != "" || !onlyTemporary(p)) {
					continue // gone, merged or identified: no longer a candidate
				}
				if err != nil {
					return err
				}
				_, left, err := b.erase(c.ws, p)
				if err != nil {
					return err
				}
				leftovers[c.ws] = append(leftovers[c.ws], left...)
				n++
			}
			return nil
		})
		if err != nil {
			return expired, err
		}
		expired += n
		for ws, ps := range leftovers {
			if err := s.purge(ctx, ws, ps, nil); err != nil {
				return expired, err
			}
		}
	}
	return expired, nil
}
