package gencache

import "hash/maphash"

// Bytes is a cache of byte values with the same two generations as Sized, each an
// Arena, so that a collection never scans it. Its bound counts every byte it holds, index
// included. Each value carries a version of the caller's choosing.
//
// A value returned by Get stays valid and unchanged for as long as the caller keeps it:
// a generation dropped is never reused. Bytes is not safe for concurrent use.
type Bytes struct {
	max  int // bytes per generation
	seed maphash.Seed
	gen  [2]*Arena
}

// NewBytes returns a cache holding about maxBytes.
func NewBytes(maxBytes int) *Bytes {
	c := &Bytes{max: maxBytes / 2, seed: maphash.MakeSeed()}
	c.Reset()
	return c
}

// Get returns the value cached under key and its version: hit with a nil v is a
// recorded absence.
func (c *Bytes) Get(key []byte) (v []byte, ver uint64, hit bool) {
	h := maphash.Bytes(c.seed, key)
	if v, ver, ok := c.gen[0].Get(h, key); ok {
		return v, ver, true
	}
	v, ver, ok := c.gen[1].Get(h, key)
	if ok {
		c.gen[1].Forget(h, key)
		c.put(h, key, v, ver)
	}
	return v, ver, ok
}

// Put caches v under key, with a version; a nil v records that the key is absent.
func (c *Bytes) Put(key, v []byte, ver uint64) { c.put(maphash.Bytes(c.seed, key), key, v, ver) }

func (c *Bytes) put(h uint64, key, v []byte, ver uint64) {
	// An older value in the old generation is hidden by the young one, and dropped with
	// its generation.
	n := RecordSize(key, v)
	if n > min(c.max, chunkSize) {
		c.gen[0].Forget(h, key) // too large to cache: forget what was cached
		c.gen[1].Forget(h, key)
		return
	}
	if c.gen[0].Size()+n+indexBytes > c.max {
		c.gen[1], c.gen[0] = c.gen[0], NewArena(c.max)
	}
	c.gen[0].Put(h, key, v, ver)
}

// Reset forgets everything.
func (c *Bytes) Reset() { c.gen = [2]*Arena{NewArena(c.max), NewArena(c.max)} }

// Bytes is what the young generation holds, and its bound.
func (c *Bytes) Bytes() (held, bound int) { return c.gen[0].Size(), c.max }
