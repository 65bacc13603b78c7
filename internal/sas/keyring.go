package sas

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// Key is a signing key: tokens name it with sk and their organization with so.
type Key struct {
	Name         string
	Organization string
	Secret       []byte // HMAC key; never log or return it to clients
}

type keyID struct{ org, name string }

// Keyring holds signing keys by (organization, key name). It is safe for
// concurrent use, and keys can be added, rotated and removed while requests
// are being authenticated. The zero Keyring is empty and ready to use.
//
// Key names are scoped to an organization, so two tenants may both have a
// key called "sandbox" without one's tokens opening the other's data.
type Keyring struct {
	mu   sync.RWMutex
	keys map[keyID][]byte
	// accepted remembers tokens Authenticate accepted, by their exact text, in two
	// generations of at most maxAccepted: a client presents the same token on every
	// request, and parsing and verifying it again cost more than a light read's own
	// work. Put and Delete forget them all; expiry is checked on every use.
	accepted, older map[string]Token
	gen             uint64 // counts the changes of keys, so that none is missed
}

// maxAccepted bounds each generation of Keyring.accepted. Only tokens that verified
// are remembered, so a client cannot fill it with forgeries.
const maxAccepted = 4096

// NewKeyring returns a Keyring holding keys; a later key replaces an earlier
// one with the same organization and name.
func NewKeyring(keys ...Key) *Keyring {
	k := &Keyring{keys: make(map[keyID][]byte, len(keys))}
	for _, key := range keys {
		k.Put(key)
	}
	return k
}

// Put adds key, or replaces the secret of the key with the same organization
// and name (rotation: tokens signed with the old secret stop verifying).
// The secret is copied, so the caller may reuse its slice.
func (k *Keyring) Put(key Key) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.keys == nil {
		k.keys = make(map[keyID][]byte)
	}
	k.keys[keyID{key.Organization, key.Name}] = slices.Clone(key.Secret)
	k.accepted, k.older = nil, nil
	k.gen++
}

// Delete removes the key and reports whether it existed. Tokens signed with
// it fail with ErrUnknownKey from then on.
func (k *Keyring) Delete(org, name string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	id := keyID{org, name}
	_, ok := k.keys[id]
	delete(k.keys, id)
	k.accepted, k.older = nil, nil
	k.gen++
	return ok
}

// Keys returns copies of all keys, sorted by organization, then name. The
// secrets are included (a caller may need to persist them); listings shown
// to people must leave them out.
func (k *Keyring) Keys() []Key {
	k.mu.RLock()
	out := make([]Key, 0, len(k.keys))
	for id, secret := range k.keys {
		out = append(out, Key{Name: id.name, Organization: id.org, Secret: slices.Clone(secret)})
	}
	k.mu.RUnlock()
	slices.SortFunc(out, func(a, b Key) int {
		return cmp.Or(cmp.Compare(a.Organization, b.Organization), cmp.Compare(a.Name, b.Name))
	})
	return out
}

// Authenticate parses token, finds its key and verifies signature and
// expiry: the one call the HTTP layer makes before Token.Allow. Errors wrap
// ErrMalformed, ErrUnknownKey, ErrBadSignature or ErrExpired.
func (k *Keyring) Authenticate(token string, now time.Time) (Token, error) {
	k.mu.RLock()
	t, ok := k.accepted[token]
	if !ok {
		t, ok = k.older[token]
	}
	k.mu.RUnlock()
	if ok {
		// Accepted before under the same keys: only time can have changed.
		if err := t.checkExpiry(now); err != nil {
			return Token{}, err
		}
		return t, nil
	}
	// The token is remembered past this request: it and the Token parsed from it must
	// not share memory with the caller's (fasthttp reuses its request buffers).
	token = strings.Clone(token)
	t, err := Parse(token)
	if err != nil {
		return Token{}, err
	}
	k.mu.RLock()
	secret, ok := k.keys[keyID{t.Org, t.KeyName}]
	gen := k.gen
	k.mu.RUnlock()
	if !ok {
		return Token{}, fmt.Errorf("%w %q for organization %q", ErrUnknownKey, clip(t.KeyName), clip(t.Org))
	}
	// Put replaces the slice rather than writing into it, so reading
	// secret after unlocking is safe.
	if err := t.Verify(secret, now); err != nil {
		return Token{}, err
	}
	k.mu.Lock()
	if k.gen == gen { // else a key changed meanwhile: the secret may be gone
		if len(k.accepted) >= maxAccepted {
			k.older, k.accepted = k.accepted, nil
		}
		if k.accepted == nil {
			k.accepted = make(map[string]Token)
		}
		k.accepted[token] = t
	}
	k.mu.Unlock()
	return t, nil
}
