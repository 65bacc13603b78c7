package ledger

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/dgraph-io/badger/v4"
)

// A person's derived state is one record under one key (tagState): its named values,
// sorted by name. One key per person, rather than one per (person, name), means an event
// that several attributes count writes one key, not several: each key a commit writes
// costs Badger a memtable insert and, later, flush and compaction work, and that was most
// of what profiles added to ingest (docs/BENCHMARKS.md).
//
// Records are immutable once built: with returns a changed copy, so that a record can be
// shared by the committer's cache, a batch and its readers.
type stateRecord []namedValue

type namedValue struct {
	name string
	v    []byte
}

// recordVersion is the first byte of an encoded record.
const recordVersion = 1

// get returns a named value, nil when absent.
func (r stateRecord) get(name string) []byte {
	if i, ok := r.find(name); ok {
		return r[i].v
	}
	return nil
}

func (r stateRecord) find(name string) (int, bool) {
	return slices.BinarySearchFunc(r, name, func(nv namedValue, name string) int { return strings.Compare(nv.name, name) })
}

// with returns a copy of r with a named value set; nil v removes it.
func (r stateRecord) with(name string, v []byte) stateRecord {
	i, found := r.find(name)
	switch {
	case found && v == nil:
		return slices.Delete(slices.Clone(r), i, i+1)
	case found:
		out := slices.Clone(r)
		out[i].v = v
		return out
	case v == nil:
		return r
	default:
		out := make(stateRecord, 0, len(r)+1)
		out = append(out, r[:i]...)
		out = append(out, namedValue{name, v})
		return append(out, r[i:]...)
	}
}

// size is the record's weight in the state cache.
func (r stateRecord) size() int {
	n := 0
	for _, nv := range r {
		n += len(nv.name) + len(nv.v) + 40
	}
	return n
}

// encode: the version, the count, then each name and value, length-prefixed.
func (r stateRecord) encode() []byte {
	n := 1 + binary.MaxVarintLen32
	for _, nv := range r {
		n += 2*binary.MaxVarintLen32 + len(nv.name) + len(nv.v)
	}
	b := make([]byte, 0, n)
	b = append(b, recordVersion)
	b = binary.AppendUvarint(b, uint64(len(r)))
	for _, nv := range r {
		b = binary.AppendUvarint(b, uint64(len(nv.name)))
		b = append(b, nv.name...)
		b = binary.AppendUvarint(b, uint64(len(nv.v)))
		b = append(b, nv.v...)
	}
	return b
}

var errRecord = errors.New("corrupt derived-state record")

// decodeRecord decodes an encoded record. Values share b's memory.
func decodeRecord(b []byte) (stateRecord, error) {
	if len(b) == 0 || b[0] != recordVersion {
		return nil, fmt.Errorf("%w: unknown version", errRecord)
	}
	b = b[1:]
	next := func() ([]byte, bool) {
		l, n := binary.Uvarint(b)
		if n <= 0 || l > uint64(len(b)-n) {
			return nil, false
		}
		v := b[n : n+int(l) : n+int(l)]
		b = b[n+int(l):]
		return v, true
	}
	count, n := binary.Uvarint(b)
	if n <= 0 || count > uint64(len(b)) {
		return nil, fmt.Errorf("%w: bad count", errRecord)
	}
	b = b[n:]
	r := make(stateRecord, count)
	for i := range r {
		name, ok1 := next()
		v, ok2 := next()
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("%w: value %d cut short", errRecord, i)
		}
		r[i] = namedValue{string(name), v}
	}
	if len(b) != 0 {
		return nil, fmt.Errorf("%w: trailing bytes", errRecord)
	}
	return r, nil
}

// stateRecordKey is where a person's record is stored.
func stateRecordKey(ws wsid, p pid) []byte {
	return append(appendWS(make([]byte, 0, 1+wsidLen+pidLen), tagState, ws), p[:]...)
}

// readRecord reads a person's record in a reader's snapshot, through the readers'
// record cache, with the version it has there; absent is an empty record.
func (s *Store) readRecord(txn *badger.Txn, key []byte) (stateRecord, uint64, error) {
	item, err := txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("reading derived state: %w", err)
	}
	version := item.Version()
	if r, ok := s.records.get(key, version); ok {
		return r, version, nil
	}
	v, err := item.ValueCopy(nil)
	if err != nil {
		return nil, 0, fmt.Errorf("reading derived state: %w", err)
	}
	r, err := decodeRecord(v)
	if err != nil {
		return nil, 0, err
	}
	s.records.put(key, version, r)
	return r, version, nil
}

// legacyStateTag keyed derived state per (person, name) before records: 's' wsid pid
// name → value. migrateStates folds such keys into records when a store opens.
const legacyStateTag byte = 's'

// migrateStates rewrites per-name state keys of an older store into records, a few
// hundred persons per transaction. It runs before the committer starts.
func migrateStates(db *badger.DB) (persons int, err error) {
	const prefixLen = 1 + wsidLen + pidLen
	var (
		pending = map[string]stateRecord{}
		old     [][]byte
	)
	flush := func() error {
		if len(old) == 0 {
			return nil
		}
		err := db.Update(func(txn *badger.Txn) error {
			for k, r := range pending {
				if err := txn.Set([]byte(k), r.encode()); err != nil {
					return err
				}
			}
			for _, k := range old {
				if err := txn.Delete(k); err != nil {
					return err
				}
			}
			return nil
		})
		persons += len(pending)
		clear(pending)
		old = old[:0]
		return err
	}
	err = db.View(func(txn *badger.Txn) error {
		opt := badger.DefaultIteratorOptions
		opt.Prefix = []byte{legacyStateTag}
		it := txn.NewIterator(opt)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			k := it.Item().KeyCopy(nil)
			if len(k) <= prefixLen {
				return fmt.Errorf("legacy state key of %d bytes", len(k))
			}
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			rk := string(append([]byte{tagState}, k[1:prefixLen]...))
			if _, same := pending[rk]; !same && len(old) >= 1000 {
				// Keys come sorted, so a person's names are together: flush between persons.
				if err := flush(); err != nil {
					return err
				}
			}
			pending[rk] = pending[rk].with(string(k[prefixLen:]), v)
			old = append(old, k)
		}
		return flush()
	})
	if err != nil {
		return persons, fmt.Errorf("migrating derived state to one record per person: %w", err)
	}
	return persons, nil
}
