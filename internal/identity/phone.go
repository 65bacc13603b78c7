package identity

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// Phones are E.164 ("+442079460958"), read by libphonenumber (the nyaruka/phonenumbers
// port) so that every country's way of writing a number gives the same alias:
//
//   - a number with '+' is read as international, and a trunk prefix written after the
//     country code is dropped: "+44 (0)20 7946 0958" is "+442079460958";
//   - a number without '+' is read as dialled in the default region: its international
//     prefix ("011" in the US, "00" in most of the world) or its own country code may
//     lead, and its trunk prefix is dropped: in GB "020 7946 0958" and "0044 20 7946
//     0958" are "+442079460958"; in the US "(226) 376-2555" and "1 226 376 2555" are
//     "+12263762555". "00" is also taken as an international prefix where the region's
//     own is another, since it is the ITU's and customers abroad write it.
//
// Only digits, one leading '+' and the separators ' ', '-', '.', '(' and ')' are
// accepted, as before libphonenumber: letters are refused, so vanity numbers
// ("1-800-FLOWERS") and extensions ("x12", "ext. 12") are not aliases. A phone alias is
// one line that reaches one customer; an extension would make a switchboard everyone's.
//
// A number libphonenumber cannot parse, or parses but does not know as valid for its
// country (an unallocated range, a test number such as 555-0100, metadata older than
// the number), keeps the rule jds used before: separators dropped, '+' kept or added,
// and a 10-digit number without '+' prefixed with the region's country code (LegacyPhone);
// a number without '+' so completed is offered to libphonenumber once more, as written
// with '+' (fallbackPhone), so that normalising an alias again never changes it.
// Aliases stored under that rule stay found: lookups also try LegacyPhone's form.

// DefaultRegion is the region national numbers are read in when none is given: the
// default of identity.defaultRegion.
const DefaultRegion = "US"

// Digit bounds. E.164 numbers have at most 15 digits; written with an international
// prefix ("0011 44 ...") a few more. The legacy rule keeps its own bounds, 3 to 15.
const (
	maxWrittenDigits = 20
	minLegacyDigits  = 3
	maxE164Digits    = 15
)

// KnownRegion reports whether libphonenumber knows region, an ISO 3166 alpha-2 code in
// capitals ("GB", not "gb" or "UK").
func KnownRegion(region string) bool {
	return phonenumbers.GetSupportedRegions()[region]
}

// RegionForCountryCode returns the main region of a country calling code written
// without '+': "44" is "GB", "1" is "US", "7" is "RU".
func RegionForCountryCode(cc string) (string, bool) {
	if cc == "" || len(cc) > 3 || cc[0] == '0' || strings.Trim(cc, "0123456789") != "" {
		return "", false
	}
	n, _ := strconv.Atoi(cc)
	r := phonenumbers.GetRegionCodeForCountryCode(n)
	if !KnownRegion(r) {
		return "", false // unknown, or a non-geographic code ("800": region "001")
	}
	return r, true
}

// CountryCodeOf returns the country calling code of a region libphonenumber knows, without
// '+' ("GB" is "44"); "" for another.
func CountryCodeOf(region string) string {
	if r := regionRules()[region]; r != nil {
		return r.countryCode
	}
	return ""
}

// normalizePhone returns the E.164 form of v, or its legacy form (see above).
func normalizePhone(v, region string) (string, error) {
	if region == "" {
		region = DefaultRegion
	}
	return phoneAnswers.get(v, region)
}

// phoneMemoSize bounds each of phoneMemo's two generations.
const phoneMemoSize = 16_384

// phoneAnswers remembers normalizePhone's recent answers. libphonenumber takes tens of
// microseconds to read a number it finds invalid or that fastPhone cannot answer for
// (and twice as long when it falls back), and the same numbers come back: a caller's
// IVR flow and the agent's widget resolve the caller's number again and again, and a
// customer's events arrive together. A profile read spent 41 % of its CPU here.
var phoneAnswers = newPhoneMemo(phoneMemoSize)

// phoneMemo is a bounded map of normalizePhone's answers, in two generations: when the
// current one is full it becomes the old one (the older is dropped), and an answer found
// in the old one moves to the current one, so numbers in use stay.
type phoneMemo struct {
	mu       sync.RWMutex
	size     int
	cur, old map[phoneKey]phoneAnswer
}

type phoneKey struct{ value, region string }

type phoneAnswer struct {
	phone string
	err   error
}

func newPhoneMemo(size int) *phoneMemo {
	return &phoneMemo{size: size, cur: map[phoneKey]phoneAnswer{}}
}

