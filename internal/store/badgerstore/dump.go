package badgerstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/dgraph-io/badger/v4"

	"github.com/openjds/jds/internal/store"
)

var _ store.Dumper = (*Store)(nil)

// Dump reads the whole store from one snapshot, as engine-neutral records (see
// store.Dumper): workspaces, then by table. Derived state is what a read would see: the
// values under their own keys with the journal records left applied over them, in order
// (as Open does). The events of a person being erased (tagPurge) are left out.
func (s *Store) Dump(ctx context.Context, fn func(store.Record) error) error {
	return s.db.View(func(txn *badger.Txn) error {
		names, err := workspaceNames(txn)
		if err != nil {
			return err
		}
		// The sequence of each workspace's last event, the persons being erased, and the
		// creation of persons in the expiry index.
		last := map[wsid]uint64{}
		purged := map[[1 + wsidLen + pidLen]byte]bool{}
		temporary := map[[1 + wsidLen + pidLen]byte]int64{}
		personOf := func(ws wsid, p pid) [1 + wsidLen + pidLen]byte {
			return [1 + wsidLen + pidLen]byte(personKey(ws, p))
		}
		scan := func(tag byte, fn func(k, v []byte) error) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			opt := badger.DefaultIteratorOptions
			opt.Prefix = []byte{tag}
			it := txn.NewIterator(opt)
			defer it.Close()
			for it.Rewind(); it.Valid(); it.Next() {
				v, err := it.Item().ValueCopy(nil)
				if err != nil {
					return err
				}
				if err := fn(it.Item().KeyCopy(nil), v); err != nil {
					return err
				}
			}
			return nil
		}
		wsOf := func(k []byte) (wsid, store.Workspace, error) {
			if len(k) < 1+wsidLen {
				return 0, store.Workspace{}, fmt.Errorf("short key %x", k)
			}
			ws := wsid(binary.BigEndian.Uint32(k[1:]))
			w, ok := names[ws]
			if !ok {
				return 0, w, fmt.Errorf("key %x: no workspace number %d", k, ws)
			}
			return ws, w, nil
		}
		err = scan(tagPurge, func(k, _ []byte) error {
			ws, p, err := parsePurgeKey(k)
			purged[personOf(ws, p)] = true
			return err
		})
		if err == nil {
			err = scan(tagTemporary, func(k, _ []byte) error {
				ws, created, p, err := parseTemporaryKey(k)
				temporary[personOf(ws, p)] = int64(created ^ (1 << 63))
				return err
			})
		}
		if err == nil {
			err = scan(tagEvent, func(k, _ []byte) error {
				r, err := refFromEventKey(k)
				if err != nil {
					return err
				}
				ws := wsid(binary.BigEndian.Uint32(k[1:]))
				last[ws] = max(last[ws], r.seq)
				return nil
			})
		}
		if err != nil {
			return err
		}
		for ws, w := range names {
			if err := fn(store.Record{Kind: store.KindWorkspace, Workspace: w, Seq: last[ws]}); err != nil {
				return err
			}
		}
		err = scan(tagEvent, func(k, v []byte) error {
			ws, w, err := wsOf(k)
			if err != nil {
				return err
			}
			r, err := refFromEventKey(k)
			if err != nil || purged[personOf(ws, r.person)] {
				return err
			}
			return fn(store.Record{Kind: store.KindEvent, Workspace: w, Seq: r.seq, PersonID: r.person.String(), Time: r.time, Value: v})
		})
		if err != nil {
			return err
		}
		err = scan(tagPerson, func(k, v []byte) error {
			ws, w, err := wsOf(k)
			if err != nil || len(k) != 1+wsidLen+pidLen {
				return fmt.Errorf("person key %x: %v", k, err)
			}
			p := pid(k[1+wsidLen:])
			return fn(store.Record{Kind: store.KindPerson, Workspace: w, PersonID: p.String(), Time: temporary[personOf(ws, p)], Value: v})
		})
		if err != nil {
			return err
		}
		err = scan(tagAlias, func(k, v []byte) error {
			_, w, err := wsOf(k)
			if err != nil {
				return err
			}
			e, err := decodeAliasEntry(v)
			if err != nil {
				return err
			}
			return fn(store.Record{Kind: store.KindAlias, Workspace: w, Name: string(k[1+wsidLen:]), PersonID: e.person.String(), AliasKind: uint8(e.kind)})
		})
		if err != nil {
			return err
		}
		if err := s.dumpStates(txn, scan, wsOf, fn); err != nil {
			return err
		}
		err = scan(tagDelivery, func(k, v []byte) error {
			_, w, err := wsOf(k)
			if err != nil || len(k) < 1+wsidLen+pidLen {
				return fmt.Errorf("delivery key %x: %v", k, err)
			}
			return fn(store.Record{Kind: store.KindDelivery, Workspace: w, PersonID: pid(k[1+wsidLen : 1+wsidLen+pidLen]).String(), Value: v})
		})
		if err != nil {
			return err
		}
		return scan(tagDoc, func(k, v []byte) error {
			_, w, err := wsOf(k)
			if err != nil {
				return err
			}
			collection, id, ok := bytes.Cut(k[1+wsidLen:], []byte{0})
			if !ok {
				return fmt.Errorf("document key %x", k)
			}
			return fn(store.Record{Kind: store.KindDocument, Workspace: w, Name: string(collection), ID: string(id), Value: v})
		})
	})
}

