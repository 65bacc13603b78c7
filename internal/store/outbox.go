package store

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// The outbox: deliveries that actions fire are written by a Deriver in the same unit of
// work as the event that fired them, so that an event is never stored without its
// deliveries nor a delivery queued for an event that was not. A worker then takes the due
// ones, sends them, and settles each: sent, retried later, or dead. Every delivery keeps
// a record for its person's history, which erasure removes with the person.

// Delivery is one queued message and its state.
type Delivery struct {
	ID        string          `json:"id"` // also the idempotency key partners see
	Workspace Workspace       `json:"workspace"`
	PersonID  string          `json:"personId"`
	Payload   json.RawMessage `json:"payload"` // what the deriver queued, opaque to the store
	State     string          `json:"state"`   // pending, sent, dead, suppressed, shadow
	Attempts  int             `json:"attempts"`
	Due       time.Time       `json:"due"`
	CreatedAt time.Time       `json:"createdAt"`
	UpdatedAt time.Time       `json:"updatedAt"`
	LastError string          `json:"lastError,omitempty"`
	// Response is the partner's last answer, shortened, for the history.
	Response string `json:"response,omitempty"`
	// Policy is the contact policy that held the delivery back, and how; nil when none
	// did.
	Policy *PolicyHold `json:"policy,omitempty"`
}

// PolicyHold is what a contact policy did to a delivery when its action fired: it
// suppressed it (the delivery is Suppressed, never sent) or deferred it (pending, due
// later than its action asked, at the end of quiet hours).
type PolicyHold struct {
	Name    string `json:"name"`    // the policy's
	Outcome string `json:"outcome"` // suppressed or deferred
	Reason  string `json:"reason"`  // opt-out, maxPerPerson, quietHours
	// DeferredFrom is when the delivery was due before the policy deferred it.
	DeferredFrom time.Time `json:"deferredFrom,omitzero"`
}

// Policy outcomes.
const (
	OutcomeSuppressed = "suppressed"
	OutcomeDeferred   = "deferred"
)

// Delivery states.
const (
	Pending = "pending"
	Sent    = "sent"
	Dead    = "dead"
	// Suppressed is a delivery a contact policy held back: recorded for the person's
	// history, never queued nor sent, and no dead letter.
	Suppressed = "suppressed"
	// Shadow is a delivery an action in shadow mode would have made: recorded, never
	// queued nor sent, for admins to see what it would have sent.
	Shadow = "shadow"
)

// A Picker has a say in what a scan of the due deliveries returns (Outbox.Pick). Its
// functions are called in queue order, with the scan's lock held; they must not call
// back into the store. Each may be nil.
type Picker struct {
	// Pass names deliveries to pass over without reading them (a scheduler's in flight,
	// and those it knows wait for a full slot). It is called for every due one, so keep
	// it cheap.
	Pass func(id uuid.UUID) bool
	// Take is given every other one read and returns false for one to pass over, which
	// does not count against the limit.
	Take func(*Delivery) bool
	// Enough is asked every 64 deliveries met: true ends the scan there, as the limit does.
	Enough func() bool
}

// Swept is what one Outbox.Sweep returns.
type Swept struct {
	// Deliveries are those Take accepted and this node now holds (as Pick's).
	Deliveries []*Delivery
	// Whole lists the workspaces the sweep met every due delivery of: a delivery such a
	// workspace had waiting that the sweep did not meet is no longer due.
	Whole []Workspace
	// Partial lists the workspaces the sweep met only some due deliveries of (their share
	// or the limit ran out).
	Partial []Workspace
	// Complete is true when the sweep visited every workspace with deliveries due (it
	// did not stop at its limit): one in neither list has none due.
	Complete bool
}

// OutboxStats describe the outbox at one instant, for metrics.
type OutboxStats struct {
	Pending   int       // deliveries queued, those scheduled for later included
	OldestDue time.Time // the earliest due time among them; zero when there are none
}

