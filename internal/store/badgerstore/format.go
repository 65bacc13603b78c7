package badgerstore

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/openjds/jds/internal/event"
)

// The store's format: what its keys mean. Open upgrades an older store in place before
// it takes writes, and refuses a newer one that this build cannot read.
//
//	1  dedupe entries keyed by the event id alone (stores made before the format key)
//	2  dedupe entries keyed by the event id and source (CloudEvents uniqueness)
//	3  the queue of pending deliveries by workspace too (tagDue), for the sweep
const formatVersion = 3

// upgradeChunk bounds the keys one write of an upgrade holds.
const upgradeChunk = 10_000

// upgrade brings the store to formatVersion. A store with no sequence yet is new and
// only gets the format key. Every step is repeatable: a crash in the middle leaves keys
// of both forms, and the next Open finishes the work.
func (s *Store) upgrade() error {
	var format, seq uint64
	err := s.db.View(func(txn *badger.Txn) error {
		var err error
		if format, err = readUint(txn, metaFormat); err != nil {
			return err
		}
		seq, err = readUint(txn, metaSeq)
		return err
	})
	if err != nil {
		return fmt.Errorf("reading the store format: %w", err)
	}
	switch {
	case format == formatVersion:
		return nil
	case format > formatVersion:
		return fmt.Errorf("the store has format %d, this jds reads up to %d: run a newer jds", format, formatVersion)
	case format == 0 && seq > 0:
		if err := s.upgradeDedupe(); err != nil {
			return fmt.Errorf("upgrading dedupe entries to (source, id): %w", err)
		}
	}
	if format < 3 && seq > 0 {
		if err := s.upgradeDueIndex(); err != nil {
			return fmt.Errorf("indexing the delivery queue by workspace: %w", err)
		}
	}
	return s.db.Update(func(txn *badger.Txn) error {
		return txn.Set(metaFormat, binary.BigEndian.AppendUint64(nil, formatVersion))
	})
}

// upgradeDedupe rewrites format-1 dedupe entries ('d' wsid id) as format-2 ones ('d' wsid
// id 0x00 source), reading each entry's source from the event it points at. An entry
// whose event is gone (erased or expired before its entry was) is dropped: ingest would
// ignore it anyway.
func (s *Store) upgradeDedupe() error {
	var upgraded, dropped int
	after := []byte{tagDedupe}
	began, said := time.Now(), time.Now()
	s.log.Info("upgrading the store to format 2 (events unique by source and id): every event is read once, about 20 s a million on 2 cores; jds serves when it is done")
	for {
		sets, deletes, next, err := s.scanLegacyDedupe(after)
		if err != nil {
			return err
		}
		if len(sets) > 0 || len(deletes) > 0 {
			// Badger dies of SIGBUS writing on a full disk (space.go): stop first. The
			// upgrade is repeatable; the next Open goes on from where it stopped.
			if err := s.checkSpace(uint64(s.opts.DiskReserve)+2*uint64(chunkBytes(sets, deletes)), "the format upgrade"); err != nil {
				return fmt.Errorf("%w; free some space and start again: the upgrade goes on from where it stopped", err)
			}
			wb := s.db.NewWriteBatch()
			for _, kv := range sets {
				if err := wb.Set(kv[0], kv[1]); err != nil {
					wb.Cancel()
					return err
				}
			}
			// Deletes follow the sets: a crash between them leaves both forms, which
			// the next Open upgrades again.
			for _, k := range deletes {
				if err := wb.Delete(k); err != nil {
					wb.Cancel()
					return err
				}
			}
			if err := wb.Flush(); err != nil {
				return err
			}
			upgraded += len(sets)
			dropped += len(deletes) - len(sets)
			if time.Since(said) >= 5*time.Second {
				s.log.Info("upgrading dedupe entries to (source, id)", "upgraded", upgraded, "dropped", dropped)
				said = time.Now()
			}
		}
		if next == nil {
			break
		}
		after = next
	}
	if err := s.db.Sync(); err != nil {
		return err
	}
	s.log.Info("store upgraded to format 2: events are unique by source and id", "entries", upgraded, "dropped", dropped, "took", time.Since(began).Round(time.Millisecond))
	return nil
}

// chunkBytes is what writing sets and deletes costs in the logs, as batch.set counts it.
func chunkBytes(sets [][2][]byte, deletes [][]byte) int {
	n := 0
	for _, kv := range sets {
		n += len(kv[0]) + len(kv[1]) + entryOverhead
	}
	for _, k := range deletes {
		n += len(k) + entryOverhead
	}
	return n
}

