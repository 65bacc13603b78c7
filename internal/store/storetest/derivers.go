package storetest

import (
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/store"
)

// The Derivers the tests open stores with.

// counter keeps two values per person: "n" counts the person's events and "sum" adds up
// their data.v (0 when absent). Rebuild computes both again from the person's events and
// replaces them.
type counter struct{}

func (counter) Derive(st store.State, ev store.StoredEvent) error {
	n, err := st.Get("n")
	if err != nil {
		return err
	}
	sum, err := st.Get("sum")
	if err != nil {
		return err
	}
	if err := st.Set("n", []byte(strconv.Itoa(atoi(n)+1))); err != nil {
		return err
	}
	return st.Set("sum", []byte(strconv.Itoa(atoi(sum)+valueOf(ev.Raw))))
}

func (counter) Rebuild(st store.State, events store.EventSource) error {
	n, sum := 0, 0
	err := events(time.Time{}, func(ev store.StoredEvent) error {
		n, sum = n+1, sum+valueOf(ev.Raw)
		return nil
	})
	if err != nil {
		return err
	}
	if err := st.Set("n", []byte(strconv.Itoa(n))); err != nil {
		return err
	}
	return st.Set("sum", []byte(strconv.Itoa(sum)))
}

// valueOf is the data.v of a canonical event, 0 when it has none.
func valueOf(raw []byte) int {
	var ev struct {
		Data struct {
			V int `json:"v"`
		} `json:"data"`
	}
	json.Unmarshal(raw, &ev) // data {"n": id} has no v
	return ev.Data.V
}

// failing counts like counter, then fails the commit of events of type "boom".
type failing struct{ counter }

func (f failing) Derive(st store.State, ev store.StoredEvent) error {
	if err := f.counter.Derive(st, ev); err != nil {
		return err
	}
	if ev.Type == "boom" {
		return errors.New("boom")
	}
	return nil
}

// Tally is a Deriver that keeps the Rebuild contract: "n" counts a person's events and
// Rebuild replaces it; "first" is written once by Derive and never recomputed, like an
// action's last firing, so it must survive retention.
type Tally struct{}

func (Tally) Derive(st store.State, ev store.StoredEvent) error {
	v, err := st.Get("n")
	if err != nil {
		return err
	}
	if f, err := st.Get("first"); err != nil {
		return err
	} else if f == nil {
		if err := st.Set("first", []byte(event.ID(ev.Raw))); err != nil {
			return err
		}
	}
	return st.Set("n", []byte(strconv.Itoa(atoi(v)+1)))
}

func (Tally) Rebuild(st store.State, events store.EventSource) error {
	n := 0
	if err := events(time.Time{}, func(store.StoredEvent) error { n++; return nil }); err != nil {
		return err
	}
	return st.Set("n", []byte(strconv.Itoa(n)))
}

// notifier queues a delivery due at once for every "Closed Queue" event, and records
// one dead at once for every "Too Big" event (a payload past its budget), and records
// one in shadow for every "Shadowed" event (an action in shadow mode).
type notifier struct{}

func (notifier) Derive(st store.State, ev store.StoredEvent) error {
	var err error
	switch ev.Type {
	case "Closed Queue":
		_, err = st.Enqueue([]byte(`{"sms":"can we call you back?"}`), st.Now())
	case "Too Big":
		_, err = st.EnqueueDead([]byte(`{"sms":"…"}`), "payload over budget")
	case "Shadowed":
		_, err = st.EnqueueShadow([]byte(`{"sms":"would text"}`), st.Now())
	case "Opted Out":
		_, err = st.EnqueueHeld([]byte(`{"sms":"…"}`), st.Now(), store.PolicyHold{Name: "sms etiquette", Outcome: store.OutcomeSuppressed, Reason: "opt-out"})
	case "Late Call":
		_, err = st.EnqueueHeld([]byte(`{"sms":"…"}`), st.Now().Add(10*time.Hour),
			store.PolicyHold{Name: "sms etiquette", Outcome: store.OutcomeDeferred, Reason: "quietHours", DeferredFrom: st.Now()})
	}
	return err
}

func (notifier) Rebuild(store.State, store.EventSource) error { return nil }
