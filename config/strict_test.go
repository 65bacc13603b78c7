package config

import (
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// The walker must handle sections added later without changes. This type
// stands in for such a section, using every kind the walker supports.
type futureSection struct {
	Common   `yaml:",inline"`
	Targets  map[string]target `yaml:"targets"`
	Limit    *int              `yaml:"limit"`
	Ratio    float64           `yaml:"ratio"`
	Port     uint16            `yaml:"port"`
	Matrix   [][]string        `yaml:"matrix"`
	IP       netip.Addr        `yaml:"ip"` // encoding.TextUnmarshaler
	Ignored  string            `yaml:"-"`
	Untagged string
}

type Common struct {
	Enabled bool `yaml:"enabled"`
}

type target struct {
	URL   string   `yaml:"url"`
	Every Duration `yaml:"every"`
}

type futureConfig struct {
	Future futureSection `yaml:"future"`
}

func decodeString(t *testing.T, src string, out any) []string {
	t.Helper()
	d := newDecoder("f.yaml")
	d.decodeDocument([]byte(src), out)
	var msgs []string
	for _, e := range d.errs {
		msgs = append(msgs, e.Error())
	}
	return msgs
}

func TestWalkerIsGeneric(t *testing.T) {
	var c futureConfig
	errs := decodeString(t, `
future:
  enabled: true
  targets:
    a: {url: "http://a", every: 1m}
    b:
      url: "http://b"
  limit: 7
  ratio: 0.25
  port: 8443
  matrix: [[x, y], [z]]
  ip: 10.0.0.1
  untagged: yes
`, &c)
	if len(errs) != 0 {
		t.Fatalf("errors: %q", errs)
	}
	f := c.Future
	if !f.Enabled || len(f.Targets) != 2 || f.Targets["a"].URL != "http://a" || f.Targets["a"].Every.String() != "1m0s" ||
		f.Targets["b"].URL != "http://b" || f.Limit == nil || *f.Limit != 7 || f.Ratio != 0.25 || f.Port != 8443 ||
		!reflect.DeepEqual(f.Matrix, [][]string{{"x", "y"}, {"z"}}) || f.IP.String() != "10.0.0.1" || f.Untagged != "yes" {
		t.Errorf("decoded %+v", f)
	}

	errs = decodeString(t, `
future:
  enabeld: true
  targets:
    a: {url: "http://a", evry: 1m}
    a: {url: "http://c"}
  limit: many
  ratio: half
  port: 70000
  matrix: [[x], y]
  ip: 10.0.0.300
  ignored: x
`, &c)
	want := []string{
		`f.yaml:3:3: unknown key "enabeld" in future (did you mean "enabled"?)`,
		`f.yaml:5:26: unknown key "evry" in future.targets.a (did you mean "every"?)`,
		`f.yaml:6:5: duplicate key "a" in future.targets (first at line 5)`,
		`f.yaml:7:10: future.limit: "many" is not an integer`,
		`f.yaml:8:10: future.ratio: "half" is not a number`,
		`f.yaml:9:9: future.port: 70000 is out of range`,
		`f.yaml:10:17: future.matrix[1]: expected a list, got "y"`,
		`f.yaml:11:7: future.ip: "10.0.0.300": ParseAddr("10.0.0.300"): IPv4 field has value >255`,
		`f.yaml:12:3: unknown key "ignored" in future`,
	}
	if !slices.Equal(errs, want) {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(errs, "\n"), strings.Join(want, "\n"))
	}
}

func TestCheckSchedule(t *testing.T) {
	tests := []struct {
		in      string
		wantErr string // "" → valid
	}{
		{"@every 10m", ""},
		{"@every 1h30m", ""},
		{"@hourly", ""},
		{"@daily", ""},
		{"@midnight", ""},
		{"0 3 * * *", ""},
		{"*/15 * * * *", ""},
		{"0 0-6/2 1,15 jan-mar mon-fri", ""},
		{"30 3 ? * SUN", ""},
		{"TZ=UTC 0 3 * * *", ""},
		{"CRON_TZ=America/New_York @daily", ""},
		{"", "must not be empty"},
		{"@every", `"@every" is not a schedule`},
		{"@every ten", `"@every ten" is not a schedule`},
		{"@fortnightly", `"@fortnightly" is not a schedule`},
		{"0 3 * *", `"0 3 * *" is not a schedule`},
		{"60 * * * *", `"60 * * * *" is not a schedule`},
		{"0 0 * 13 *", `is not a schedule`},
		{"0 0 * * funday", `is not a schedule`},
		{"TZ=Mars/Olympus 0 3 * * *", `is not a schedule`},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			err := checkSchedule(tc.in)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("checkSchedule(%q) = %v", tc.in, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("checkSchedule(%q) = %v, want %q", tc.in, err, tc.wantErr)
			}
		})
	}
}

// An unknown key suggests the nearest known one; an unknown section whose keys belong
// where it stands says so.
func TestUnknownKeySuggestions(t *testing.T) {
	var c Config
	got := decodeString(t, `adress: ":8080"
server:
  adress: ":8080"
web:
  addr: ":8081"
http:
  readTimout: 1s
  server: {idleTimeOut: 1m}
`, &c)
	want := []string{
		`f.yaml:1:1: unknown key "adress" (did you mean "addr"?)`,
		`f.yaml:2:1: unknown key "server" (did you mean "addr", at the top level?)`,
		`f.yaml:4:1: unknown key "web" ("addr" belongs at the top level, not in a section)`,
		`f.yaml:7:3: unknown key "readTimout" in http (did you mean "readTimeout"?)`,
		`f.yaml:8:3: unknown key "server" in http (did you mean "idleTimeout", in http?)`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
