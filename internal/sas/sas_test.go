package sas_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/openjds/jds/internal/sas"
)

var (
	expiry = time.Date(2027, 5, 5, 9, 13, 31, 505e6, time.UTC)
	before = expiry.Add(-time.Hour)
	secret = []byte("s3cr3t")
)

// canonical is the string to sign for the vector below.
const canonical = "so=cctsa&sn=sandbox&ss=ds&sp=rw&se=2027-05-05T09:13:31.505Z&sk=sandbox"

// vectorSig is the sig of canonical under "s3cr3t", computed outside Go, the
// way the JDS SDK generators do it:
//
//	python3 -c 'import hmac,hashlib,base64,urllib.parse as u; print(u.quote(base64.b64encode(hmac.new(b"s3cr3t", b"so=cctsa&sn=sandbox&ss=ds&sp=rw&se=2027-05-05T09:13:31.505Z&sk=sandbox", hashlib.sha256).digest()).decode()))'
//
// It contains '+', '/' and '=', which exercise the encoding rules.
const (
	vectorSig        = "%2BZj7o5fNOU0Y7X/liE%2BFKQDwwmkq9xOInPOUKnmlWUQ%3D"
	vectorSigDecoded = "+Zj7o5fNOU0Y7X/liE+FKQDwwmkq9xOInPOUKnmlWUQ="
	vector           = sas.Prefix + canonical + "&sig=" + vectorSig
)

// refSign signs with crypto/hmac directly, independently of the package.
func refSign(sts string, secret []byte) string {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(sts))
	b64 := base64.StdEncoding.EncodeToString(h.Sum(nil))
	return strings.NewReplacer("+", "%2B", "=", "%3D").Replace(b64)
}

func TestSignKnownVector(t *testing.T) {
	if got := sas.Sign("cctsa", "sandbox", "ds", "rw", expiry, "sandbox", secret); got != vector {
		t.Fatalf("Sign:\n got %s\nwant %s", got, vector)
	}
	// Another vector, from the reference signer: a wildcard workspace, a
	// non-UTC expiry (Sign must convert) and a non-ASCII secret (UTF-8 bytes).
	loc := time.FixedZone("CEST", 2*3600)
	sts := "so=acme&sn=*&ss=admin&sp=r&se=2030-01-02T03:04:05.000Z&sk=ops"
	secret := []byte("clé-secrète")
	want := sas.Prefix + sts + "&sig=" + refSign(sts, secret)
	got := sas.Sign("acme", "*", "admin", "r", time.Date(2030, 1, 2, 5, 4, 5, 0, loc), "ops", secret)
	if got != want {
		t.Fatalf("Sign:\n got %s\nwant %s", got, want)
	}
}

func TestParseValid(t *testing.T) {
	tests := []struct {
		name  string
		token string
		// want* default to the vector's values.
		wantExpiry time.Time
		wantPerm   string
	}{
		{name: "canonical", token: vector},
		{name: "without prefix", token: canonical + "&sig=" + vectorSig},
		{name: "prefix in other case", token: "sharedaccesssignature " + canonical + "&sig=" + vectorSig},
		{name: "surrounding spaces", token: "  " + sas.Prefix + " " + canonical + "&sig=" + vectorSig + " \t"},
		{name: "tab after prefix", token: "SharedAccessSignature\t" + canonical + "&sig=" + vectorSig},
		{name: "sig already decoded", token: canonical + "&sig=" + vectorSigDecoded},
		{name: "sig decoded by a form decoder (+ became space)", token: canonical + "&sig=" + strings.ReplaceAll(vectorSigDecoded, "+", " ")},
		{name: "sig lower-case percent escapes", token: canonical + "&sig=" + strings.NewReplacer("%2B", "%2b", "%3D", "%3d").Replace(vectorSig)},
		{name: "sig without padding", token: canonical + "&sig=" + strings.TrimSuffix(vectorSigDecoded, "=")},
		{name: "sig URL-safe base64", token: canonical + "&sig=" + strings.NewReplacer("+", "-", "/", "_").Replace(vectorSigDecoded)},
		{name: "parameters in another order", token: "sig=" + vectorSig + "&sk=sandbox&se=2027-05-05T09:13:31.505Z&sp=rw&ss=ds&sn=sandbox&so=cctsa"},
		{name: "unknown parameters ignored", token: "sv=1&" + canonical + "&foo&sig=" + vectorSig + "&x=y"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := sas.Parse(tc.token)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if tok.Org != "cctsa" || tok.Workspace != "sandbox" || tok.Service != "ds" || tok.Perm != "rw" || tok.KeyName != "sandbox" {
				t.Errorf("fields: %+v", tok)
			}
			if !tok.Expiry.Equal(expiry) || tok.Expiry.Location() != time.UTC {
				t.Errorf("Expiry = %v, want %v in UTC", tok.Expiry, expiry)
			}
			if err := tok.Verify(secret, before); err != nil {
				t.Errorf("Verify: %v", err)
			}
			if tok.String() != canonical {
				t.Errorf("String() = %q, want %q", tok.String(), canonical)
			}
		})
	}
}

