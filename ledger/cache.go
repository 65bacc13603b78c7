package ledger

import (
	"sync"

	"github.com/openjds/jds/identity"
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

// stateCache keeps recent state records for the committer, the only goroutine that reads
// or writes it; readers of profiles use snapshots. Deriving reads an event's person's
// state before updating it, and without the cache those reads are most of what profiles
// add to a commit. A record read from the store is the committed one, so it is cached at
// once; a record written is cached once its commit succeeds. It is two generations,
// bounded by bytes: a hit in the old generation moves the record to the young one.
type stateCache struct {
	max  int // bytes per generation
	size int // bytes in the young generation
	gen  [2]map[string]stateRecord
}

func newStateCache(maxBytes int) *stateCache {
	return &stateCache{max: maxBytes / 2, gen: [2]map[string]stateRecord{{}, {}}}
}

// get returns a cached record: an empty one with hit true means the person has none.
func (c *stateCache) get(key []byte) (r stateRecord, hit bool) {
	if r, ok := c.gen[0][string(key)]; ok {
		return r, true
	}
	r, ok := c.gen[1][string(key)]
	if ok {
		delete(c.gen[1], string(key))
		c.put(string(key), r)
	}
	return r, ok
}

// put caches a record; an empty one records that the person has none.
func (c *stateCache) put(key string, r stateRecord) {
	delete(c.gen[1], key)
	if old, ok := c.gen[0][key]; ok {
		c.size -= len(key) + old.size()
	}
	n := len(key) + r.size()
	if c.size+n > c.max {
		c.gen[1], c.gen[0], c.size = c.gen[0], map[string]stateRecord{}, 0
	}
	c.gen[0][key] = r
	c.size += n
}
