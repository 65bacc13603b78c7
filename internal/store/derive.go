package store

import (
	"time"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/identity"
)

// Derived state: what other packages compute from events (progressive profiles) is
// written by the store in the same unit of work as the event that changes it, so a read
// after an acknowledgement includes that event, and no crash can separate them. The
// store keeps it as opaque named values per (workspace, person) and keeps it right across
// merges (reads combine the states of merged persons), unmerges (states are rebuilt) and
// erasure (states are deleted).

// Deriver computes derived state. Its methods run inside the commit (on the committer
// goroutine of a backend that has one): they must be deterministic and quick, and must
// not call the Store.
type Deriver interface {
	// Derive is called once for each event newly stored, with the state of the person it
	// was filed under (valid during the call only).
	Derive(st State, ev StoredEvent) error
	// Rebuild recomputes all of one person's state from the person's own events. It must
	// replace every value it computes: the store calls it after clearing the person's
	// state (unmerge) and also, without clearing, after retention deleted some of the
	// person's events (ExpireEvents), so that values not computed from events survive.
	Rebuild(st State, events EventSource) error
}

// Preparer is an optional part of a Deriver: Prepare runs on the caller's goroutine,
// before an event is handed to the commit, and may set ev.Prepared (a decoded form,
// say) for Derive to use. Work done here is done in parallel, off the commit path.
type Preparer interface {
	Prepare(w Workspace, ev *event.Event)
}

// State is the derived state of one person inside one unit of work, with the outbox of
// that unit: deliveries an action fires are queued with the event that fired them.
type State interface {
	// Workspace is the workspace of the person.
	Workspace() Workspace
	// Person is the id of the person the state belongs to.
	Person() string
	// Now is the unit of work's clock reading.
	Now() time.Time
	// Get returns a named value, nil when absent. The value is shared: do not modify it.
	Get(name string) ([]byte, error)
	// Set stores a named value.
	Set(name string, v []byte) error
	// Delete removes a named value.
	Delete(name string) error
	// GetMerged returns a named value of the person and of every person merged into it
	// (absent ones left out): what a view of the live person combines.
	GetMerged(name string) ([][]byte, error)
	// Record returns the person's record as this unit of work sees it (shared: do not
	// modify).
	Record() (*identity.Person, error)
	// Clear removes every value of the person.
	Clear() error
	// Enqueue queues a delivery for the person, due at due, in this unit of work. It
	// returns the delivery's id.
	Enqueue(payload []byte, due time.Time) (string, error)
	// EnqueueDead records a delivery that failed before it could be queued (its payload
	// could not be made within its budget): it is dead at once, with reason as its last
	// error, in the person's delivery history and dead letters, and is never sent.
	EnqueueDead(payload []byte, reason string) (string, error)
	// EnqueueShadow records what an action in shadow mode would have delivered, due at
	// due: state Shadow, in the person's delivery history, never queued nor sent.
	EnqueueShadow(payload []byte, due time.Time) (string, error)
	// EnqueueHeld records a delivery a contact policy held back (see NewHeldDelivery):
	// suppressed, in the person's history and never sent; or deferred, queued due at
	// due.
	EnqueueHeld(payload []byte, due time.Time, h PolicyHold) (string, error)
}

// StoredEvent is an event as the store holds it.
type StoredEvent struct {
	Time time.Time
	Seq  uint64
	Type string // the CloudEvents type, to skip decoding events nobody derives from
	Raw  []byte // canonical JSON
	// Prepared is what Preparer.Prepare set, for new events; nil otherwise.
	Prepared any
}

// EventSource yields a person's own events with time at or after since, oldest first,
// until fn returns an error.
type EventSource func(since time.Time, fn func(StoredEvent) error) error

// PersonState is one person's value of a named derived state.
type PersonState struct {
	PersonID string
	// Version changes whenever the value changes: a value can be cached by (PersonID,
	// name, Version).
	Version uint64
	Value   []byte // shared: do not modify
}

// RebuildFunc recomputes part of one person's derived state; see Profiles.Backfill.
type RebuildFunc func(st State, events EventSource) error
