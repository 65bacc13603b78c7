package badgerstore

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"syscall"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"

	"github.com/openjds/jds/internal/gencache"
	"github.com/openjds/jds/internal/identity"
	"github.com/openjds/jds/internal/store"
)

// op is one unit of work for the committer: the writes of one request.
//
// apply does the op's reads and writes through b. It must be repeatable from scratch,
// keeping results only in the op: when a group outgrows one Badger transaction the
// committer discards it and applies the ops again in smaller groups. An op whose request
// is refused (a conflict, say) returns a *Rejected, or the identity rules' *identity.Refused,
// before its first write; that fails the op alone. Any other error fails the whole
// group, which is then not committed.
type op interface {
	apply(b *batch) error
	// events is how many events the op carries, for sizing groups.
	events() int
}

// Rejected is an op refused on its merits; the rest of its group still commits.
type Rejected struct{ Err error }

func (r *Rejected) Error() string { return r.Err.Error() }
func (r *Rejected) Unwrap() error { return r.Err }

type request struct {
	op   op
	err  error // the op's own rejection, set by the committer
	done chan error
}

// submit hands an op to the committer and waits until it is durable (or failed).
//
// If ctx ends first, submit returns ctx.Err() but the op may still commit: a caller that
// retries must be idempotent (ingest is, through event ids).
func (s *Store) submit(ctx context.Context, o op) error {
	r := &request{op: o, done: make(chan error, 1)}
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return store.ErrClosed
	}
	select {
	case s.reqs <- r:
		s.mu.RUnlock()
	case <-ctx.Done():
		s.mu.RUnlock()
		return ctx.Err()
	}
	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// commitLoop is the committer: it takes whatever requests are waiting, up to
// MaxBatchEvents events, and commits them together. While one commit syncs, the next
// group queues up, so the group size grows with the load by itself.
func (s *Store) commitLoop() {
	defer close(s.done)
	for first := range s.reqs {
		group := []*request{first}
		n := first.op.events()
	drain:
		for n < s.opts.MaxBatchEvents {
			select {
			case r, ok := <-s.reqs:
				if !ok {
					break drain
				}
				group = append(group, r)
				n += r.op.events()
			default:
				break drain
			}
		}
		s.commitGroup(group)
	}
}

func (s *Store) commitGroup(group []*request) {
	start := time.Now()
	b, err := s.run(group)
	if err != nil {
		// The state cache holds what the failed batch wrote (see stateCache).
		s.states.Reset()
	}
	if errors.Is(err, badger.ErrTxnTooBig) && len(group) > 1 {
		half := len(group) / 2
		s.commitGroup(group[:half])
		s.commitGroup(group[half:])
		return
	}
	if err == nil {
		// Publish committed state to readers before anyone is told, so that a read
		// issued after an acknowledgement sees it.
		s.renewSnapshot()
		if perr := s.pending.committed(b); perr != nil {
			// The batch's own record, just encoded: only a bug gets here.
			s.log.Error("state journal record not applied", "err", perr)
		}
		s.cache.apply(b.aliases, b.persons)
		if b.queuedLow != nil {
			s.queue.noteQueued(b.queuedLow)
		}
		s.seq.Store(b.seq)
		if b.identityChanged {
			s.identityVersion.Add(1)
		}
		s.nextWS = b.nextWS
		if len(b.newWS) > 0 {
			s.wsMu.Lock()
			for k, v := range b.newWS {
				s.workspaces[k] = v
			}
			s.wsMu.Unlock()
		}
		s.stats.Commits.Add(1)
		s.stats.CommitOps.Add(uint64(len(group)))
		took := time.Since(start)
		s.stats.CommitNanos.Add(uint64(took))
		if s.opts.Observe != nil {
			s.opts.Observe(len(b.committed), took)
		}
	} else if !errors.Is(err, store.ErrNoSpace) { // commitSpace logged it
		s.log.Error("commit failed", "requests", len(group), "err", err)
	}
	for _, r := range group {
		switch {
		case err != nil:
			r.done <- err
		default:
			r.done <- r.err
		}
	}
	if err == nil {
		s.Publish(b.committed)
	}
}

