package badgerstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"
	"github.com/openjds/jds/internal/identity"
	"github.com/openjds/jds/internal/store"
)

// The outbox (see package store): delivery records by person, for histories and erasure,
// and a queue of the pending ones by due time, which scans read.

// Enqueue queues a delivery for the person, due at due, in the commit of the event being
// derived. It returns the delivery's id.
func (s *derivedState) Enqueue(payload []byte, due time.Time) (string, error) {
	d := store.NewDelivery(s.w, s.person.String(), payload, due, s.b.now)
	return d.ID, s.b.putDelivery(s.ws, d, time.Time{})
}

// EnqueueDead records, in the commit of the event being derived, a delivery that failed
// before it could be queued (its payload could not be made within its budget): it is
// dead at once, with reason as its last error, in the person's delivery history and
// dead letters, and is never sent. It returns the delivery's id.
func (s *derivedState) EnqueueDead(payload []byte, reason string) (string, error) {
	d := store.NewDeadDelivery(s.w, s.person.String(), payload, reason, s.b.now)
	return d.ID, s.b.putDelivery(s.ws, d, time.Time{})
}

// EnqueueShadow records, in the commit of the event being derived, what an action in
// shadow mode would have delivered: never queued nor sent.
func (s *derivedState) EnqueueShadow(payload []byte, due time.Time) (string, error) {
	d := store.NewShadowDelivery(s.w, s.person.String(), payload, due, s.b.now)
	return d.ID, s.b.putDelivery(s.ws, d, time.Time{})
}

// EnqueueHeld records, in the commit of the event being derived, a delivery a contact
// policy suppressed or deferred (store.NewHeldDelivery).
func (s *derivedState) EnqueueHeld(payload []byte, due time.Time, h store.PolicyHold) (string, error) {
	d := store.NewHeldDelivery(s.w, s.person.String(), payload, due, h, s.b.now)
	return d.ID, s.b.putDelivery(s.ws, d, time.Time{})
}

// deliveryIDs parses the person and the id of a delivery: the parts of its keys.
func deliveryIDs(d *store.Delivery) (pid, uuid.UUID, error) {
	p, err := parsePID(d.PersonID)
	if err != nil {
		return p, uuid.UUID{}, err
	}
	id, err := uuid.Parse(d.ID)
	if err != nil {
		return p, id, fmt.Errorf("delivery id %q: %w", d.ID, err)
	}
	return p, id, nil
}

// putDelivery writes a delivery record, and its place in the queue when it is pending;
// wasDue is its previous due time (zero for a new one), whose queue entry goes.
func (b *batch) putDelivery(ws wsid, d *store.Delivery, wasDue time.Time) error {
	p, id, err := deliveryIDs(d)
	if err != nil {
		return err
	}
	if !wasDue.IsZero() {
		if err := b.txn.Delete(queueKey(wasDue, id)); err != nil {
			return err
		}
		if err := b.txn.Delete(dueKey(ws, wasDue, id)); err != nil {
			return err
		}
	}
	raw, err := store.EncodeDelivery(d)
	if err != nil {
		return err
	}
	if err := b.set(deliveryKey(ws, p, id), raw); err != nil {
		return err
	}
	if d.State == store.Pending {
		key := queueKey(d.Due, id)
		if b.queuedLow == nil || bytes.Compare(key, b.queuedLow) < 0 {
			b.queuedLow = key
		}
		if err := b.set(key, deliveryKey(ws, p, id)); err != nil {
			return err
		}
		return b.set(dueKey(ws, d.Due, id), p[:])
	}
	return nil
}

