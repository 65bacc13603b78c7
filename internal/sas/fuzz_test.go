package sas_test

import (
	"strings"
	"testing"
	"time"

	"github.com/openjds/jds/internal/sas"
)

// FuzzParse feeds Parse arbitrary input (seeds in testdata/fuzz/FuzzParse).
// Parse must never panic, and whatever it accepts must survive a round trip
// through Sign: same fields, expiry to the millisecond, valid signature.
func FuzzParse(f *testing.F) {
	f.Add(vector)
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := sas.Parse(s)
		if err != nil {
			if strings.Contains(err.Error(), "base64") {
				t.Fatalf("error mentions the signature's decoding: %v", err)
			}
			return
		}
		if tok.Expiry.Location() != time.UTC {
			t.Fatalf("Expiry %v not in UTC", tok.Expiry)
		}
		key := []byte("fuzz-secret")
		signed := sas.Sign(tok.Org, tok.Workspace, tok.Service, tok.Perm, tok.Expiry, tok.KeyName, key)
		again, err := sas.Parse(signed)
		if err != nil {
			t.Fatalf("Parse(Sign(%+v)) = %v\nsigned: %q", tok, err, signed)
		}
		if again.Org != tok.Org || again.Workspace != tok.Workspace || again.Service != tok.Service ||
			again.Perm != tok.Perm || again.KeyName != tok.KeyName {
			t.Fatalf("round trip changed fields:\n got %+v\nwant %+v", again, tok)
		}
		if want := tok.Expiry.Truncate(time.Millisecond); !again.Expiry.Equal(want) {
			t.Fatalf("round trip expiry = %v, want %v", again.Expiry, want)
		}
		if err := again.Verify(key, again.Expiry.Add(-time.Nanosecond)); err != nil {
			t.Fatalf("Verify of re-signed token: %v", err)
		}
		if err := again.Verify([]byte("other"), again.Expiry.Add(-time.Nanosecond)); err == nil {
			t.Fatal("Verify accepted the wrong secret")
		}
		// Authorization decisions need no key and must not panic either.
		_ = tok.Allow(tok.Service, true, tok.Org, tok.Workspace)
	})
}

// FuzzFromRequest checks that picking a token from arbitrary header and query
// input never panics and that whatever is picked can be handed to Parse.
func FuzzFromRequest(f *testing.F) {
	f.Add(vector, "")
	f.Add("", "bearerToken=SharedAccessSignature%20so%3Da")
	f.Add("Bearer x", "so=a&sig=%2B")
	f.Fuzz(func(t *testing.T, authorization, rawQuery string) {
		tok, ok := sas.FromRequest(authorization, rawQuery)
		if !ok && tok != "" {
			t.Fatalf("ok = false with token %q", tok)
		}
		if ok {
			_, _ = sas.Parse(tok)
		}
	})
}
