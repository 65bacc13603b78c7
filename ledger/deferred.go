package ledger

import (
	"context"
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/openjds/jds/event"
)

// Deferred derived state.
//
// Most of what a commit writes for profiles is state that Derive recomputes from the
// events themselves. Writing it with every event costs a Badger key per attribute per
// event (memtable insert, log record, flush, compaction), which is most of what profiles
// cost at ingest. So a Deriver may hand such values to State.Defer instead of State.Set:
// the committer keeps them in memory (readers see them at once, see dirtyValue) and
// writes each one to Badger when it has been pending for Options.DerivedFlushAfter, or
// sooner when the pending values outgrow Options.DerivedBytes, and all of them at Close.
// A person's state that changes many times within that delay is written once.
//
// The promise stays that of the ledger: an acknowledged event survives kill -9, and so
// does everything derived from it. Every commit records, under metaDerived, a Badger
// version such that the stored state includes every event committed at or before it.
// After a crash, Replay derives the events committed after it again. Replaying an event
// already counted changes nothing (Derive must be idempotent), so that point may be
// conservative. Everything else a commit causes (identity, outbox, action history) is
// still written in the commit itself.

// dirtyState is a deferred value not yet written to Badger.
type dirtyState struct {
	value []byte // nil: deleted
	// ver identifies the value for readers' caches (PersonState.Version). Its high bit
	// is set, so it is never a Badger version.
	ver uint64
	// gen identifies this stretch of being pending, for the queue (see dirtyRef).
	gen uint64
	// since is the commit time at which the value first differed from the stored one.
	since time.Time
	// origin is a Badger version at or before which every event folded into the
	// value was already in the stored one: a replay from there rebuilds it.
	origin uint64
}

// dirtyRef is a place in the queue of pending values, oldest first. It is stale when the
// key was written since (its gen differs, or it is no longer pending).
type dirtyRef struct {
	key string
	gen uint64
}

// maxFlushPerCommit bounds how many pending values one commit writes, so that a flush
// never makes a transaction too big.
const maxFlushPerCommit = 2048

// Defer stores a value that Derive computes from the person's events, leaving the write
// to the ledger (see above): within a while, and surely before Close. Reads through the
// State and the Store see it at once. Use Set for values that replaying events cannot
// recompute.
func (s *State) Defer(name string, v []byte) error {
	b := s.b
	key := string(stateKey(s.ws, s.person, name))
	if b.states == nil {
		b.states = map[string][]byte{}
	}
	if b.deferred == nil {
		b.deferred = map[string]bool{}
	}
	b.states[key] = v
	b.deferred[key] = true
	return nil
}

// Replaying is true while Replay derives an event again after a crash: whatever else
// Derive causes for it (actions) happened the first time.
func (s *State) Replaying() bool { return s.b.replaying }

// dirtyValue returns the pending value of a state key, for readers.
func (s *Store) dirtyValue(key []byte) (dirtyState, bool) {
	s.dirtyMu.RLock()
	defer s.dirtyMu.RUnlock()
	d, ok := s.dirty[string(key)]
	if !ok {
		return dirtyState{}, false
	}
	return *d, true
}

// pendingStates says how many deferred values are not written yet.
func (s *Store) pendingStates() int {
	s.dirtyMu.RLock()
	defer s.dirtyMu.RUnlock()
	return len(s.dirty)
}

// flushDeferred writes, in this batch, the pending values that are due: pending for
// longer than DerivedFlushAfter, or the oldest while the pending bytes exceed
// DerivedBytes, or every one when b.flushAll. Then it records the replay point.
func (b *batch) flushDeferred() error {
	s := b.s
	excess := s.dirtyBytes - s.opts.DerivedBytes
	for n := 0; b.popped < len(s.dirtyFIFO) && n < maxFlushPerCommit; b.popped++ {
		ref := s.dirtyFIFO[b.popped]
		d := s.dirty[ref.key]
		if d == nil || d.gen != ref.gen {
			continue // written since
		}
		if !b.flushAll && excess <= 0 && b.now.Sub(d.since) < s.opts.DerivedFlushAfter {
			break
		}
		v := d.value
		if bv, ok := b.states[ref.key]; ok {
			v = bv // this batch changed it again
		}
		if err := b.setState([]byte(ref.key), v); err != nil {
			return err
		}
		excess -= len(ref.key) + len(d.value)
		n++
	}
	// The replay point: the oldest origin still pending after this commit. Values first
	// deferred by this commit have origin b.origin, the version of the previous commit,
	// which is at least as old as any of this commit's events.
	point := b.origin
	for _, ref := range s.dirtyFIFO[b.popped:] {
		if d := s.dirty[ref.key]; d != nil && d.gen == ref.gen {
			point = min(point, d.origin)
			break // the queue is in order of origin
		}
	}
	if floor := s.replayFloor.Load(); floor != 0 {
		point = min(point, floor)
	}
	return b.set(metaDerived, binary.BigEndian.AppendUint64(nil, point))
}