// queueScan is where the due scan starts. Settled deliveries leave deleted keys at the
// head of the queue, and an iterator steps over every deleted key it meets: with
// thousands settled a minute, scanning from the start made every scan slower, and the
// deliveries later. Each scan remembers the first pending key it saw and the next one
// starts there; a commit that queues a key before it moves it back (noteQueued).
//
// A scan for new work only (PickNew) starts later still: where the previous scan
// stopped, or at the lowest key queued since the previous scan began if that is earlier.
// Every due key before that point was met by an earlier scan, so only those a full scan
// would read again — the ones passed over, waiting for a slot — are left out.
type queueScan struct {
	mu  sync.Mutex // serialises scans
	lmu sync.Mutex // guards the rest
	low []byte     // no pending key sorts before it
	// since is the lowest key queued while a scan runs (nil: none): the scan's snapshot
	// may not hold it.
	since []byte
	// stop is where the last Pick or PickNew stopped: the first key it did not meet (nil:
	// unknown, and the next one reads everything); queued is the lowest key queued since
	// it began (nil: none). Due leaves both alone.
	stop, queued []byte
}

// noteQueued records, after its commit, the lowest queue key a batch wrote.
func (q *queueScan) noteQueued(key []byte) {
	q.lmu.Lock()
	defer q.lmu.Unlock()
	if bytes.Compare(key, q.low) < 0 {
		q.low = key
	}
	if q.since == nil || bytes.Compare(key, q.since) < 0 {
		q.since = key
	}
	if q.queued == nil || bytes.Compare(key, q.queued) < 0 {
		q.queued = key
	}
}

// How a scan reads the queue: Due's (which leaves where it stopped unrecorded), Pick's
// and PickNew's.
const (
	scanDue = iota
	scanAll
	scanNew
)

// begin returns where a scan starts: low, or for new work only the earlier of where the
// last Pick or PickNew stopped and the lowest key queued since it began.
// It also returns what queued was, which a full scan that stops early puts back.
func (q *queueScan) begin(mode int) (start, queued []byte) {
	q.lmu.Lock()
	defer q.lmu.Unlock()
	start, queued = q.low, q.queued
	if mode == scanNew && q.stop != nil {
		start = q.stop
		if q.queued != nil && bytes.Compare(q.queued, start) < 0 {
			start = q.queued
		}
		if bytes.Compare(start, q.low) < 0 {
			start = q.low
		}
	}
	if mode != scanDue {
		q.queued = nil
	}
	q.since = nil
	return start, queued
}

// stopped records where a Pick or PickNew stopped (nil: unknown); queued is what begin
// returned. A full scan that stops before where the last one did (at its limit, or
// enough) leaves the mark where it was: every key before it was met by some scan, and
// those queued since that scan began are still to read.
func (q *queueScan) stopped(mode int, at, queued []byte) {
	q.lmu.Lock()
	defer q.lmu.Unlock()
	if mode == scanAll && at != nil && q.stop != nil && bytes.Compare(q.stop, at) > 0 {
		if queued != nil && (q.queued == nil || bytes.Compare(queued, q.queued) < 0) {
			q.queued = queued
		}
		return
	}
	q.stop = at
}

// swept records where a sweep (Store.Sweep) that met its workspaces' shares leaves
// PickNew: at (the end of what is due), or earlier at what was queued since the last
// Pick or PickNew, which stays.
func (q *queueScan) swept(at []byte) {
	q.lmu.Lock()
	defer q.lmu.Unlock()
	q.stop = at
}

// end records the first pending key a scan saw (nil: none at all).
func (q *queueScan) end(first []byte) {
	q.lmu.Lock()
	defer q.lmu.Unlock()
	if first == nil {
		first = []byte{tagQueue, 0xff} // after every key: the next queued one moves it back
	}
	if q.since != nil && bytes.Compare(q.since, first) < 0 {
		first = q.since
	}
	q.low = first
}

// Due returns up to limit pending deliveries due at or before now, earliest first,
// passing over those skip names without reading them.
func (s *Store) Due(ctx context.Context, now time.Time, limit int, skip func(id string) bool) ([]*store.Delivery, error) {
	var p store.Picker
	if skip != nil {
		p.Pass = func(id uuid.UUID) bool { return skip(id.String()) }
	}
	return s.pick(ctx, now, limit, scanDue, p)
}

