package badgerstore

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/identity"
	"github.com/openjds/jds/internal/store"
)

func (s *Store) cachedWorkspace(ws store.Workspace) (wsid, bool) {
	s.wsMu.RLock()
	defer s.wsMu.RUnlock()
	id, ok := s.workspaces[ws.Org+"\x00"+ws.Name]
	return id, ok
}

// reader is a snapshot of the store for one read request.
type reader struct {
	s   *Store
	txn *badger.Txn
}

// view runs fn on a snapshot. ok is false when the workspace holds no data yet.
func (s *Store) view(w store.Workspace, fn func(r *reader, ws wsid) error) (ok bool, err error) {
	sn := s.snapshot()
	if sn == nil {
		return false, store.ErrClosed
	}
	defer sn.release()
	r := &reader{s: s, txn: sn.txn}
	ws, found := s.cachedWorkspace(w)
	if !found {
		v, found2, err := r.get(workspaceKey(w.Org, w.Name))
		if err != nil || !found2 {
			return false, err
		}
		ws = wsid(binary.BigEndian.Uint32(v))
		// Workspace numbers never change once written, so readers may cache them.
		s.wsMu.Lock()
		s.workspaces[w.Org+"\x00"+w.Name] = ws
		s.wsMu.Unlock()
	}
	return true, fn(r, ws)
}

// snap is a read transaction that readers share: the committer opens one after each
// commit, when no commit is in flight, and readers take the latest. A read transaction
// of their own would start by waiting for the commit in flight, sync included (Badger's
// read timestamp waits for every commit it could see): under steady writes, every read
// would wait for the current sync. The last reader of a snapshot replaced since
// discards it, so that Badger can let go of the versions it pins.
type snap struct {
	txn  *badger.Txn
	refs atomic.Int64
}

// snapshot returns the latest snapshot, nil once the store is closed; release it when
// done.
func (s *Store) snapshot() *snap {
	s.snapMu.RLock()
	defer s.snapMu.RUnlock()
	if s.snap != nil {
		s.snap.refs.Add(1)
	}
	return s.snap
}

func (sn *snap) release() {
	if sn.refs.Add(-1) == 0 {
		sn.txn.Discard()
	}
}

// renewSnapshot replaces the readers' snapshot with one that sees every commit so far.
// Only the committer calls it, between commits, so opening the transaction never waits.
func (s *Store) renewSnapshot() {
	sn := &snap{txn: s.db.NewTransaction(false)}
	sn.refs.Store(1) // the store's own reference, until the next renewal
	s.snapMu.Lock()
	old := s.snap
	s.snap = sn
	s.snapMu.Unlock()
	if old != nil {
		old.release()
	}
}

func (r *reader) get(key []byte) ([]byte, bool, error) {
	item, err := r.txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	v, err := item.ValueCopy(nil)
	return v, err == nil, err
}

func (r *reader) alias(ws wsid, alias string) (aliasEntry, bool, error) {
	key := aliasKey(ws, alias)
	if e, ok := r.s.cache.alias(key); ok {
		return e, true, nil
	}
	v, ok, err := r.get(key)
	if err != nil || !ok {
		return aliasEntry{}, false, err
	}
	e, err := decodeAliasEntry(v)
	return e, err == nil, err
}

func (r *reader) person(ws wsid, id pid) (*identity.Person, error) {
	key := personKey(ws, id)
	if p, ok := r.s.cache.person(key); ok {
		return p, nil
	}
	v, ok, err := r.get(key)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("person %s: %w", id, store.ErrNotFound)
	}
	return decodePerson(id, v)
}

// snapGraph is the identity graph of one workspace in a reader's snapshot.
type snapGraph struct {
	r  *reader
	ws wsid
}

func (g snapGraph) Alias(alias string) (uuid.UUID, identity.Kind, bool, error) {
	e, ok, err := g.r.alias(g.ws, alias)
	return e.person, e.kind, ok, err
}

func (g snapGraph) Person(id uuid.UUID) (*identity.Person, error) { return g.r.person(g.ws, id) }

// root follows MergedInto links to the live person.
func (r *reader) root(ws wsid, id pid) (*identity.Person, error) {
	return identity.Live(snapGraph{r, ws}, id)
}