// applyDeferred makes a committed batch's deferred values pending, and forgets the
// pending values it wrote (flushed, or replaced by a value written with the commit).
// Readers told of the change by flushGen read again (see States).
func (s *Store) applyDeferred(b *batch) {
	written := false
	for k := range b.states {
		if !b.deferred[k] && s.dirty[k] != nil {
			written = true
			break
		}
	}
	if written {
		s.flushGen.Add(1) // before the values leave: see States
	}
	s.dirtyMu.Lock()
	defer s.dirtyMu.Unlock()
	for k, v := range b.states {
		d := s.dirty[k]
		switch {
		case !b.deferred[k]:
			if d != nil {
				s.dirtyBytes -= len(k) + len(d.value)
				delete(s.dirty, k)
			}
		case d != nil:
			s.dirtyCount++
			s.dirtyBytes += len(v) - len(d.value)
			s.dirty[k] = &dirtyState{value: v, ver: 1<<63 | s.dirtyCount, gen: d.gen, since: d.since, origin: d.origin}
		default:
			s.dirtyCount++
			s.dirtyBytes += len(k) + len(v)
			s.dirty[k] = &dirtyState{value: v, ver: 1<<63 | s.dirtyCount, gen: s.dirtyCount, since: b.now, origin: b.origin}
			s.dirtyFIFO = append(s.dirtyFIFO, dirtyRef{key: k, gen: s.dirtyCount})
		}
	}
	s.dirtyFIFO = s.dirtyFIFO[b.popped:]
	if len(s.dirtyFIFO) == 0 {
		s.dirtyFIFO = nil // let the array go
	}
}

// clearDeferred deletes, in this batch, the pending values of a person whose state is
// deleted by prefix.
func (b *batch) clearDeferred(prefix []byte) {
	if b.states == nil {
		b.states = map[string][]byte{}
	}
	for k := range b.states {
		if strings.HasPrefix(k, string(prefix)) {
			b.states[k] = nil
			delete(b.deferred, k)
		}
	}
	for k := range b.s.dirty {
		if strings.HasPrefix(k, string(prefix)) {
			b.states[k] = nil
		}
	}
}

// flushOp writes every pending value it can in one commit.
type flushOp struct{}

func (flushOp) apply(b *batch) error { b.flushAll = true; return nil }
func (flushOp) events() int          { return 0 }

// flushAllDeferred writes every pending value; the committer calls it as it stops.
func (s *Store) flushAllDeferred() {
	for len(s.dirty) > 0 {
		r := &request{op: flushOp{}, done: make(chan error, 1)}
		s.commitGroup([]*request{r})
		if err := <-r.done; err != nil {
			s.log.Error("writing deferred profile state failed; it will be derived again at the next start", "err", err)
			return
		}
	}
}

// Replay derives again the events committed since the stored derived state was last
// complete: after a crash, the deferred values that were lost. Call it once after Open,
// when the Deriver knows its definitions, before taking writes. progress is told how
// many events are done out of how many.
func (s *Store) Replay(ctx context.Context, progress func(done, total int)) (int, error) {
	d := s.opts.Deriver
	if d == nil {
		return 0, nil
	}
	type stored struct {
		ws  wsid
		key []byte
	}
	var todo []stored
	var names map[wsid]Workspace
	var point uint64
	err := s.db.View(func(txn *badger.Txn) error {
		p, err := readUint(txn, metaDerived)
		if err != nil || p == 0 {
			return err // no replay point: nothing was ever deferred
		}
		point = p
		if names, err = workspaceNames(txn); err != nil {
			return err
		}
		opt := badger.DefaultIteratorOptions
		opt.Prefix = []byte{tagEvent}
		opt.PrefetchValues = false
		opt.SinceTs = point // only versions after it
		it := txn.NewIterator(opt)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			k := it.Item().KeyCopy(nil)
			todo = append(todo, stored{ws: wsid(binary.BigEndian.Uint32(k[1:])), key: k})
		}
		return nil
	})
	if err != nil || len(todo) == 0 {
		return 0, err
	}
	// Until the replayed values are written, no commit may record a later replay point.
	s.replayFloor.Store(point)
	const chunk = 512
	for done := 0; done < len(todo); {
		part := todo[done:min(done+chunk, len(todo))]
		err := s.do(ctx, func(b *batch) error {
			b.replaying, b.origin = true, min(b.origin, point)
			defer func() { b.replaying = false }()
			for _, ev := range part {
				raw, ok, err := b.get(ev.key)
				if err != nil || !ok {
					if err != nil {
						return err
					}
					continue // erased since
				}
				ref, err := refFromEventKey(ev.key)
				if err != nil {
					return err
				}
				w, ok := names[ev.ws]
				if !ok {
					return fmt.Errorf("event of unknown workspace %d", ev.ws)
				}
				se := StoredEvent{Time: time.Unix(0, ref.time).UTC(), Seq: ref.seq, Type: event.TypeOf(raw), Raw: raw}
				if err := d.Derive(b.state(w, ev.ws, ref.person), se); err != nil {
					return fmt.Errorf("replaying event of person %s: %w", ref.person, err)
				}
			}
			return nil
		})
		if err != nil {
			return done, err
		}
		done += len(part)
		if progress != nil {
			progress(done, len(todo))
		}
	}
	for s.pendingStates() > 0 {
		if err := s.submit(ctx, flushOp{}); err != nil {
			return len(todo), err
		}
	}
	s.replayFloor.Store(0)
	return len(todo), nil
}