// Pick is Due with a say in what counts against the limit (see Picker). So a scheduler
// can fill a scan with what it can send now, however many due deliveries wait for a slow
// partner ahead of them: the scan reads past them instead of stopping.
//
// Passing over a delivery leaves it queued: nothing but Settle takes one out. With an
// error, Pick still returns what Take accepted, for the caller to give back what it
// reserved for them.
func (s *Store) Pick(ctx context.Context, now time.Time, limit int, p store.Picker) ([]*store.Delivery, error) {
	return s.pick(ctx, now, limit, scanAll, p)
}

// PickNew is Pick for new work only: it reads from where the last scan stopped, or from
// the earliest delivery queued since it began, and so leaves out what earlier scans
// passed over. Those come back in the next Pick. A scheduler calls it when deliveries
// were queued and no slot was freed, so that a long queue waiting for a slow partner is
// not read again for each new delivery.
func (s *Store) PickNew(ctx context.Context, now time.Time, limit int, p store.Picker) ([]*store.Delivery, error) {
	return s.pick(ctx, now, limit, scanNew, p)
}

func (s *Store) pick(ctx context.Context, now time.Time, limit int, mode int, p store.Picker) ([]*store.Delivery, error) {
	var out []*store.Delivery
	var first, stop []byte
	s.queue.mu.Lock()
	defer s.queue.mu.Unlock()
	start, queued := s.queue.begin(mode)
	err := s.db.View(func(txn *badger.Txn) error {
		opt := badger.DefaultIteratorOptions
		opt.Prefix = []byte{tagQueue}
		opt.PrefetchValues = false
		it := txn.NewIterator(opt)
		defer it.Close()
		end := sortableTime(now.UnixNano())
		seen := 0
		stop = []byte{tagQueue, 0xff} // after every key, unless the scan stops before
		for it.Seek(start); it.Valid(); it.Next() {
			k := it.Item().Key()
			if first == nil {
				first = it.Item().KeyCopy(nil)
			}
			if len(out) >= limit || binary.BigEndian.Uint64(k[1:9]) > end {
				stop = it.Item().KeyCopy(nil)
				break
			}
			seen++
			if p.Enough != nil && seen%64 == 0 && p.Enough() {
				stop = it.Item().KeyCopy(nil)
				break
			}
			// A scan may read far past what it returns: let a shutdown stop it.
			if seen%1024 == 0 && ctx.Err() != nil {
				break
			}
			if p.Pass != nil {
				if id, err := uuid.FromBytes(k[9:]); err == nil && p.Pass(id) {
					continue
				}
			}
			ref, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			item, err := txn.Get(ref)
			if err != nil {
				return fmt.Errorf("queued delivery without a record: %w", err)
			}
			d, err := decodeDelivery(item)
			if err != nil {
				return err
			}
			if p.Take != nil && !p.Take(d) {
				continue
			}
			out = append(out, d)
		}
		return ctx.Err()
	})
	if mode != scanDue {
		if err != nil {
			stop = nil
		}
		s.queue.stopped(mode, stop, queued)
	}
	switch {
	case mode == scanNew: // it began past low: first is not the first pending key
	case err != nil:
		s.queue.end(start)
	default:
		s.queue.end(first)
	}
	return out, err
}

