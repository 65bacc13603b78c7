package badgerstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/identity"
	"github.com/openjds/jds/internal/store"
)

// Derived state (see package store) is journaled by the committer in the same
// transaction as the event that changes it (see journal.go).

// State is the derived state of one person inside one commit.
type derivedState struct {
	b      *batch
	ws     wsid
	w      store.Workspace
	person pid
	key    []byte // scratch: the person's state key prefix, then a name
}

// Workspace is the workspace of the person.
func (s *derivedState) Workspace() store.Workspace { return s.w }

// Person is the id of the person the state belongs to.
func (s *derivedState) Person() string { return s.person.String() }

// Now is the commit's clock reading.
func (s *derivedState) Now() time.Time { return s.b.now }

// keyOf returns the key of a named value of the person, in scratch space that the next
// call reuses.
func (s *derivedState) keyOf(name string) []byte {
	if len(s.key) < statePrefixLen {
		s.key = appendStatePrefix(s.key[:0], s.ws, s.person)
	}
	s.key = append(s.key[:statePrefixLen], name...)
	return s.key
}

// Get returns a named value, nil when absent. The value is shared: do not modify it.
func (s *derivedState) Get(name string) ([]byte, error) {
	v, _, err := s.b.getState(s.keyOf(name))
	return v, err
}

// Set stores a named value.
func (s *derivedState) Set(name string, v []byte) error {
	return s.b.setState(s.keyOf(name), v)
}

// Delete removes a named value.
func (s *derivedState) Delete(name string) error { return s.Set(name, nil) }

// GetMerged returns a named value of the person and of every person merged into it
// (absent ones left out): what a view of the live person combines.
func (s *derivedState) GetMerged(name string) ([][]byte, error) {
	p, err := s.Record()
	if err != nil {
		return nil, err
	}
	var out [][]byte
	for _, id := range append([]string{p.ID}, p.MergedIDs(identity.ByID(graph{b: s.b, ws: s.ws}))...) {
		k, err := parsePID(id)
		if err != nil {
			return nil, err
		}
		v, ok, err := s.b.getState(stateKey(s.ws, k, name))
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, v)
		}
	}
	return out, nil
}

// Record returns the person's record as this commit sees it (shared: do not modify).
func (s *derivedState) Record() (*identity.Person, error) { return s.b.person(s.ws, s.person) }

// Clear removes every value of the person.
func (s *derivedState) Clear() error { return s.b.clearStates(s.ws, s.person) }

// getState reads a state value: as this batch left it, else through the committer's
// state cache (see stateCache), then the pending values (journal.go), then the store. The
// value is shared: callers must not modify it.
func (b *batch) getState(key []byte) ([]byte, bool, error) {
	if v, ok := b.stateOps.get(b.journal, key); ok {
		return v, v != nil, nil
	}
	if v, _, hit := b.s.states.Get(key); hit {
		return v, v != nil, nil
	}
	if v, _, pending := b.s.pending.lookup(key); pending {
		return v, v != nil, nil
	}
	v, ok, err := b.get(key)
	if err == nil {
		b.s.states.Put(key, v, 0)
	}
	return v, ok, err
}

// clearStates deletes every state value of a person. The state cache cannot drop a
// prefix cheaply, and such clears are rare (unmerge, erasure): it is emptied instead.
func (b *batch) clearStates(ws wsid, p pid) error {
	b.s.states.Reset()
	prefix := statePrefix(ws, p)
	b.journalClear(prefix)
	return b.deletePrefix(prefix)
}

func (b *batch) state(w store.Workspace, ws wsid, p pid) *derivedState {
	return &derivedState{b: b, ws: ws, w: w, person: p}
}

// events is the EventSource of one person in this transaction.
func (b *batch) events(ws wsid, p pid) store.EventSource {
	return func(since time.Time, fn func(store.StoredEvent) error) error {
		prefix := eventPrefix(ws, p)
		opt := badger.DefaultIteratorOptions
		opt.Prefix = prefix
		it := b.txn.NewIterator(opt)
		defer it.Close()
		for it.Seek(eventKey(ws, eventRef{person: p, time: since.UnixNano()})); it.Valid(); it.Next() {
			ev, err := storedEvent(it.Item())
			if err != nil {
				return err
			}
			if err := fn(ev); err != nil {
				return err
			}
		}
		return nil
	}
}

