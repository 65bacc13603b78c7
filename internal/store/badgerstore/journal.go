package badgerstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"sync"
	"sync/atomic"

	"github.com/dgraph-io/badger/v4"

	"github.com/openjds/jds/internal/gencache"
)

// The state journal.
//
// Derived state changes with nearly every event, and a Badger key costs far more than
// its bytes: a memtable insert at a random place, a log record, then its share of every
// flush and compaction. Writing each changed state under its own key made five profile
// templates cost more than a third of the ingest rate. So a commit writes the state
// changes of all its events as one journal record (a tagJournal key, and one more per
// maxJournalRecord bytes), in the same transaction as the events: durable together, as
// before. The values themselves stay
// pending in memory (pendingStates), where the committer and readers find them, and are
// written under their own keys later, a slice per commit (a checkpoint). A state that
// changes many times meanwhile is written once.
//
// Pending values live in generations. The current one takes every change. When it has
// grown to its bound and no older one is left, it becomes the old one, and the commits
// that follow write its values under their keys (skipping those changed since, which the
// current generation holds). The commit that writes the last of them deletes the
// journal records of that generation, and the generation is dropped. At Open, the journal
// records left are applied again, in order: each holds whole values, so the last
// record that names a key holds its latest value. (Close writes nothing out: the next
// Open applies the records, as after a crash.)
//
// Clearing a person's state (unmerge, erasure) deletes its keys in the transaction, as
// before, and is journaled too; pending values older than the clear are then treated as
// absent, and never written.

// pendingGen is one generation of pending values: their records, by version, in a
// gencache.Arena (a nil value is a deletion), and the clears.
type pendingGen struct {
	records *gencache.Arena
	// cleared: a person's state prefix → version of the last clear of its state.
	cleared map[[statePrefixLen]byte]uint64
	// journals are the numbers of the journal records whose changes this generation holds.
	journals []uint64
}

func newPendingGen() *pendingGen {
	return &pendingGen{records: gencache.NewArena(1 << 20), cleared: map[[statePrefixLen]byte]uint64{}}
}

// size is what the generation takes in memory.
func (g *pendingGen) size() int { return g.records.Size() + 32*len(g.cleared) }

// pendingStates holds the state values that are journaled but not yet written under
// their own keys. The committer is its only writer; readers look values up under mu.
type pendingStates struct {
	mu       sync.RWMutex
	seed     maphash.Seed
	cur, old *pendingGen // old is nil when no generation is being written out
	genBytes int
	ver      uint64 // last version given to a change
	// drops counts the generations dropped: a reader that missed a value in memory and
	// then read a snapshot older than the drop may have missed it altogether (see States).
	drops atomic.Uint64
	next  uint64 // number of the next journal record
	// cursor is where the checkpoint of old has got to; committer only.
	cursor gencache.Cursor
	// quota is how many values a commit writes out.
	quota int
}

// newPendingStates sizes the checkpoints by the memtable: Badger refuses a transaction
// of more than 15% of it, counting each entry as a skiplist node of maximum height (96
// bytes): 52,000 entries for 32 MiB. A checkpoint takes a sixteenth of that, a quarter
// when catching up, leaving the rest to the events of the commit.
func newPendingStates(genBytes int, memTableSize int64) *pendingStates {
	maxEntries := int(memTableSize*15/100) / 96
	return &pendingStates{seed: maphash.MakeSeed(), cur: newPendingGen(), genBytes: genBytes, next: 1, quota: max(maxEntries/16, 64)}
}

// lookup finds a pending value: pending false means the key's stored value (if any) is
// current; otherwise v is the value, nil when absent, and ver its version.
func (p *pendingStates) lookup(key []byte) (v []byte, ver uint64, pending bool) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	h := maphash.Bytes(p.seed, key)
	var prefix [statePrefixLen]byte
	copy(prefix[:], key)
	cleared := p.clearedAt(prefix)
	for _, g := range [2]*pendingGen{p.cur, p.old} {
		if g == nil {
			continue
		}
		if v, ver, ok := g.records.Get(h, key); ok {
			if ver < cleared {
				return nil, cleared, true
			}
			return v, ver, true
		}
	}
	if cleared > 0 {
		return nil, cleared, true // the clear deleted the stored value
	}
	return nil, 0, false
}

// clearedAt returns the version of the last clear of a person's state still pending.
func (p *pendingStates) clearedAt(prefix [statePrefixLen]byte) uint64 {
	v := p.cur.cleared[prefix]
	if p.old != nil {
		v = max(v, p.old.cleared[prefix])
	}
	return v
}

// Journal records hold operations, in the order the commit made them:
//
//	opSet   uvarint(len key) key uvarint(len value + 1, 0 to delete) value
//	opClear person's state prefix (statePrefixLen bytes)
const (
	opSet   byte = 's'
	opClear byte = 'c'
)

