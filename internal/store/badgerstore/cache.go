package badgerstore

import (
	"sync"

	"github.com/openjds/jds/internal/gencache"
	"github.com/openjds/jds/internal/identity"
)

// cache keeps hot identity lookups (alias → person, person id → person) in memory.
//
// Only the committer writes it, and only with state it has just committed, so a reader
// never sees a value newer or older than some committed state: readers that miss go to a
// snapshot and do not fill the cache, which would race with the committer. Each map is two
// generations: when the young one fills, it becomes the old one and the oldest entries are
// dropped, a cheap approximation of LRU with a hard bound on memory.
type cache struct {
	mu      sync.RWMutex
	max     int
	aliases [2]map[string]aliasEntry
	persons [2]map[string]*identity.Person
}

type aliasEntry struct {
	person pid
	kind   identity.Kind
}

func newCache(max int) *cache {
	c := &cache{max: max / 2}
	c.aliases = [2]map[string]aliasEntry{{}, {}}
	c.persons = [2]map[string]*identity.Person{{}, {}}
	return c
}

func (c *cache) alias(key []byte) (aliasEntry, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if e, ok := c.aliases[0][string(key)]; ok {
		return e, true
	}
	e, ok := c.aliases[1][string(key)]
	return e, ok
}

// person returns a cached person; callers must not modify it.
func (c *cache) person(key []byte) (*identity.Person, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if p, ok := c.persons[0][string(key)]; ok {
		return p, true
	}
	p, ok := c.persons[1][string(key)]
	return p, ok
}

// apply records committed changes: a zero aliasEntry or nil person removes the key.
func (c *cache) apply(aliases map[string]aliasEntry, persons map[string]*identity.Person) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range aliases {
		delete(c.aliases[1], k)
		if e.kind == 0 {
			delete(c.aliases[0], k)
			continue
		}
		if len(c.aliases[0]) >= c.max {
			c.aliases[1], c.aliases[0] = c.aliases[0], map[string]aliasEntry{}
		}
		c.aliases[0][k] = e
	}
	for k, p := range persons {
		delete(c.persons[1], k)
		if p == nil {
			delete(c.persons[0], k)
			continue
		}
		if len(c.persons[0]) >= c.max {
			c.persons[1], c.persons[0] = c.persons[0], map[string]*identity.Person{}
		}
		c.persons[0][k] = p
	}
}

// stateCache keeps recent derived-state values (profile states) for the committer, the
// only goroutine that reads or writes them; readers of profiles have their own
// (readerStates). Deriving reads an event's person's states before updating them, and
// without the cache those reads are most of what profiles add to a commit. It holds the
// values the committer read from the store and every value a batch wrote, at once, so
// that no entry is older than the pending value of its key (journal.go), which getState
// looks up after it. A batch that fails to commit empties it, so that between batches it
// holds only committed values. A nil value records that the key is absent.
//
// It is a gencache.Bytes: with many persons it holds hundreds of thousands of values,
// which the garbage collector would otherwise scan on every cycle.
type stateCache = gencache.Bytes

func newStateCache(maxBytes int) *stateCache { return gencache.NewBytes(maxBytes) }

// readerStates keeps the state values that readers read, each with the Badger version it
// was read at: a reader whose snapshot holds that same version takes it from here instead
// of copying it out of the value log again. Like the committer's cache it is a
// gencache.Bytes, behind a mutex: readers share it.
type readerStates struct {
	mu sync.Mutex
	c  *gencache.Bytes
}

func newReaderStates(maxBytes int) *readerStates {
	return &readerStates{c: gencache.NewBytes(maxBytes)}
}

func (c *readerStates) get(key []byte, version uint64) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ver, ok := c.c.Get(key)
	if !ok || ver != version {
		return nil, false
	}
	return v, true
}

func (c *readerStates) put(key []byte, version uint64, v []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ver, ok := c.c.Get(key); ok && ver > version {
		return // a reader with an older snapshot must not replace a newer value
	}
	c.c.Put(key, v, version)
}
