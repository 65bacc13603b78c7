// Package gencache is a cache of two generations bounded by the size of its values, a
// cheap approximation of LRU with a hard bound on memory: when the young generation is
// full it becomes the old one and the oldest values are dropped, and a hit in the old
// generation moves the value to the young one.
package gencache

// Sized is not safe for concurrent use.
type Sized[V any] struct {
	max    int // bytes per generation
	size   int // bytes in the young generation
	sizeOf func(V) int
	gen    [2]map[string]V
}

// New returns a cache holding about maxBytes, as sizeOf weighs values (keys count too).
func New[V any](maxBytes int, sizeOf func(V) int) *Sized[V] {
	return &Sized[V]{max: maxBytes / 2, sizeOf: sizeOf, gen: [2]map[string]V{{}, {}}}
}

// Get returns the value cached under key.
func (c *Sized[V]) Get(key []byte) (v V, hit bool) {
	if v, ok := c.gen[0][string(key)]; ok {
		return v, true
	}
	v, ok := c.gen[1][string(key)]
	if ok {
		delete(c.gen[1], string(key))
		c.Put(string(key), v)
	}
	return v, ok
}

// Put caches a value under key.
func (c *Sized[V]) Put(key string, v V) {
	delete(c.gen[1], key)
	if old, ok := c.gen[0][key]; ok {
		c.size -= len(key) + c.sizeOf(old)
	}
	n := len(key) + c.sizeOf(v)
	if c.size+n > c.max {
		c.gen[1], c.gen[0], c.size = c.gen[0], map[string]V{}, 0
	}
	c.gen[0][key] = v
	c.size += n
}

// Reset forgets everything.
func (c *Sized[V]) Reset() {
	c.gen, c.size = [2]map[string]V{{}, {}}, 0
}

// Bytes is what the young generation holds, and its bound.
func (c *Sized[V]) Bytes() (held, bound int) { return c.size, c.max }
