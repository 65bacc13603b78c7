package event

import "testing"

func BenchmarkDecode(b *testing.B) {
	raw := []byte(fixture)
	b.SetBytes(int64(len(raw)))
	for range b.N {
		if _, bad := Decode(raw, received, lim); bad != nil {
			b.Fatal(bad)
		}
	}
}