// Outcome is how one attempt at a delivery ended.
type Outcome struct {
	Sent      bool
	RetryAt   time.Time // when not sent: the next attempt; zero: no more attempts (dead)
	Error     string
	Response  string
	Attempted time.Time
}

// The state machine of a delivery: pending until an attempt settles it as sent, due
// again later, or dead; a dead one may be requeued (pending again) or discarded. The
// functions below make each transition from the current record; a backend stores what
// they return, in one unit of work with the read.

// NewDelivery is a delivery queued for a person, due at due.
func NewDelivery(w Workspace, personID string, payload []byte, due, now time.Time) *Delivery {
	return &Delivery{
		ID: uuid.NewString(), Workspace: w, PersonID: personID, Payload: payload,
		State: Pending, Due: due.UTC(), CreatedAt: now, UpdatedAt: now,
	}
}

// NewDeadDelivery is a delivery that failed before it could be queued (its payload could
// not be made within its budget): dead at once, with reason as its last error, never sent.
func NewDeadDelivery(w Workspace, personID string, payload []byte, reason string, now time.Time) *Delivery {
	d := NewDelivery(w, personID, payload, now, now)
	d.State, d.LastError = Dead, reason
	return d
}

// NewShadowDelivery is what an action in shadow mode would have delivered, due at due:
// recorded in the person's history, never queued nor sent.
func NewShadowDelivery(w Workspace, personID string, payload []byte, due, now time.Time) *Delivery {
	d := NewDelivery(w, personID, payload, due, now)
	d.State = Shadow
	return d
}

// NewHeldDelivery is a delivery a contact policy held back when its action fired
// (h.Outcome): suppressed, never sent; or deferred, pending and due at due.
func NewHeldDelivery(w Workspace, personID string, payload []byte, due time.Time, h PolicyHold, now time.Time) *Delivery {
	d := NewDelivery(w, personID, payload, due, now)
	d.Policy = &h
	if h.Outcome == OutcomeSuppressed {
		d.State, d.Due = Suppressed, now
	}
	return d
}

// Settled is d after the attempt o: sent, due again at o.RetryAt, or dead when there is
// no retry. Only a pending delivery can be settled; another (settled already, say) is
// ErrNotFound.
func (d *Delivery) Settled(o Outcome) (*Delivery, error) {
	if d.State != Pending {
		return nil, fmt.Errorf("delivery %s is %s: %w", d.ID, d.State, ErrNotFound)
	}
	next := *d
	next.Attempts++
	next.UpdatedAt = o.Attempted.UTC()
	next.LastError, next.Response = o.Error, o.Response
	switch {
	case o.Sent:
		next.State = Sent
	case o.RetryAt.IsZero():
		next.State = Dead
	default:
		next.Due = o.RetryAt.UTC()
	}
	return &next, nil
}

// Requeued is a dead d back in the queue, due now, with its attempts counted afresh (the
// dead-letter list's retry). Another state is ErrConflict.
func (d *Delivery) Requeued(now time.Time) (*Delivery, error) {
	if err := d.CheckDead(); err != nil {
		return nil, err
	}
	next := *d
	next.State, next.Attempts, next.Due, next.UpdatedAt = Pending, 0, now, now
	return &next, nil
}

// CheckDead refuses, with ErrConflict, to act as on a dead letter (requeue, discard) on
// a delivery that is not dead.
func (d *Delivery) CheckDead() error {
	if d.State != Dead {
		return fmt.Errorf("delivery %s is %s, not dead: %w", d.ID, d.State, ErrConflict)
	}
	return nil
}

// EncodeDelivery is the stored form of a delivery record; DecodeDelivery reads it back.
func EncodeDelivery(d *Delivery) ([]byte, error) {
	raw, err := json.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("encoding delivery %s: %w", d.ID, err)
	}
	return raw, nil
}

// DecodeDelivery reads a record EncodeDelivery wrote.
func DecodeDelivery(raw []byte) (*Delivery, error) {
	d := new(Delivery)
	if err := json.Unmarshal(raw, d); err != nil {
		return nil, fmt.Errorf("decoding delivery: %w", err)
	}
	return d, nil
}
