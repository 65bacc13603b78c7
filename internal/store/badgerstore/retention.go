package badgerstore

import (
	"context"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/store"
)

// Retention: a workspace's events whose time is before a cutoff are deleted, a chunk per
// transaction so that ingest keeps flowing in between (like Erase).
//
// What goes with an event: its tagEvent key and its tagDedupe entry (when the entry
// still points at it: the id may have been posted again since, and that entry belongs
// to the new event). After a deletion, an event posted again with an expired event's id
// is stored as a new event.
//
// What stays: persons and their aliases, even when no event is left (they are
// identities, not events; anonymous ones expire by their own rule), and the outbox's
// delivery records. Derived state is recomputed for each person that lost events, from
// the events that remain, so that a profile whose window is longer than the retention
// period counts only what is still in the ledger; state that the deriver does not
// compute from events (when an action last fired, for cooldowns) is kept.

// Chunks of one retention transaction: the events it deletes, and the persons whose
// derived state it recomputes (each reads that person's events inside the longest
// window).
const (
	retentionChunk   = eraseChunk
	retentionPersons = 32
)

// ExpireEvents deletes the events of workspace w whose time is before cutoff, with
// their dedupe entries, in chunks of one transaction each, and recomputes the derived
// state of the persons that lost events. progress, when not nil, is told the running
// totals after each chunk. An unknown workspace has nothing to expire. When ctx ends it
// stops between chunks: what was committed stays deleted, and the next run goes on.
//
// An event stored during the run with a time before cutoff may be left for the next
// run.
func (s *Store) ExpireEvents(ctx context.Context, w store.Workspace, cutoff time.Time, progress func(store.Expired)) (store.Expired, error) {
	var out store.Expired
	var ws wsid
	ok, err := s.view(w, func(_ *reader, id wsid) error { ws = id; return nil })
	if err != nil || !ok {
		return out, err
	}
	from := appendWS(nil, tagEvent, ws)
	limit := cutoff.UnixNano()
	var last pid
	for from != nil {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		keys, persons, next, err := s.expiredKeys(ws, from, limit)
		if err != nil {
			return out, fmt.Errorf("finding expired events of %s: %w", w, err)
		}
		if len(keys) == 0 {
			break
		}
		n := 0
		err = s.do(ctx, func(b *batch) error {
			n = 0
			for _, k := range keys {
				deleted, err := b.deleteExpired(ws, k)
				if err != nil {
					return err
				}
				if deleted {
					n++
				}
			}
			for _, p := range persons {
				if err := b.refresh(w, ws, p); err != nil {
					return fmt.Errorf("recomputing derived state of person %s: %w", p, err)
				}
			}
			return nil
		})
		if err != nil {
			return out, fmt.Errorf("expiring events of %s: %w", w, err)
		}
		// Keys come in person order: only a chunk's first person can be the previous
		// chunk's last.
		out.Persons += len(persons)
		if out.Chunks > 0 && persons[0] == last {
			out.Persons--
		}
		last = persons[len(persons)-1]
		out.Events += n
		out.Chunks++
		if progress != nil {
			progress(out)
		}
		from = next
	}
	return out, nil
}

// expiredKeys reads, from a snapshot, the keys of up to retentionChunk events with time
// before limit, from key from on, belonging to at most retentionPersons persons, in key
// order; persons lists those persons in order. next is where the following chunk
// starts, nil when nothing is left. Only keys are read: a person's younger events are
// skipped with one seek.
func (s *Store) expiredKeys(ws wsid, from []byte, limit int64) (keys [][]byte, persons []pid, next []byte, err error) {
	err = s.db.View(func(txn *badger.Txn) error {
		opt := badger.DefaultIteratorOptions
		opt.Prefix = appendWS(nil, tagEvent, ws)
		opt.PrefetchValues = false
		it := txn.NewIterator(opt)
		defer it.Close()
		for it.Seek(from); it.Valid(); {
			k := it.Item().Key()
			ref, err := refFromEventKey(k)
			if err != nil {
				return err
			}
			if ref.time >= limit {
				// This person's other events are younger still: on to the next person.
				nextPerson, ok := after(eventPrefix(ws, ref.person))
				if !ok {
					return nil
				}
				it.Seek(nextPerson)
				continue
			}
			newPerson := len(persons) == 0 || persons[len(persons)-1] != ref.person
			if len(keys) == retentionChunk || newPerson && len(persons) == retentionPersons {
				next = it.Item().KeyCopy(nil)
				return nil
			}
			if newPerson {
				persons = append(persons, ref.person)
			}
			keys = append(keys, it.Item().KeyCopy(nil))
			it.Next()
		}
		return nil
	})
	return keys, persons, next, err
}

// after returns the first key after every key with prefix p: p plus one, carried (past
// a workspace's last person it leaves the workspace, which ends a prefix iteration).
// ok is false when no such key exists (p is all 0xff).
func after(p []byte) (next []byte, ok bool) {
	next = append([]byte(nil), p...)
	for i := len(next) - 1; i >= 0; i-- {
		next[i]++
		if next[i] != 0 {
			return next, true
		}
	}
	return nil, false
}

// deleteExpired deletes one event and its dedupe entry when the entry points at it.
// deleted is false when the event is gone already (erased, or moved by an unmerge since
// it was found: the next run finds it under its new key).
func (b *batch) deleteExpired(ws wsid, key []byte) (deleted bool, err error) {
	raw, ok, err := b.get(key)
	if err != nil || !ok {
		return false, err
	}
	ref, err := refFromEventKey(key)
	if err != nil {
		return false, err
	}
	if err := b.txn.Delete(key); err != nil {
		return false, fmt.Errorf("deleting event: %w", err)
	}
	dk := dedupeKey(ws, event.ID(raw), event.SourceOf(raw))
	v, ok, err := b.get(dk)
	if err != nil {
		return false, err
	}
	if cur, err := parseEventRef(v); ok && err == nil && cur == ref {
		if err := b.txn.Delete(dk); err != nil {
			return false, fmt.Errorf("deleting dedupe entry: %w", err)
		}
	}
	return true, nil
}

// refresh recomputes the derived state of a person after retention deleted some of its
// events. Unlike rebuild it does not clear the state first: what the deriver keeps
// besides what it computes from events (an action's last firing) must survive.
func (b *batch) refresh(w store.Workspace, ws wsid, p pid) error {
	d := b.s.opts.Deriver
	if d == nil {
		return nil
	}
	if _, ok, err := b.get(personKey(ws, p)); err != nil || !ok {
		return err // erased since: nothing to recompute
	}
	return d.Rebuild(b.state(w, ws, p), b.events(ws, p))
}
