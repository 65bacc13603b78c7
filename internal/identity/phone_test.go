package identity

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unsafe"

	"github.com/nyaruka/phonenumbers"
)

func TestNormalizePhoneAcrossCountries(t *testing.T) {
	cases := []struct {
		name, region, in, want string
	}{
		// The UK number of issue 16, written three ways, read from the US.
		{"uk trunk prefix in parentheses", "US", "+44 (0)20 7946 0958", "+442079460958"},
		{"uk e164", "US", "+442079460958", "+442079460958"},
		{"uk 00 from a 011 region", "US", "0044 20 7946 0958", "+442079460958"},
		{"uk 011 from the us", "US", "011 44 20 7946 0958", "+442079460958"},
		{"uk legacy form read again", "US", "+4402079460958", "+442079460958"},
		{"uk national", "GB", "020 7946 0958", "+442079460958"},
		{"uk 00 at home", "GB", "0044 20 7946 0958", "+442079460958"},
		{"uk mobile national", "GB", "07911 123456", "+447911123456"},
		{"de national", "DE", "030 1234567", "+49301234567"},
		{"de trunk in parentheses", "US", "+49 (0)30 1234567", "+49301234567"},
		{"de 00", "DE", "0049-30-1234567", "+49301234567"},
		{"de mobile", "DE", "0151 23456789", "+4915123456789"},
		{"fr national", "FR", "06 12 34 56 78", "+33612345678"},
		{"fr trunk in parentheses", "US", "+33 (0)6 12 34 56 78", "+33612345678"},
		{"fr 00 from the us", "US", "0033 6 12 34 56 78", "+33612345678"},
		{"in national", "IN", "098765 43210", "+919876543210"},
		{"in without trunk", "IN", "98765 43210", "+919876543210"},
		{"in e164 spaced", "US", "+91 98765 43210", "+919876543210"},
		{"au national", "AU", "(02) 9876 5432", "+61298765432"},
		{"au mobile", "AU", "0412 345 678", "+61412345678"},
		{"au 0011 at home", "AU", "0011 44 20 7946 0958", "+442079460958"},
		{"au trunk in parentheses", "US", "+61 (0)2 9876 5432", "+61298765432"},
		{"br national", "BR", "(11) 98765-4321", "+5511987654321"},
		{"br carrier code", "BR", "0 21 11 98765-4321", "+5511987654321"},
		{"br e164", "US", "+55 11 98765-4321", "+5511987654321"},
		{"it keeps its leading zero", "US", "+39 06 1234 5678", "+390612345678"},
		{"us dashes", "US", "226-376-2555", "+12263762555"},
		{"us parentheses", "US", "(226) 376-2555", "+12263762555"},
		{"us with country code", "US", "12263762555", "+12263762555"},
		{"us dots", "US", "226.376.2555", "+12263762555"},
		{"us e164 spaced", "US", "+1 226 376 2555", "+12263762555"},
		{"us 1 and parentheses", "US", "1 (226) 376-2555", "+12263762555"},
		{"ca national", "CA", "(416) 979-2555", "+14169792555"},
		{"ca from the us", "US", "416 979 2555", "+14169792555"},
		{"ca 011", "CA", "011 44 20 7946 0958", "+442079460958"},
		{"empty region is US", "", "(226) 376-2555", "+12263762555"},
		// What libphonenumber does not know as valid keeps the legacy rule.
		{"fictional 555 number", "US", "+1 555 010 0000", "+15550100000"},
		{"12 digits without + from the us", "US", "442071838750", "+442071838750"},
		{"short code", "US", "123", "+123"},
		{"unknown country code", "US", "+999 1234 5678", "+99912345678"},
		// The legacy rule read 13 digits as starting with their country code; so is
		// the result, so that normalising again changes nothing.
		{"country code without + and a trunk zero", "US", "44 (0)20 7946 0958", "+442079460958"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Normalize(Phone, c.in, c.region)
			if err != nil || got != c.want {
				t.Errorf("Normalize(%q, region %q) = %q, %v; want %q", c.in, c.region, got, err, c.want)
			}
		})
	}
}