// get answers for v read in region, from memory or by reading it.
func (m *phoneMemo) get(v, region string) (string, error) {
	k := phoneKey{v, region}
	m.mu.RLock() // ingest, flows and reads all ask: the common case shares the lock
	a, ok := m.cur[k]
	m.mu.RUnlock()
	if !ok {
		m.mu.Lock()
		if a, ok = m.cur[k]; !ok {
			if a, ok = m.old[k]; ok {
				m.put(k, a)
			}
		}
		m.mu.Unlock()
	}
	if ok {
		return a.phone, a.err
	}
	a.phone, a.err = readPhone(v, region)
	// Kept past the call: the key must not share memory with the caller's strings (a
	// request's, which fasthttp reuses).
	k = phoneKey{strings.Clone(v), strings.Clone(region)}
	m.mu.Lock()
	m.put(k, a)
	m.mu.Unlock()
	return a.phone, a.err
}

// put files an answer in the current generation; m.mu is held.
func (m *phoneMemo) put(k phoneKey, a phoneAnswer) {
	if len(m.cur) >= m.size {
		m.old, m.cur = m.cur, make(map[phoneKey]phoneAnswer, m.size)
	}
	m.cur[k] = a
}

// readPhone is normalizePhone without the memory.
func readPhone(v, region string) (string, error) {
	digits, plus, err := phoneDigits(v, maxWrittenDigits)
	if err != nil {
		return "", err
	}
	if p, ok := fastPhone(digits, plus, region); ok {
		return p, nil
	}
	if p, ok := parsePhone(digits, plus, region); ok {
		return p, nil
	}
	return fallbackPhone(v, digits, plus, region)
}

// fallbackPhone is the legacy rule for what libphonenumber could not read in the region.
// That rule took a number without '+' that is not 10 digits to start with its country
// code; written so, libphonenumber may know it ("4402079460958" read in the US is
// "+442079460958"), which keeps Normalize idempotent.
func fallbackPhone(v, digits string, plus bool, region string) (string, error) {
	p, err := legacyPhone(v, digits, plus, region)
	if err != nil || plus {
		return p, err // with '+', parsePhone read exactly p already
	}
	if q, ok := e164(p, region); ok {
		return q, nil
	}
	return p, nil
}

// LegacyPhone returns value as jds normalised phones before they were E.164: separators
// dropped, '+' kept or added, a 10-digit number without '+' prefixed with region's
// country code; "+44 (0)20 7946 0958" was "+4402079460958". Aliases stored then are
// still under that form: lookups try it when it differs from Normalize's. ok is false
// when the rule refuses value.
func LegacyPhone(value, region string) (string, bool) {
	v := strings.TrimSpace(value)
	digits, plus, err := phoneDigits(v, maxE164Digits)
	if err != nil {
		return "", false
	}
	if region == "" {
		region = DefaultRegion
	}
	p, err := legacyPhone(v, digits, plus, region)
	return p, err == nil
}

// phoneDigits checks the characters of v and returns its digits and whether it starts
// with '+'.
func phoneDigits(v string, maxDigits int) (digits string, plus bool, err error) {
	var b strings.Builder
	b.Grow(len(v))
	for i, r := range v {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			plus = true
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')':
		default:
			return "", false, fmt.Errorf("%w: %q is not a phone number (only digits, a leading '+', spaces, '-', '.', '(' and ')')", ErrInvalidAlias, v)
		}
	}
	if b.Len() > maxDigits {
		return "", false, fmt.Errorf("%w: %q is not a phone number (3 to 15 digits)", ErrInvalidAlias, v)
	}
	return b.String(), plus, nil
}

func legacyPhone(v, digits string, plus bool, region string) (string, error) {
	if len(digits) < minLegacyDigits || len(digits) > maxE164Digits {
		return "", fmt.Errorf("%w: %q is not a phone number (3 to 15 digits)", ErrInvalidAlias, v)
	}
	if !plus && len(digits) == 10 {
		if r := regionRules()[region]; r != nil {
			digits = r.countryCode + digits
		}
	}
	return "+" + digits, nil
}

// parsePhone asks libphonenumber, and accepts only a number it knows as valid.
func parsePhone(digits string, plus bool, region string) (string, bool) {
	if plus {
		return e164("+"+digits, region)
	}
	if p, ok := e164(digits, region); ok {
		return p, true
	}
	if strings.HasPrefix(digits, "00") {
		return e164("+"+digits[2:], region)
	}
	return "", false
}

func e164(s, region string) (string, bool) {
	var n phonenumbers.PhoneNumber
	if phonenumbers.ParseToNumber(s, region, &n) != nil || !phonenumbers.IsValidNumber(&n) {
		return "", false
	}
	p := phonenumbers.Format(&n, phonenumbers.E164)
	if len(p) < 1+minLegacyDigits || len(p) > 1+maxE164Digits {
		return "", false
	}
	return p, true
}