// run applies a group in one transaction and commits it (with one sync).
func (s *Store) run(group []*request) (*batch, error) {
	txn := s.db.NewTransaction(true)
	defer txn.Discard()
	b := &batch{
		s:       s,
		txn:     txn,
		now:     s.opts.Now().UTC(),
		seq:     s.seq.Load(),
		nextWS:  s.nextWS,
		aliases: map[string]aliasEntry{},
		persons: map[string]*identity.Person{},
	}
	var err error
	if b.checkpoint, b.checkpointDone, err = s.pending.checkpoint(b); err != nil {
		return nil, err
	}
	for _, r := range group {
		r.err = nil
		if err := r.op.apply(b); err != nil {
			var rej *Rejected
			var ref *identity.Refused
			switch {
			case errors.As(err, &rej):
				r.err = rej
				continue
			case errors.As(err, &ref):
				r.err = ref
				continue
			}
			return nil, err
		}
	}
	if err := b.set(metaSeq, binary.BigEndian.AppendUint64(nil, b.seq)); err != nil {
		return nil, err
	}
	if b.nextWS != s.nextWS {
		if err := b.set(metaWSID, binary.BigEndian.AppendUint64(nil, uint64(b.nextWS))); err != nil {
			return nil, err
		}
	}
	if err := b.journalRecords(s.pending.next, func(no uint64, rec []byte) error { return b.set(journalKey(no), rec) }); err != nil {
		return nil, err
	}
	// Badger would die of SIGBUS writing this commit on a full disk (space.go).
	if err := s.commitSpace(b.bytes); err != nil {
		return nil, err
	}
	if err := txn.Commit(); err != nil {
		if errors.Is(err, syscall.ENOSPC) {
			err = fmt.Errorf("%w: %w", store.ErrNoSpace, err)
		}
		return nil, fmt.Errorf("committing %d requests: %w", len(group), err)
	}
	return b, nil
}

// batch is the state of one group commit: the transaction, plus every identity record
// read or written through it, which become the committed state once the commit succeeds.
type batch struct {
	s      *Store
	txn    *badger.Txn
	now    time.Time
	seq    uint64
	nextWS wsid
	newWS  map[string]wsid

	aliases   map[string]aliasEntry       // by alias key; zero entry: deleted
	persons   map[string]*identity.Person // by person key; nil: deleted
	committed []store.Committed
	derived   derivedState // handed to store.Deriver.Derive (see derive)
	// journal holds the batch's state changes (see journal.go), written as one record,
	// or more when it grows past maxJournalRecord (journalCuts are where the others
	// start); checkpoint is how far the batch wrote out the old pending generation.
	journal        []byte
	journalCuts    []int
	stateOps       batchStates
	checkpoint     gencache.Cursor
	checkpointDone bool
	// queuedLow is the lowest queue key the batch wrote (see queueScan).
	queuedLow []byte
	// identityChanged is set when an alias changed owner or appeared.
	identityChanged bool
	// bytes counts what set wrote, with Badger's per-entry overhead, for the space check.
	bytes int
}

// entryOverhead is what Badger adds to a key and value in the WAL or the value log:
// header, checksum, and the value pointer left in the tree.
const entryOverhead = 64

func (b *batch) set(key, value []byte) error {
	return b.setEntry(badger.NewEntry(key, value))
}

// setEvent writes an event under its key, with the mark of its type beside it.
func (b *batch) setEvent(ws wsid, ref eventRef, raw []byte, typ string) error {
	return b.setEntry(badger.NewEntry(eventKey(ws, ref), raw).WithMeta(typeMark(typ)))
}

func (b *batch) setEntry(e *badger.Entry) error {
	if err := b.txn.SetEntry(e); err != nil {
		return fmt.Errorf("writing key %q: %w", e.Key[:1], err)
	}
	b.bytes += len(e.Key) + len(e.Value) + entryOverhead
	return nil
}

// get reads a key as this transaction sees it; ok is false when the key is absent.
func (b *batch) get(key []byte) (value []byte, ok bool, err error) {
	item, err := b.txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("reading key %q: %w", key[:1], err)
	}
	value, err = item.ValueCopy(nil)
	if err != nil {
		return nil, false, fmt.Errorf("reading value of key %q: %w", key[:1], err)
	}
	return value, true, nil
}

