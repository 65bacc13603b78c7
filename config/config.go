package config

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/openjds/jds/connectors"
	"github.com/openjds/jds/internal/identity"
)

// Environment variables. EnvConfig names the config file when --config is
// not given (the command line resolves that, then calls Load); the others
// override the file's values when set to a non-empty value.
const (
	EnvConfig    = "JDS_CONFIG"
	EnvAddr      = "JDS_ADDR"
	EnvDataDir   = "JDS_DATA_DIR"
	EnvRulesDir  = "JDS_RULES_DIR"
	EnvFlowsDir  = "JDS_FLOWS_DIR"
	EnvLogLevel  = "JDS_LOG_LEVEL"
	EnvLogFormat = "JDS_LOG_FORMAT"
	EnvStoreURL  = "JDS_STORE_URL"
	// EnvCORSOrigins replaces cors.allowOrigins with its comma-separated list.
	EnvCORSOrigins = "JDS_CORS_ORIGINS"
)

// Config is the whole configuration of jds serve. YAML keys are
// lowerCamelCase. A new section is a new field with a yaml tag, a default in
// Default, checks in Validate and a line in jds.example.yaml: the strict
// loader finds the field by reflection.
type Config struct {
	Addr     string `yaml:"addr"`     // listen address, host:port
	DataDir  string `yaml:"dataDir"`  // Badger database and generated development key
	RulesDir string `yaml:"rulesDir"` // rule files; a directory that does not exist means none
	FlowsDir string `yaml:"flowsDir"` // IVR flow files; a directory that does not exist means none
	Keys     []Key  `yaml:"keys"`     // token signing keys
	// MemoryLimit is the Go runtime's soft memory limit: past it the garbage collector
	// works harder instead of letting the heap grow. 0 leaves the runtime's default;
	// the GOMEMLIMIT environment variable, when set, wins. The default leaves room for
	// the bounded parts of the heap at their defaults: Badger's memtables and caches
	// (about 200 MiB) and, with profile templates, their caches and pending state
	// (up to 176 MiB), plus the working set.
	MemoryLimit ByteSize `yaml:"memoryLimit"`
	// ReaderProcs are Go processors the server adds beyond the CPUs (GOMAXPROCS at
	// start) while HTTP ingest is busy, and takes back once it has been idle for a
	// second. Ingest's CPU-bound work is bounded (ingest.maxConcurrent decoders, one
	// committer), so these stay idle until a read arrives and take it at once, leaving
	// the kernel to share the CPUs, instead of letting it wait in Go's run queue for an
	// ingest goroutine to be preempted. 0: none; the GOMAXPROCS environment variable,
	// when set, means none too.
	ReaderProcs int      `yaml:"readerProcs"`
	Log         Log      `yaml:"log"`
	Ingest      Ingest   `yaml:"ingest"`
	Stream      Stream   `yaml:"stream"`
	Store       Store    `yaml:"store"`
	HTTP        HTTP     `yaml:"http"`
	Identity    Identity `yaml:"identity"`
	// Connectors are the outbound connector instances journey actions send through,
	// each with a name, a kind and the kind's own keys (docs/connectors.md). They are
	// checked when jds starts and by jds check.
	Connectors []connectors.Instance `yaml:"connectors"`
	// Inbound are the inbound connector instances (webhooks and pollers) that turn
	// partners' payloads into events, written like connectors (docs/connectors.md). They
	// are checked when jds starts and by jds check (package inbound).
	Inbound []connectors.Instance `yaml:"inbound"`
	// Retention is how long events are kept, per workspace (retention.go).
	Retention Retention `yaml:"retention"`
	// Backup configures scheduled backups of the store (backup.go).
	Backup Backup `yaml:"backup"`
	// Delivery configures the sending of what journey actions queue.
	Delivery Delivery `yaml:"delivery"`
	// CORS says which other origins' pages may call the API from a browser.
	CORS CORS `yaml:"cors"`
	// Admins are the organizations whose admin tokens for every workspace (sn=*) may
	// run instance-wide operations (reloads, jobs spanning organizations). Empty: the
	// first key's organization.
	Admins []string `yaml:"admins"`
	// Egress says where targets defined through the API may send (tenancy.go).
	Egress Egress `yaml:"egress"`
	// Limits bound what one workspace may do (tenancy.go).
	Limits Limits `yaml:"limits"`
}

