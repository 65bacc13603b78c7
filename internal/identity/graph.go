package identity

import (
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// The identity graph is kept by a store; the rules that change it are here, written
// once over the small interfaces below, so that every backend applies the same ones.

// Errors of the identity graph. Package store's errors of the same names are these.
var (
	ErrNotFound = errors.New("not found")
	// ErrConflict: the change contradicts the identity graph (an alias owned by another
	// person, nothing to unmerge).
	ErrConflict = errors.New("conflict")
)

// Refused is a change refused on its merits (a conflict, an unknown person, too many
// aliases), before anything was written: a store fails that one request and commits
// the others of its unit of work.
type Refused struct{ Err error }

func (r *Refused) Error() string { return r.Err.Error() }
func (r *Refused) Unwrap() error { return r.Err }

func refuse(format string, args ...any) error {
	return &Refused{Err: fmt.Errorf(format, args...)}
}

// Lookup reads the identity graph of one workspace: a unit of work's view or a read
// snapshot. Persons it returns are shared: Clone one before changing it.
type Lookup interface {
	// Alias returns the owner of a normalised alias and the kind it was given as.
	Alias(alias string) (owner uuid.UUID, kind Kind, ok bool, err error)
	// Person reads a person record, live or merged; an error wrapping ErrNotFound when
	// there is none.
	Person(id uuid.UUID) (*Person, error)
}

// Graph is the identity graph of one workspace inside a unit of work: the lookups and
// the writes the rules make. The writes are part of the unit of work, with the events
// and derived state it carries.
type Graph interface {
	Lookup
	SetAlias(alias string, owner uuid.UUID, kind Kind) error
	DeleteAlias(alias string) error
	PutPerson(p *Person) error
	// IndexTemporary enters a new person owning only temporaryIds into the expiry index
	// (identity.temporaryHold).
	IndexTemporary(id uuid.UUID, created time.Time) error
	// MoveEvents refiles the events of person from committed after sequence after, those
	// take accepts (given their canonical JSON), under person to, keeping their order.
	MoveEvents(from, to uuid.UUID, after uint64, take func(raw []byte) bool) error
	// Rebuild recomputes the derived state of persons from their own events.
	Rebuild(ids ...uuid.UUID) error
	// Now is the unit of work's clock; Seq the sequence of the last event it stored.
	Now() time.Time
	Seq() uint64
}

// maxMergeDepth guards against a corrupt cycle of MergedInto links.
const maxMergeDepth = 1000

// Live follows MergedInto links from person id to the live person.
func Live(l Lookup, id uuid.UUID) (*Person, error) {
	for range maxMergeDepth {
		p, err := l.Person(id)
		if err != nil {
			return nil, err
		}
		if p.MergedInto == "" {
			return p, nil
		}
		if id, err = parseID(p.MergedInto); err != nil {
			return nil, err
		}
	}
	return nil, fmt.Errorf("person %s: merge chain longer than %d", id, maxMergeDepth)
}

// Find finds the owner of an identity of unknown kind (see Candidates).
func Find(l Lookup, value, region string) (owner uuid.UUID, ok bool, err error) {
	for _, c := range Candidates(value, region) {
		owner, _, ok, err := l.Alias(c)
		if err != nil || ok {
			return owner, ok, err
		}
	}
	return uuid.UUID{}, false, nil
}

// Resolve reads the live person owning an identity of unknown kind; an error wrapping
// ErrNotFound when nobody owns it.
func Resolve(l Lookup, value, region string) (*Person, error) {
	owner, ok, err := Find(l, value, region)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("identity %q: %w", value, ErrNotFound)
	}
	return Live(l, owner)
}

// ResolveAll returns the distinct live persons owning any of the identities, in the
// order first found; identities nobody owns are skipped.
func ResolveAll(l Lookup, values []string, region string) ([]*Person, error) {
	var out []*Person
	seen := map[string]bool{}
	for _, v := range values {
		p, err := Resolve(l, v, region)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if !seen[p.ID] {
			seen[p.ID] = true
			out = append(out, p)
		}
	}
	return out, nil
}

// LiveByID reads the live person a person id is or was merged into; an unknown or
// malformed id is refused with ErrNotFound.
func LiveByID(l Lookup, id string) (*Person, error) {
	k, err := uuid.Parse(id)
	if err != nil {
		return nil, refuse("person %q: %w", id, ErrNotFound)
	}
	p, err := Live(l, k)
	if errors.Is(err, ErrNotFound) {
		return nil, &Refused{Err: err}
	}
	return p, err
}

// ByID adapts a Lookup to Person.MergedIDs.
func ByID(l Lookup) func(string) *Person {
	return func(id string) *Person {
		k, err := uuid.Parse(id)
		if err != nil {
			return nil
		}
		p, err := l.Person(k)
		if err != nil {
			return nil
		}
		return p
	}
}

func parseID(s string) (uuid.UUID, error) {
	id, err := uuid.Parse(s)
	if err != nil {
		return uuid.UUID{}, fmt.Errorf("person id %q: %w", s, err)
	}
	return id, nil
}