// TestParseExpiryForms signs each accepted se spelling (the raw value is what
// is signed) and checks the expiry Parse reads from it.
func TestParseExpiryForms(t *testing.T) {
	tests := []struct{ se, want string }{
		{"2027-05-05T09:13:31.505Z", "2027-05-05T09:13:31.505Z"},
		{"2027-05-05T09:13:31Z", "2027-05-05T09:13:31Z"},
		{"2027-05-05T11:13:31.505+02:00", "2027-05-05T09:13:31.505Z"},
		{"2027-05-05T09:13:31.505000+00:00", "2027-05-05T09:13:31.505Z"}, // Python isoformat() of an aware datetime
		{"2027-05-05T04:13:31-0500", "2027-05-05T09:13:31Z"},
		{"2027-05-05T09:13:31.505123", "2027-05-05T09:13:31.505123Z"}, // no zone: UTC
	}
	for _, tc := range tests {
		t.Run(tc.se, func(t *testing.T) {
			sts := "so=o&sn=w&ss=tape&sp=r&se=" + tc.se + "&sk=k"
			tok, err := sas.Parse(sts + "&sig=" + refSign(sts, secret))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := tok.Expiry.Format(time.RFC3339Nano); got != tc.want {
				t.Errorf("Expiry = %s, want %s", got, tc.want)
			}
			if err := tok.Verify(secret, tok.Expiry.Add(-time.Millisecond)); err != nil {
				t.Errorf("Verify: %v", err)
			}
		})
	}
}

