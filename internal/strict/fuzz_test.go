package strict

import (
	"strings"
	"testing"
)

// FuzzDecode feeds any document to both parsers and both ways of decoding: nothing may
// panic, and every problem says where it is.
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		"addr: \":8080\"\nlimits: {on: true, max: 3}\n",
		"targets:\n  a: &a {url: x, size: small}\n  b: {<<: *a, url: y}\n  a: {}\n",
		"ports: [1, 70000, x]\nextra: {x: [1, {y: ~}]}\n",
		`{"name": "Ada", "tags": ["a", 1], "name": 2}`,
		"a: &a [*a]\n",
		"- !!binary aGVsbG8=\n- !!timestamp 2001-12-14\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 4096 {
			return
		}
		if n, errs := FromYAML("f.yaml", "a fuzz file", data); n != nil {
			d := NewDecoder("f.yaml", InMapping)
			var c config
			d.Decode(n, &c)
			for _, e := range append(errs, d.Errs...) {
				if !strings.HasPrefix(e.Error(), "f.yaml:") {
					t.Errorf("problem without its file: %v", e)
				}
			}
			_ = n.Value()
			_ = n.YAML()
		}
		if n, err := FromJSON(data); err == nil {
			d := NewDecoder("", PathFirst)
			decodePerson(d, n)
			_ = n.Value()
		}
	})
}
