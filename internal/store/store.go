// Package store is the seam between the domain of jds and the engines that keep its data.
//
// It names what jds stores, as the rest of the code sees it: the event log of each
// workspace (append in a group commit, history, the events after one, retention), the
// identity graph (persons, aliases, merges and their undo, erasure), the derived state of
// progressive profiles, the outbox of deliveries, and documents (templates, actions,
// keys). Store is the whole of it; the smaller interfaces are what each consumer needs.
//
// A backend keeps two promises. One commit per group: the writes of a batch of events
// (the events, their identity changes, the derived state and the deliveries they fire)
// are made in one unit of work, atomically. Ack after it: a call that writes returns only
// once that unit is durable, so an acknowledged write survives a crash. The conformance
// suite in storetest checks both, and everything else callers rely on.
//
// The embedded backend is Badger (store/badgerstore); the wiring in server/service is the
// only code that chooses one.
package store

import (
	"errors"

	"github.com/openjds/jds/internal/identity"
)

// Errors callers branch on.
var (
	ErrClosed   = errors.New("store is closed")
	ErrNotFound = errors.New("not found")
	// ErrConflict: the change contradicts the identity graph (an alias owned by another
	// person, nothing to unmerge).
	ErrConflict = errors.New("conflict")
)

// Workspace addresses a tenant's data: an organization and one of its workspaces.
type Workspace struct {
	Org  string
	Name string
}

func (w Workspace) String() string { return w.Org + "/" + w.Name }

// Committed describes one event stored by a commit.
type Committed struct {
	Workspace Workspace
	PersonID  string
	EventID   string
	Seq       uint64
	Raw       []byte // canonical event JSON; shared, do not modify
}

// AppendResult says what happened to one appended event.
type AppendResult struct {
	PersonID  string // the live person the event belongs to
	Duplicate bool   // an event with this source and id was already stored in the workspace
}

// Query selects a page of a person's history.
type Query struct {
	Offset int // events to skip after filtering
	Limit  int // events to return; ≤ 0 means none
	// Match, when set, keeps only the events it accepts (given canonical JSON).
	Match func(raw []byte) bool
}

// IdentifyRequest is the body of merge-identities: the aliases a caller knows for one
// customer, and the names to set.
type IdentifyRequest struct {
	FirstName, LastName string // empty: leave as is
	Aliases             []identity.Alias
	// Override also removes the aliases the person owns that are not listed.
	Override bool
}

// Erased says what an erasure removed.
type Erased struct {
	Person  *identity.Person `json:"person"`
	Persons int              `json:"persons"` // the person and the persons merged into it
	Aliases int              `json:"aliases"`
	Events  int              `json:"events"`
}

// Expired says what ExpireEvents deleted so far.
type Expired struct {
	Events  int // events deleted
	Persons int // persons that lost at least one event
	Chunks  int // transactions committed
}