func storedEvent(item *badger.Item) (store.StoredEvent, error) {
	ref, err := refFromEventKey(item.Key())
	if err != nil {
		return store.StoredEvent{}, err
	}
	raw, err := item.ValueCopy(nil)
	if err != nil {
		return store.StoredEvent{}, err
	}
	return store.StoredEvent{Time: time.Unix(0, ref.time).UTC(), Seq: ref.seq, Type: event.TypeOf(raw), Raw: raw}, nil
}

// deletePrefix deletes every key with a prefix in this transaction.
func (b *batch) deletePrefix(prefix []byte) error {
	opt := badger.DefaultIteratorOptions
	opt.Prefix = prefix
	opt.PrefetchValues = false
	it := b.txn.NewIterator(opt)
	var keys [][]byte
	for it.Rewind(); it.Valid(); it.Next() {
		keys = append(keys, it.Item().KeyCopy(nil))
	}
	it.Close()
	for _, k := range keys {
		if err := b.txn.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// derive hands a newly stored event to the deriver, with the batch's one State of new
// events.
func (b *batch) derive(w store.Workspace, ws wsid, p pid, ev *event.Event, seq uint64) error {
	d := b.s.opts.Deriver
	if d == nil {
		return nil
	}
	st := &b.derived
	if st.b == nil || st.ws != ws || st.person != p || st.w != w {
		*st = derivedState{b: b, ws: ws, w: w, person: p, key: st.key[:0]}
	}
	return d.Derive(st, store.StoredEvent{Time: ev.Time, Seq: seq, Type: ev.Type, Raw: ev.Raw, Prepared: ev.Prepared})
}

// rebuild recomputes the derived state of persons from their own events.
func (b *batch) rebuild(w store.Workspace, ws wsid, persons ...pid) error {
	d := b.s.opts.Deriver
	if d == nil {
		return nil
	}
	for _, p := range persons {
		st := b.state(w, ws, p)
		if err := st.Clear(); err != nil {
			return err
		}
		if err := d.Rebuild(st, b.events(ws, p)); err != nil {
			return fmt.Errorf("rebuilding derived state of person %s: %w", p, err)
		}
	}
	return nil
}

// States returns a named value for a live person and for every person merged into it
// (absent ones left out), read from one snapshot: the parts a derived view combines. A
// name asked for twice is answered once.
func (s *Store) States(ctx context.Context, w store.Workspace, p *identity.Person, names []string) (map[string][]store.PersonState, error) {
	names = slices.Compact(slices.Sorted(slices.Values(names)))
	for {
		// A value missed in memory is read from the snapshot; if a generation of pending
		// values was dropped meanwhile, the snapshot may predate the commit that wrote it
		// out: read again.
		drops := s.pending.drops.Load()
		out := map[string][]store.PersonState{}
		_, err := s.view(w, func(r *reader, ws wsid) error {
			ids := append([]string{p.ID}, p.MergedIDs(identity.ByID(snapGraph{r, ws}))...)
			for _, id := range ids {
				k, err := parsePID(id)
				if err != nil {
					return err
				}
				for _, name := range names {
					ps, ok, err := s.readState(r.txn, stateKey(ws, k, name))
					if err != nil {
						return err
					}
					if ok {
						ps.PersonID = id
						out[name] = append(out[name], ps)
					}
				}
			}
			return nil
		})
		if err != nil || s.pending.drops.Load() == drops {
			return out, err
		}
	}
}

// pendingVersion marks the versions of pending values, which are not Badger versions.
const pendingVersion = 1 << 63

// readState reads a state value: pending, else in a reader's snapshot, through the
// readers' cache.
func (s *Store) readState(txn *badger.Txn, key []byte) (store.PersonState, bool, error) {
	if v, ver, pending := s.pending.lookup(key); pending {
		return store.PersonState{Version: pendingVersion | ver, Value: v}, v != nil, nil
	}
	item, err := txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return store.PersonState{}, false, nil
	}
	if err != nil {
		return store.PersonState{}, false, fmt.Errorf("reading derived state: %w", err)
	}
	ps := store.PersonState{Version: item.Version()}
	if v, ok := s.readerStates.get(key, ps.Version); ok {
		ps.Value = v
		return ps, true, nil
	}
	if ps.Value, err = item.ValueCopy(nil); err != nil {
		return store.PersonState{}, false, fmt.Errorf("reading derived state: %w", err)
	}
	s.readerStates.put(key, ps.Version, ps.Value)
	return ps, true, nil
}

// EventsByRef reads stored events by their references (a derived entry's person, time
// and sequence); an event that is gone reads as nil.
//
// The references of one answer are mostly near each other in the ledger (a person's
// events of a few types over a window), so they are read in key order with one
// iterator that steps over the few keys between them, and seeks only past a gap: a
// thousand point lookups each searched every memtable and level from the top.
func (s *Store) EventsByRef(ctx context.Context, w store.Workspace, refs []store.EventRef) ([][]byte, error) {
	out := make([][]byte, len(refs))
	_, err := s.view(w, func(r *reader, ws wsid) error {
		keys := make([][]byte, len(refs))
		order := make([]int, len(refs))
		for i, ref := range refs {
			k, err := parsePID(ref.PersonID)
			if err != nil {
				return err
			}
			keys[i], order[i] = eventKey(ws, eventRef{person: k, time: ref.Time.UnixNano(), seq: ref.Seq}), i
		}
		slices.SortFunc(order, func(a, b int) int { return bytes.Compare(keys[a], keys[b]) })
		opt := badger.DefaultIteratorOptions
		opt.PrefetchValues = false
		opt.Prefix = appendWS(nil, tagEvent, ws)
		it := r.txn.NewIterator(opt)
		defer it.Close()
		for _, i := range order {
			if err := ctx.Err(); err != nil {
				return err
			}
			if !stepTo(it, keys[i]) {
				continue
			}
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			out[i] = v
		}
		return nil
	})
	return out, err
}

// stepTo moves it forward to key, by a few steps when key is near, else by a seek;
// whether it is there.
func stepTo(it *badger.Iterator, key []byte) bool {
	const maxSteps = 16
	for range maxSteps {
		if !it.Valid() {
			break
		}
		switch c := bytes.Compare(it.Item().Key(), key); {
		case c == 0:
			return true
		case c > 0:
			return false
		}
		it.Next()
	}
	it.Seek(key)
	return it.Valid() && bytes.Equal(it.Item().Key(), key)
}

// Backfill runs fn for every person record of a workspace (live or merged: each holds
// the state of the events filed under it), a few persons per commit so that ingest
// keeps flowing in between. progress is told how many persons are done out of how many.
func (s *Store) Backfill(ctx context.Context, w store.Workspace, fn store.RebuildFunc, progress func(done, total int)) error {
	var ids []pid
	_, err := s.view(w, func(r *reader, ws wsid) error {
		opt := badger.DefaultIteratorOptions
		opt.Prefix = appendWS(nil, tagPerson, ws)
		opt.PrefetchValues = false
		it := r.txn.NewIterator(opt)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			var p pid
			copy(p[:], it.Item().Key()[1+wsidLen:])
			ids = append(ids, p)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("listing persons of %s: %w", w, err)
	}
	const chunk = 32
	for done := 0; done < len(ids); {
		part := ids[done:min(done+chunk, len(ids))]
		err := s.do(ctx, func(b *batch) error {
			ws, err := b.workspace(w)
			if err != nil {
				return err
			}
			for _, p := range part {
				// A person erased since the listing has nothing to rebuild.
				if _, ok, err := b.get(personKey(ws, p)); err != nil || !ok {
					if err != nil {
						return err
					}
					continue
				}
				if err := fn(b.state(w, ws, p), b.events(ws, p)); err != nil {
					return fmt.Errorf("backfilling person %s: %w", p, err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		done += len(part)
		if progress != nil {
			progress(done, len(ids))
		}
	}
	return nil
}