// CORS says which web origins, other than jds's own, may use the API, the live streams
// and the widget from a browser: the pages that embed the widget or the console
// (Agent Desktop, a CRM). Tokens travel in the Authorization header or the query
// string, never in cookies, so no credentials are granted.
type CORS struct {
	// AllowOrigins lists origins, "scheme://host[:port]" as browsers send them
	// ("https://crm.example.com"), or is ["*"] for any origin. Empty: same origin only.
	AllowOrigins []string `yaml:"allowOrigins"`
}

// Delivery configures the sending of what journey actions queue.
type Delivery struct {
	// SweepSchedule is the cron schedule of the outbox sweep, which wakes the delivery
	// worker (it also polls by itself) and warns about deliveries long overdue.
	SweepSchedule string `yaml:"sweepSchedule"`
	// MaxAttempts is how many times a delivery is tried before it becomes a dead letter.
	MaxAttempts int `yaml:"maxAttempts"`
	// Backoff is the wait before the first retry; it doubles with each attempt (with
	// jitter), up to MaxBackoff, and is at least what a partner's Retry-After asks.
	Backoff    Duration `yaml:"backoff"`
	MaxBackoff Duration `yaml:"maxBackoff"`
	// PerConnector bounds the sends waiting for a partner at a time on one lane: one
	// workspace's deliveries through one connector to one host (an inline webhook's host
	// is its URL's).
	PerConnector int `yaml:"perConnector"`
	// PerWorkspace bounds the sends waiting for a partner at a time of one workspace,
	// whatever their lanes: a tenant's slow partners cannot take every send.
	PerWorkspace int `yaml:"perWorkspace"`
}

// Key is a signing key for SAS tokens: a token's sk names it, its so names
// the organization.
type Key struct {
	Name         string `yaml:"name"`
	Organization string `yaml:"organization"`
	// Secret is the HMAC key, used as UTF-8 bytes. Written as "${VAR}" in
	// the file, Load replaces it with the environment variable VAR, so the
	// file itself can be committed.
	Secret string `yaml:"secret"`
}

// String leaves the secret out, so that logging a Config cannot leak it.
func (k Key) String() string {
	return fmt.Sprintf("{name: %s, organization: %s, secret: <redacted>}", k.Name, k.Organization)
}

// Log configures the process logger.
type Log struct {
	Level  string `yaml:"level"`  // debug, info, warn or error
	Format string `yaml:"format"` // text or json
}

// Ingest bounds what one ingest request may carry.
type Ingest struct {
	MaxBatchEvents int      `yaml:"maxBatchEvents"` // events in one bulk request
	MaxBodyBytes   ByteSize `yaml:"maxBodyBytes"`   // request body
	MaxEventBytes  ByteSize `yaml:"maxEventBytes"`  // one event, as JSON
	// MaxConcurrent bounds the HTTP ingest requests decoding and preparing their events
	// at once, so that reads (flows, history, profiles), which never wait for it, find
	// a free CPU during an ingest storm. 0: automatic (the CPUs - 1, at least 1); -1: no
	// bound. A request waits for its turn before decoding and frees it before its
	// commit is awaited, so group commits still gather many requests.
	MaxConcurrent int `yaml:"maxConcurrent"`
	// MaxQueued bounds the ingest requests waiting for a turn; past it a request is
	// refused with 503 and Retry-After.
	MaxQueued int `yaml:"maxQueued"`
	// DefaultCountryCode is deprecated (one release): identity.defaultRegion replaces
	// it. When only it is set, Load derives the region from it (libphonenumber's main
	// region of the code: "44" is GB), and Deprecations says so. "" when not set.
	DefaultCountryCode string `yaml:"defaultCountryCode"`
}

