package config_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/openjds/jds/config"
)

// env returns a getenv that reads m.
func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

var fixtureEnv = env(map[string]string{"JDS_SANDBOX_SECRET": "s3cret-of-16-bytes"})

// errorLines splits a joined error into its messages.
func errorLines(err error) []string {
	if err == nil {
		return nil
	}
	return strings.Split(err.Error(), "\n")
}

func TestDefault(t *testing.T) {
	d := config.Default()
	if err := d.Validate(); err != nil {
		t.Fatalf("Default().Validate() = %v", err)
	}
	got, err := config.Load("", nil)
	if err != nil {
		t.Fatalf(`Load("") = %v`, err)
	}
	if !reflect.DeepEqual(got, d) {
		t.Errorf("Load(\"\") = %+v\nwant Default() %+v", got, d)
	}
	// Default returns a fresh value each time: changing one must not leak.
	d.Keys = append(d.Keys, config.Key{Name: "x"})
	if len(config.Default().Keys) != 0 {
		t.Error("Default() shares state between calls")
	}
}

func TestGoodFixtures(t *testing.T) {
	def := config.Default()
	tests := map[string]func(c config.Config) config.Config{
		"empty.good.yaml":         func(c config.Config) config.Config { return c },
		"comments-only.good.yaml": func(c config.Config) config.Config { return c },
		"nulls.good.yaml":         func(c config.Config) config.Config { return c },
		"minimal.good.yaml": func(c config.Config) config.Config {
			c.Addr = "127.0.0.1:9000"
			return c
		},
		"anchors.good.yaml": func(c config.Config) config.Config {
			c.Keys = []config.Key{
				{Name: "sandbox", Organization: "cctsa", Secret: "first-key-secret-0001"},
				{Name: "prod", Organization: "cctsa", Secret: "second-key-secret-002"},
				{Name: "sandbox", Organization: "acme", Secret: "first-key-secret-0001"},
			}
			return c
		},
		"full.good.yaml": func(def config.Config) config.Config {
			return config.Config{
				Connectors:  def.Connectors, // not in the file
				Addr:        "0.0.0.0:80",
				DataDir:     "/var/lib/jds",
				RulesDir:    "/etc/jds/rules",
				FlowsDir:    "/etc/jds/flows",
				MemoryLimit: config.GiB,
				ReaderProcs: 1,
				Keys: []config.Key{
					{Name: "sandbox", Organization: "cctsa", Secret: "s3cret-of-16-bytes"},
					{Name: "prod", Organization: "cctsa", Secret: "literal-secret-of-32-bytes"},
				},
				Log: config.Log{Level: "debug", Format: "json"},
				Ingest: config.Ingest{
					MaxBatchEvents:     500,
					MaxBodyBytes:       10_000_000,
					MaxEventBytes:      65536,
					MaxConcurrent:      3,
					MaxQueued:          64,
					DefaultCountryCode: "44",
				},
				Stream: config.Stream{Heartbeat: config.Duration(5 * time.Second), SubscriberBuffer: 256,
					MaxSubscribers: 500, MaxSubscribersPerWorkspace: 50},
				Admins: []string{"cctsa"},
				Egress: config.Egress{Allow: []string{"127.0.0.0/8", "crm.internal", "10.1.2.3", "fd00::/8"}},
				Limits: config.Limits{
					EventsPerSecond: 500, Burst: 1000,
					Workspaces: map[string]config.RateLimit{
						"cctsa/sandbox": {EventsPerSecond: 50},
						"bulk":          {},
					},
					TemplatesPerWorkspace: 50, ActionsPerWorkspace: 100,
				},
				Store: config.Store{
					URL:            "postgres://jds:secret@db.internal:5432/jds?sslmode=require",
					Postgres:       config.Postgres{MaxConns: 40, Lease: config.Duration(30 * time.Second)},
					MaxBatchEvents: 1000,
					SyncWrites:     false,
					Badger: config.Badger{
						MemTableSize:      64 * config.MiB,
						BlockCacheSize:    0,
						IndexCacheSize:    1536 * config.MiB,
						NumCompactors:     4,
						ValueLogFileSize:  config.GiB,
						ValueLogGC:        "CRON_TZ=Europe/Paris 30 3 * * mon-fri",
						PendingStateBytes: 8 * config.MiB,
						DiskReserve:       200 * config.MiB,
					},
				},
				HTTP: config.HTTP{
					ReadTimeout:     config.Duration(90 * time.Second),
					WriteTimeout:    0,
					IdleTimeout:     0,
					RequestTimeout:  config.Duration(2500 * time.Millisecond),
					ShutdownTimeout: config.Duration(time.Hour),
				},
				Identity: config.Identity{
					TemporaryHold:       config.Duration(48 * time.Hour),
					ExpirySchedule:      "@hourly",
					BlockedAliases:      []string{"guest", "-"},
					MaxAliasesPerPerson: 20,
					DefaultRegion:       "GB",
				},
				Retention: config.Retention{
					Default:  0,
					Schedule: "0 2 * * *",
					Workspaces: map[string]config.Duration{
						"cctsa/sandbox": 30 * config.Day,
						"archive":       config.Day + config.Duration(12*time.Hour),
						"support":       0,
					},
				},
				Backup: config.Backup{Schedule: "", Dir: "/backup/jds", Keep: 3, FullEvery: 1},
				Delivery: config.Delivery{SweepSchedule: "@every 30s", MaxAttempts: 5, Backoff: config.Duration(2 * time.Second),
					MaxBackoff: config.Duration(10 * time.Minute), PerConnector: 8, PerWorkspace: 16},
				CORS: config.CORS{AllowOrigins: []string{"https://desktop.wxcc-us1.cisco.com", "http://localhost:3000", "HTTPS://CRM.Example.com", "http://[::1]:8081"}},
			}
		},
	}
	checkFixturesCovered(t, "*.good.yaml", tests)
	for name, want := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := config.Load(filepath.Join("testdata", name), fixtureEnv)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if w := want(def); !reflect.DeepEqual(got, w) {
				t.Errorf("Load =\n%+v\nwant\n%+v", got, w)
			}
		})
	}
}

