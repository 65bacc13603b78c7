package gencache

import (
	"encoding/binary"
)

// Arena holds records (a key, a value or none, and a 64-bit version) laid out for the
// garbage collector: appended to large byte chunks and indexed by the 64-bit hashes of
// their keys, so it holds no pointer per record and a collection never scans it. With
// hundreds of thousands of records, maps of strings to slices cost more in collections
// than the data they held.
//
// Putting a key again appends a new record, which the index then finds; the old one
// stays where it was. Records are never moved or overwritten, so a value handed out stays
// valid and unchanged for as long as its holder keeps it. Callers hash keys themselves
// (hash/maphash), so that one hash serves several arenas. Keys whose hashes collide are
// kept apart, in a map that is empty in practice. An Arena is not safe for concurrent
// use.
type Arena struct {
	chunkSize int
	index     map[uint64]Ref // hash of a key → its latest record
	overflow  map[string]Ref // keys whose hash another key of the arena has
	chunks    [][]byte
	size      int
}

// Ref is where a record starts: chunk<<chunkBits | offset.
type Ref uint32

// Cursor is a place in an arena's records, in the order they were put; the zero Cursor
// is the first record.
type Cursor struct{ chunk, off int }

// A record: uvarint(len key), uvarint(len value + 1, 0 for none), 8-byte version, key,
// value.
const (
	chunkBits = 20
	chunkSize = 1 << chunkBits
	// indexBytes is what one index entry is counted as.
	indexBytes = 16
)

// NewArena returns an arena that allocates chunks of chunkBytes (at most 1 MiB), or of
// the record's size for a larger record.
func NewArena(chunkBytes int) *Arena {
	return &Arena{chunkSize: min(chunkBytes, chunkSize), index: map[uint64]Ref{}}
}

// RecordSize is an upper bound of the bytes a record takes.
func RecordSize(key, v []byte) int { return 2*binary.MaxVarintLen64 + 8 + len(key) + len(v) }

// Put appends a record of key, hashed to h: its value v (nil for none) and version.
func (a *Arena) Put(h uint64, key, v []byte, ver uint64) Ref {
	n := RecordSize(key, v)
	last := len(a.chunks) - 1
	// A record starts within the first chunkSize bytes of its chunk, so that its Ref
	// fits; a larger one has a chunk of its own.
	if last < 0 || len(a.chunks[last])+n > a.chunkSize {
		a.chunks = append(a.chunks, make([]byte, 0, max(n, a.chunkSize)))
		last++
	}
	b := a.chunks[last]
	r := Ref(last<<chunkBits | len(b))
	b = binary.AppendUvarint(b, uint64(len(key)))
	vlen := uint64(0)
	if v != nil {
		vlen = uint64(len(v)) + 1
	}
	b = binary.AppendUvarint(b, vlen)
	b = binary.BigEndian.AppendUint64(b, ver)
	b = append(b, key...)
	b = append(b, v...)
	a.size += len(b) - len(a.chunks[last])
	a.chunks[last] = b
	switch at, ok := a.index[h]; {
	case !ok:
		a.size += indexBytes
		a.index[h] = r
	case a.keyAt(at) == string(key):
		a.index[h] = r
	default:
		if a.overflow == nil {
			a.overflow = map[string]Ref{}
		}
		a.overflow[string(key)] = r
	}
	return r
}

// Find returns the latest record of key, hashed to h.
func (a *Arena) Find(h uint64, key []byte) (Ref, bool) {
	if at, ok := a.index[h]; ok && a.keyAt(at) == string(key) {
		return at, true
	}
	at, ok := a.overflow[string(key)]
	return at, ok
}

// Get returns the value (nil for none) and version of the latest record of key.
func (a *Arena) Get(h uint64, key []byte) (v []byte, ver uint64, ok bool) {
	r, ok := a.Find(h, key)
	if !ok {
		return nil, 0, false
	}
	_, v, ver, _ = a.Record(r)
	return v, ver, true
}

// Forget makes key, hashed to h, unknown; its records stay where they are.
func (a *Arena) Forget(h uint64, key []byte) {
	if at, ok := a.index[h]; ok && a.keyAt(at) == string(key) {
		delete(a.index, h)
	}
	delete(a.overflow, string(key))
}

// Record decodes the record at r; size is its length. The value is capped, so that an
// append by its holder cannot write into the chunk.
func (a *Arena) Record(r Ref) (key, v []byte, ver uint64, size int) {
	rec := a.chunks[r>>chunkBits][r&(chunkSize-1):]
	klen, n1 := binary.Uvarint(rec)
	vlen, n2 := binary.Uvarint(rec[n1:])
	rec = rec[n1+n2:]
	ver = binary.BigEndian.Uint64(rec)
	key = rec[8 : 8+klen]
	if vlen > 0 {
		v = rec[8+klen : 8+klen+vlen-1 : 8+klen+vlen-1]
	}
	return key, v, ver, n1 + n2 + 8 + int(klen) + max(int(vlen)-1, 0)
}

func (a *Arena) keyAt(r Ref) string {
	k, _, _, _ := a.Record(r)
	return string(k)
}

// Scan calls fn with up to n records from c on, in the order they were put, latest or
// not; it returns where it stopped, and done when it reached the end.
func (a *Arena) Scan(c Cursor, n int, fn func(r Ref, key, v []byte, ver uint64) error) (next Cursor, done bool, err error) {
	for ; n > 0; n-- {
		if c.chunk < len(a.chunks) && c.off >= len(a.chunks[c.chunk]) {
			c = Cursor{chunk: c.chunk + 1}
		}
		if c.chunk >= len(a.chunks) {
			return c, true, nil
		}
		r := Ref(c.chunk<<chunkBits | c.off)
		key, v, ver, size := a.Record(r)
		c.off += size
		if err := fn(r, key, v, ver); err != nil {
			return c, false, err
		}
	}
	return c, false, nil
}

// Size is the bytes of the records, plus the index's share.
func (a *Arena) Size() int { return a.size }