// workspace returns the number of a workspace, allocating one on first write.
func (b *batch) workspace(ws store.Workspace) (wsid, error) {
	if id, ok := b.s.cachedWorkspace(ws); ok {
		return id, nil
	}
	key := workspaceKey(ws.Org, ws.Name)
	if id, ok := b.newWS[string(key)]; ok {
		return id, nil
	}
	v, ok, err := b.get(key)
	if err != nil {
		return 0, err
	}
	if ok {
		return wsid(binary.BigEndian.Uint32(v)), nil
	}
	b.nextWS++
	id := b.nextWS
	if err := b.set(key, binary.BigEndian.AppendUint32(nil, uint32(id))); err != nil {
		return 0, err
	}
	if b.newWS == nil {
		b.newWS = map[string]wsid{}
	}
	b.newWS[string(key)] = id
	return id, nil
}

// alias finds the owner of a normalised alias.
func (b *batch) alias(ws wsid, alias string) (aliasEntry, bool, error) {
	key := aliasKey(ws, alias)
	if e, ok := b.aliases[string(key)]; ok {
		return e, e.kind != 0, nil
	}
	if e, ok := b.s.cache.alias(key); ok {
		return e, true, nil
	}
	v, ok, err := b.get(key)
	if err != nil || !ok {
		return aliasEntry{}, false, err
	}
	e, err := decodeAliasEntry(v)
	if err != nil {
		return aliasEntry{}, false, err
	}
	b.aliases[string(key)] = e
	return e, true, nil
}

func (b *batch) setAlias(ws wsid, alias string, e aliasEntry) error {
	key := aliasKey(ws, alias)
	if err := b.set(key, append(e.person[:], byte(e.kind))); err != nil {
		return err
	}
	b.aliases[string(key)] = e
	b.identityChanged = true
	return nil
}

// person reads a person as this transaction sees it. The result is shared: Clone it
// before changing it.
func (b *batch) person(ws wsid, id pid) (*identity.Person, error) {
	key := personKey(ws, id)
	if p, ok := b.persons[string(key)]; ok {
		if p == nil {
			return nil, fmt.Errorf("person %s: %w", id, store.ErrNotFound)
		}
		return p, nil
	}
	if p, ok := b.s.cache.person(key); ok {
		return p, nil
	}
	v, ok, err := b.get(key)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("person %s: %w", id, store.ErrNotFound)
	}
	p, err := decodePerson(id, v)
	if err != nil {
		return nil, err
	}
	b.persons[string(key)] = p
	return p, nil
}

func (b *batch) putPerson(ws wsid, p *identity.Person) error {
	id, err := parsePID(p.ID)
	if err != nil {
		return err
	}
	v, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encoding person %s: %w", p.ID, err)
	}
	key := personKey(ws, id)
	if err := b.set(key, v); err != nil {
		return err
	}
	b.persons[string(key)] = p
	return nil
}

// decodePerson decodes a stored person record.
func decodePerson(id pid, v []byte) (*identity.Person, error) {
	p := new(identity.Person)
	if err := json.Unmarshal(v, p); err != nil {
		return nil, fmt.Errorf("decoding person %s: %w", id, err)
	}
	return p, nil
}

func decodeAliasEntry(v []byte) (aliasEntry, error) {
	if len(v) != pidLen+1 {
		return aliasEntry{}, fmt.Errorf("alias entry of %d bytes, want %d", len(v), pidLen+1)
	}
	var e aliasEntry
	copy(e.person[:], v)
	e.kind = identity.Kind(v[pidLen])
	return e, nil
}

func parsePID(s string) (pid, error) {
	id, err := uuid.Parse(s)
	if err != nil {
		return pid{}, fmt.Errorf("person id %q: %w", s, err)
	}
	return id, nil
}

func readUint(txn *badger.Txn, key []byte) (uint64, error) {
	item, err := txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var n uint64
	err = item.Value(func(v []byte) error {
		switch len(v) {
		case 8:
			n = binary.BigEndian.Uint64(v)
		default:
			return fmt.Errorf("counter of %d bytes", len(v))
		}
		return nil
	})
	return n, err
}