// Stream configures live (SSE) streams.
type Stream struct {
	// Heartbeat is the interval of keep-alive comments. Proxies commonly
	// drop idle connections after 30-60s, hence the 15s ceiling.
	Heartbeat Duration `yaml:"heartbeat"`
	// SubscriberBuffer is how many events one subscriber may be behind
	// (besides the newest commit) before it is dropped. Subscribers share the
	// events they wait for, so a large buffer costs no memory per subscriber;
	// it lets a stream that wakes once per commit miss turns while ingest
	// runs on 2 cores.
	SubscriberBuffer int `yaml:"subscriberBuffer"`
	// MaxSubscribers bounds the live streams open at once in the instance, and
	// MaxSubscribersPerWorkspace those of one workspace: past them a new stream is
	// answered 429 with Retry-After.
	MaxSubscribers             int `yaml:"maxSubscribers"`
	MaxSubscribersPerWorkspace int `yaml:"maxSubscribersPerWorkspace"`
}

// Store configures the store and the committer in front of it.
type Store struct {
	// URL chooses the backend: empty for the embedded Badger store in dataDir,
	// or a PostgreSQL URL (postgres://user:password@host:5432/db?sslmode=...)
	// for many stateless nodes on one database. $JDS_STORE_URL beats it.
	URL string `yaml:"url"`
	// Postgres tunes the PostgreSQL backend.
	Postgres Postgres `yaml:"postgres"`
	// MaxBatchEvents is how many events the committer groups into one
	// transaction.
	MaxBatchEvents int `yaml:"maxBatchEvents"`
	// SyncWrites fsyncs every commit. A 2xx means durable only when true.
	SyncWrites bool `yaml:"syncWrites"`
	// Badger tunes the embedded Badger backend.
	Badger Badger `yaml:"badger"`

	// The Badger settings as the previous release wrote them, directly under
	// store: deprecated for one release. Load moves each one set into Badger,
	// and Deprecations names them.
	OldMemTableSize      *ByteSize `yaml:"memTableSize,omitempty"`
	OldBlockCacheSize    *ByteSize `yaml:"blockCacheSize,omitempty"`
	OldIndexCacheSize    *ByteSize `yaml:"indexCacheSize,omitempty"`
	OldNumCompactors     *int      `yaml:"numCompactors,omitempty"`
	OldValueLogFileSize  *ByteSize `yaml:"valueLogFileSize,omitempty"`
	OldValueLogGC        *string   `yaml:"valueLogGC,omitempty"`
	OldPendingStateBytes *ByteSize `yaml:"pendingStateBytes,omitempty"`
	OldDiskReserve       *ByteSize `yaml:"diskReserve,omitempty"`

	// moved holds the keys (under store.) whose value came from the old place.
	moved map[string]bool
}

// Postgres tunes the PostgreSQL backend.
type Postgres struct {
	// MaxConns bounds each node's connection pool.
	MaxConns int `yaml:"maxConns"`
	// Lease is how long a node holds a delivery it claimed: a node that dies has its
	// sends retried by another after it (with the same idempotency key). Longer than
	// any attempt.
	Lease Duration `yaml:"lease"`
}

// Badger tunes the embedded Badger database.
type Badger struct {
	MemTableSize     ByteSize `yaml:"memTableSize"`
	BlockCacheSize   ByteSize `yaml:"blockCacheSize"`   // 0 disables the cache
	IndexCacheSize   ByteSize `yaml:"indexCacheSize"`   // 0 keeps all indexes in memory
	NumCompactors    int      `yaml:"numCompactors"`    // Badger needs at least 2
	ValueLogFileSize ByteSize `yaml:"valueLogFileSize"` // Badger accepts [1MiB, 2GiB)
	// ValueLogGC is the cron schedule of value-log garbage collection:
	// "@every 10m", "@hourly", or five fields "0 3 * * *".
	ValueLogGC string `yaml:"valueLogGC"`
	// PendingStateBytes bounds a generation of profile state held in memory
	// (journaled with its events) before it is written under its own keys;
	// two generations may be held.
	PendingStateBytes ByteSize `yaml:"pendingStateBytes"`
	// DiskReserve is the free space every commit leaves in the data directory
	// for what Badger writes after it (memtable flushes, compactions): a write
	// that would eat into it is refused (507) rather than Badger dying of
	// SIGBUS on a full disk. 0 means 4×MemTableSize + 16MiB.
	DiskReserve ByteSize `yaml:"diskReserve"`
}

