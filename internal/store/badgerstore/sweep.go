package badgerstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"

	"github.com/openjds/jds/internal/store"
)

// The sweep (store.Outbox.Sweep) reads the queue by workspace (tagDue), each workspace's
// share bounded, so that one tenant's backlog does not slow the safety net down for the
// others, and remembers where it stopped in each.

// sweepState is where the sweeps stopped.
type sweepState struct {
	mu   sync.Mutex
	next wsid            // the workspace the next sweep starts with
	from map[wsid][]byte // in each workspace, the tagDue key the next sweep starts at
	// names are the workspaces by number, read again only when a sweep meets a number
	// not in it (numbers never change once given).
	names map[wsid]store.Workspace
}

// Sweep: see store.Outbox.
func (s *Store) Sweep(ctx context.Context, now time.Time, limit, perWorkspace int, p store.Picker) (store.Swept, error) {
	if limit <= 0 || perWorkspace <= 0 {
		return store.Swept{}, fmt.Errorf("sweep: limit %d and perWorkspace %d must be positive", limit, perWorkspace)
	}
	st := &s.sweep
	st.mu.Lock()
	defer st.mu.Unlock()
	s.queue.mu.Lock() // the sweep moves where PickNew starts
	defer s.queue.mu.Unlock()
	var out store.Swept
	err := s.db.View(func(txn *badger.Txn) error {
		opt := badger.DefaultIteratorOptions
		opt.Prefix = []byte{tagDue}
		opt.PrefetchValues = false
		it := txn.NewIterator(opt)
		defer it.Close()
		sc := &sweepScan{ctx: ctx, txn: txn, it: it, end: sortableTime(now.UnixNano()), limit: limit, p: p, out: &out, st: st}
		start, wrapped := st.next, false
		for ws := start; ; {
			it.Seek(appendWS(nil, tagDue, ws))
			if !it.Valid() {
				if wrapped || start == 0 {
					st.next, out.Complete = 0, true
					return nil
				}
				ws, wrapped = 0, true
				continue
			}
			ws = wsid(binary.BigEndian.Uint32(it.Item().Key()[1:]))
			if wrapped && ws >= start {
				st.next, out.Complete = 0, true
				return nil
			}
			whole, err := sc.workspace(ws, perWorkspace, st)
			if err != nil {
				return err
			}
			w, err := sc.name(ws)
			if err != nil {
				return err
			}
			if whole {
				out.Whole = append(out.Whole, w)
			} else {
				out.Partial = append(out.Partial, w)
			}
			next := ws + 1 // 0 after the last number: the first again
			if len(out.Deliveries) >= limit {
				st.next = next // the next workspace's turn; this one goes on from where it stopped
				return nil
			}
			if ws == math.MaxUint32 {
				if wrapped || start == 0 {
					st.next, out.Complete = 0, true
					return nil
				}
				wrapped = true
			}
			ws = next
		}
	})
	// After a sweep that took less than its limit, PickNew reads what comes due after
	// now, and what was queued since the last Pick or PickNew (the sweep may have left it
	// beyond its workspace's share): what else is due by now is the sweeps' (a
	// workspace's backlog past its share is met by the next ones, in turn).
	if err == nil && len(out.Deliveries) < limit {
		s.queue.swept(queueKey(now, uuid.Max))
	}
	return out, err
}

// sweepScan is one sweep under way.
type sweepScan struct {
	ctx    context.Context
	txn    *badger.Txn
	it     *badger.Iterator
	end    uint64 // the due time of now, as in keys
	limit  int
	p      store.Picker
	out    *store.Swept
	budget int // what is left of the workspace's share
	st     *sweepState
}

// workspace meets the due deliveries of ws, at most per of them, from where the last
// sweep stopped there and from the start again after the last. It reports whether it
// met every one, and records where the next sweep starts in ws.
func (sc *sweepScan) workspace(ws wsid, per int, st *sweepState) (whole bool, err error) {
	if st.from == nil {
		st.from = map[wsid][]byte{}
	}
	sc.budget = per
	head := appendWS(nil, tagDue, ws)
	from := st.from[ws]
	if from == nil {
		from = head
	}
	stop, err := sc.meet(head, from, nil)
	if err == nil && stop == nil && !bytes.Equal(from, head) {
		stop, err = sc.meet(head, head, from) // what is before where it began
	}
	if err != nil {
		return false, err
	}
	if stop != nil {
		st.from[ws] = stop
		return false, nil
	}
	delete(st.from, ws)
	return true, nil
}

// meet reads ws's due entries (prefix head) from key from, before key until (nil: to the
// end), through the picker. It returns the first key it did not meet because the share
// or the limit was spent, or nil when it met all of them.
func (sc *sweepScan) meet(head, from, until []byte) (stop []byte, err error) {
	for sc.it.Seek(from); sc.it.ValidForPrefix(head); sc.it.Next() {
		k := sc.it.Item().Key()
		if until != nil && bytes.Compare(k, until) >= 0 {
			return nil, nil
		}
		if len(k) != len(head)+8+16 {
			return nil, fmt.Errorf("due entry of %d bytes", len(k))
		}
		if binary.BigEndian.Uint64(k[len(head):]) > sc.end {
			return nil, nil // the rest of the workspace's is due later
		}
		if sc.budget == 0 || len(sc.out.Deliveries) >= sc.limit {
			return sc.it.Item().KeyCopy(nil), nil
		}
		sc.budget--
		if sc.budget%1024 == 0 && sc.ctx.Err() != nil {
			return nil, sc.ctx.Err()
		}
		id, err := uuid.FromBytes(k[len(head)+8:])
		if err != nil {
			return nil, err
		}
		if sc.p.Pass != nil && sc.p.Pass(id) {
			continue
		}
		person, err := sc.it.Item().ValueCopy(nil)
		if err != nil {
			return nil, err
		}
		if len(person) != pidLen {
			return nil, fmt.Errorf("due entry of delivery %s: person of %d bytes", id, len(person))
		}
		ws := wsid(binary.BigEndian.Uint32(head[1:]))
		item, err := sc.txn.Get(deliveryKey(ws, pid(person), id))
		if err != nil {
			return nil, fmt.Errorf("queued delivery %s without a record: %w", id, err)
		}
		d, err := decodeDelivery(item)
		if err != nil {
			return nil, err
		}
		if sc.p.Take != nil && !sc.p.Take(d) {
			continue
		}
		sc.out.Deliveries = append(sc.out.Deliveries, d)
	}
	return nil, nil
}

// name is the workspace numbered ws. The names are read again (a key per workspace of
// the store) only when ws is a number the sweeps have not met.
func (sc *sweepScan) name(ws wsid) (store.Workspace, error) {
	if w, ok := sc.st.names[ws]; ok {
		return w, nil
	}
	names, err := workspaceNames(sc.txn)
	if err != nil {
		return store.Workspace{}, err
	}
	sc.st.names = names
	w, ok := names[ws]
	if !ok {
		return w, fmt.Errorf("due deliveries of workspace number %d, which has no name", ws)
	}
	return w, nil
}
