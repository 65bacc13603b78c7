package badgerstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/openjds/jds/internal/identity"
	"github.com/openjds/jds/internal/store"
)

// Bulk loading (store.Loader, for jds migrate-store from PostgreSQL back to the embedded
// store): records are written through the committer, a slice of a batch per commit, with
// the keys and indexes the ordinary writes make, so that the caches and the pending state
// see them as they see any commit. A record whose key is there already is left as it is:
// a copy run again skips what it copied before.

var _ store.Loader = (*Store)(nil)

// loadChunk is how many records one commit of Load writes: well within a Badger
// transaction, whatever the records.
const loadChunk = 256

// Load: see store.Loader. The store's sequence becomes at least the greatest a record
// carries, so that appends after the copy go on after the last event copied.
func (s *Store) Load(ctx context.Context, records []store.Record) error {
	for len(records) > 0 {
		n := min(len(records), loadChunk)
		chunk := records[:n]
		records = records[n:]
		err := s.do(ctx, func(b *batch) error {
			for _, r := range chunk {
				if err := b.load(r); err != nil {
					return fmt.Errorf("%s of %s: %w", r.Kind, r.Workspace, err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// load writes one record unless its key is there already.
func (b *batch) load(r store.Record) error {
	ws, err := b.workspace(r.Workspace)
	if err != nil {
		return err
	}
	b.seq = max(b.seq, r.Seq)
	switch r.Kind {
	case store.KindWorkspace:
		return nil
	case store.KindEvent:
		return b.loadEvent(ws, r)
	case store.KindPerson:
		return b.loadPerson(ws, r)
	case store.KindAlias:
		p, err := parsePID(r.PersonID)
		if err != nil {
			return err
		}
		if _, ok, err := b.alias(ws, r.Name); err != nil || ok {
			return err
		}
		return b.setAlias(ws, r.Name, aliasEntry{person: p, kind: identity.Kind(r.AliasKind)})
	case store.KindState:
		p, err := parsePID(r.PersonID)
		if err != nil {
			return err
		}
		key := stateKey(ws, p, r.Name)
		if _, ok, err := b.getState(key); err != nil || ok {
			return err
		}
		return b.setState(key, r.Value)
	case store.KindDelivery:
		return b.loadDelivery(ws, r)
	case store.KindDocument:
		key := docKey(ws, r.Name, r.ID)
		if _, ok, err := b.get(key); err != nil || ok {
			return err
		}
		return b.set(key, r.Value)
	}
	return fmt.Errorf("unknown kind of record %q", r.Kind)
}

// loadEvent writes an event under its person, time and sequence, and its dedupe key.
func (b *batch) loadEvent(ws wsid, r store.Record) error {
	p, err := parsePID(r.PersonID)
	if err != nil {
		return err
	}
	var ev struct{ ID, Source, Type string }
	if err := json.Unmarshal(r.Value, &ev); err != nil {
		return fmt.Errorf("event %d: %w", r.Seq, err)
	}
	ref := eventRef{person: p, time: r.Time, seq: r.Seq}
	key := eventKey(ws, ref)
	if _, ok, err := b.get(key); err != nil || ok {
		return err
	}
	if err := b.setEvent(ws, ref, r.Value, ev.Type); err != nil {
		return err
	}
	return b.set(dedupeKey(ws, ev.ID, ev.Source), ref.appendTo(make([]byte, 0, eventRefLen)))
}

// loadPerson writes a person record, and its place in the expiry index when it was
// created owning only temporaryIds.
func (b *batch) loadPerson(ws wsid, r store.Record) error {
	id, err := parsePID(r.PersonID)
	if err != nil {
		return err
	}
	if _, ok, err := b.get(personKey(ws, id)); err != nil || ok {
		return err
	}
	p, err := decodePerson(id, r.Value)
	if err != nil {
		return err
	}
	if p.ID != r.PersonID {
		return fmt.Errorf("person %s: the record says id %q", r.PersonID, p.ID)
	}
	if err := b.putPerson(ws, p); err != nil {
		return err
	}
	if r.Time != 0 {
		return b.set(temporaryKey(ws, time.Unix(0, r.Time), id), nil)
	}
	return nil
}

// loadDelivery writes a delivery, queued when it is pending.
func (b *batch) loadDelivery(ws wsid, r store.Record) error {
	d, err := store.DecodeDelivery(r.Value)
	if err != nil {
		return err
	}
	p, id, err := deliveryIDs(d)
	if err != nil {
		return err
	}
	if _, ok, err := b.get(deliveryKey(ws, p, id)); err != nil || ok {
		return err
	}
	return b.putDelivery(ws, d, time.Time{})
}

// Counts: see store.Loader. They are what Dump would give, counted.
func (s *Store) Counts(ctx context.Context) (map[string]int64, error) {
	out := map[string]int64{}
	err := s.Dump(ctx, func(r store.Record) error {
		out[r.Kind]++
		return nil
	})
	return out, err
}