// moveOld moves the deprecated Badger settings set directly under store into
// store.badger, remembering which, for Deprecations and for the problems
// Validate finds in them to name the key the file used.
func (st *Store) moveOld() {
	move := func(key string, set bool, apply func()) {
		if !set {
			return
		}
		apply()
		if st.moved == nil {
			st.moved = map[string]bool{}
		}
		st.moved[key] = true
	}
	b := &st.Badger
	move("memTableSize", st.OldMemTableSize != nil, func() { b.MemTableSize = *st.OldMemTableSize })
	move("blockCacheSize", st.OldBlockCacheSize != nil, func() { b.BlockCacheSize = *st.OldBlockCacheSize })
	move("indexCacheSize", st.OldIndexCacheSize != nil, func() { b.IndexCacheSize = *st.OldIndexCacheSize })
	move("numCompactors", st.OldNumCompactors != nil, func() { b.NumCompactors = *st.OldNumCompactors })
	move("valueLogFileSize", st.OldValueLogFileSize != nil, func() { b.ValueLogFileSize = *st.OldValueLogFileSize })
	move("valueLogGC", st.OldValueLogGC != nil, func() { b.ValueLogGC = *st.OldValueLogGC })
	move("pendingStateBytes", st.OldPendingStateBytes != nil, func() { b.PendingStateBytes = *st.OldPendingStateBytes })
	move("diskReserve", st.OldDiskReserve != nil, func() { b.DiskReserve = *st.OldDiskReserve })
}

// badgerKey is the key path of a Badger setting: where the file wrote it.
func (st Store) badgerKey(name string) string {
	if st.moved[name] {
		return "store." + name
	}
	return "store.badger." + name
}

// Identity configures how aliases become persons, and its guardrails.
type Identity struct {
	// TemporaryHold is how long a person owning only temporaryIds is kept when it is
	// never linked to a known alias; then it expires with its events.
	TemporaryHold Duration `yaml:"temporaryHold"`
	// ExpirySchedule is the cron schedule of the job that expires such persons.
	ExpirySchedule string `yaml:"expirySchedule"`
	// BlockedAliases are placeholder values systems send when they know nobody
	// ("anonymous", "unknown"). They never identify, link or merge anyone; values made
	// only of zeros (and phone punctuation) are always blocked too. Case-insensitive.
	BlockedAliases []string `yaml:"blockedAliases"`
	// MaxAliasesPerPerson bounds how many aliases one person may own, so that a
	// misbehaving sender cannot chain the whole customer base into one person.
	MaxAliasesPerPerson int `yaml:"maxAliasesPerPerson"`
	// DefaultRegion is where phone numbers written without a country code are read as
	// dialled: an ISO 3166 alpha-2 code libphonenumber knows ("US", "GB", "DE"). It
	// gives their country code and their trunk and international prefixes.
	DefaultRegion string `yaml:"defaultRegion"`
}

// HTTP configures the server's timeouts; 0 means none where allowed.
type HTTP struct {
	ReadTimeout Duration `yaml:"readTimeout"`
	// WriteTimeout is 0 by default because a live stream is one response
	// that lasts as long as the subscription.
	WriteTimeout    Duration `yaml:"writeTimeout"`
	IdleTimeout     Duration `yaml:"idleTimeout"`
	RequestTimeout  Duration `yaml:"requestTimeout"`  // each handler's own deadline
	ShutdownTimeout Duration `yaml:"shutdownTimeout"` // draining requests on shutdown
}