// OutboxStats reads the outbox's size and its earliest due time. It reads the queue's keys
// only (the due time is in the key), from the start: a scan per metrics scrape, not
// per delivery.
func (s *Store) OutboxStats(ctx context.Context) (store.OutboxStats, error) {
	var st store.OutboxStats
	err := s.db.View(func(txn *badger.Txn) error {
		opt := badger.DefaultIteratorOptions
		opt.Prefix = []byte{tagQueue}
		opt.PrefetchValues = false
		it := txn.NewIterator(opt)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			if st.Pending == 0 {
				due := binary.BigEndian.Uint64(it.Item().Key()[1:9]) ^ (1 << 63) // sortableTime undone
				st.OldestDue = time.Unix(0, int64(due)).UTC()
			}
			st.Pending++
			if st.Pending%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return st, err
}

// Settle records an attempt at a delivery: sent, due again later, or dead. Settling a
// delivery that is no longer pending (settled already, or erased) is ErrNotFound.
func (s *Store) Settle(ctx context.Context, d *store.Delivery, o store.Outcome) error {
	return s.do(ctx, func(b *batch) error {
		ws, err := b.workspace(d.Workspace)
		if err != nil {
			return err
		}
		cur, err := b.delivery(ws, d.PersonID, d.ID)
		if err != nil {
			return err
		}
		next, err := cur.Settled(o)
		if err != nil {
			return &Rejected{Err: err}
		}
		return b.putDelivery(ws, next, cur.Due)
	})
}

// Requeue puts a dead delivery back in the queue, due now, with its attempts counted
// afresh (the dead-letter list's retry).
func (s *Store) Requeue(ctx context.Context, w store.Workspace, personID, id string) error {
	return s.do(ctx, func(b *batch) error {
		ws, cur, err := b.deadDelivery(w, personID, id)
		if err != nil {
			return err
		}
		next, err := cur.Requeued(b.now)
		if err != nil {
			return &Rejected{Err: err}
		}
		return b.putDelivery(ws, next, time.Time{})
	})
}

// delivery reads a delivery record in this transaction; a missing one is rejected.
func (b *batch) delivery(ws wsid, personID, id string) (*store.Delivery, error) {
	p, err := parsePID(personID)
	if err != nil {
		return nil, reject("delivery %q: %w", id, store.ErrNotFound)
	}
	u, err := uuid.Parse(id)
	if err != nil {
		return nil, reject("delivery %q: %w", id, store.ErrNotFound)
	}
	v, ok, err := b.get(deliveryKey(ws, p, u))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, reject("delivery %q: %w", id, store.ErrNotFound)
	}
	return store.DecodeDelivery(v)
}

// Deliveries lists the deliveries of a live person and of persons merged into it,
// newest first; state filters them when not empty.
//
// With personID empty it lists the whole workspace's deliveries: a scan of every
// delivery record, for admins (the console's deliveries and dead letters), not for hot
// paths.
func (s *Store) Deliveries(ctx context.Context, w store.Workspace, personID, state string) ([]*store.Delivery, error) {
	var out []*store.Delivery
	var k pid
	if personID != "" {
		var err error
		if k, err = parsePID(personID); err != nil {
			return nil, fmt.Errorf("person %q: %w", personID, store.ErrNotFound)
		}
	}
	_, err := s.view(w, func(r *reader, ws wsid) error {
		prefixes := [][]byte{appendWS(nil, tagDelivery, ws)}
		if personID != "" {
			p, err := r.root(ws, k)
			if err != nil {
				return err
			}
			prefixes = prefixes[:0]
			for _, id := range append([]string{p.ID}, p.MergedIDs(identity.ByID(snapGraph{r, ws}))...) {
				pk, err := parsePID(id)
				if err != nil {
					return err
				}
				prefixes = append(prefixes, deliveryPrefix(ws, pk))
			}
		}
		for _, prefix := range prefixes {
			if err := ctx.Err(); err != nil {
				return err
			}
			opt := badger.DefaultIteratorOptions
			opt.Prefix = prefix
			it := r.txn.NewIterator(opt)
			for it.Rewind(); it.Valid(); it.Next() {
				d, err := decodeDelivery(it.Item())
				if err != nil {
					it.Close()
					return err
				}
				if state == "" || d.State == state {
					out = append(out, d)
				}
			}
			it.Close()
		}
		return nil
	})
	slices.SortStableFunc(out, func(a, b *store.Delivery) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return out, err
}

// RecentDeliveries: see store.Outbox. It reads the workspace's delivery records in key
// order, keeping the newest: past 2 × limit it sorts them and drops the older.
func (s *Store) RecentDeliveries(ctx context.Context, w store.Workspace, state string, limit int, match func(*store.Delivery) bool) ([]*store.Delivery, bool, error) {
	if limit <= 0 {
		return nil, false, fmt.Errorf("recent deliveries: limit %d must be positive", limit)
	}
	var out []*store.Delivery
	more := false
	trim := func() {
		slices.SortStableFunc(out, func(a, b *store.Delivery) int { return b.CreatedAt.Compare(a.CreatedAt) })
		if len(out) > limit {
			out, more = out[:limit], true
		}
	}
	_, err := s.view(w, func(r *reader, ws wsid) error {
		opt := badger.DefaultIteratorOptions
		opt.Prefix = appendWS(nil, tagDelivery, ws)
		it := r.txn.NewIterator(opt)
		defer it.Close()
		n := 0
		for it.Rewind(); it.Valid(); it.Next() {
			if n++; n%1024 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			d, err := decodeDelivery(it.Item())
			if err != nil {
				return err
			}
			if state != "" && d.State != state || match != nil && !match(d) {
				continue
			}
			if out = append(out, d); len(out) >= 2*limit {
				trim()
			}
		}
		return nil
	})
	trim()
	return out, more, err
}

// deleteDeliveries removes a person's deliveries and their queue entries (erasure).
func (b *batch) deleteDeliveries(ws wsid, p pid) error {
	opt := badger.DefaultIteratorOptions
	opt.Prefix = deliveryPrefix(ws, p)
	it := b.txn.NewIterator(opt)
	var queued [][]byte
	for it.Rewind(); it.Valid(); it.Next() {
		d, err := decodeDelivery(it.Item())
		if err != nil {
			it.Close()
			return err
		}
		if d.State == store.Pending {
			if id, err := uuid.Parse(d.ID); err == nil {
				queued = append(queued, queueKey(d.Due, id), dueKey(ws, d.Due, id))
			}
		}
	}
	it.Close()
	for _, k := range queued {
		if err := b.txn.Delete(k); err != nil {
			return err
		}
	}
	return b.deletePrefix(deliveryPrefix(ws, p))
}

func deliveryPrefix(ws wsid, p pid) []byte {
	return append(appendWS(make([]byte, 0, 1+wsidLen+2*pidLen), tagDelivery, ws), p[:]...)
}

func deliveryKey(ws wsid, p pid, id uuid.UUID) []byte {
	return append(deliveryPrefix(ws, p), id[:]...)
}

// queueKey orders pending deliveries by due time across every workspace: the worker
// reads the queue from its start.
func queueKey(due time.Time, id uuid.UUID) []byte {
	b := make([]byte, 0, 1+8+16)
	b = append(b, tagQueue)
	b = binary.BigEndian.AppendUint64(b, sortableTime(due.UnixNano()))
	return append(b, id[:]...)
}

// dueKey is a pending delivery's entry in its workspace's queue (tagDue), which the
// sweep reads.
func dueKey(ws wsid, due time.Time, id uuid.UUID) []byte {
	b := appendWS(make([]byte, 0, 1+wsidLen+8+16), tagDue, ws)
	b = binary.BigEndian.AppendUint64(b, sortableTime(due.UnixNano()))
	return append(b, id[:]...)
}

// Discard removes a dead delivery for good (the dead-letter list's discard).
func (s *Store) Discard(ctx context.Context, w store.Workspace, personID, id string) error {
	return s.do(ctx, func(b *batch) error {
		ws, cur, err := b.deadDelivery(w, personID, id)
		if err != nil {
			return err
		}
		p, _ := parsePID(cur.PersonID)
		u, _ := uuid.Parse(cur.ID)
		return b.txn.Delete(deliveryKey(ws, p, u))
	})
}

// deadDelivery reads a delivery that must be dead (what the dead-letter list acts on).
func (b *batch) deadDelivery(w store.Workspace, personID, id string) (wsid, *store.Delivery, error) {
	ws, err := b.workspace(w)
	if err != nil {
		return 0, nil, err
	}
	cur, err := b.delivery(ws, personID, id)
	if err != nil {
		return 0, nil, err
	}
	if err := cur.CheckDead(); err != nil {
		return 0, nil, &Rejected{Err: err}
	}
	return ws, cur, nil
}

func decodeDelivery(item *badger.Item) (*store.Delivery, error) {
	var d *store.Delivery
	err := item.Value(func(v []byte) (err error) {
		d, err = store.DecodeDelivery(v)
		return err
	})
	return d, err
}
