package gencache

import (
	"bytes"
	"fmt"
	"testing"
)

// Keys with the same hash stay apart, Forget hides only its key, Scan walks every record
// in order and resumes where it stopped, and a record larger than a chunk fits.
func TestArena(t *testing.T) {
	a := NewArena(64)
	const h = 7 // one hash for every key: all collide
	a.Put(h, []byte("a"), []byte("1"), 1)
	a.Put(h, []byte("b"), nil, 2)
	a.Put(h, []byte("a"), []byte("3"), 3)
	big := bytes.Repeat([]byte("x"), 200)
	a.Put(h, []byte("c"), big, 4)
	for _, c := range []struct {
		key, v string
		ver    uint64
		ok     bool
	}{{"a", "3", 3, true}, {"b", "", 2, true}, {"c", string(big), 4, true}, {"d", "", 0, false}} {
		v, ver, ok := a.Get(h, []byte(c.key))
		if string(v) != c.v || ver != c.ver || ok != c.ok {
			t.Errorf("Get(%s) = %q, %d, %v; want %q, %d, %v", c.key, v, ver, ok, c.v, c.ver, c.ok)
		}
	}
	if v, _, _ := a.Get(h, []byte("b")); v != nil {
		t.Error("a record of no value reads as a value")
	}
	a.Forget(h, []byte("a"))
	if _, _, ok := a.Get(h, []byte("a")); ok {
		t.Error("a forgotten key is found")
	}
	if _, _, ok := a.Get(h, []byte("b")); !ok {
		t.Error("forgetting a key lost another with the same hash")
	}
	var seen []string
	walk := func(r Ref, key, v []byte, ver uint64) error {
		seen = append(seen, fmt.Sprintf("%s%d", key, ver))
		return nil
	}
	c, done, _ := a.Scan(Cursor{}, 2, walk)
	if done {
		t.Fatal("Scan of 2 of 4 records says it reached the end")
	}
	if _, done, _ = a.Scan(c, 10, walk); !done || fmt.Sprint(seen) != "[a1 b2 a3 c4]" {
		t.Fatalf("records scanned: %v (done %v)", seen, done)
	}
}
