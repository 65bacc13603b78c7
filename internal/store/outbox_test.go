package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/openjds/jds/internal/store"
)

// TestDeliveryStates walks a delivery through its states: the attempts count, the
// retry moves its due time, the last attempt kills it, and only what the state allows
// happens.
func TestDeliveryStates(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	w := store.Workspace{Org: "o", Name: "w"}
	d := store.NewDelivery(w, "p1", []byte(`{}`), t0.Add(time.Minute), t0)
	if d.State != store.Pending || d.Attempts != 0 || !d.Due.Equal(t0.Add(time.Minute)) {
		t.Fatalf("new delivery = %+v", d)
	}
	retry, err := d.Settled(store.Outcome{RetryAt: t0.Add(time.Hour), Error: "503", Attempted: t0})
	if err != nil || retry.State != store.Pending || retry.Attempts != 1 || !retry.Due.Equal(t0.Add(time.Hour)) || retry.LastError != "503" {
		t.Fatalf("after a failed attempt: %+v, %v", retry, err)
	}
	if d.Attempts != 0 {
		t.Error("Settled changed the record it was given")
	}
	dead, err := retry.Settled(store.Outcome{Error: "503", Attempted: t0.Add(time.Hour)})
	if err != nil || dead.State != store.Dead || dead.Attempts != 2 {
		t.Fatalf("after the last attempt: %+v, %v", dead, err)
	}
	if _, err := dead.Settled(store.Outcome{Sent: true}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("settling a dead delivery: %v, want ErrNotFound", err)
	}
	again, err := dead.Requeued(t0.Add(2 * time.Hour))
	if err != nil || again.State != store.Pending || again.Attempts != 0 || !again.Due.Equal(t0.Add(2*time.Hour)) {
		t.Fatalf("requeued: %+v, %v", again, err)
	}
	if _, err := again.Requeued(t0); !errors.Is(err, store.ErrConflict) {
		t.Errorf("requeueing a pending delivery: %v, want ErrConflict", err)
	}
	sent, err := again.Settled(store.Outcome{Sent: true, Response: "ok", Attempted: t0})
	if err != nil || sent.State != store.Sent || sent.Response != "ok" {
		t.Fatalf("sent: %+v, %v", sent, err)
	}
	if err := sent.CheckDead(); !errors.Is(err, store.ErrConflict) {
		t.Errorf("discarding a sent delivery: %v, want ErrConflict", err)
	}

	raw, err := store.EncodeDelivery(sent)
	if err != nil {
		t.Fatal(err)
	}
	back, err := store.DecodeDelivery(raw)
	if err != nil || back.ID != sent.ID || back.State != store.Sent || back.Workspace != w || !back.Due.Equal(sent.Due) {
		t.Errorf("round trip: %+v, %v", back, err)
	}
	if _, err := store.DecodeDelivery([]byte("{")); err == nil {
		t.Error("a torn record decoded")
	}
}
