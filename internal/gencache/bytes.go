package gencache

import (
	"encoding/binary"
	"hash/maphash"
)

// Bytes is a cache of byte values with the same two generations as Sized, laid out for
// the garbage collector: each generation appends its keys and values to large byte
// chunks and indexes them by the keys' 64-bit hashes, so it holds no pointer per entry and
// a collection never scans it. With hundreds of thousands of entries, a map of strings
// to slices cost more in collections than the cache saved. Its bound counts every byte
// it holds, index included.
//
// A value returned by Get stays valid and unchanged for as long as the caller keeps it:
// chunks are only appended to, and a generation dropped is never reused. Bytes is not
// safe for concurrent use.
type Bytes struct {
	max  int // bytes per generation
	seed maphash.Seed
	gen  [2]slab
}

type slab struct {
	index map[uint64]uint32 // hash of a key → where its record starts: chunk<<chunkBits | offset
	// chunks hold records: uvarint(len key), uvarint(len value + 1, 0 for nil), key,
	// value. They are allocated as the generation fills, so that a cache that holds
	// little costs little.
	chunks [][]byte
	size   int // bytes of records plus the index's share
}

const (
	chunkBits = 20
	chunkSize = 1 << chunkBits
	// indexBytes is what one index entry is counted as.
	indexBytes = 16
)

// NewBytes returns a cache holding about maxBytes.
func NewBytes(maxBytes int) *Bytes {
	c := &Bytes{max: maxBytes / 2, seed: maphash.MakeSeed()}
	c.Reset()
	return c
}

// Get returns the value cached under key: hit with a nil v is a recorded absence.
func (c *Bytes) Get(key []byte) (v []byte, hit bool) {
	h := maphash.Bytes(c.seed, key)
	if v, ok := c.gen[0].get(h, key); ok {
		return v, true
	}
	v, ok := c.gen[1].get(h, key)
	if ok {
		delete(c.gen[1].index, h)
		c.put(h, key, v)
	}
	return v, ok
}

// Put caches v under key; a nil v records that the key is absent.
func (c *Bytes) Put(key, v []byte) { c.put(maphash.Bytes(c.seed, key), key, v) }

func (c *Bytes) put(h uint64, key, v []byte) {
	delete(c.gen[1].index, h)
	n := 2*binary.MaxVarintLen32 + len(key) + len(v)
	if n > min(c.max, chunkSize) {
		delete(c.gen[0].index, h) // too large to cache: forget what was cached
		return
	}
	if c.gen[0].size+n+indexBytes > c.max {
		c.gen[1], c.gen[0] = c.gen[0], slab{index: map[uint64]uint32{}}
	}
	g := &c.gen[0]
	last := len(g.chunks) - 1
	if last < 0 || cap(g.chunks[last])-len(g.chunks[last]) < n {
		g.chunks = append(g.chunks, make([]byte, 0, min(c.max, chunkSize)))
		last++
	}
	b := g.chunks[last]
	off := len(b)
	b = binary.AppendUvarint(b, uint64(len(key)))
	vlen := uint64(0)
	if v != nil {
		vlen = uint64(len(v)) + 1
	}
	b = binary.AppendUvarint(b, vlen)
	b = append(b, key...)
	b = append(b, v...)
	g.chunks[last] = b
	if _, ok := g.index[h]; !ok {
		g.size += indexBytes
	}
	g.index[h] = uint32(last<<chunkBits | off)
	g.size += len(b) - off
}

func (g *slab) get(h uint64, key []byte) ([]byte, bool) {
	off, ok := g.index[h]
	if !ok {
		return nil, false
	}
	rec := g.chunks[off>>chunkBits][off&(chunkSize-1):]
	klen, n := binary.Uvarint(rec)
	rec = rec[n:]
	vlen, n := binary.Uvarint(rec)
	rec = rec[n:]
	if string(rec[:klen]) != string(key) {
		return nil, false // another key with the same hash
	}
	if vlen == 0 {
		return nil, true
	}
	v := rec[klen : klen+vlen-1]
	return v[:len(v):len(v)], true // an append by the caller must not write into the chunk
}

// Reset forgets everything.
func (c *Bytes) Reset() {
	c.gen = [2]slab{{index: map[uint64]uint32{}}, {index: map[uint64]uint32{}}}
}

// Bytes is what the young generation holds, and its bound.
func (c *Bytes) Bytes() (held, bound int) { return c.gen[0].size, c.max }
