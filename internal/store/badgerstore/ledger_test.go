package badgerstore

import (
	"testing"

	"github.com/openjds/jds/internal/store"
)

var ws = store.Workspace{Org: "cctsa", Name: "sandbox"}

func openTest(t *testing.T, dir string) *Store {
	t.Helper()
	return openWith(t, Options{Dir: dir, InMemory: dir == "", SyncWrites: true})
}

// openWith opens a store for one test, closed when the test ends.
func openWith(t *testing.T, o Options) *Store {
	t.Helper()
	s, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// The readers' state cache answers only for the version asked, and a reader with an
// older snapshot does not replace a newer value.
func TestReaderStatesVersions(t *testing.T) {
	c := newReaderStates(1 << 20)
	c.put([]byte("k"), 5, []byte("five"))
	if v, ok := c.get([]byte("k"), 5); !ok || string(v) != "five" {
		t.Fatalf("version 5: %q %v", v, ok)
	}
	if _, ok := c.get([]byte("k"), 6); ok {
		t.Fatal("version 6 answered from version 5")
	}
	c.put([]byte("k"), 4, []byte("four"))
	if v, ok := c.get([]byte("k"), 5); !ok || string(v) != "five" {
		t.Fatalf("an older version replaced a newer one: %q %v", v, ok)
	}
}
