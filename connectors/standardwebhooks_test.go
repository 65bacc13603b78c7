package connectors

import (
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// TestStandardWebhooksReceiver verifies requests signed by the reference library:
// a whsec_ secret, several space-separated signatures of which one matches, other
// versions skipped, the timestamp window around the receiver's clock, replays.
func TestStandardWebhooksReceiver(t *testing.T) {
	key, err := DecodeStandardWebhooksSecret(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := standardwebhooks.NewWebhook(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := standardwebhooks.NewWebhook("whsec_" + "b3RoZXItc2VjcmV0LW9mLTI0LWJ5dGVzLWF0LWxlYXN0")
	now := time.Unix(1_700_000_000, 0)
	body := []byte(`{"type":"contact.created"}`)
	signed := func(wh *standardwebhooks.Webhook, id string, at time.Time) string {
		sig, err := wh.Sign(id, at, body)
		if err != nil {
			t.Fatal(err)
		}
		return sig
	}
	for _, tc := range []struct {
		name string
		id   string
		at   time.Time
		sig  func(id string, at time.Time) string
		want error
	}{
		{"one signature", "m1", now, func(id string, at time.Time) string { return signed(ref, id, at) }, nil},
		{"rotated: the second of two", "m2", now, func(id string, at time.Time) string {
			return signed(other, id, at) + " " + signed(ref, id, at)
		}, nil},
		{"another version skipped", "m3", now, func(id string, at time.Time) string {
			return "v1a,c2lnbmF0dXJl " + signed(ref, id, at)
		}, nil},
		{"wrong secret", "m4", now, func(id string, at time.Time) string { return signed(other, id, at) }, ErrBadSignature},
		{"within the window", "m5", now.Add(-4 * time.Minute), func(id string, at time.Time) string { return signed(ref, id, at) }, nil},
		{"too old", "m6", now.Add(-6 * time.Minute), func(id string, at time.Time) string { return signed(ref, id, at) }, ErrBadSignature},
		{"too new", "m7", now.Add(6 * time.Minute), func(id string, at time.Time) string { return signed(ref, id, at) }, ErrBadSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := NewStandardWebhooksReceiver(key, 5*time.Minute, 0)
			h := http.Header{}
			h.Set("webhook-id", tc.id)
			h.Set("webhook-timestamp", strconv.FormatInt(tc.at.Unix(), 10))
			h.Set("webhook-signature", tc.sig(tc.id, tc.at))
			err := v.Verify(h.Get, body, now)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("Verify = %v, want %v", err, tc.want)
			}
			if err == nil {
				if err := v.Verify(h.Get, body, now); !errors.Is(err, ErrReplay) {
					t.Fatalf("the same request again: %v, want ErrReplay", err)
				}
			}
		})
	}
}

// A copy is refused for as long as its signed timestamp is acceptable, even when that
// timestamp is ahead of the server's clock and the window after receipt has passed.
func TestStandardWebhooksReplayWindowFollowsTheSignedTimestamp(t *testing.T) {
	key, _ := DecodeStandardWebhooksSecret(testSecret)
	ref, _ := standardwebhooks.NewWebhook(testSecret)
	v := NewStandardWebhooksReceiver(key, 5*time.Minute, 0)
	now := time.Unix(1_700_000_000, 0)
	at := now.Add(4 * time.Minute) // the sender's clock is ahead
	body := []byte(`{}`)
	sig, _ := ref.Sign("m1", at, body)
	h := http.Header{}
	h.Set("webhook-id", "m1")
	h.Set("webhook-timestamp", strconv.FormatInt(at.Unix(), 10))
	h.Set("webhook-signature", sig)
	if err := v.Verify(h.Get, body, now); err != nil {
		t.Fatal(err)
	}
	// 6 minutes after receipt the timestamp is 2 minutes old: still in the window.
	if err := v.Verify(h.Get, body, now.Add(6*time.Minute)); !errors.Is(err, ErrReplay) {
		t.Fatalf("a copy within the signed timestamp's window: %v, want ErrReplay", err)
	}
	// Once the timestamp is out of the window, the copy is refused for that.
	if err := v.Verify(h.Get, body, now.Add(10*time.Minute)); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("a copy after the window: %v, want ErrBadSignature", err)
	}
}

// What jds signs, the reference library verifies, and the other way round.
func TestStandardWebhooksAgreesWithReference(t *testing.T) {
	key, _ := DecodeStandardWebhooksSecret(testSecret)
	ref, _ := standardwebhooks.NewWebhook(testSecret)
	at := time.Unix(1_700_000_000, 0)
	body := []byte("any body at all")
	h := http.Header{}
	h.Set("webhook-id", "msg_1")
	h.Set("webhook-timestamp", strconv.FormatInt(at.Unix(), 10))
	h.Set("webhook-signature", StandardWebhooksSignature(key, "msg_1", h.Get("webhook-timestamp"), body))
	if err := ref.VerifyIgnoringTimestamp(body, h); err != nil {
		t.Errorf("the reference library refuses jds's signature: %v", err)
	}
	sig, _ := ref.Sign("msg_1", at, body)
	if !VerifyStandardWebhooks(key, "msg_1", h.Get("webhook-timestamp"), body, sig) {
		t.Error("jds refuses the reference library's signature")
	}
	if _, err := DecodeStandardWebhooksSecret("whsec_c2hvcnQ="); err == nil {
		t.Error("a 5-byte key was accepted")
	}
	if _, err := DecodeStandardWebhooksSecret("whsec_not base64!"); err == nil {
		t.Error("a secret that is not base64 was accepted")
	}
}