func TestNormalizePhoneRejects(t *testing.T) {
	for name, in := range map[string]string{
		"letters":                "call me",
		"vanity number":          "1-800-FLOWERS",
		"extension ext.":         "+1 226 376 2555 ext. 12",
		"extension x":            "+1 226 376 2555 x12",
		"extension rfc 3966":     "+44 20 7946 0958;ext=12",
		"extension hash":         "+1 226 376 2555 #12",
		"tel uri":                "tel:+12263762555",
		"plus inside":            "2+26",
		"two digits":             "12",
		"sixteen digits":         "1234567890123456",
		"twenty-one digits":      "+123456789012345678901",
		"fullwidth digits":       "+１２２６３７６２５５５",
		"slash is no separator":  "030/1234567",
		"plus alone":             "+",
		"separators only":        "() -",
		"legacy too long via 00": "00 1234567890123456",
	} {
		t.Run(name, func(t *testing.T) {
			if got, err := Normalize(Phone, in, "US"); !errors.Is(err, ErrInvalidAlias) {
				t.Errorf("Normalize(%q) = %q, %v; want an ErrInvalidAlias", in, got, err)
			}
		})
	}
}

func TestLegacyPhone(t *testing.T) {
	cases := []struct{ in, region, want string }{
		{"+44 (0)20 7946 0958", "US", "+4402079460958"},
		{"0044 20 7946 0958", "US", "+00442079460958"},
		{"226-376-2555", "US", "+12263762555"},
		{"2263762555", "GB", "+442263762555"},
		{"2263762555", "", "+12263762555"},
		{"442071838750", "US", "+442071838750"},
	}
	for _, c := range cases {
		if got, ok := LegacyPhone(c.in, c.region); !ok || got != c.want {
			t.Errorf("LegacyPhone(%q, %q) = %q, %v; want %q", c.in, c.region, got, ok, c.want)
		}
	}
	if got, ok := LegacyPhone("+1 226 376 2555 x12", "US"); ok {
		t.Errorf("LegacyPhone accepted an extension: %q", got)
	}
}

func TestRegions(t *testing.T) {
	for _, r := range []string{"US", "GB", "DE", "FR", "IN", "AU", "BR", "CA"} {
		if !KnownRegion(r) {
			t.Errorf("KnownRegion(%q) = false", r)
		}
	}
	for _, r := range []string{"", "gb", "UK", "ZZ", "001", "USA"} {
		if KnownRegion(r) {
			t.Errorf("KnownRegion(%q) = true", r)
		}
	}
	for cc, want := range map[string]string{"1": "US", "44": "GB", "49": "DE", "33": "FR", "91": "IN", "61": "AU", "55": "BR", "7": "RU"} {
		if got, ok := RegionForCountryCode(cc); !ok || got != want {
			t.Errorf("RegionForCountryCode(%q) = %q, %v; want %q", cc, got, ok, want)
		}
	}
	for _, cc := range []string{"", "0", "01", "999", "800", "+1", "abc"} {
		if got, ok := RegionForCountryCode(cc); ok {
			t.Errorf("RegionForCountryCode(%q) = %q; want none", cc, got)
		}
	}
}

// TestFastPhoneAgreesWithLibphonenumber checks fastPhone's claim: whenever it answers,
// its answer is what libphonenumber and the legacy rule give. The numbers are every
// region's examples of every type, written in E.164, with a trunk '0' after the
// country code, nationally, and nationally with '0' in front, read in the number's
// own region, in US and in GB.
func TestFastPhoneAgreesWithLibphonenumber(t *testing.T) {
	types := []phonenumbers.PhoneNumberType{phonenumbers.FIXED_LINE, phonenumbers.MOBILE,
		phonenumbers.TOLL_FREE, phonenumbers.PREMIUM_RATE, phonenumbers.VOIP, phonenumbers.UAN}
	fast, checked := 0, 0
	for region := range phonenumbers.GetSupportedRegions() {
		for _, typ := range types {
			n := phonenumbers.GetExampleNumberForType(region, typ)
			if n == nil {
				continue
			}
			nsn := phonenumbers.GetNationalSignificantNumber(n)
			e := phonenumbers.Format(n, phonenumbers.E164)
			inputs := []string{e, strings.Replace(e, nsn, "0"+nsn, 1), nsn, "0" + nsn,
				phonenumbers.Format(n, phonenumbers.NATIONAL)}
			for _, in := range inputs {
				for _, from := range []string{region, "US", "GB"} {
					digits, plus, err := phoneDigits(in, maxWrittenDigits)
					if err != nil {
						continue // national formats with other characters
					}
					checked++
					got, ok := fastPhone(digits, plus, from)
					if !ok {
						continue
					}
					fast++
					want, ok := parsePhone(digits, plus, from)
					if !ok {
						want, err = fallbackPhone(in, digits, plus, from)
						if err != nil {
							t.Errorf("%s from %s: fast %q, but libphonenumber and the legacy rule refuse it", in, from, got)
							continue
						}
					}
					if got != want {
						t.Errorf("%s from %s: fast %q, want %q", in, from, got, want)
					}
				}
			}
		}
	}
	if fast < checked/4 {
		t.Errorf("the fast path answered %d of %d numbers: the test no longer tests it", fast, checked)
	}
	t.Logf("fast path answered %d of %d numbers", fast, checked)
}

