package gencache

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// The cache is bounded by bytes, remembers nil values, keeps values that are read again
// and drops the oldest.
func TestSized(t *testing.T) {
	c := New(200, func(v []byte) int { return len(v) }) // 100 bytes per generation
	c.Put("a", []byte("0123456789"))
	c.Put("absent", nil)
	if v, hit := c.Get([]byte("a")); !hit || string(v) != "0123456789" {
		t.Fatalf("a: %q %v", v, hit)
	}
	if v, hit := c.Get([]byte("absent")); !hit || v != nil {
		t.Fatalf("absent: %q %v", v, hit)
	}
	if _, hit := c.Get([]byte("never")); hit {
		t.Fatal("a key never put is a hit")
	}
	for i := range 20 { // 20 × 11 bytes: two generations turn over
		c.Put(fmt.Sprintf("k%02d", i), []byte("12345678"))
		c.Get([]byte("a")) // read often: stays
	}
	if _, hit := c.Get([]byte("a")); !hit {
		t.Error("a value read often was evicted")
	}
	if _, hit := c.Get([]byte("k00")); hit {
		t.Error("the oldest values were not evicted")
	}
	if held, bound := c.Bytes(); held > bound {
		t.Errorf("young generation holds %d bytes, more than %d", held, bound)
	}
	c.Reset()
	if _, hit := c.Get([]byte("a")); hit {
		t.Error("reset kept a value")
	}
}

// Bytes behaves as Sized does, keeps the values it handed out intact, and forgets a key
// whose new value is too large to cache rather than answer the old one.
func TestBytes(t *testing.T) {
	c := NewBytes(400) // 200 bytes per generation
	c.Put([]byte("a"), []byte("0123456789"), 0)
	c.Put([]byte("absent"), nil, 0)
	c.Put([]byte("empty"), []byte{}, 0)
	if v, _, hit := c.Get([]byte("a")); !hit || string(v) != "0123456789" {
		t.Fatalf("a: %q %v", v, hit)
	}
	if v, _, hit := c.Get([]byte("absent")); !hit || v != nil {
		t.Fatalf("absent: %q %v", v, hit)
	}
	if v, _, hit := c.Get([]byte("empty")); !hit || v == nil || len(v) != 0 {
		t.Fatalf("empty: %q %v", v, hit)
	}
	if _, _, hit := c.Get([]byte("never")); hit {
		t.Fatal("a key never put is a hit")
	}
	held, _, _ := c.Get([]byte("a"))
	if held = append(held, 'x'); string(held) != "0123456789x" {
		t.Fatalf("append to a value: %q", held)
	}
	if v, _, hit := c.Get([]byte("absent")); !hit || v != nil {
		t.Fatalf("absent after an append to a: %q %v", v, hit)
	}
	held, _, _ = c.Get([]byte("a"))
	for i := range 40 { // 40 × ~27 bytes: generations turn over
		c.Put(fmt.Appendf(nil, "k%02d", i), []byte("12345678"), 0)
		c.Get([]byte("a")) // read often: stays
	}
	if v, _, hit := c.Get([]byte("a")); !hit || string(v) != "0123456789" {
		t.Errorf("a value read often: %q %v", v, hit)
	}
	if string(held) != "0123456789" {
		t.Errorf("a value handed out changed to %q", held)
	}
	if _, _, hit := c.Get([]byte("k00")); hit {
		t.Error("the oldest values were not evicted")
	}
	if held, bound := c.Bytes(); held > bound {
		t.Errorf("young generation holds %d bytes, more than %d", held, bound)
	}
	c.Put([]byte("a"), make([]byte, 300), 0)
	if v, _, hit := c.Get([]byte("a")); hit {
		t.Errorf("a value too large to cache: hit, %d bytes", len(v))
	}
	c.Reset()
	if _, _, hit := c.Get([]byte("k39")); hit {
		t.Error("reset kept a value")
	}
}

// BenchmarkBytesChurn reads and rewrites random keys of 500,000, more than a 64 MiB cache
// holds, as the committer does with profile states.
func BenchmarkBytesChurn(b *testing.B) {
	keys := make([][]byte, 500_000)
	for i := range keys {
		keys[i] = fmt.Appendf(nil, "s\x00\x00\x00\x01person-%012d-attr", i)
	}
	v := make([]byte, 100)
	c := NewBytes(64 << 20)
	rng := rand.New(rand.NewPCG(1, 2))
	b.ResetTimer()
	for range b.N {
		k := keys[rng.IntN(len(keys))]
		c.Get(k)
		c.Put(k, v, 0)
	}
}
