package badgerstore

import (
	"bytes"
	"context"
	"fmt"

	"github.com/dgraph-io/badger/v4"
	"github.com/openjds/jds/internal/store"
)

// Documents: small JSON records that other packages keep per workspace (profile
// templates, journey actions made through the API), written through the committer like
// everything else, so that a definition and the events after it are ordered.

// PutDoc stores a document in a collection of a workspace, replacing any with that id.
func (s *Store) PutDoc(ctx context.Context, w store.Workspace, collection, id string, value []byte) error {
	return s.do(ctx, func(b *batch) error {
		ws, err := b.workspace(w)
		if err != nil {
			return err
		}
		return b.set(docKey(ws, collection, id), value)
	})
}

// DeleteDoc removes a document; ErrNotFound when there was none.
func (s *Store) DeleteDoc(ctx context.Context, w store.Workspace, collection, id string) error {
	return s.do(ctx, func(b *batch) error {
		ws, err := b.workspace(w)
		if err != nil {
			return err
		}
		key := docKey(ws, collection, id)
		if _, ok, err := b.get(key); err != nil {
			return err
		} else if !ok {
			return reject("%s %q: %w", collection, id, store.ErrNotFound)
		}
		return b.txn.Delete(key)
	})
}

// AllDocs calls fn for every document of a collection, in every workspace.
func (s *Store) AllDocs(ctx context.Context, collection string, fn func(w store.Workspace, id string, value []byte) error) error {
	return s.db.View(func(txn *badger.Txn) error {
		names, err := workspaceNames(txn)
		if err != nil {
			return err
		}
		for ws, w := range names {
			prefix := docKey(ws, collection, "")
			opt := badger.DefaultIteratorOptions
			opt.Prefix = prefix
			it := txn.NewIterator(opt)
			for it.Rewind(); it.Valid(); it.Next() {
				v, err := it.Item().ValueCopy(nil)
				if err == nil {
					err = fn(w, string(it.Item().Key()[len(prefix):]), v)
				}
				if err == nil {
					err = ctx.Err()
				}
				if err != nil {
					it.Close()
					return err
				}
			}
			it.Close()
		}
		return nil
	})
}

func docKey(ws wsid, collection, id string) []byte {
	b := appendWS(make([]byte, 0, 1+wsidLen+len(collection)+1+len(id)), tagDoc, ws)
	b = append(b, collection...)
	b = append(b, 0)
	return append(b, id...)
}

// GetDoc reads a document; ErrNotFound when there is none.
func (s *Store) GetDoc(ctx context.Context, w store.Workspace, collection, id string) ([]byte, error) {
	var out []byte
	ok, err := s.view(w, func(r *reader, ws wsid) error {
		v, found, err := r.get(docKey(ws, collection, id))
		if err == nil && !found {
			err = fmt.Errorf("%s %q: %w", collection, id, store.ErrNotFound)
		}
		out = v
		return err
	})
	if err == nil && !ok {
		err = fmt.Errorf("%s %q: %w", collection, id, store.ErrNotFound)
	}
	return out, err
}

// Docs: see store.Documents. A workspace that holds nothing has no documents.
func (s *Store) Docs(ctx context.Context, w store.Workspace, collection string, fn func(id string, value []byte) error) error {
	_, err := s.view(w, func(r *reader, ws wsid) error {
		prefix := docKey(ws, collection, "")
		opt := badger.DefaultIteratorOptions
		opt.Prefix = prefix
		it := r.txn.NewIterator(opt)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			v, err := it.Item().ValueCopy(nil)
			if err == nil {
				err = fn(string(it.Item().Key()[len(prefix):]), v)
			}
			if err == nil {
				err = ctx.Err()
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	return err
}

// Workspaces lists every workspace that holds data.
func (s *Store) Workspaces(ctx context.Context) ([]store.Workspace, error) {
	var out []store.Workspace
	err := s.db.View(func(txn *badger.Txn) error {
		opt := badger.DefaultIteratorOptions
		opt.Prefix = []byte{tagWorkspace}
		opt.PrefetchValues = false
		it := txn.NewIterator(opt)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			org, name, _ := bytes.Cut(it.Item().Key()[1:], []byte{0})
			out = append(out, store.Workspace{Org: string(org), Name: string(name)})
		}
		return nil
	})
	return out, err
}

// OnDocument: see store.Documents. Only this process writes a Badger store: nobody else
// changes its documents.
func (s *Store) OnDocument(func(w store.Workspace, collection, id string)) {}