// scanLegacyDedupe reads up to upgradeChunk dedupe entries from key from on. It returns
// the new entries to write, the keys to delete (each legacy key), and the key to go on
// from (nil at the end).
func (s *Store) scanLegacyDedupe(from []byte) (sets [][2][]byte, deletes [][]byte, next []byte, err error) {
	err = s.db.View(func(txn *badger.Txn) error {
		opt := badger.DefaultIteratorOptions
		opt.Prefix = []byte{tagDedupe}
		it := txn.NewIterator(opt)
		defer it.Close()
		n := 0
		for it.Seek(from); it.Valid(); it.Next() {
			if n == upgradeChunk {
				next = it.Item().KeyCopy(nil)
				return nil
			}
			n++
			key := it.Item().KeyCopy(nil)
			if len(key) < 1+wsidLen {
				return fmt.Errorf("dedupe key of %d bytes", len(key))
			}
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			ref, err := parseEventRef(v)
			if err != nil {
				return err
			}
			ws := wsid(binary.BigEndian.Uint32(key[1:]))
			item, err := txn.Get(eventKey(ws, ref))
			if errors.Is(err, badger.ErrKeyNotFound) {
				deletes = append(deletes, key)
				continue
			}
			if err != nil {
				return err
			}
			raw, err := item.ValueCopy(nil)
			if err != nil {
				return err
			}
			id := event.ID(raw)
			upgraded := dedupeKey(ws, id, event.SourceOf(raw))
			if bytes.Equal(key, upgraded) {
				continue // written by a run that crashed before the format key
			}
			sets = append(sets, [2][]byte{upgraded, v})
			deletes = append(deletes, key)
		}
		return nil
	})
	return sets, deletes, next, err
}

// upgradeDueIndex writes the tagDue entry of every queued delivery (format 3), from its
// tagQueue entry, a chunk at a time. Writing one again is harmless: a crash in the
// middle leaves the next Open to write them all again.
func (s *Store) upgradeDueIndex() error {
	began, n := time.Now(), 0
	after := []byte{tagQueue}
	for {
		sets, next, err := s.scanQueue(after)
		if err != nil {
			return err
		}
		if len(sets) > 0 {
			if err := s.checkSpace(uint64(s.opts.DiskReserve)+2*uint64(chunkBytes(sets, nil)), "the format upgrade"); err != nil {
				return fmt.Errorf("%w; free some space and start again: the upgrade goes on from where it stopped", err)
			}
			wb := s.db.NewWriteBatch()
			for _, kv := range sets {
				if err := wb.Set(kv[0], kv[1]); err != nil {
					wb.Cancel()
					return err
				}
			}
			if err := wb.Flush(); err != nil {
				return err
			}
			n += len(sets)
		}
		if next == nil {
			break
		}
		after = next
	}
	if err := s.db.Sync(); err != nil {
		return err
	}
	if n > 0 {
		s.log.Info("store upgraded to format 3: the delivery queue is indexed by workspace", "deliveries", n, "took", time.Since(began).Round(time.Millisecond))
	}
	return nil
}

// scanQueue reads up to upgradeChunk queue entries from key from on, and returns the
// tagDue entries they make and the key to go on from (nil at the end).
func (s *Store) scanQueue(from []byte) (sets [][2][]byte, next []byte, err error) {
	err = s.db.View(func(txn *badger.Txn) error {
		opt := badger.DefaultIteratorOptions
		opt.Prefix = []byte{tagQueue}
		it := txn.NewIterator(opt)
		defer it.Close()
		for it.Seek(from); it.Valid(); it.Next() {
			if len(sets) == upgradeChunk {
				next = it.Item().KeyCopy(nil)
				return nil
			}
			k := it.Item().Key()
			ref, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			if len(k) != 1+8+16 || len(ref) != 1+wsidLen+pidLen+16 || ref[0] != tagDelivery {
				return fmt.Errorf("queue entry %x → %x is not a delivery's", k, ref)
			}
			due := append(appendWS(make([]byte, 0, 1+wsidLen+8+16), tagDue, wsid(binary.BigEndian.Uint32(ref[1:]))), k[1:]...)
			sets = append(sets, [2][]byte{due, ref[1+wsidLen : 1+wsidLen+pidLen]})
		}
		return nil
	})
	return sets, next, err
}