func appendSetOp(j, key, v []byte) []byte {
	j = append(j, opSet)
	j = binary.AppendUvarint(j, uint64(len(key)))
	j = append(j, key...)
	if v == nil {
		return append(j, 0)
	}
	j = binary.AppendUvarint(j, uint64(len(v))+1)
	return append(j, v...)
}

func appendClearOp(j, prefix []byte) []byte {
	return append(append(j, opClear), prefix...)
}

// decodeOp decodes the operation at the start of rec: for opSet its key and value (nil
// to delete), for opClear the person's state prefix as key. size is its length.
func decodeOp(rec []byte) (op byte, key, v []byte, size int, err error) {
	if len(rec) == 0 {
		return 0, nil, nil, 0, errors.New("empty operation")
	}
	switch op, body := rec[0], rec[1:]; op {
	case opSet:
		klen, n := binary.Uvarint(body)
		if n <= 0 || uint64(len(body)-n) < klen {
			return op, nil, nil, 0, errors.New("bad key length")
		}
		key, body = body[n:n+int(klen)], body[n+int(klen):]
		vlen, m := binary.Uvarint(body)
		if m <= 0 || uint64(len(body)-m)+1 < vlen {
			return op, nil, nil, 0, errors.New("bad value length")
		}
		if vlen > 0 {
			v = body[m : m+int(vlen)-1 : m+int(vlen)-1]
		}
		return op, key, v, 1 + n + int(klen) + m + max(int(vlen)-1, 0), nil
	case opClear:
		if len(body) < statePrefixLen {
			return op, nil, nil, 0, errors.New("short clear")
		}
		return op, body[:statePrefixLen], nil, 1 + statePrefixLen, nil
	default:
		return op, nil, nil, 0, fmt.Errorf("unknown operation %q", op)
	}
}

// apply makes the operations of journal record no pending, after its commit.
func (p *pendingStates) apply(no uint64, rec []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	g := p.cur
	for off := 0; off < len(rec); {
		op, key, v, size, err := decodeOp(rec[off:])
		if err != nil {
			return fmt.Errorf("journal record %d at %d: %w", no, off, err)
		}
		off += size
		p.ver++
		if op == opSet {
			g.records.Put(maphash.Bytes(p.seed, key), key, v, p.ver)
		} else {
			g.cleared[[statePrefixLen]byte(key)] = p.ver
		}
	}
	g.journals = append(g.journals, no)
	p.next = max(p.next, no+1)
	return nil
}

// checkpoint writes, in b, up to quota values of the old generation under their own
// keys, from the cursor on. It returns where it stopped, and done when the old generation
// is all written, in which case it has also deleted its journal records. It runs before
// the batch's operations, so that a clear in the batch deletes what it writes.
func (p *pendingStates) checkpoint(b *batch) (cursor gencache.Cursor, done bool, err error) {
	g := p.old
	if g == nil {
		return cursor, false, nil
	}
	quota := p.quota
	if p.cur.size() > p.genBytes {
		quota *= 4 // the current generation is waiting for this one: catch up
	}
	cursor, done, err = g.records.Scan(p.cursor, quota, func(at gencache.Ref, key, v []byte, ver uint64) error {
		h := maphash.Bytes(p.seed, key)
		if latest, _ := g.records.Find(h, key); latest != at {
			return nil // changed again in this generation
		}
		if _, changed := p.cur.records.Find(h, key); changed {
			return nil // the current generation will write it
		}
		if ver < p.clearedAt([statePrefixLen]byte(key[:statePrefixLen])) {
			return nil // the clear deleted it
		}
		if v == nil {
			return b.txn.Delete(key)
		}
		return b.txn.Set(key, v)
	})
	if err != nil {
		return cursor, false, fmt.Errorf("writing pending state: %w", err)
	}
	if done {
		for _, no := range g.journals {
			if err := b.txn.Delete(journalKey(no)); err != nil {
				return cursor, false, fmt.Errorf("deleting journal record %d: %w", no, err)
			}
		}
	}
	return cursor, done, nil
}

// committed is told of a batch committed: it makes the batch's journaled changes
// pending, notes how far its checkpoint got, drops a generation written out, and starts a
// new one when the current one is full.
func (p *pendingStates) committed(b *batch) error {
	if err := b.journalRecords(p.next, p.apply); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cursor = b.checkpoint
	if b.checkpointDone {
		p.old = nil
		p.cursor = gencache.Cursor{}
		p.drops.Add(1)
	}
	if p.old == nil && p.cur.size() >= p.genBytes {
		p.old, p.cur = p.cur, newPendingGen()
	}
	return nil
}

