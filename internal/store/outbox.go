package store

import (
	"encoding/json"
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
	State     string          `json:"state"`   // pending, sent, dead
	Attempts  int             `json:"attempts"`
	Due       time.Time       `json:"due"`
	CreatedAt time.Time       `json:"createdAt"`
	UpdatedAt time.Time       `json:"updatedAt"`
	LastError string          `json:"lastError,omitempty"`
	// Response is the partner's last answer, shortened, for the history.
	Response string `json:"response,omitempty"`
}

// Delivery states.
const (
	Pending = "pending"
	Sent    = "sent"
	Dead    = "dead"
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
