package identity

import "testing"

// BenchmarkNormalizePhone measures phone normalisation, which runs on every ingested
// event: already E.164 (the common case, a fast path), national, with a trunk prefix,
// with "00", and a number libphonenumber does not know as valid (the legacy rule).
// Results are in docs/BENCHMARKS.md.
func BenchmarkNormalizePhone(b *testing.B) {
	for _, c := range []struct{ name, in string }{
		{"e164-us", "+12263762555"},
		{"e164-gb", "+442079460958"},
		{"spaced-us", "+1 226 376 2555"},
		{"national-us", "(226) 376-2555"},
		{"trunk-gb", "+44 (0)20 7946 0958"},
		{"idd00-gb", "0044 20 7946 0958"},
		{"e164-br", "+5511987654321"},
		{"invalid-us", "+15550100000"},
	} {
		b.Run(c.name, func(b *testing.B) {
			for range b.N {
				if _, err := Normalize(Phone, c.in, "US"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