// Default returns the configuration jds runs with when nothing is
// configured. It is the one place defaults live; jds.example.yaml shows the
// same values and a test keeps the two equal.
func Default() Config {
	return Config{
		Addr:     ":8080",
		DataDir:  "./data",
		RulesDir: "samples/rules",
		FlowsDir: "samples/flows",
		// Sized for a small machine: Badger's memtables and caches (~230 MiB) plus
		// room for request buffers.
		MemoryLimit: 768 * MiB,
		ReaderProcs: 2,
		Log:         Log{Level: "info", Format: "text"},
		Ingest: Ingest{
			MaxBatchEvents: 1000,
			MaxBodyBytes:   4 * MiB,
			MaxEventBytes:  256 * KiB,
			MaxQueued:      256,
		},
		Stream: Stream{
			Heartbeat:        Duration(15 * time.Second),
			SubscriberBuffer: 16384,
			// Sized for 2 cores: each open stream holds a goroutine, a buffer and a
			// connection, and every commit is offered to each.
			MaxSubscribers:             1000,
			MaxSubscribersPerWorkspace: 200,
		},
		Store: Store{
			Postgres:       Postgres{MaxConns: 16, Lease: Duration(2 * time.Minute)},
			MaxBatchEvents: 4096,
			SyncWrites:     true,
			Badger: Badger{
				MemTableSize:      32 * MiB,
				BlockCacheSize:    64 * MiB,
				IndexCacheSize:    32 * MiB,
				NumCompactors:     2,
				ValueLogFileSize:  256 * MiB,
				ValueLogGC:        "@every 10m",
				PendingStateBytes: 32 * MiB,
			},
		},
		Identity: Identity{
			TemporaryHold:       Duration(24 * time.Hour),
			ExpirySchedule:      "@every 10m",
			BlockedAliases:      []string{"anonymous", "unknown", "null", "none", "undefined", "n/a", "0"},
			MaxAliasesPerPerson: 100,
			DefaultRegion:       "US",
		},
		// The connectors the sample rules (rulesDir) name, which only log what they
		// would send: with them the samples load as they are, since an action naming a
		// connector that is not configured is an error. A list in the file replaces them.
		Connectors: []connectors.Instance{{Name: "sms", Kind: "log"}, {Name: "callback", Kind: "log"}},
		Retention: Retention{
			Default:    365 * Day,
			Schedule:   "@daily",
			Workspaces: map[string]Duration{},
		},
		Backup: Backup{Dir: "./backups", Keep: 2, FullEvery: 7},
		Delivery: Delivery{SweepSchedule: "@every 1m", MaxAttempts: 8, Backoff: Duration(time.Second),
			MaxBackoff: Duration(time.Hour), PerConnector: 32, PerWorkspace: 64},
		Admins: []string{},
		Egress: Egress{Allow: []string{}},
		Limits: Limits{
			Workspaces:            map[string]RateLimit{},
			TemplatesPerWorkspace: 200,
			ActionsPerWorkspace:   500,
		},
		HTTP: HTTP{
			ReadTimeout:     Duration(30 * time.Second),
			WriteTimeout:    0,
			IdleTimeout:     Duration(120 * time.Second),
			RequestTimeout:  Duration(10 * time.Second),
			ShutdownTimeout: Duration(20 * time.Second),
		},
	}
}

// envOverrides lists the variables that beat the file, with the key each sets.
var envOverrides = []struct {
	env, path string
	field     func(*Config) *string
}{
	{EnvAddr, "addr", func(c *Config) *string { return &c.Addr }},
	{EnvDataDir, "dataDir", func(c *Config) *string { return &c.DataDir }},
	{EnvRulesDir, "rulesDir", func(c *Config) *string { return &c.RulesDir }},
	{EnvFlowsDir, "flowsDir", func(c *Config) *string { return &c.FlowsDir }},
	{EnvLogLevel, "log.level", func(c *Config) *string { return &c.Log.Level }},
	{EnvLogFormat, "log.format", func(c *Config) *string { return &c.Log.Format }},
	{EnvStoreURL, "store.url", func(c *Config) *string { return &c.Store.URL }},
}