// Resolve returns the live person owning an identity (any alias kind; phones in any
// notation). ErrNotFound when nobody owns it.
func (s *Store) Resolve(ctx context.Context, w store.Workspace, ident string) (*identity.Person, error) {
	var p *identity.Person
	ok, err := s.view(w, func(r *reader, ws wsid) error {
		var err error
		p, err = identity.Resolve(snapGraph{r, ws}, ident, s.opts.Region)
		return err
	})
	if err == nil && !ok {
		err = fmt.Errorf("identity %q: %w", ident, store.ErrNotFound)
	}
	return p, err
}

// Person returns a person by id, following merges to the live person.
func (s *Store) Person(ctx context.Context, w store.Workspace, id string) (*identity.Person, error) {
	key, err := parsePID(id)
	if err != nil {
		return nil, fmt.Errorf("person %q: %w", id, store.ErrNotFound)
	}
	var p *identity.Person
	ok, err := s.view(w, func(r *reader, ws wsid) error {
		var err error
		p, err = r.root(ws, key)
		return err
	})
	if err == nil && !ok {
		err = fmt.Errorf("person %q: %w", id, store.ErrNotFound)
	}
	return p, err
}

// History returns a person's events, and those of every person merged into it, newest
// first (by event time, then commit order), as canonical JSON.
func (s *Store) History(ctx context.Context, w store.Workspace, p *identity.Person, q store.Query) ([][]byte, error) {
	var out [][]byte
	_, err := s.view(w, func(r *reader, ws wsid) error {
		streams, err := r.streams(ws, p)
		if err != nil {
			return err
		}
		defer closeAll(streams)
		skip := q.Offset
		marks := marksOf(q.Types)
		for len(out) < q.Limit {
			if err := ctx.Err(); err != nil {
				return err
			}
			it := newest(streams)
			if it == nil {
				return nil
			}
			item := it.Item()
			if !marks.admits(item.UserMeta()) {
				it.Next() // of another type: Match would refuse it
				continue
			}
			if q.Match == nil && skip > 0 {
				skip--
				it.Next()
				continue
			}
			v, err := item.ValueCopy(nil)
			if err != nil {
				return fmt.Errorf("reading event: %w", err)
			}
			it.Next()
			if q.Match != nil && !q.Match(v) {
				continue
			}
			if skip > 0 {
				skip--
				continue
			}
			out = append(out, v)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading history of person %s in %s: %w", p.ID, w, err)
	}
	return out, nil
}

// streams opens one reverse iterator per person whose events belong to p.
func (r *reader) streams(ws wsid, p *identity.Person) ([]*badger.Iterator, error) {
	ids := append([]string{p.ID}, p.MergedIDs(identity.ByID(snapGraph{r, ws}))...)
	its := make([]*badger.Iterator, 0, len(ids))
	for _, id := range ids {
		k, err := parsePID(id)
		if err != nil {
			closeAll(its)
			return nil, err
		}
		prefix := eventPrefix(ws, k)
		opt := badger.DefaultIteratorOptions
		opt.Reverse = true
		opt.Prefix = prefix
		opt.PrefetchValues = false
		it := r.txn.NewIterator(opt)
		// In reverse, Seek finds the last key ≤ its argument: the prefix followed by 0xFF
		// bytes is past every key of the person.
		it.Seek(append(slices.Clone(prefix), bytes.Repeat([]byte{0xff}, 16)...))
		its = append(its, it)
	}
	return its, nil
}

// newest returns the iterator whose current key is the greatest (latest time, then
// latest sequence), or nil when all are exhausted. Keys of different persons differ
// only after the person id, so comparing the key suffixes compares (time, seq).
func newest(its []*badger.Iterator) *badger.Iterator {
	var best *badger.Iterator
	var bestSuffix []byte
	for _, it := range its {
		if !it.Valid() {
			continue
		}
		suffix := it.Item().Key()[1+wsidLen+pidLen:]
		if best == nil || bytes.Compare(suffix, bestSuffix) > 0 {
			best, bestSuffix = it, suffix
		}
	}
	return best
}

func closeAll(its []*badger.Iterator) {
	for _, it := range its {
		it.Close()
	}
}

// After returns, in commit order, the person's events committed after the event with id
// afterID, for a live stream that resumes. ErrNotFound when afterID is unknown. When
// several sources used the id, it resumes after the earliest of them: a client may see
// an event twice, never miss one.
func (s *Store) After(ctx context.Context, w store.Workspace, p *identity.Person, afterID string) ([]store.Committed, error) {
	var out []store.Committed
	ok, err := s.view(w, func(r *reader, ws wsid) error {
		from, found, err := r.firstWithID(ws, afterID)
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("event %q: %w", afterID, store.ErrNotFound)
		}
		streams, err := r.streams(ws, p)
		if err != nil {
			return err
		}
		defer closeAll(streams)
		// Keys only: the sequence is in the key, so most of a long history is skipped
		// without reading a value.
		for _, it := range streams {
			for ; it.Valid(); it.Next() {
				item := it.Item()
				ref, err := refFromEventKey(item.Key())
				if err != nil {
					return err
				}
				if ref.seq <= from.seq {
					continue
				}
				raw, err := item.ValueCopy(nil)
				if err != nil {
					return err
				}
				out = append(out, store.Committed{Workspace: w, PersonID: p.ID, EventID: event.ID(raw), Seq: ref.seq, Raw: raw})
			}
		}
		return nil
	})
	if err == nil && !ok {
		err = fmt.Errorf("event %q: %w", afterID, store.ErrNotFound)
	}
	slices.SortFunc(out, func(a, b store.Committed) int { return cmp.Compare(a.Seq, b.Seq) })
	return out, err
}

// firstWithID finds the earliest committed event with id eventID, whatever its source.
func (r *reader) firstWithID(ws wsid, eventID string) (first eventRef, found bool, err error) {
	opt := badger.DefaultIteratorOptions
	opt.Prefix = dedupeIDPrefix(nil, ws, eventID)
	it := r.txn.NewIterator(opt)
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		v, err := it.Item().ValueCopy(nil)
		if err != nil {
			return first, false, err
		}
		ref, err := parseEventRef(v)
		if err != nil {
			return first, false, err
		}
		if !found || ref.seq < first.seq {
			first, found = ref, true
		}
	}
	return first, found, nil
}