func TestBadFixtures(t *testing.T) {
	tests := map[string][]string{
		"unknown-key.bad.yaml": {
			`testdata/unknown-key.bad.yaml:2:1: unknown key "dataDirr" (did you mean "dataDir"?)`,
			`testdata/unknown-key.bad.yaml:7:3: unknown key "memTablSize" in store (did you mean "memTableSize"?)`,
			`testdata/unknown-key.bad.yaml:8:3: unknown key "valueLogGCC" in store (did you mean "valueLogGC"?)`,
			`testdata/unknown-key.bad.yaml:9:3: unknown key "compression" in store`,
			`testdata/unknown-key.bad.yaml:12:5: unknown key "organisation" in keys[0] (did you mean "organization"?)`,
			// The misspelt key leaves the field empty, which is a problem too;
			// it points at the key's entry.
			`testdata/unknown-key.bad.yaml:11:5: keys[0].organization: must not be empty`,
		},
		"type-errors.bad.yaml": {
			`testdata/type-errors.bad.yaml:1:7: addr: expected a string, got a list`,
			`testdata/type-errors.bad.yaml:2:6: log: expected a mapping, got "debug"`,
			`testdata/type-errors.bad.yaml:4:19: ingest.maxBatchEvents: "lots" is not an integer`,
			`testdata/type-errors.bad.yaml:5:17: ingest.maxBodyBytes: "4 megs" is not a byte size (write e.g. 1048576, 256KiB, 4MiB, 1GiB or 10MB)`,
			`testdata/type-errors.bad.yaml:6:18: ingest.maxEventBytes: "1.5B" is not a whole number of bytes`,
			`testdata/type-errors.bad.yaml:8:14: stream.heartbeat: "soon" is not a duration (write e.g. "15s", "1h30m", "30d", or a number of seconds)`,
			`testdata/type-errors.bad.yaml:9:21: stream.subscriberBuffer: 99999999999999999999 is out of range`,
			`testdata/type-errors.bad.yaml:11:15: store.syncWrites: "maybe" is not a boolean (true or false)`,
			`testdata/type-errors.bad.yaml:12:18: store.numCompactors: expected an integer, got a mapping`,
			`testdata/type-errors.bad.yaml:13:7: keys: expected a list, got "sandbox"`,
		},
		"duplicate.bad.yaml": {
			`testdata/duplicate.bad.yaml:4:3: duplicate key "maxBatchEvents" in ingest (first at line 3)`,
			`testdata/duplicate.bad.yaml:5:1: duplicate key "addr" (first at line 1)`,
		},
		"syntax.bad.yaml": {
			// yaml.v3 gives a line but no column for syntax errors, and
			// the line where the offending scalar began.
			`testdata/syntax.bad.yaml:3: found a tab character that violates indentation`,
		},
		"not-a-mapping.bad.yaml": {
			`testdata/not-a-mapping.bad.yaml:1:1: expected a mapping, got a list`,
		},
		"two-documents.bad.yaml": {
			`testdata/two-documents.bad.yaml:2:1: a config file holds one YAML document; found another`,
		},
		"invalid-values.bad.yaml": {
			`testdata/invalid-values.bad.yaml:1:7: addr: "8080" is not host:port (e.g. ":8080" or "127.0.0.1:8080")`,
			`testdata/invalid-values.bad.yaml:3:10: log.level: must be one of debug, info, warn, error, got "verbose"`,
			`testdata/invalid-values.bad.yaml:5:19: ingest.maxBatchEvents: must be between 1 and 10000, got 0`,
			`testdata/invalid-values.bad.yaml:7:18: ingest.maxEventBytes: must not exceed ingest.maxBodyBytes (1MiB), got 2MiB`,
			`testdata/invalid-values.bad.yaml:8:23: ingest.defaultCountryCode: must be 1 to 3 digits without "+" (e.g. "1", "44"), got "+1"`,
			`testdata/invalid-values.bad.yaml:10:14: stream.heartbeat: must be more than 0 and at most 15s, got 30s`,
			`testdata/invalid-values.bad.yaml:12:18: store.numCompactors: must be at least 2, got 1`,
			`testdata/invalid-values.bad.yaml:13:21: store.valueLogFileSize: must be at least 1MiB and less than 2GiB, got 2GiB`,
			`testdata/invalid-values.bad.yaml:14:15: store.valueLogGC: "every ten minutes" is not a schedule: expected exactly 5 fields, found 3: [every ten minutes]`,
			`testdata/invalid-values.bad.yaml:19:16: delivery.maxAttempts: must be between 1 and 100, got 0`,
			`testdata/invalid-values.bad.yaml:21:15: delivery.maxBackoff: must be at least delivery.backoff (10s)`,
			`testdata/invalid-values.bad.yaml:22:17: delivery.perConnector: must be between 1 and 1024, got 5000`,
			`testdata/invalid-values.bad.yaml:23:17: delivery.perWorkspace: must be between 1 and 4096, got 0`,
			`testdata/invalid-values.bad.yaml:17:16: http.readTimeout: must not be negative, got -1s`,
			`testdata/invalid-values.bad.yaml:16:19: http.requestTimeout: must be more than 0, got 0s`,
		},
		"retention.bad.yaml": {
			`testdata/retention.bad.yaml:10:12: retention.workspaces.later: "soon" is not a duration (write e.g. "15s", "1h30m", "30d", or a number of seconds)`,
			`testdata/retention.bad.yaml:2:12: retention.default: must be 0 (keep forever) or at least 1d, got 30m0s`,
			`testdata/retention.bad.yaml:3:13: retention.schedule: "@fortnightly" is not a schedule: unrecognized descriptor: @fortnightly`,
			`testdata/retention.bad.yaml:6:15: retention.workspaces./sandbox: must be "<organization>/<workspace>" or "<workspace>", got "/sandbox"`,
			`testdata/retention.bad.yaml:8:12: retention.workspaces.a/b/c: must be "<organization>/<workspace>" or "<workspace>", got "a/b/c"`,
			`testdata/retention.bad.yaml:7:13: retention.workspaces.cctsa/: must be "<organization>/<workspace>" or "<workspace>", got "cctsa/"`,
			`testdata/retention.bad.yaml:5:20: retention.workspaces.cctsa/sandbox: must be 0 (keep forever) or at least 1d, got 12h0m0s`,
			`testdata/retention.bad.yaml:12:18: delivery.sweepSchedule: must not be empty`,
		},
		"cors.bad.yaml": {
			`testdata/cors.bad.yaml:3:7: cors.allowOrigins[0]: "crm.example.com" is not an origin: write scheme://host[:port], e.g. "https://crm.example.com"`,
			`testdata/cors.bad.yaml:4:7: cors.allowOrigins[1]: "https://crm.example.com/app/": an origin has no path, query or fragment: write "https://crm.example.com"`,
			`testdata/cors.bad.yaml:5:7: cors.allowOrigins[2]: "https://crm.example.com/": an origin has no path, query or fragment: write "https://crm.example.com"`,
			`testdata/cors.bad.yaml:6:7: cors.allowOrigins[3]: "https://crm.example.com:443": browsers send the origin without its scheme's default port 443: write "https://crm.example.com"`,
			`testdata/cors.bad.yaml:7:7: cors.allowOrigins[4]: "ftp://files.example.com": the scheme must be http or https`,
			`testdata/cors.bad.yaml:8:7: cors.allowOrigins[5]: "https://*.example.com": wildcards in host names are not supported: list each origin, or "*" alone for any`,
			`testdata/cors.bad.yaml:9:7: cors.allowOrigins[6]: "http://localhost:99999": the port must be a number from 1 to 65535`,
			`testdata/cors.bad.yaml:10:7: cors.allowOrigins[7]: "https://user@crm.example.com": an origin has no user name or password`,
			`testdata/cors.bad.yaml:11:7: cors.allowOrigins[8]: must not be empty`,
			`testdata/cors.bad.yaml:12:7: cors.allowOrigins[9]: "localhost:3000" is not an origin: write scheme://host[:port], e.g. "https://crm.example.com"`,
			`testdata/cors.bad.yaml:14:7: cors.allowOrigins[11]: "http://LOCALHOST:3000" is listed twice (also cors.allowOrigins[10])`,
			`testdata/cors.bad.yaml:15:7: cors.allowOrigins[12]: "*" allows every origin: it must be the only entry`,
		},
		"tenancy.bad.yaml": {
			`testdata/tenancy.bad.yaml:1:10: admins[0]: must name an organization, got "*"`,
			`testdata/tenancy.bad.yaml:3:11: egress.allow[0]: "10.0.0.0/33" is not a CIDR range (e.g. "10.0.0.0/8", "fd00::/8")`,
			`testdata/tenancy.bad.yaml:3:26: egress.allow[1]: "crm internal" is not a host name, an IP address or a CIDR range`,
			`testdata/tenancy.bad.yaml:5:20: limits.eventsPerSecond: must be 0 (no limit) or more, got -1`,
			`testdata/tenancy.bad.yaml:7:11: limits.workspaces.a/: must be "<organization>/<workspace>" or "<workspace>", got "a/"`,
			`testdata/tenancy.bad.yaml:9:26: limits.templatesPerWorkspace: must be between 1 and 100000, got 0`,
			`testdata/tenancy.bad.yaml:12:31: stream.maxSubscribersPerWorkspace: must be between 1 and 10, got 20`,
		},
		"keys.bad.yaml": {
			`testdata/keys.bad.yaml:4:13: keys[0].secret: environment variable JDS_UNSET_SECRET is not set`,
			`testdata/keys.bad.yaml:5:5: keys[1]: duplicate key "sandbox" for organization "cctsa" (also keys[0])`,
			`testdata/keys.bad.yaml:8:11: keys[2].name: "my key" must not contain '&', '=', '%', spaces or control characters: tokens could not carry it`,
			`testdata/keys.bad.yaml:9:19: keys[2].organization: must not be "*": only workspaces have a wildcard`,
			`testdata/keys.bad.yaml:10:13: keys[2].secret: "${not valid}" is not a valid environment variable reference`,
			`testdata/keys.bad.yaml:11:5: keys[3].name: must not be empty`,
			`testdata/keys.bad.yaml:11:5: keys[3].secret: must not be empty`,
			"testdata/keys.bad.yaml:14:13: keys[4].secret: must be at least 16 bytes (it has 9): a short HMAC key can be guessed; `openssl rand -base64 32` makes a good one",
		},
	}
	checkFixturesCovered(t, "*.bad.yaml", tests)
	for name, want := range tests {
		t.Run(name, func(t *testing.T) {
			// The path is shown as given: use the relative one.
			c, err := config.Load("testdata/"+name, fixtureEnv)
			if err == nil {
				t.Fatalf("Load succeeded: %+v", c)
			}
			if !reflect.DeepEqual(c, config.Config{}) {
				t.Errorf("Load returned a config with its error: %+v", c)
			}
			if got := errorLines(err); !slices.Equal(got, want) {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// checkFixturesCovered fails when a fixture in testdata has no expectation,
// so that no fixture is silently skipped.
func checkFixturesCovered[V any](t *testing.T, pattern string, tests map[string]V) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", pattern))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if _, ok := tests[filepath.Base(f)]; !ok {
			t.Errorf("fixture %s has no test case", f)
		}
	}
	if len(files) != len(tests) {
		t.Errorf("%d fixtures match %s, %d test cases", len(files), pattern, len(tests))
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := config.Load("testdata/does-not-exist.yaml", nil)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Load = %v, want fs.ErrNotExist", err)
	}
}

func TestEnvOverrides(t *testing.T) {
	file := writeFile(t, "jds.yaml", `
addr: ":7000"
dataDir: /from/file
rulesDir: /from/file/rules
flowsDir: /from/file/flows
log:
  level: warn
  format: json
cors:
  allowOrigins: [https://file.example]
`)
	tests := []struct {
		name string
		env  map[string]string
		want func(*config.Config)
	}{
		{"file alone", nil, func(c *config.Config) {}},
		{"every variable beats the file", map[string]string{
			"JDS_ADDR":       "127.0.0.1:9999",
			"JDS_DATA_DIR":   "/from/env",
			"JDS_RULES_DIR":  "/from/env/rules",
			"JDS_FLOWS_DIR":  "/from/env/flows",
			"JDS_LOG_LEVEL":  "debug",
			"JDS_LOG_FORMAT": "text",
			// A comma-separated list, spaces and a trailing comma allowed.
			"JDS_CORS_ORIGINS": " https://a.example, http://localhost:3000 ,",
		}, func(c *config.Config) {
			c.Addr, c.DataDir, c.RulesDir, c.FlowsDir = "127.0.0.1:9999", "/from/env", "/from/env/rules", "/from/env/flows"
			c.Log = config.Log{Level: "debug", Format: "text"}
			c.CORS.AllowOrigins = []string{"https://a.example", "http://localhost:3000"}
		}},
		{"any origin", map[string]string{"JDS_CORS_ORIGINS": "*"}, func(c *config.Config) {
			c.CORS.AllowOrigins = []string{"*"}
		}},
		{"empty variable is unset", map[string]string{"JDS_ADDR": "", "JDS_DATA_DIR": "/d"}, func(c *config.Config) {
			c.DataDir = "/d"
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := config.Load(file, env(tc.env))
			if err != nil {
				t.Fatal(err)
			}
			want := config.Default()
			want.Addr, want.DataDir, want.RulesDir, want.FlowsDir = ":7000", "/from/file", "/from/file/rules", "/from/file/flows"
			want.Log = config.Log{Level: "warn", Format: "json"}
			want.CORS.AllowOrigins = []string{"https://file.example"}
			tc.want(&want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Load =\n%+v\nwant\n%+v", got, want)
			}
		})
	}

	t.Run("without a file", func(t *testing.T) {
		got, err := config.Load("", env(map[string]string{"JDS_ADDR": ":1234"}))
		if err != nil {
			t.Fatal(err)
		}
		if got.Addr != ":1234" {
			t.Errorf("Addr = %q", got.Addr)
		}
	})

	t.Run("a bad value names the variable", func(t *testing.T) {
		_, err := config.Load(file, env(map[string]string{"JDS_LOG_LEVEL": "loud", "JDS_ADDR": "nowhere"}))
		want := []string{
			`$JDS_ADDR: addr: "nowhere" is not host:port (e.g. ":8080" or "127.0.0.1:8080")`,
			`$JDS_LOG_LEVEL: log.level: must be one of debug, info, warn, error, got "loud"`,
		}
		if got := errorLines(err); !slices.Equal(got, want) {
			t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})

	t.Run("a bad origin names the variable, not the file's line", func(t *testing.T) {
		_, err := config.Load(file, env(map[string]string{"JDS_CORS_ORIGINS": "crm.example.com,https://ok.example"}))
		want := []string{
			`$JDS_CORS_ORIGINS: cors.allowOrigins[0]: "crm.example.com" is not an origin: write scheme://host[:port], e.g. "https://crm.example.com"`,
		}
		if got := errorLines(err); !slices.Equal(got, want) {
			t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}

func TestSecretsFromEnvironment(t *testing.T) {
	file := writeFile(t, "jds.yaml", `keys:
  - name: a
    organization: o
    secret: "${SECRET_A}"
  - name: b
    organization: o
    secret: plain $text ${not-a-ref
`)
	c, err := config.Load(file, env(map[string]string{"SECRET_A": "from-the-environment"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Keys[0].Secret != "from-the-environment" {
		t.Errorf("keys[0].secret = %q, want the variable's value", c.Keys[0].Secret)
	}
	if c.Keys[1].Secret != "plain $text ${not-a-ref" {
		t.Errorf("keys[1].secret = %q, want it verbatim", c.Keys[1].Secret)
	}

	_, err = config.Load(file, nil)
	want := []string{file + `:4:13: keys[0].secret: environment variable SECRET_A is not set`}
	if got := errorLines(err); !slices.Equal(got, want) {
		t.Errorf("unset variable: errors %q, want %q", got, want)
	}
}

func TestKeyStringHidesSecret(t *testing.T) {
	c := config.Default()
	c.Keys = []config.Key{{Name: "n", Organization: "o", Secret: "hunter2"}}
	for _, s := range []string{c.Keys[0].String(), fmtV(c)} {
		if strings.Contains(s, "hunter2") {
			t.Errorf("secret printed: %s", s)
		}
	}
}

func TestValidateCollectsEveryProblem(t *testing.T) {
	c := config.Default()
	c.Addr = ""
	c.DataDir = " "
	c.Log.Format = "xml"
	c.Ingest.MaxBatchEvents = 10001
	c.Ingest.MaxBodyBytes = 0
	c.Ingest.DefaultCountryCode = "1234"
	c.Ingest.MaxConcurrent = -2
	c.Ingest.MaxQueued = -1
	c.ReaderProcs = 65
	c.Stream.Heartbeat = 0
	c.Stream.SubscriberBuffer = 0
	c.Store.Badger.MemTableSize = config.KiB
	c.Store.Badger.BlockCacheSize = -1
	c.Store.Badger.PendingStateBytes = 0
	c.Store.Badger.ValueLogGC = "@sometimes"
	c.Store.MaxBatchEvents = 0
	c.Store.Badger.DiskReserve = 2 * config.MiB
	c.HTTP.ShutdownTimeout = -config.Duration(time.Second)
	c.Keys = []config.Key{{Name: "a&b", Organization: "o=1", Secret: "s"}}

	err := c.Validate()
	want := []string{
		`addr: "" is not host:port (e.g. ":8080" or "127.0.0.1:8080")`,
		`dataDir: must not be empty`,
		`keys[0].name: "a&b" must not contain '&', '=', '%', spaces or control characters: tokens could not carry it`,
		`keys[0].organization: "o=1" must not contain '&', '=', '%', spaces or control characters: tokens could not carry it`,
		"keys[0].secret: must be at least 16 bytes (it has 1): a short HMAC key can be guessed; `openssl rand -base64 32` makes a good one",
		`readerProcs: must be between 0 and 64, got 65`,
		`log.format: must be one of text, json, got "xml"`,
		`ingest.maxBatchEvents: must be between 1 and 10000, got 10001`,
		`ingest.maxConcurrent: must be between -1 and 1024, got -2`,
		`ingest.maxQueued: must be between 0 and 1048576, got -1`,
		`ingest.maxBodyBytes: must be between 1KiB and 1GiB, got 0B`,
		`ingest.maxEventBytes: must not exceed ingest.maxBodyBytes (0B), got 256KiB`,
		`ingest.defaultCountryCode: must be 1 to 3 digits without "+" (e.g. "1", "44"), got "1234"`,
		`stream.heartbeat: must be more than 0 and at most 15s, got 0s`,
		`stream.subscriberBuffer: must be between 1 and 1048576, got 0`,
		`store.badger.memTableSize: must be at least 1MiB, got 1KiB`,
		`store.badger.pendingStateBytes: must be at least 1MiB, got 0B`,
		`store.badger.blockCacheSize: must not be negative, got -1B`,
		`store.badger.valueLogGC: "@sometimes" is not a schedule: unrecognized descriptor: @sometimes`,
		`store.maxBatchEvents: must be between 1 and 65536, got 0`,
		`store.badger.diskReserve: must be 0 (4×memTableSize + 16MiB) or at least memTableSize + 8MiB (8193KiB), got 2MiB`,
		`http.shutdownTimeout: must be more than 0, got -1s`,
	}
	if got := errorLines(err); !slices.Equal(got, want) {
		t.Errorf("Validate:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestExample keeps jds.example.yaml honest: it loads, it shows exactly
// Default(), it mentions every key, and its commented-out key works.
func TestExample(t *testing.T) {
	const path = "jds.example.yaml"
	got, err := config.Load(path, nil)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	// Connector instances read from a file also know where they were written.
	def := config.Default()
	if len(got.Connectors) != len(def.Connectors) {
		t.Errorf("example connectors %+v, want %+v", got.Connectors, def.Connectors)
	}
	for i := range min(len(got.Connectors), len(def.Connectors)) {
		g, d := got.Connectors[i], def.Connectors[i]
		if g.Name != d.Name || g.Kind != d.Kind || len(g.Config) != len(d.Config) {
			t.Errorf("example connectors[%d] = %+v, want %+v", i, g, d)
		}
	}
	got.Connectors = def.Connectors
	if !reflect.DeepEqual(got, def) {
		t.Errorf("example differs from Default():\n%+v\nwant\n%+v", got, def)
	}

	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	inFile := map[string]bool{}
	collectKeys(doc.Content[0], "", inFile)
	for _, key := range leafKeys(reflect.TypeFor[config.Config](), "") {
		if !inFile[key] {
			t.Errorf("example does not show %s", key)
		}
	}

	// Uncomment the example key: the file must stay valid and yield it.
	var lines []string
	for line := range strings.SplitSeq(string(data), "\n") {
		switch {
		case line == "keys: []":
			line = "keys:"
		case strings.HasSuffix(line, "kind: log}"):
			continue // the default connectors: the example's own replace them
		case line == "inbound: []":
			line = "inbound:"
		case line == "  allowOrigins: []":
			line = "  allowOrigins:"
		case line == "admins: []":
			line = "admins:"
		case line == "  allow: []":
			line = "  allow:"
		case strings.HasPrefix(line, "  workspaces: {}"):
			line = "  workspaces:"
		case strings.HasPrefix(line, "#  "):
			line = strings.TrimPrefix(line, "#")
		}
		lines = append(lines, line)
	}
	withKey := writeFile(t, "jds.yaml", strings.Join(lines, "\n"))
	got, err = config.Load(withKey, env(map[string]string{"JDS_SANDBOX_SECRET": "s3cret-of-16-bytes"}))
	if err != nil {
		t.Fatalf("example with its key uncommented: %v", err)
	}
	want := []config.Key{{Name: "sandbox", Organization: "cctsa", Secret: "s3cret-of-16-bytes"}}
	if !reflect.DeepEqual(got.Keys, want) {
		t.Errorf("keys = %+v, want %+v", got.Keys, want)
	}
	if len(got.Connectors) != 2 || got.Connectors[0].Kind != "twilio" || got.Connectors[1].Name != "callbacks" {
		t.Errorf("connectors = %+v", got.Connectors)
	}
	if len(got.Inbound) != 1 || got.Inbound[0].Kind != "webhook" || got.Inbound[0].Name != "sms-replies" {
		t.Errorf("inbound = %+v", got.Inbound)
	}
	if want := map[string]config.Duration{"cctsa/sandbox": 30 * config.Day, "archive": 0}; !reflect.DeepEqual(got.Retention.Workspaces, want) {
		t.Errorf("retention.workspaces = %v, want %v", got.Retention.Workspaces, want)
	}
	if want := []string{"https://desktop.wxcc-us1.cisco.com", "https://crm.example.com:8443"}; !slices.Equal(got.CORS.AllowOrigins, want) {
		t.Errorf("cors.allowOrigins = %v, want %v", got.CORS.AllowOrigins, want)
	}
}

// collectKeys records the key paths of a YAML mapping, sections included.
func collectKeys(n *yaml.Node, prefix string, out map[string]bool) {
	if n.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		p := n.Content[i].Value
		if prefix != "" {
			p = prefix + "." + p
		}
		out[p] = true
		collectKeys(n.Content[i+1], p, out)
	}
}

// leafKeys lists the key paths of every setting in t, from yaml tags.
func leafKeys(t reflect.Type, prefix string) []string {
	var keys []string
	for f := range t.Fields() {
		if !f.IsExported() || strings.HasPrefix(f.Name, "Old") { // deprecated spellings
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		p := name
		if prefix != "" {
			p = prefix + "." + name
		}
		if f.Type.Kind() == reflect.Struct {
			keys = append(keys, leafKeys(f.Type, p)...)
			continue
		}
		keys = append(keys, p)
	}
	return keys
}

// TestMarshalRoundTrip checks that a marshalled Config (for example one a
// future `jds config` command prints) loads back unchanged.
func TestMarshalRoundTrip(t *testing.T) {
	c := config.Default()
	c.Connectors = nil // an Instance marshals without its positions, and loads with them
	c.Keys = []config.Key{{Name: "k", Organization: "o", Secret: "a-secret-of-16-bytes"}}
	c.Ingest.MaxBodyBytes = 10_000_000
	c.HTTP.RequestTimeout = config.Duration(1500 * time.Millisecond)
	data, err := yaml.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	got, err := config.Load(writeFile(t, "jds.yaml", string(data)), nil)
	if err != nil {
		t.Fatalf("Load of marshalled config: %v\n%s", err, data)
	}
	if !reflect.DeepEqual(got, c) {
		t.Errorf("round trip:\n%+v\nwant\n%+v", got, c)
	}
}

func fmtV(v any) string { return fmt.Sprintf("%v %+v", v, v) }

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestDefaultRegion covers identity.defaultRegion and the deprecated
// ingest.defaultCountryCode it replaces: derivation, agreement and errors.
func TestDefaultRegion(t *testing.T) {
	tests := []struct {
		name, file   string
		region       string   // want, when the file loads
		deprecations int      // how many warnings
		errs         []string // want, with "F" for the file's path
	}{
		{"default", "addr: \":8080\"\n", "US", 0, nil},
		{"region alone", "identity:\n  defaultRegion: DE\n", "DE", 0, nil},
		{"deprecated code alone is derived", "ingest:\n  defaultCountryCode: \"44\"\n", "GB", 1, nil},
		{"deprecated code 1 is US", "ingest:\n  defaultCountryCode: \"1\"\n", "US", 1, nil},
		{"both agree", "ingest:\n  defaultCountryCode: \"1\"\nidentity:\n  defaultRegion: CA\n", "CA", 1, nil},
		{"lower case", "identity:\n  defaultRegion: gb\n", "", 0, []string{
			`F:2:18: identity.defaultRegion: must be an ISO 3166 alpha-2 region code that libphonenumber knows, in capitals (e.g. "US", "GB", "DE"), got "gb" (did you mean "GB"?)`}},
		{"UK is not ISO", "identity:\n  defaultRegion: UK\n", "", 0, []string{
			`F:2:18: identity.defaultRegion: must be an ISO 3166 alpha-2 region code that libphonenumber knows, in capitals (e.g. "US", "GB", "DE"), got "UK" (did you mean "GB"?)`}},
		{"unknown", "identity:\n  defaultRegion: ZZ\n", "", 0, []string{
			`F:2:18: identity.defaultRegion: must be an ISO 3166 alpha-2 region code that libphonenumber knows, in capitals (e.g. "US", "GB", "DE"), got "ZZ"`}},
		{"empty", "identity:\n  defaultRegion: \"\"\n", "", 0, []string{
			`F:2:18: identity.defaultRegion: must be an ISO 3166 alpha-2 region code that libphonenumber knows, in capitals (e.g. "US", "GB", "DE"), got ""`}},
		{"both disagree", "ingest:\n  defaultCountryCode: \"44\"\nidentity:\n  defaultRegion: US\n", "", 0, []string{
			`F:4:18: identity.defaultRegion: "US" has country code 1, but the deprecated ingest.defaultCountryCode says "44": remove ingest.defaultCountryCode`}},
		{"deprecated code of no region", "ingest:\n  defaultCountryCode: \"999\"\n", "", 0, []string{
			`F:2:23: ingest.defaultCountryCode: "999" is the country code of no region (deprecated: write identity.defaultRegion instead)`}},
		{"deprecated code malformed", "ingest:\n  defaultCountryCode: \"+44\"\n", "", 0, []string{
			`F:2:23: ingest.defaultCountryCode: must be 1 to 3 digits without "+" (e.g. "1", "44"), got "+44"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, "jds.yaml", tc.file)
			c, err := config.Load(path, nil)
			if tc.errs != nil {
				var want []string
				for _, e := range tc.errs {
					want = append(want, strings.Replace(e, "F", path, 1))
				}
				if got := errorLines(err); !slices.Equal(got, want) {
					t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Identity.DefaultRegion != tc.region {
				t.Errorf("identity.defaultRegion = %q, want %q", c.Identity.DefaultRegion, tc.region)
			}
			d := c.Deprecations()
			if len(d) != tc.deprecations {
				t.Errorf("Deprecations = %q, want %d", d, tc.deprecations)
			}
			for _, w := range d {
				if !strings.Contains(w, "ingest.defaultCountryCode") || !strings.Contains(w, fmt.Sprintf("identity.defaultRegion: %q", tc.region)) {
					t.Errorf("deprecation %q does not say what to write instead", w)
				}
			}
		})
	}
}

// TestOldBadgerKeys: the Badger settings written directly under store (the previous
// release's spelling) still load, into store.badger, each with a deprecation warning
// saying where to write it; their problems name the key the file used.
func TestOldBadgerKeys(t *testing.T) {
	c, err := config.Load(writeFile(t, "jds.yaml", "store:\n  memTableSize: 8MiB\n  blockCacheSize: 0\n  valueLogGC: \"@hourly\"\n  badger:\n    numCompactors: 3\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	b := c.Store.Badger
	if b.MemTableSize != 8*config.MiB || b.BlockCacheSize != 0 || b.ValueLogGC != "@hourly" || b.NumCompactors != 3 || b.IndexCacheSize != 32*config.MiB {
		t.Errorf("store.badger = %+v", b)
	}
	want := []string{
		"store.blockCacheSize is deprecated and will be removed in the next release: write it as store.badger.blockCacheSize",
		"store.memTableSize is deprecated and will be removed in the next release: write it as store.badger.memTableSize",
		"store.valueLogGC is deprecated and will be removed in the next release: write it as store.badger.valueLogGC",
	}
	if got := c.Deprecations(); !slices.Equal(got, want) {
		t.Errorf("Deprecations =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	_, err = config.Load(writeFile(t, "jds.yaml", "store:\n  badger:\n    memTableSize: 1KiB\n  numCompactors: 1\n"), nil)
	for _, w := range []string{
		"jds.yaml:3:19: store.badger.memTableSize: must be at least 1MiB, got 1KiB",
		"jds.yaml:4:18: store.numCompactors: must be at least 2, got 1",
	} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error %v\nlacks %q", err, w)
		}
	}
}

// TestStoreURL: store.url picks PostgreSQL, $JDS_STORE_URL beats the file, and a URL
// that is not PostgreSQL's is refused without repeating it (it may hold a password).
func TestStoreURL(t *testing.T) {
	path := writeFile(t, "jds.yaml", "store:\n  url: postgres://jds:pw@db/jds\n")
	c, err := config.Load(path, nil)
	if err != nil || c.Store.URL != "postgres://jds:pw@db/jds" {
		t.Fatalf("Load = %q, %v", c.Store.URL, err)
	}
	env := map[string]string{config.EnvStoreURL: "postgresql://other@db2/jds"}
	if c, err = config.Load(path, func(k string) string { return env[k] }); err != nil || c.Store.URL != "postgresql://other@db2/jds" {
		t.Fatalf("with $%s: %q, %v", config.EnvStoreURL, c.Store.URL, err)
	}
	env[config.EnvStoreURL] = "mysql://root:hunter2@db/jds"
	_, err = config.Load(path, func(k string) string { return env[k] })
	if err == nil || !strings.Contains(err.Error(), "$JDS_STORE_URL: store.url: must be empty") || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("a MySQL URL: %v", err)
	}
}