// FuzzNormalizePhone checks, on any input, that a phone alias is '+' and 3 to 15 digits,
// that normalising it again changes nothing, and that the fast path agrees with
// libphonenumber and the legacy rule.
func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{"+44 (0)20 7946 0958", "0044 20 7946 0958", "226-376-2555", "+5511987654321",
		"0 21 11 98765-4321", "+390612345678", "4402079460958", "123", "+1 555 010 0000", "011 44 20 7946 0958"} {
		f.Add(s, "US")
		f.Add(s, "GB")
		f.Add(s, "BR")
	}
	f.Fuzz(func(t *testing.T, in, region string) {
		if !KnownRegion(region) {
			region = "US"
		}
		got, err := Normalize(Phone, in, region)
		if err != nil {
			if !errors.Is(err, ErrInvalidAlias) {
				t.Fatalf("Normalize(%q, %s): %v is no ErrInvalidAlias", in, region, err)
			}
			return
		}
		if len(got) < 4 || len(got) > 16 || got[0] != '+' || strings.Trim(got[1:], "0123456789") != "" {
			t.Fatalf("Normalize(%q, %s) = %q: not '+' and 3 to 15 digits", in, region, got)
		}
		if again, err := Normalize(Phone, got, region); err != nil || again != got {
			t.Fatalf("Normalize(%q, %s) = %q, but again %q, %v", in, region, got, again, err)
		}
		digits, plus, _ := phoneDigits(strings.TrimSpace(in), maxWrittenDigits)
		if fast, ok := fastPhone(digits, plus, region); ok {
			slow, ok := parsePhone(digits, plus, region)
			if !ok {
				slow, _ = fallbackPhone(in, digits, plus, region)
			}
			if fast != slow {
				t.Fatalf("%q in %s: fast %q, libphonenumber and the legacy rule %q", in, region, fast, slow)
			}
		}
	})
}

// The memory of answers gives what reading the number gives, errors included, and
// holds at most two generations of its size.
func TestPhoneMemo(t *testing.T) {
	m := newPhoneMemo(3)
	inputs := []string{"(226) 376-2555", "+44 (0)20 7946 0958", "12263762555", "1-800-FLOWERS", "+15550000002", "020 7946 0958", "42"}
	for round := range 3 {
		for _, in := range inputs {
			for _, region := range []string{"US", "GB"} {
				got, gerr := m.get(in, region)
				want, werr := readPhone(in, region)
				if got != want || fmt.Sprint(gerr) != fmt.Sprint(werr) {
					t.Fatalf("round %d, %q in %s: memo %q %v, read %q %v", round, in, region, got, gerr, want, werr)
				}
				if len(m.cur) > 3 || len(m.old) > 3 {
					t.Fatalf("memo holds %d + %d answers, at most 3 each", len(m.cur), len(m.old))
				}
			}
		}
	}
}

// A remembered answer does not change when the caller's string does (fasthttp reuses
// its request buffers, and hands out strings that share them).
func TestPhoneMemoCopiesKeys(t *testing.T) {
	m := newPhoneMemo(8)
	buf := []byte("+15550000002")
	if _, err := m.get(unsafe.String(&buf[0], len(buf)), "US"); err != nil {
		t.Fatal(err)
	}
	copy(buf, "+15550000003")
	for k := range m.cur {
		// A map finds a key only where its hash put it: look at the key itself.
		if k.value != "+15550000002" {
			t.Fatalf("the remembered number now reads %q: it shares the caller's memory", k.value)
		}
	}
	got, err := m.get("+15550000003", "US")
	if want, _ := readPhone("+15550000003", "US"); err != nil || got != want {
		t.Fatalf("after the caller's buffer changed: %q %v, want %q", got, err, want)
	}
}