// Root returns the id of the live person that person id is, or was merged into, so
// that a live stream opened before a merge keeps following its customer.
func (s *Store) Root(w store.Workspace, id string) (string, error) {
	k, err := parsePID(id)
	if err != nil {
		return "", fmt.Errorf("person %q: %w", id, store.ErrNotFound)
	}
	var root string
	_, err = s.view(w, func(r *reader, ws wsid) error {
		p, err := r.root(ws, k)
		if err == nil {
			root = p.ID
		}
		return err
	})
	return root, err
}

// Persons returns a page of the live persons of a workspace, in id order.
func (s *Store) Persons(ctx context.Context, w store.Workspace, offset, limit int) ([]*identity.Person, error) {
	var out []*identity.Person
	_, err := s.view(w, func(r *reader, ws wsid) error {
		opt := badger.DefaultIteratorOptions
		opt.Prefix = appendWS(nil, tagPerson, ws)
		it := r.txn.NewIterator(opt)
		defer it.Close()
		for it.Rewind(); it.Valid() && len(out) < limit; it.Next() {
			p := new(identity.Person)
			if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, p) }); err != nil {
				return fmt.Errorf("decoding person: %w", err)
			}
			if p.MergedInto != "" {
				continue
			}
			if offset > 0 {
				offset--
				continue
			}
			out = append(out, p)
		}
		return ctx.Err()
	})
	return out, err
}

// Find returns the distinct live persons owning any of the identities, in the order
// first found; identities nobody owns are skipped.
func (s *Store) Find(ctx context.Context, w store.Workspace, identities []string) ([]*identity.Person, error) {
	var out []*identity.Person
	_, err := s.view(w, func(r *reader, ws wsid) (err error) {
		out, err = identity.ResolveAll(snapGraph{r, ws}, identities, s.opts.Region)
		return err
	})
	return out, err
}

// Export hands a person's data to emit from one snapshot: the person, then every event
// of it and of persons merged into it, newest first. Emit's error stops the export.
func (s *Store) Export(ctx context.Context, w store.Workspace, id string, person func(*identity.Person) error, event func(raw []byte) error) error {
	k, err := parsePID(id)
	if err != nil {
		return fmt.Errorf("person %q: %w", id, store.ErrNotFound)
	}
	ok, err := s.view(w, func(r *reader, ws wsid) error {
		p, err := r.root(ws, k)
		if err != nil {
			return err
		}
		if err := person(p); err != nil {
			return err
		}
		streams, err := r.streams(ws, p)
		if err != nil {
			return err
		}
		defer closeAll(streams)
		for it := newest(streams); it != nil; it = newest(streams) {
			if err := ctx.Err(); err != nil {
				return err
			}
			raw, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			it.Next()
			if err := event(raw); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil && !ok {
		err = fmt.Errorf("person %q: %w", id, store.ErrNotFound)
	}
	return err
}
