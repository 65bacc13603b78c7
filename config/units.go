package config

import (
	"errors"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/openjds/jds/internal/strict"
	"go.yaml.in/yaml/v3"
)

// ByteSize is a number of bytes. In YAML it is a plain integer (1048576) or
// a number with a unit: B, KB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB,
// TiB (powers of 1024), e.g. "4MiB", "512KB", "1.5GiB". Units are matched
// case-insensitively and may be separated from the number by a space.
type ByteSize int64

// Binary and decimal multiples, for writing defaults readably.
const (
	KiB ByteSize = 1 << 10
	MiB ByteSize = 1 << 20
	GiB ByteSize = 1 << 30
	TiB ByteSize = 1 << 40
)

var byteUnits = []struct {
	name string
	mult int64
}{
	// Longest names first, so "KiB" is not read as "K" + "iB".
	{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"tib", 1 << 40},
	{"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9}, {"tb", 1e12},
	{"b", 1},
}

// ParseByteSize reads a size written as ByteSize documents. Fractions are
// allowed as long as they come to a whole number of bytes.
func ParseByteSize(s string) (ByteSize, error) {
	s = strings.TrimSpace(s)
	num, mult := s, int64(1)
	lower := strings.ToLower(s)
	for _, u := range byteUnits {
		if strings.HasSuffix(lower, u.name) {
			num, mult = strings.TrimSpace(s[:len(s)-len(u.name)]), u.mult
			break
		}
	}
	if num == "" {
		return 0, errNotByteSize
	}
	intPart, frac, _ := strings.Cut(num, ".")
	if intPart == "" || !allDigits(intPart) || !allDigits(frac) {
		return 0, errNotByteSize
	}
	// Exact rational arithmetic: 1.5GiB is 1610612736, not whatever a
	// float64 rounds it to, and 1.5B is an error rather than 1 or 2.
	r, ok := new(big.Rat).SetString(num)
	if !ok {
		return 0, errNotByteSize
	}
	r.Mul(r, new(big.Rat).SetInt64(mult))
	if !r.IsInt() {
		return 0, errNotWholeBytes
	}
	if !r.Num().IsInt64() {
		return 0, errByteSizeRange
	}
	total := r.Num().Int64()
	return ByteSize(total), nil
}

var (
	errNotByteSize   = errors.New("is not a byte size (write e.g. 1048576, 256KiB, 4MiB, 1GiB or 10MB)")
	errByteSizeRange = errors.New("is out of range")
	errNotWholeBytes = errors.New("is not a whole number of bytes")
)

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// String prints the size in the largest binary unit that divides it
// exactly ("4MiB", "256KiB"), or in bytes ("1000B").
func (b ByteSize) String() string {
	for _, u := range []struct {
		name string
		mult ByteSize
	}{{"TiB", TiB}, {"GiB", GiB}, {"MiB", MiB}, {"KiB", KiB}} {
		if b != 0 && b%u.mult == 0 {
			return strconv.FormatInt(int64(b/u.mult), 10) + u.name
		}
	}
	return strconv.FormatInt(int64(b), 10) + "B"
}

// UnmarshalStrict accepts an integer or a string with a unit.
func (b *ByteSize) UnmarshalStrict(d *strict.Decoder, n *strict.Node, path string) {
	unmarshal(d, n, path, "a byte size", ParseByteSize, b)
}

// UnmarshalYAML is UnmarshalStrict for yaml.Unmarshal.
func (b *ByteSize) UnmarshalYAML(n *yaml.Node) error { return strict.UnmarshalYAML(n, b) }

// unmarshal reads a scalar with parse into out, reporting a problem to d.
func unmarshal[T any](d *strict.Decoder, n *strict.Node, path, want string, parse func(string) (T, error), out *T) {
	if !n.Scalar() {
		d.Fail(n, path, "expected %s, got %s", want, strict.KindName(n))
		return
	}
	v, err := parse(n.Text)
	if err != nil {
		d.Fail(n, path, "%q %v", n.Text, err)
		return
	}
	*out = v
}

// MarshalYAML writes the String form, so a marshalled config reads back.
func (b ByteSize) MarshalYAML() (any, error) { return b.String(), nil }

// Duration is a time.Duration that YAML may write as a Go duration ("15s",
// "1h30m", "250ms"), as whole days optionally followed by a Go duration ("365d",
// "1d12h"), or as a plain integer meaning seconds. A day is 24 hours.
type Duration time.Duration

// Day is 24 hours, the unit of retention periods.
const Day = Duration(24 * time.Hour)

var errNotDuration = errors.New(`is not a duration (write e.g. "15s", "1h30m", "30d", or a number of seconds)`)

// ParseDuration reads a duration written as Duration documents.
func ParseDuration(s string) (Duration, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n > math.MaxInt64/int64(time.Second) || n < math.MinInt64/int64(time.Second) {
			return 0, errors.New("is out of range")
		}
		return Duration(time.Duration(n) * time.Second), nil
	}
	if days, rest, ok := strings.Cut(s, "d"); ok && days != "" && allDigits(days) {
		n, err := strconv.ParseInt(days, 10, 64)
		if err != nil || n > math.MaxInt64/int64(Day) {
			return 0, errors.New("is out of range")
		}
		d := time.Duration(n) * time.Duration(Day)
		if rest != "" {
			r, err := time.ParseDuration(rest)
			if err != nil || r < 0 || rest[0] == '+' {
				return 0, errNotDuration
			}
			if d > math.MaxInt64-r {
				return 0, errors.New("is out of range")
			}
			d += r
		}
		return Duration(d), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, errNotDuration
	}
	return Duration(d), nil
}

// String formats like time.Duration ("15s", "2m0s").
func (d Duration) String() string { return time.Duration(d).String() }

// UnmarshalStrict accepts a Go duration string or an integer number of seconds.
func (d *Duration) UnmarshalStrict(dec *strict.Decoder, n *strict.Node, path string) {
	unmarshal(dec, n, path, "a duration", ParseDuration, d)
}

// UnmarshalYAML is UnmarshalStrict for yaml.Unmarshal.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error { return strict.UnmarshalYAML(n, d) }

// MarshalYAML writes the String form, so a marshalled config reads back.
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }
