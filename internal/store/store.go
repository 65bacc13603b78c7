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
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/identity"
)

// Errors callers branch on. ErrNotFound and ErrConflict are identity's, so that one
// errors.Is answers for what the identity rules refuse and what a backend does not hold.
var (
	ErrClosed   = errors.New("store is closed")
	ErrNotFound = identity.ErrNotFound
	// ErrConflict: the change contradicts the identity graph (an alias owned by another
	// person, nothing to unmerge).
	ErrConflict = identity.ErrConflict
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
	// Types, when not empty, are the only event types Match can accept (callers set it
	// only when Match implies it: event.Matcher.Types): a backend may read only events
	// of these types, and pass the rest over unread. Nil: any type.
	Types []string
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

// Store is everything jds keeps. It is safe for concurrent use.
type Store interface {
	Events
	Identities
	Profiles
	Outbox
	Documents
	// CheckSpace reports whether writes would be refused for want of room (ErrNoSpace),
	// for readiness checks.
	CheckSpace() error
	// Close stops taking writes, finishes those accepted, and closes the store.
	Close() error
}

// Events is the event log of every workspace.
type Events interface {
	// Append stores validated events durably, in order, in one unit of work with their
	// identity changes, derived state and deliveries, and returns when that is durable.
	// Events whose source and id the workspace already holds are not stored again.
	Append(ctx context.Context, w Workspace, evs []*event.Event) ([]AppendResult, error)
	// History returns a person's events, and those of every person merged into it, newest
	// first (by event time, then commit order), as canonical JSON.
	History(ctx context.Context, w Workspace, p *identity.Person, q Query) ([][]byte, error)
	// After returns the person's events committed after the one with id afterID, in
	// commit order: what a live stream resuming with Last-Event-ID missed.
	After(ctx context.Context, w Workspace, p *identity.Person, afterID string) ([]Committed, error)
	// EventsByRef reads stored events by reference (derived entries), in one read:
	// out[i] is refs[i]'s event, nil when it is gone.
	EventsByRef(ctx context.Context, w Workspace, refs []EventRef) ([][]byte, error)
	// Export hands a person's data to emit from one snapshot: the person, then every
	// event of it and of persons merged into it, newest first.
	Export(ctx context.Context, w Workspace, id string, person func(*identity.Person) error, event func(raw []byte) error) error
	// ExpireEvents deletes the events of w whose time is before cutoff, in chunks, and
	// recomputes the derived state of the persons that lost events.
	ExpireEvents(ctx context.Context, w Workspace, cutoff time.Time, progress func(Expired)) (Expired, error)
	// OnCommit adds a commit listener: after each durable unit of work that stored
	// events, in commit order, fn is told what it stored. Listeners must not block: live
	// fan-out and waking workers belong here. Add them before the first write.
	OnCommit(fn func([]Committed))
}

// Identities is the identity graph: persons, the aliases they own, merges and their
// undo. The rules are in docs/IDENTITY.md.
type Identities interface {
	// Resolve finds the live person owning an identity (an alias of any kind).
	Resolve(ctx context.Context, w Workspace, ident string) (*identity.Person, error)
	// Person reads a person by id, following merges to the live one.
	Person(ctx context.Context, w Workspace, id string) (*identity.Person, error)
	// Root is the id of the live person that person id is, or was merged into, so that a
	// live stream opened before a merge keeps following its customer.
	Root(w Workspace, id string) (string, error)
	// Persons lists live persons, a page at a time.
	Persons(ctx context.Context, w Workspace, offset, limit int) ([]*identity.Person, error)
	// Find returns the distinct live persons owning any of the identities, in the order
	// first found; identities nobody owns are skipped.
	Find(ctx context.Context, w Workspace, identities []string) ([]*identity.Person, error)
	CreatePerson(ctx context.Context, w Workspace, first, last string, aliases []identity.Alias) (*identity.Person, error)
	UpdatePerson(ctx context.Context, w Workspace, id string, change func(p *identity.Person) error) (*identity.Person, error)
	Merge(ctx context.Context, w Workspace, primary string, others []string) (*identity.Person, error)
	Identify(ctx context.Context, w Workspace, req identity.IdentifyRequest) (p *identity.Person, created bool, err error)
	Unmerge(ctx context.Context, w Workspace, id string) (restored, survivor *identity.Person, err error)
	Erase(ctx context.Context, w Workspace, id string) (Erased, error)
	// ExpireTemporary erases the persons that own only temporaryIds and were created
	// before cutoff, in every workspace.
	ExpireTemporary(ctx context.Context, cutoff time.Time) (int, error)
	// IdentityVersion changes whenever a commit creates an alias or moves one to another
	// person: holders of a resolved identity re-resolve only when it changed.
	IdentityVersion() uint64
}

// Profiles is the derived state that a Deriver keeps per person.
type Profiles interface {
	// States returns named values of a live person and of every person merged into it,
	// read from one snapshot.
	States(ctx context.Context, w Workspace, p *identity.Person, names []string) (map[string][]PersonState, error)
	// Backfill runs fn for every person record of a workspace, a few persons per unit of
	// work so that ingest keeps flowing; progress is told how many are done of how many.
	Backfill(ctx context.Context, w Workspace, fn RebuildFunc, progress func(done, total int)) error
}

// Outbox holds the deliveries actions fired, and their state.
type Outbox interface {
	// Due returns up to limit pending deliveries due at or before now, earliest first,
	// passing over those skip names.
	Due(ctx context.Context, now time.Time, limit int, skip func(id string) bool) ([]*Delivery, error)
	// Pick is Due with a say in what counts against the limit (see Picker). It returns
	// what Take accepted and this node now holds: a backend that several nodes share
	// claims each one for a while (a lease, renewed by nothing: Settle ends it), and
	// leaves out those another node claimed first. The caller gives back what it
	// reserved for the ones left out.
	Pick(ctx context.Context, now time.Time, limit int, p Picker) ([]*Delivery, error)
	// PickNew is Pick for what was queued since the last scan.
	PickNew(ctx context.Context, now time.Time, limit int, p Picker) ([]*Delivery, error)
	// Sweep is the safety net's scan: a Pick bounded per workspace, so that one tenant's
	// backlog does not make it slow for the others. In each workspace with deliveries due
	// by now it meets at most perWorkspace of them (passed over or read), going on from
	// the first it did not meet there in the previous Sweep, and from the start again once
	// it met the last. It visits the workspaces in turn, from the one after where the
	// previous Sweep stopped at its limit (the first otherwise), until limit are taken.
	// One that took fewer leaves PickNew to read only what comes due after now, or is
	// queued since. So every due delivery is met within a number of sweeps bounded by
	// its workspace's due deliveries over perWorkspace. Picker.Enough is not asked.
	Sweep(ctx context.Context, now time.Time, limit, perWorkspace int, p Picker) (Swept, error)
	// Settle records an attempt: sent, due again later, or dead. A delivery no longer
	// pending is ErrNotFound.
	Settle(ctx context.Context, d *Delivery, o Outcome) error
	// Requeue puts a dead delivery back in the queue, due now, with its attempts counted
	// afresh (the dead-letter list's retry).
	Requeue(ctx context.Context, w Workspace, personID, id string) error
	// Discard removes a dead delivery for good (the dead-letter list's discard).
	Discard(ctx context.Context, w Workspace, personID, id string) error
	// Deliveries lists the deliveries of a live person and of persons merged into it,
	// newest first; state filters them when not empty. With personID empty it lists the
	// whole workspace's (for admins, not for hot paths).
	Deliveries(ctx context.Context, w Workspace, personID, state string) ([]*Delivery, error)
	// RecentDeliveries lists the newest deliveries of a whole workspace, newest first:
	// at most limit of those in state (every state when empty) that match accepts (nil:
	// every one), and whether more matched. It reads every delivery record of the
	// workspace, but holds only about limit of them at a time: an admin's view.
	RecentDeliveries(ctx context.Context, w Workspace, state string, limit int, match func(*Delivery) bool) ([]*Delivery, bool, error)
	// OutboxStats reads the outbox's size and earliest due time, for metrics.
	OutboxStats(ctx context.Context) (OutboxStats, error)
}

// Documents are small JSON values by workspace, collection and id: templates and actions
// created through the API, keys, markers of finished work.
type Documents interface {
	PutDoc(ctx context.Context, w Workspace, collection, id string, value []byte) error
	// GetDoc returns ErrNotFound when there is no such document.
	GetDoc(ctx context.Context, w Workspace, collection, id string) ([]byte, error)
	DeleteDoc(ctx context.Context, w Workspace, collection, id string) error
	// Docs calls fn for every document of a collection in one workspace, in id order.
	Docs(ctx context.Context, w Workspace, collection string, fn func(id string, value []byte) error) error
	// AllDocs calls fn for every document of a collection, in every workspace.
	AllDocs(ctx context.Context, collection string, fn func(w Workspace, id string, value []byte) error) error
	// Workspaces lists the workspaces that hold anything.
	Workspaces(ctx context.Context) ([]Workspace, error)
	// OnDocument adds a listener told when another process sharing the store wrote or
	// deleted a document, so that what it keeps in memory from documents (templates and
	// actions made through the API) follows. A store one process owns never calls it.
	OnDocument(fn func(w Workspace, collection, id string))
}

// Listeners are a backend's commit listeners (Events.OnCommit): added at any time, read
// without a lock by the code that publishes commits. The zero value has none.
type Listeners struct {
	fns atomic.Pointer[[]func([]Committed)]
}

// OnCommit adds a listener.
func (l *Listeners) OnCommit(fn func([]Committed)) {
	for {
		old := l.fns.Load()
		var next []func([]Committed)
		if old != nil {
			next = append(next, *old...)
		}
		next = append(next, fn)
		if l.fns.CompareAndSwap(old, &next) {
			return
		}
	}
}

// Any reports whether there is a listener.
func (l *Listeners) Any() bool {
	fns := l.fns.Load()
	return fns != nil && len(*fns) > 0
}

// Publish tells every listener, in the order they were added, of what one commit
// stored; nothing when it stored nothing.
func (l *Listeners) Publish(c []Committed) {
	if fns := l.fns.Load(); fns != nil && len(c) > 0 {
		for _, fn := range *fns {
			fn(c)
		}
	}
}

// EventRef names one stored event: the person it is filed under, its time and its
// sequence, as a derived entry keeps them.
type EventRef struct {
	PersonID string
	Time     time.Time
	Seq      uint64
}