// Load builds the configuration: Default, then the file at path (path ""
// means no file), then the environment overrides read through getenv (pass
// os.Getenv; tests pass a map's lookup), then "${VAR}" secrets, then
// Validate. Every problem is reported at once, joined, each prefixed with
// where the offending value came from: "path:line:col" for the file (path
// as given), "$JDS_ADDR" for the environment. An empty file means defaults.
// A file that cannot be read is reported alone, wrapping the os error
// (errors.Is(err, fs.ErrNotExist) works). A nil getenv reads nothing. On
// error the returned Config is the zero value, never a half-checked one.
func Load(path string, getenv func(string) string) (Config, error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	c := Default()
	var errs []error
	origin := map[string]string{} // key path → where its value was set
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return Config{}, fmt.Errorf("reading config: %w", err)
		}
		d := newDecoder(path)
		d.decodeDocument(data, &c)
		errs = append(errs, d.errs...)
		for p, n := range d.Pos {
			origin[p] = fmt.Sprintf("%s:%d:%d", path, n.Line, n.Col)
		}
	}
	for _, o := range envOverrides {
		if v := getenv(o.env); v != "" {
			*o.field(&c) = v
			origin[o.path] = "$" + o.env
		}
	}
	if v := getenv(EnvCORSOrigins); v != "" {
		c.CORS.AllowOrigins = splitList(v)
		// The file's entries are gone: their positions must not be blamed.
		for p := range origin {
			if strings.HasPrefix(p, "cors.allowOrigins[") {
				delete(origin, p)
			}
		}
		origin["cors.allowOrigins"] = "$" + EnvCORSOrigins
	}
	c.Keys = append([]Key(nil), c.Keys...) // resolving must not write into a caller's slice
	if len(c.Connectors) == 0 {
		c.Connectors = nil // "connectors: []" and no key at all mean the same
	}
	if len(c.Inbound) == 0 {
		c.Inbound = nil
	}
	if len(c.CORS.AllowOrigins) == 0 {
		c.CORS.AllowOrigins = nil
	}
	for i := range c.Keys {
		// An unset variable leaves the reference in place; Validate
		// reports it by name.
		if name, ok := envRef(c.Keys[i].Secret); ok && validEnvName(name) {
			if v := getenv(name); v != "" {
				c.Keys[i].Secret = v
			}
		}
	}
	if _, ok := origin["identity.defaultRegion"]; !ok {
		c.deriveRegion()
	}
	c.Store.moveOld()
	for _, p := range c.problems() {
		if where := locate(origin, p.path); where != "" {
			errs = append(errs, fmt.Errorf("%s: %w", where, p))
		} else {
			errs = append(errs, p)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return Config{}, err
	}
	return c, nil
}

// splitList splits a comma-separated environment value, trimming spaces around each
// item and dropping empty ones (a trailing comma).
func splitList(v string) []string {
	var out []string
	for _, item := range strings.Split(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// deriveRegion sets identity.defaultRegion from the deprecated ingest.defaultCountryCode
// when a file sets only the latter, so that a configuration written for the previous
// release reads phones as it did. An invalid code is left for Validate to report.
func (c *Config) deriveRegion() {
	if cc := c.Ingest.DefaultCountryCode; cc != "" {
		if r, ok := identity.RegionForCountryCode(cc); ok {
			c.Identity.DefaultRegion = r
		}
	}
}

// Deprecations lists the deprecated keys c uses, each with what to write instead, for
// the caller to log as warnings: Load accepts them for one release more.
func (c *Config) Deprecations() []string {
	var out []string
	if cc := c.Ingest.DefaultCountryCode; cc != "" {
		out = append(out, fmt.Sprintf("ingest.defaultCountryCode is deprecated and will be removed in the next release: "+
			"remove it and write identity.defaultRegion: %q (the region phone numbers without a country code are read in)", c.Identity.DefaultRegion))
	}
	for _, k := range slices.Sorted(maps.Keys(c.Store.moved)) {
		out = append(out, fmt.Sprintf("store.%s is deprecated and will be removed in the next release: write it as store.badger.%s", k, k))
	}
	return out
}

// locate says where the value at path came from. A value the file left out
// (keys[3].name) is pointed at the nearest enclosing value the file has
// (keys[3]), short of the whole document, which would point nowhere useful.
func locate(origin map[string]string, path string) string {
	for path != "" {
		if where, ok := origin[path]; ok {
			return where
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return ""
}
