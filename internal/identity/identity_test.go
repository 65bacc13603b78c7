package identity

import (
	"errors"
	"testing"
)

func TestNormalize(t *testing.T) {
	cases := []struct {
		kind      Kind
		in, want  string
		wantError bool
	}{
		{Phone, "12263762555", "+12263762555", false},
		{Phone, "+12263762555", "+12263762555", false},
		{Phone, "+1 (226) 376-2555", "+12263762555", false},
		{Phone, "226-376-2555", "+12263762555", false},
		{Phone, "226.376.2555", "+12263762555", false},
		{Phone, " 442071838750 ", "+442071838750", false},
		{Phone, "+44 20 7183 8750", "+442071838750", false},
		{Phone, "call me", "", true},
		{Phone, "12", "", true},
		{Phone, "1234567890123456", "", true},
		{Phone, "2+26", "", true},
		{Email, " Ann@Example.COM ", "ann@example.com", false},
		{Email, "nobody", "", true},
		{Email, "@example.com", "", true},
		{Email, "a b@example.com", "", true},
		{CustomerID, " C-42 ", "C-42", false},
		{TemporaryID, "954fcd6c-d-047ddb909", "954fcd6c-d-047ddb909", false},
		{SocialID, "", "", true},
		{SocialID, "a\nb", "", true},
	}
	for _, c := range cases {
		got, err := Normalize(c.kind, c.in, "US")
		if c.wantError {
			if !errors.Is(err, ErrInvalidAlias) {
				t.Errorf("Normalize(%v, %q) = %q, %v; want an ErrInvalidAlias", c.kind, c.in, got, err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("Normalize(%v, %q) = %q, %v; want %q", c.kind, c.in, got, err, c.want)
		}
	}
	if got, _ := Normalize(Phone, "020 7946 0958", "GB"); got != "+442079460958" {
		t.Errorf("the region is configurable: %q", got)
	}
}

func TestParseKindIsCaseInsensitive(t *testing.T) {
	for in, want := range map[string]Kind{"phone": Phone, "EMAIL": Email, "customerid": CustomerID, "SocialId": SocialID, "temporaryID": TemporaryID} {
		if got, ok := ParseKind(in); !ok || got != want || got.String() == in && in != want.String() {
			t.Errorf("ParseKind(%q) = %v, %v", in, got, ok)
		}
	}
	if _, ok := ParseKind("fax"); ok {
		t.Error("fax is not a kind")
	}
}

func TestCandidatesFindPhonesAndEmailsWrittenAnyWay(t *testing.T) {
	cases := map[string][]string{
		"12263762555":   {"12263762555", "+12263762555"},
		"+12263762555":  {"+12263762555"},
		"Ann@Ex.com":    {"Ann@Ex.com", "ann@ex.com"},
		"tmp-abc":       {"tmp-abc"},
		"  ":            nil,
		"(226)376-2555": {"(226)376-2555", "+12263762555"},
		// An alias stored before phones were E.164 is found under its legacy form.
		"+44 (0)20 7946 0958": {"+44 (0)20 7946 0958", "+442079460958", "+4402079460958"},
		"+4402079460958":      {"+4402079460958", "+442079460958"},
	}
	for in, want := range cases {
		got := Candidates(in, "US")
		if len(got) != len(want) {
			t.Errorf("Candidates(%q) = %q, want %q", in, got, want)
			continue
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("Candidates(%q) = %q, want %q", in, got, want)
			}
		}
	}
}

func TestPersonAliases(t *testing.T) {
	p := &Person{ID: "p"}
	if !p.AddAlias(Alias{Phone, "+1"}) || p.AddAlias(Alias{Phone, "+1"}) || !p.AddAlias(Alias{Email, "a@b"}) {
		t.Fatal("AddAlias must add once")
	}
	c := p.Clone()
	c.AddAlias(Alias{Phone, "+2"})
	if len(p.Phone) != 1 {
		t.Fatal("Clone must not share alias slices")
	}
	if got := p.Aliases(); len(got) != 2 || got[0] != (Alias{Phone, "+1"}) || got[1] != (Alias{Email, "a@b"}) {
		t.Fatalf("Aliases = %v", got)
	}
	if !p.RemoveAlias("a@b") || p.RemoveAlias("a@b") || len(p.Email) != 0 {
		t.Fatal("RemoveAlias must remove once")
	}
}