func TestParseMalformed(t *testing.T) {
	base := map[string]string{
		"so": "cctsa", "sn": "sandbox", "ss": "ds", "sp": "rw",
		"se": "2027-05-05T09:13:31.505Z", "sk": "sandbox", "sig": vectorSig,
	}
	without := func(drop string) string {
		var parts []string
		for _, k := range []string{"so", "sn", "ss", "sp", "se", "sk", "sig"} {
			if k != drop {
				parts = append(parts, k+"="+base[k])
			}
		}
		return strings.Join(parts, "&")
	}
	tests := []struct{ name, token, want string }{
		{"empty", "", "malformed token: empty token"},
		{"prefix only", "SharedAccessSignature ", "malformed token: empty token"},
		{"garbage", "hello", `malformed token: missing "so"`},
		{"missing so", without("so"), `malformed token: missing "so"`},
		{"missing sn", without("sn"), `malformed token: missing "sn"`},
		{"missing ss", without("ss"), `malformed token: missing "ss"`},
		{"missing sp", without("sp"), `malformed token: missing "sp"`},
		{"missing se", without("se"), `malformed token: missing "se"`},
		{"missing sk", without("sk"), `malformed token: missing "sk"`},
		{"missing sig", without("sig"), `malformed token: missing "sig"`},
		{"empty value", strings.Replace(vector, "sn=sandbox", "sn=", 1), `malformed token: empty "sn"`},
		{"no value", strings.Replace(vector, "sn=sandbox", "sn", 1), `malformed token: no value for "sn"`},
		{"duplicate", vector + "&sp=w", `malformed token: duplicate "sp"`},
		{"bad permission", strings.Replace(vector, "sp=rw", "sp=x", 1), `malformed token: bad permission "sp": "x" (want r, w or rw)`},
		{"unknown service", strings.Replace(vector, "ss=ds", "ss=everything", 1), `malformed token: unknown service "ss": "everything"`},
		{"bad expiry", strings.Replace(vector, "se=2027-05-05T09:13:31.505Z", "se=tomorrow", 1), `malformed token: bad expiry "se": `},
		{"expiry out of range", strings.Replace(vector, "se=2027-05-05T09:13:31.505Z", "se=0000-01-01T00:00:00+01:00", 1), `malformed token: bad expiry "se": year -1 out of range`},
		{"sig not base64", strings.Replace(vector, vectorSig, "not*base64", 1), `malformed token: bad signature encoding "sig"`},
		{"sig bad escape", strings.Replace(vector, vectorSig, "%zz"+vectorSig, 1), `malformed token: bad signature encoding "sig"`},
		{"too long", vector + "&x=" + strings.Repeat("a", 5000), "malformed token: token longer than 4096 bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := sas.Parse(tc.token)
			if !errors.Is(err, sas.ErrMalformed) {
				t.Fatalf("Parse error = %v, want ErrMalformed", err)
			}
			if !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("error = %q, want prefix %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "Zj7o5") || strings.Contains(err.Error(), "base64") {
				t.Errorf("error echoes the signature: %q", err)
			}
		})
	}
}

func TestVerify(t *testing.T) {
	tests := []struct {
		name   string
		token  string
		secret []byte
		now    time.Time
		want   error
	}{
		{"valid", vector, secret, before, nil},
		{"wrong secret", vector, []byte("s3cr3T"), before, sas.ErrBadSignature},
		{"empty secret", vector, nil, before, sas.ErrBadSignature},
		{"permission raised", strings.Replace(vector, "sp=rw", "sp=wr", 1), secret, before, sas.ErrBadSignature},
		{"workspace changed", strings.Replace(vector, "sn=sandbox", "sn=*", 1), secret, before, sas.ErrBadSignature},
		{"expiry extended", strings.Replace(vector, "31.505Z", "31.506Z", 1), secret, before, sas.ErrBadSignature},
		{"truncated sig", strings.Replace(vector, vectorSig, "%2BZj7o5fNOU0Y7X/liE%2BFKQDwwmkq9xOI", 1), secret, before, sas.ErrBadSignature},
		{"expired at expiry", vector, secret, expiry, sas.ErrExpired},
		{"expired after", vector, secret, expiry.Add(time.Second), sas.ErrExpired},
		{"one ns before expiry", vector, secret, expiry.Add(-1), nil},
		{"bad signature wins over expiry", vector, []byte("x"), expiry.Add(time.Hour), sas.ErrBadSignature},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := sas.Parse(tc.token)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			err = tok.Verify(tc.secret, tc.now)
			if tc.want == nil && err != nil || !errors.Is(err, tc.want) {
				t.Fatalf("Verify = %v, want %v", err, tc.want)
			}
		})
	}
	if err := (sas.Token{Expiry: expiry}).Verify(secret, before); !errors.Is(err, sas.ErrBadSignature) {
		t.Errorf("zero Token: Verify = %v, want ErrBadSignature", err)
	}
}

