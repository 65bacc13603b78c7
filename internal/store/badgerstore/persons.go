package badgerstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"

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

func (b *batch) deleteAlias(ws wsid, value string) error {
	key := aliasKey(ws, value)
	if err := b.txn.Delete(key); err != nil {
		return fmt.Errorf("deleting alias: %w", err)
	}
	b.aliases[string(key)] = aliasEntry{}
	b.identityChanged = true
	return nil
}

// CreatePerson creates a person owning aliases. ErrConflict when an alias belongs to
// someone already.
func (s *Store) CreatePerson(ctx context.Context, w store.Workspace, first, last string, aliases []identity.Alias) (*identity.Person, error) {
	var out *identity.Person
	err := s.inGraph(ctx, w, func(g graph) (err error) {
		out, err = s.rules.Create(g, first, last, aliases)
		return err
	})
	return out, err
}

// UpdatePerson: see identity.Rules.Update.
func (s *Store) UpdatePerson(ctx context.Context, w store.Workspace, id string, change func(p *identity.Person) error) (*identity.Person, error) {
	var out *identity.Person
	err := s.inGraph(ctx, w, func(g graph) (err error) {
		out, err = s.rules.Update(g, id, change)
		return err
	})
	return out, err
}

// Merge: see identity.Rules.Merge.
func (s *Store) Merge(ctx context.Context, w store.Workspace, primary string, others []string) (*identity.Person, error) {
	var out *identity.Person
	err := s.inGraph(ctx, w, func(g graph) (err error) {
		out, err = s.rules.Merge(g, primary, others)
		return err
	})
	return out, err
}

// Identify: see identity.Rules.Identify.
func (s *Store) Identify(ctx context.Context, w store.Workspace, req identity.IdentifyRequest) (p *identity.Person, created bool, err error) {
	err = s.inGraph(ctx, w, func(g graph) (err error) {
		p, created, err = s.rules.Identify(g, req)
		return err
	})
	return p, created, err
}

// Unmerge: see identity.Rules.Unmerge.
func (s *Store) Unmerge(ctx context.Context, w store.Workspace, id string) (restored, survivor *identity.Person, err error) {
	err = s.inGraph(ctx, w, func(g graph) (err error) {
		restored, survivor, err = s.rules.Unmerge(g, id)
		return err
	})
	return restored, survivor, err
}

// inGraph runs fn in a unit of work of its own with the identity graph of w.
func (s *Store) inGraph(ctx context.Context, w store.Workspace, fn func(g graph) error) error {
	return s.do(ctx, func(b *batch) error {
		ws, err := b.workspace(w)
		if err != nil {
			return err
		}
		return fn(b.graph(w, ws))
	})
}

// moveEvents moves the events of person from stored after sequence after that take
// accepts to person to (same time and sequence, so every order is kept).
func (b *batch) moveEvents(ws wsid, from, to pid, after uint64, take func(raw []byte) bool) error {
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
		if take(raw) {
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
		if err := b.setEvent(ws, ref, m.raw, event.TypeOf(m.raw)); err != nil {
			return err
		}
		if err := b.set(dedupeKey(ws, event.ID(m.raw), event.SourceOf(m.raw)), ref.appendTo(nil)); err != nil {
			return err
		}
	}
	return nil
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
		p, err := identity.LiveByID(b.graph(w, ws), id)
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
	ids := append([]string{p.ID}, p.MergedIDs(identity.ByID(graph{b: b, ws: ws}))...)
	for _, a := range p.Aliases() {
		if err := b.deleteAlias(ws, a.Value); err != nil {
			return out, nil, err
		}
		out.Aliases++
	}
	budget := eraseChunk
	for _, id := range ids {
		k, err := uuid.Parse(id)
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
				if errors.Is(err, store.ErrNotFound) || err == nil && (p.MergedInto != "" || !p.OnlyTemporary()) {
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