// dumpStates emits the derived state: the values under their own keys, overlaid with
// the journal records left, applied in order (as Open does). Only the journal (bounded
// by the pending state's generations) is held in memory.
func (s *Store) dumpStates(txn *badger.Txn, scan func(byte, func(k, v []byte) error) error,
	wsOf func([]byte) (wsid, store.Workspace, error), fn func(store.Record) error) error {
	overlay := map[string][]byte{} // key → latest journaled value; nil: deleted
	cleared := map[string]bool{}   // person state prefixes a journaled clear emptied
	err := scan(tagJournal, func(k, rec []byte) error {
		for off := 0; off < len(rec); {
			op, key, v, size, err := decodeOp(rec[off:])
			if err != nil {
				return fmt.Errorf("journal record %x at %d: %w", k, off, err)
			}
			off += size
			if op != opSet {
				cleared[string(key)] = true
				for ok := range overlay {
					if strings.HasPrefix(ok, string(key)) {
						overlay[ok] = nil
					}
				}
				continue
			}
			overlay[string(key)] = bytes.Clone(v)
		}
		return nil
	})
	if err != nil {
		return err
	}
	emit := func(k string, v []byte) error {
		_, w, err := wsOf([]byte(k))
		if err != nil || len(k) < statePrefixLen {
			return fmt.Errorf("state key %x: %v", k, err)
		}
		p := pid([]byte(k[1+wsidLen : statePrefixLen]))
		return fn(store.Record{Kind: store.KindState, Workspace: w, PersonID: p.String(), Name: k[statePrefixLen:], Value: v})
	}
	// A key under a cleared prefix was deleted by the clear's commit; one written since
	// holds a value journaled after the clear, which the overlay has.
	err = scan(tagState, func(k, v []byte) error {
		if j, ok := overlay[string(k)]; ok {
			delete(overlay, string(k))
			v = j
		} else if len(k) >= statePrefixLen && cleared[string(k[:statePrefixLen])] {
			v = nil
		}
		if v == nil {
			return nil
		}
		return emit(string(k), v)
	})
	if err != nil {
		return err
	}
	for k, v := range overlay { // journaled, not yet under their own keys
		if v != nil {
			if err := emit(k, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// workspaceNames reads the workspaces by their numbers.
func workspaceNames(txn *badger.Txn) (map[wsid]store.Workspace, error) {
	names := map[wsid]store.Workspace{}
	opt := badger.DefaultIteratorOptions
	opt.Prefix = []byte{tagWorkspace}
	it := txn.NewIterator(opt)
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		org, name, _ := bytes.Cut(it.Item().Key()[1:], []byte{0})
		err := it.Item().Value(func(v []byte) error {
			if len(v) != wsidLen {
				return fmt.Errorf("workspace number of %d bytes", len(v))
			}
			names[wsid(binary.BigEndian.Uint32(v))] = store.Workspace{Org: string(org), Name: string(name)}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return names, nil
}