func TestAllow(t *testing.T) {
	tok := func(workspace, service, perm string) sas.Token {
		t.Helper()
		tk, err := sas.Parse(sas.Sign("cctsa", workspace, service, perm, expiry, "k", secret))
		if err != nil {
			t.Fatal(err)
		}
		return tk
	}
	tests := []struct {
		name      string
		tok       sas.Token
		service   string
		write     bool
		org, ws   string
		wantError string // "" → allowed
	}{
		{"read with rw", tok("sandbox", "tape", "rw"), "tape", false, "cctsa", "sandbox", ""},
		{"write with rw", tok("sandbox", "ds", "rw"), "ds", true, "cctsa", "sandbox", ""},
		{"write with wr", tok("sandbox", "ds", "wr"), "ds", true, "cctsa", "sandbox", ""},
		{"read with wr", tok("sandbox", "ds", "wr"), "ds", false, "cctsa", "sandbox", ""},
		{"write with w", tok("sandbox", "ds", "w"), "ds", true, "cctsa", "sandbox", ""},
		{"read with r", tok("sandbox", "tape", "r"), "tape", false, "cctsa", "sandbox", ""},
		{"write with r", tok("sandbox", "ds", "r"), "ds", true, "cctsa", "sandbox", "forbidden: token grants read only"},
		{"read with w", tok("sandbox", "tape", "w"), "tape", false, "cctsa", "sandbox", "forbidden: token grants write only"},
		{"other service", tok("sandbox", "tape", "rw"), "ds", true, "cctsa", "sandbox", `forbidden: token is for service "tape", this needs "ds"`},
		{"admin needs admin", tok("sandbox", "ds", "rw"), "admin", false, "cctsa", "sandbox", `forbidden: token is for service "ds", this needs "admin"`},
		{"other workspace", tok("a", "ds", "rw"), "ds", true, "cctsa", "b", `forbidden: token is for workspace "a", not "b"`},
		{"other organization", tok("sandbox", "ds", "rw"), "ds", true, "acme", "sandbox", `forbidden: token is for organization "cctsa", not "acme"`},
		{"wildcard workspace", tok("*", "profile", "r"), "profile", false, "cctsa", "anything", ""},
		{"wildcard workspace, other organization", tok("*", "profile", "r"), "profile", false, "acme", "anything", `forbidden: token is for organization "cctsa", not "acme"`},
		{"organization-wide needs wildcard", tok("sandbox", "admin", "rw"), "admin", true, "cctsa", "", `forbidden: token is for workspace "sandbox", this needs every workspace (sn=*)`},
		{"organization-wide with wildcard", tok("*", "admin", "r"), "admin", true, "cctsa", "", ""},
		{"admin grants every service", tok("sandbox", "admin", "r"), "stream", false, "cctsa", "sandbox", ""},
		{"admin grants write with sp=r", tok("sandbox", "admin", "r"), "ds", true, "cctsa", "sandbox", ""},
		{"admin grants read with sp=w", tok("sandbox", "admin", "w"), "idmt", false, "cctsa", "sandbox", ""},
		{"admin stays in its workspace", tok("sandbox", "admin", "rw"), "ds", true, "cctsa", "prod", `forbidden: token is for workspace "sandbox", not "prod"`},
		{"admin stays in its organization", tok("*", "admin", "rw"), "ds", true, "acme", "prod", `forbidden: token is for organization "cctsa", not "acme"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.tok.Allow(tc.service, tc.write, tc.org, tc.ws)
			if tc.wantError == "" {
				if err != nil {
					t.Fatalf("Allow = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, sas.ErrForbidden) {
				t.Fatalf("Allow = %v, want ErrForbidden", err)
			}
			if err.Error() != tc.wantError {
				t.Errorf("Allow = %q, want %q", err, tc.wantError)
			}
		})
	}
}

func TestFromRequest(t *testing.T) {
	bare := canonical + "&sig=" + vectorSig
	tests := []struct {
		name          string
		authorization string
		rawQuery      string
		wantOK        bool
	}{
		{"header SharedAccessSignature", vector, "", true},
		{"header scheme in other case", "sharedAccessSignature " + bare, "", true},
		{"header Bearer bare token", "Bearer " + bare, "", true},
		{"header Bearer with prefix", "Bearer " + vector, "", true},
		{"header bearer lower case, extra spaces", "  bearer   " + vector + " ", "", true},
		{"header Bearer with decoded sig", "Bearer " + canonical + "&sig=" + vectorSigDecoded, "", true},
		{"header wins over query", vector, "bearerToken=garbage", true},
		{"query bearerToken (encodeURIComponent)", "", "bearerToken=" + strings.ReplaceAll(url.QueryEscape(vector), "+", "%20") + "&from=0", true},
		{"query bearerToken (quote_plus)", "", "x=1&bearerToken=" + url.QueryEscape(vector), true},
		{"query bearerToken bare", "", "bearerToken=" + url.QueryEscape(bare), true},
		{"query bearerToken with sig decoded before encoding", "", "bearerToken=" + url.QueryEscape(canonical+"&sig="+vectorSigDecoded), true},
		{"query bearerToken after other scheme", "Basic dXNlcjpwYXNz", "bearerToken=" + url.QueryEscape(vector), true},
		{"query parameters as the SDK writes them", "", bare, true},
		{"query parameters among others", "", "dataType=job&" + bare + "&organizationId=cctsa", true},
		{"query parameters, sig decoded", "", canonical + "&sig=" + vectorSigDecoded, true},
		{"query parameters, sig encoded twice", "", canonical + "&sig=" + url.QueryEscape(vectorSig), true},
		{"query parameters reordered, encoded", "", "sig=" + url.QueryEscape(vectorSigDecoded) + "&sk=sandbox&se=2027-05-05T09%3A13%3A31.505Z&sp=rw&ss=ds&sn=sandbox&so=cctsa", true},
		{"nothing", "", "", false},
		{"no token in query", "", "from=0&to=1", false},
		{"empty bearer header", "Bearer ", "", false},
		{"prefix only header", "SharedAccessSignature", "", false},
		{"other scheme only", "Basic dXNlcjpwYXNz", "", false},
		{"empty bearerToken", "", "bearerToken=", false},
		{"parameters without sig", "", "so=cctsa&sn=sandbox", false},
	}
	ring := sas.NewKeyring(sas.Key{Name: "sandbox", Organization: "cctsa", Secret: secret})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok, ok := sas.FromRequest(tc.authorization, tc.rawQuery)
			if ok != tc.wantOK {
				t.Fatalf("FromRequest ok = %v (token %q), want %v", ok, tok, tc.wantOK)
			}
			if !ok {
				return
			}
			got, err := ring.Authenticate(tok, before)
			if err != nil {
				t.Fatalf("Authenticate(%q): %v", tok, err)
			}
			if got.Workspace != "sandbox" || got.Service != "ds" {
				t.Errorf("token = %+v", got)
			}
		})
	}
	// A garbled bearerToken is offered, so the client hears "malformed",
	// not "missing".
	tok, ok := sas.FromRequest("", "bearerToken=%zz")
	if !ok {
		t.Fatal("garbled bearerToken: ok = false")
	}
	if _, err := sas.Parse(tok); !errors.Is(err, sas.ErrMalformed) {
		t.Errorf("garbled bearerToken: Parse = %v, want ErrMalformed", err)
	}
}

func TestKeyring(t *testing.T) {
	ring := sas.NewKeyring(
		sas.Key{Name: "sandbox", Organization: "cctsa", Secret: secret},
		sas.Key{Name: "sandbox", Organization: "acme", Secret: []byte("acme-secret")},
	)
	acme := sas.Sign("acme", "w", "tape", "r", expiry, "sandbox", []byte("acme-secret"))
	tests := []struct {
		name  string
		token string
		now   time.Time
		want  error
	}{
		{"valid", vector, before, nil},
		{"valid, other organization's key of the same name", acme, before, nil},
		{"unknown key name", sas.Sign("cctsa", "sandbox", "ds", "rw", expiry, "other", secret), before, sas.ErrUnknownKey},
		{"key of another organization", sas.Sign("nobody", "sandbox", "ds", "rw", expiry, "sandbox", secret), before, sas.ErrUnknownKey},
		{"signed with the other organization's secret", sas.Sign("cctsa", "sandbox", "ds", "rw", expiry, "sandbox", []byte("acme-secret")), before, sas.ErrBadSignature},
		{"wrong sig", strings.Replace(vector, "%2BZj", "%2BZk", 1), before, sas.ErrBadSignature},
		{"expired", vector, expiry, sas.ErrExpired},
		{"malformed", "SharedAccessSignature so=cctsa", before, sas.ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ring.Authenticate(tc.token, tc.now)
			if tc.want == nil && err != nil || !errors.Is(err, tc.want) {
				t.Fatalf("Authenticate = %v, want %v", err, tc.want)
			}
			for _, s := range []string{"s3cr3t", "acme-secret", "Zj7o5"} {
				if err != nil && strings.Contains(err.Error(), s) {
					t.Errorf("error %q reveals %q", err, s)
				}
			}
		})
	}

	t.Run("rotation", func(t *testing.T) {
		ring := sas.NewKeyring(sas.Key{Name: "sandbox", Organization: "cctsa", Secret: secret})
		if _, err := ring.Authenticate(vector, before); err != nil { // accepted, and remembered
			t.Fatal(err)
		}
		newSecret := []byte("rotated")
		ring.Put(sas.Key{Name: "sandbox", Organization: "cctsa", Secret: newSecret})
		newSecret[0] = 'X' // Put must have copied it
		if _, err := ring.Authenticate(vector, before); !errors.Is(err, sas.ErrBadSignature) {
			t.Errorf("old token after rotation: %v, want ErrBadSignature", err)
		}
		if _, err := ring.Authenticate(sas.Sign("cctsa", "sandbox", "ds", "rw", expiry, "sandbox", []byte("rotated")), before); err != nil {
			t.Errorf("new token after rotation: %v", err)
		}
	})

	t.Run("delete", func(t *testing.T) {
		ring := sas.NewKeyring(sas.Key{Name: "sandbox", Organization: "cctsa", Secret: secret})
		if _, err := ring.Authenticate(vector, before); err != nil {
			t.Fatal(err)
		}
		if !ring.Delete("cctsa", "sandbox") {
			t.Error("Delete of an existing key = false")
		}
		if ring.Delete("cctsa", "sandbox") {
			t.Error("second Delete = true")
		}
		if _, err := ring.Authenticate(vector, before); !errors.Is(err, sas.ErrUnknownKey) {
			t.Errorf("after Delete: %v, want ErrUnknownKey", err)
		}
	})

	t.Run("keys sorted and copied", func(t *testing.T) {
		var ring sas.Keyring // the zero Keyring works
		ring.Put(sas.Key{Name: "b", Organization: "org2", Secret: []byte("1")})
		ring.Put(sas.Key{Name: "z", Organization: "org1", Secret: []byte("2")})
		ring.Put(sas.Key{Name: "a", Organization: "org2", Secret: []byte("3")})
		keys := ring.Keys()
		var got []string
		for _, k := range keys {
			got = append(got, k.Organization+"/"+k.Name+"="+string(k.Secret))
		}
		if want := "org1/z=2 org2/a=3 org2/b=1"; strings.Join(got, " ") != want {
			t.Errorf("Keys = %v, want %s", got, want)
		}
		keys[0].Secret[0] = 'X'
		if s := ring.Keys()[0].Secret; string(s) != "2" {
			t.Errorf("Keys returned the stored secret itself: now %q", s)
		}
	})
}

func TestKeyringConcurrent(t *testing.T) {
	ring := sas.NewKeyring(sas.Key{Name: "sandbox", Organization: "cctsa", Secret: secret})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 1000 {
			ring.Put(sas.Key{Name: "other", Organization: "cctsa", Secret: []byte{byte(i)}})
			ring.Delete("cctsa", "other")
		}
	}()
	for range 1000 {
		if _, err := ring.Authenticate(vector, before); err != nil {
			t.Fatal(err)
		}
		_ = ring.Keys()
	}
	<-done
}