// replay applies the journal records left in the store, in order: at Open, before the
// committer starts.
func (p *pendingStates) replay(db *badger.DB) (records int, err error) {
	err = db.View(func(txn *badger.Txn) error {
		opt := badger.DefaultIteratorOptions
		opt.Prefix = []byte{tagJournal}
		it := txn.NewIterator(opt)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			k := it.Item().Key()
			if len(k) != 9 {
				return fmt.Errorf("bad journal key %x", k)
			}
			rec, err := it.Item().ValueCopy(nil)
			if err != nil {
				return fmt.Errorf("reading journal record: %w", err)
			}
			if err := p.apply(binary.BigEndian.Uint64(k[1:]), rec); err != nil {
				return err
			}
			records++
		}
		return nil
	})
	if err == nil {
		err = p.committed(&batch{}) // start a new generation if the records fill one
	}
	return records, err
}

// held is what the pending values take in memory.
func (p *pendingStates) held() int {
	p.mu.RLock()
	defer p.mu.RUnlock()
	n := p.cur.size()
	if p.old != nil {
		n += p.old.size()
	}
	return n
}

// maxJournalRecord is the size past which a batch's journal goes on in another record:
// in memory, Badger takes no value over 1 MiB.
const maxJournalRecord = 256 << 10

// setState journals a state value of the batch; nil deletes it.
func (b *batch) setState(key, v []byte) error {
	b.cutJournal()
	b.stateOps.set(b.s.pending.seed, b.journal, key, len(b.journal))
	b.journal = appendSetOp(b.journal, key, v)
	b.s.states.Put(key, v, 0)
	return nil
}

// journalClear journals the clear of a person's state.
func (b *batch) journalClear(prefix []byte) {
	b.cutJournal()
	b.stateOps.clear([statePrefixLen]byte(prefix), len(b.journal))
	b.journal = appendClearOp(b.journal, prefix)
}

// cutJournal starts a new record at the end of the journal if the current one is full.
func (b *batch) cutJournal() {
	start := 0
	if n := len(b.journalCuts); n > 0 {
		start = b.journalCuts[n-1]
	}
	if len(b.journal)-start >= maxJournalRecord {
		b.journalCuts = append(b.journalCuts, len(b.journal))
	}
}

// journalRecords calls fn with each record of the batch's journal and its number, from
// first on.
func (b *batch) journalRecords(first uint64, fn func(no uint64, rec []byte) error) error {
	if len(b.journal) == 0 {
		return nil
	}
	start, no := 0, first
	for _, end := range b.journalCuts {
		if err := fn(no, b.journal[start:end]); err != nil {
			return err
		}
		start, no = end, no+1
	}
	return fn(no, b.journal[start:])
}

// batchStates indexes the state changes of a batch in its journal record, so that the
// batch reads what it wrote: by the hash of a key, the offset of its latest opSet.
type batchStates struct {
	seed     maphash.Seed
	index    map[uint64]int
	overflow map[string]int // keys whose hash another key of the batch has
	// clears: a person's state prefix → offset of the batch's latest clear of it.
	clears map[[statePrefixLen]byte]int
}

// set notes that journal[off:] is an opSet of key.
func (s *batchStates) set(seed maphash.Seed, journal, key []byte, off int) {
	if s.index == nil {
		s.seed, s.index = seed, map[uint64]int{}
	}
	h := maphash.Bytes(s.seed, key)
	if at, ok := s.index[h]; ok {
		if _, k, _, _, _ := decodeOp(journal[at:]); string(k) != string(key) {
			if s.overflow == nil {
				s.overflow = map[string]int{}
			}
			s.overflow[string(key)] = off
			return
		}
	}
	s.index[h] = off
}

// clear notes that journal[off:] is an opClear of a person's state.
func (s *batchStates) clear(prefix [statePrefixLen]byte, off int) {
	if s.clears == nil {
		s.clears = map[[statePrefixLen]byte]int{}
	}
	s.clears[prefix] = off
}

// get returns the value the batch gave key: ok is false when the batch neither set it nor
// cleared its person's state.
func (s *batchStates) get(journal, key []byte) (v []byte, ok bool) {
	cleared, wasCleared := s.clears[[statePrefixLen]byte(key)]
	if !wasCleared {
		cleared = -1
	}
	if s.index == nil {
		return nil, wasCleared
	}
	at, found := s.index[maphash.Bytes(s.seed, key)]
	if found {
		if _, k, _, _, _ := decodeOp(journal[at:]); string(k) != string(key) {
			at, found = s.overflow[string(key)]
		}
	}
	if !found || at < cleared {
		return nil, wasCleared
	}
	_, _, v, _, _ = decodeOp(journal[at:])
	return v, true
}