// fastPhone answers without libphonenumber when its answer is known in advance, which
// is most of ingest: an E.164 number that is already canonical, and a 10-digit national
// number that the region's rules cannot read otherwise. ok is false when it cannot tell.
//
// Why it is exact: when libphonenumber strips nothing from a number (no international
// prefix, no country code of the region, no trunk prefix), its E.164 form is the
// country code followed by the digits as written. The legacy rule gives the same
// string for the numbers below ('+' and 3 to 15 digits, or 10 digits without '+'), so
// whether libphonenumber finds the number valid does not change the answer.
// TestFastPhoneAgreesWithLibphonenumber checks this against every region's examples.
func fastPhone(digits string, plus bool, region string) (string, bool) {
	if plus {
		if len(digits) < minLegacyDigits || len(digits) > maxE164Digits {
			return "", false
		}
		// The country code is the shortest prefix that is one, as libphonenumber reads it.
		cc := 0
		for i := 0; i < 3 && i < len(digits)-1; i++ {
			cc = cc*10 + int(digits[i]-'0')
			if cc == 0 {
				return "", false
			}
			if r, known := countryRules()[cc]; known {
				if !r.fast || r.strips(digits[i+1:]) {
					return "", false
				}
				return "+" + digits, true
			}
		}
		return "", false
	}
	r := regionRules()[region]
	if len(digits) != 10 || r == nil || !r.fast || r.idd == "" || strings.HasPrefix(digits, r.idd) ||
		strings.HasPrefix(digits, r.countryCode) || r.strips(digits) {
		return "", false
	}
	return "+" + r.countryCode + digits, true
}

// numberingRule is what fastPhone needs of a region's metadata.
type numberingRule struct {
	countryCode string
	// fast is false when the region's prefixes cannot be read here: fastPhone leaves
	// those numbers to libphonenumber.
	fast bool
	// idd is a prefix every international prefix of the region starts with ("0" for
	// "0(?:0|1[0-3])"); "" when they do not share one.
	idd string
	// trunk lists the national prefixes libphonenumber strips ("0", or "0" and "180020"
	// in GB) when they are digits; trunkRE matches them when they are a pattern
	// (Argentina, Brazil, Japan...). Both nil: none.
	trunk   []string
	trunkRE *regexp.Regexp
}

// strips reports whether libphonenumber may strip a trunk prefix from national: it does
// nothing unless its pattern matches at the start.
func (r *numberingRule) strips(national string) bool {
	if r.trunkRE != nil {
		return r.trunkRE.MatchString(national)
	}
	for _, p := range r.trunk {
		if strings.HasPrefix(national, p) {
			return true
		}
	}
	return false
}

// ruleFor reads m's prefixes.
func ruleFor(m *phonenumbers.PhoneMetadata) *numberingRule {
	r := &numberingRule{countryCode: strconv.Itoa(int(m.GetCountryCode())), fast: true}
	if idd := m.GetInternationalPrefix(); idd != "" {
		if re, err := regexp.Compile(idd); err == nil {
			r.idd, _ = re.LiteralPrefix()
		}
	}
	if npp := m.GetNationalPrefixForParsing(); npp != "" {
		for alt := range strings.SplitSeq(npp, "|") {
			if alt == "" || strings.Trim(alt, "0123456789") != "" {
				r.trunk = nil
				re, err := regexp.Compile("^(?:" + npp + ")")
				if err != nil {
					r.fast = false
				}
				r.trunkRE = re
				break
			}
			r.trunk = append(r.trunk, alt)
		}
	}
	return r
}

// regionRules are the rules by region, countryRules by country calling code (each the
// rules of the metadata libphonenumber parses such numbers with: the code's main region,
// or its non-geographic entity). Both hold every region and code libphonenumber knows.
var regionRules, countryRules = func() (func() map[string]*numberingRule, func() map[int]*numberingRule) {
	var once sync.Once
	var byRegion map[string]*numberingRule
	var byCode map[int]*numberingRule
	load := func() {
		byRegion, byCode = map[string]*numberingRule{}, map[int]*numberingRule{}
		coll, err := phonenumbers.MetadataCollection()
		if err != nil {
			return // libphonenumber panics at init before this could happen
		}
		for _, m := range coll.GetMetadata() {
			r := ruleFor(m)
			cc := int(m.GetCountryCode())
			if m.GetId() == phonenumbers.GetRegionCodeForCountryCode(cc) {
				byCode[cc] = r
			}
			if m.GetId() != "001" { // non-geographic entities are no region to dial from
				byRegion[m.GetId()] = r
			}
		}
		// A code libphonenumber knows without metadata for it must not be fast.
		for cc := 1; cc < 1000; cc++ {
			if _, ok := byCode[cc]; !ok && len(phonenumbers.GetRegionCodesForCountryCode(cc)) > 0 {
				byCode[cc] = &numberingRule{countryCode: strconv.Itoa(cc)}
			}
		}
	}
	return func() map[string]*numberingRule { once.Do(load); return byRegion },
		func() map[int]*numberingRule { once.Do(load); return byCode }
}()
