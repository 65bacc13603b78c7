package gencache

import (
	"fmt"
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
