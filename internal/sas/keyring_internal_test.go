package sas

import (
	"errors"
	"fmt"
	"testing"
	"time"
	"unsafe"
)

// Accepted tokens are remembered in two generations of maxAccepted at most, and a
// remembered token is still refused once expired.
func TestKeyringRemembersBounded(t *testing.T) {
	secret := []byte("s3cr3t")
	ring := NewKeyring(Key{Name: "k", Organization: "o", Secret: secret})
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	exp := now.Add(time.Hour)
	for i := range 2*maxAccepted + 10 {
		tok := Sign("o", fmt.Sprint("w", i), "tape", "r", exp, "k", secret)
		if _, err := ring.Authenticate(tok, now); err != nil {
			t.Fatal(err)
		}
		if n := len(ring.accepted) + len(ring.older); n > 2*maxAccepted {
			t.Fatalf("%d tokens remembered, at most %d", n, 2*maxAccepted)
		}
	}
	tok := Sign("o", "w", "tape", "r", exp, "k", secret)
	if _, err := ring.Authenticate(tok, now); err != nil {
		t.Fatal(err)
	}
	if _, ok := ring.accepted[tok]; !ok {
		t.Fatal("an accepted token was not remembered")
	}
	if _, err := ring.Authenticate(tok, exp); err == nil {
		t.Fatal("a remembered token was accepted after its expiry")
	}
}

// fasthttp hands handlers strings that share memory with a request buffer it reuses.
// A remembered token must not change when that buffer does: here the buffer of an
// accepted token is overwritten with an expired token of the same length, which must
// then still be refused.
func TestKeyringRemembersCopies(t *testing.T) {
	secret := []byte("s3cr3t")
	ring := NewKeyring(Key{Name: "k", Organization: "o", Secret: secret})
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	valid := Sign("o", "w", "tape", "r", now.Add(time.Hour), "k", secret)
	var expired string
	for d := time.Second; expired == "" || len(expired) != len(valid); d += time.Second {
		expired = Sign("o", "w", "tape", "r", now.Add(-d), "k", secret)
	}
	buf := []byte(valid)
	if _, err := ring.Authenticate(unsafe.String(&buf[0], len(buf)), now); err != nil {
		t.Fatal(err)
	}
	copy(buf, expired) // the next request, in the same buffer
	for k, tok := range ring.accepted {
		// A map finds a key only where its hash put it, so a changed key shows itself
		// only now and then (the expired token accepted): look at the key itself.
		if k != valid || tok.Workspace != "w" || tok.Service != "tape" {
			t.Fatalf("the remembered token now reads %q (%+v): it shares the caller's memory", k, tok)
		}
	}
	if _, err := ring.Authenticate(expired, now); !errors.Is(err, ErrExpired) {
		t.Fatalf("expired token: %v, want ErrExpired", err)
	}
	if _, err := ring.Authenticate(valid, now); err != nil {
		t.Fatalf("the valid token: %v", err)
	}
}
