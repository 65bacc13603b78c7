package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/openjds/jds/connectors"
	"github.com/openjds/jds/internal/identity"
)

// fieldError is one problem with one value, named by its key path.
type fieldError struct {
	path, msg string
}

func (e fieldError) Error() string { return e.path + ": " + e.msg }

// Validate reports every problem of c at once (errors.Join), each naming the
// key path: "ingest.maxBatchEvents: must be between 1 and 10000, got 0".
// Load calls it; call it again after changing a Config in code.
func (c *Config) Validate() error {
	var errs []error
	for _, p := range c.problems() {
		errs = append(errs, p)
	}
	return errors.Join(errs...)
}

type problems []fieldError

func (ps *problems) add(path, format string, args ...any) {
	*ps = append(*ps, fieldError{path, fmt.Sprintf(format, args...)})
}

func (ps *problems) intRange(path string, v, lo, hi int) {
	if v < lo || v > hi {
		ps.add(path, "must be between %d and %d, got %d", lo, hi, v)
	}
}

func (ps *problems) nonEmpty(path, v string) {
	if strings.TrimSpace(v) == "" {
		ps.add(path, "must not be empty")
	}
}

func (ps *problems) oneOf(path, v string, allowed ...string) {
	for _, a := range allowed {
		if v == a {
			return
		}
	}
	ps.add(path, "must be one of %s, got %q", strings.Join(allowed, ", "), v)
}

func (ps *problems) notNegative(path string, d Duration) {
	if d < 0 {
		ps.add(path, "must not be negative, got %s", d)
	}
}

func (ps *problems) positive(path string, d Duration) {
	if d <= 0 {
		ps.add(path, "must be more than 0, got %s", d)
	}
}

func (c *Config) problems() []fieldError {
	var ps problems

	if _, port, err := net.SplitHostPort(c.Addr); err != nil {
		ps.add("addr", "%q is not host:port (e.g. \":8080\" or \"127.0.0.1:8080\")", c.Addr)
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		ps.add("addr", "%q: port must be a number from 0 to 65535", c.Addr)
	}
	ps.nonEmpty("dataDir", c.DataDir)
	ps.nonEmpty("rulesDir", c.RulesDir)
	ps.nonEmpty("flowsDir", c.FlowsDir)

	c.keyProblems(&ps)
	if c.MemoryLimit != 0 && c.MemoryLimit < 64*MiB {
		ps.add("memoryLimit", "must be 0 (no limit) or at least 64MiB, got %s", c.MemoryLimit)
	}

	ps.intRange("readerProcs", c.ReaderProcs, 0, 64)
	ps.oneOf("log.level", c.Log.Level, "debug", "info", "warn", "error")
	ps.oneOf("log.format", c.Log.Format, "text", "json")

	in := c.Ingest
	ps.intRange("ingest.maxBatchEvents", in.MaxBatchEvents, 1, 10000)
	ps.intRange("ingest.maxConcurrent", in.MaxConcurrent, -1, 1024)
	ps.intRange("ingest.maxQueued", in.MaxQueued, 0, 1<<20)
	if in.MaxBodyBytes < KiB || in.MaxBodyBytes > GiB {
		ps.add("ingest.maxBodyBytes", "must be between 1KiB and 1GiB, got %s", in.MaxBodyBytes)
	}
	switch {
	case in.MaxEventBytes < KiB:
		ps.add("ingest.maxEventBytes", "must be at least 1KiB, got %s", in.MaxEventBytes)
	case in.MaxEventBytes > in.MaxBodyBytes:
		// An event that may not fit in any request could never be sent.
		ps.add("ingest.maxEventBytes", "must not exceed ingest.maxBodyBytes (%s), got %s", in.MaxBodyBytes, in.MaxEventBytes)
	}
	if cc := in.DefaultCountryCode; cc != "" {
		if len(cc) > 3 || !allDigits(cc) || cc[0] == '0' {
			ps.add("ingest.defaultCountryCode", "must be 1 to 3 digits without \"+\" (e.g. \"1\", \"44\"), got %q", cc)
		} else if _, ok := identity.RegionForCountryCode(cc); !ok {
			ps.add("ingest.defaultCountryCode", "%q is the country code of no region (deprecated: write identity.defaultRegion instead)", cc)
		}
	}

	if h := c.Stream.Heartbeat; h <= 0 || h > Duration(15*time.Second) {
		ps.add("stream.heartbeat", "must be more than 0 and at most 15s, got %s", h)
	}
	ps.intRange("stream.subscriberBuffer", c.Stream.SubscriberBuffer, 1, 1<<20)

	st, bg := c.Store, c.Store.Badger
	if bg.MemTableSize < MiB {
		ps.add(st.badgerKey("memTableSize"), "must be at least 1MiB, got %s", bg.MemTableSize)
	}
	if bg.PendingStateBytes < MiB {
		ps.add(st.badgerKey("pendingStateBytes"), "must be at least 1MiB, got %s", bg.PendingStateBytes)
	}
	if bg.BlockCacheSize < 0 {
		ps.add(st.badgerKey("blockCacheSize"), "must not be negative, got %s", bg.BlockCacheSize)
	}
	if bg.IndexCacheSize < 0 {
		ps.add(st.badgerKey("indexCacheSize"), "must not be negative, got %s", bg.IndexCacheSize)
	}
	if bg.NumCompactors < 2 {
		ps.add(st.badgerKey("numCompactors"), "must be at least 2, got %d", bg.NumCompactors)
	}
	if bg.ValueLogFileSize < MiB || bg.ValueLogFileSize >= 2*GiB {
		ps.add(st.badgerKey("valueLogFileSize"), "must be at least 1MiB and less than 2GiB, got %s", bg.ValueLogFileSize)
	}
	if err := checkSchedule(bg.ValueLogGC); err != nil {
		ps.add(st.badgerKey("valueLogGC"), "%v", err)
	}
	ps.intRange("store.maxBatchEvents", st.MaxBatchEvents, 1, 65536)
	if st.URL != "" {
		if u, err := url.Parse(st.URL); err != nil || u.Scheme != "postgres" && u.Scheme != "postgresql" || u.Host == "" {
			// The URL may hold a password: the message does not repeat it.
			ps.add("store.url", "must be empty (Badger in dataDir) or a PostgreSQL URL: postgres://user:password@host:5432/db?sslmode=disable")
		}
	}
	ps.intRange("store.postgres.maxConns", st.Postgres.MaxConns, 2, 1000)
	if l := time.Duration(st.Postgres.Lease); l < time.Second || l > time.Hour {
		ps.add("store.postgres.lease", "must be between 1s and 1h, got %s", l)
	}
	// Less than a memtable flush and what an open writes would let Badger fault.
	if least := bg.MemTableSize + 8*MiB; bg.DiskReserve < 0 || bg.DiskReserve > 0 && bg.DiskReserve < least {
		ps.add(st.badgerKey("diskReserve"), "must be 0 (4×memTableSize + 16MiB) or at least memTableSize + 8MiB (%s), got %s", least, bg.DiskReserve)
	}

	id := c.Identity
	if id.TemporaryHold < Duration(time.Minute) {
		ps.add("identity.temporaryHold", "must be at least 1m, got %s", id.TemporaryHold)
	}
	if err := checkSchedule(id.ExpirySchedule); err != nil {
		ps.add("identity.expirySchedule", "%v", err)
	}
	for i, v := range id.BlockedAliases {
		if strings.TrimSpace(v) == "" {
			ps.add(fmt.Sprintf("identity.blockedAliases[%d]", i), "must not be empty")
		}
	}
	ps.intRange("identity.maxAliasesPerPerson", id.MaxAliasesPerPerson, 1, 10000)
	regionProblems(&ps, id.DefaultRegion, in.DefaultCountryCode)

	c.Retention.problems(&ps)
	c.Backup.problems(&ps, c.Store.URL)
	dl := c.Delivery
	if err := checkSchedule(dl.SweepSchedule); err != nil {
		ps.add("delivery.sweepSchedule", "%v", err)
	}
	ps.intRange("delivery.maxAttempts", dl.MaxAttempts, 1, 100)
	ps.positive("delivery.backoff", dl.Backoff)
	if dl.MaxBackoff < dl.Backoff {
		ps.add("delivery.maxBackoff", "must be at least delivery.backoff (%s)", time.Duration(dl.Backoff))
	}
	ps.intRange("delivery.perConnector", dl.PerConnector, 1, 1024)
	ps.intRange("delivery.perWorkspace", dl.PerWorkspace, 1, 4096)

	h := c.HTTP
	ps.notNegative("http.readTimeout", h.ReadTimeout)
	ps.notNegative("http.writeTimeout", h.WriteTimeout)
	ps.notNegative("http.idleTimeout", h.IdleTimeout)
	ps.positive("http.requestTimeout", h.RequestTimeout)
	ps.positive("http.shutdownTimeout", h.ShutdownTimeout)

	c.corsProblems(&ps)
	c.tenancyProblems(&ps)

	return ps
}

func (c *Config) corsProblems(ps *problems) {
	first := map[string]int{} // lower-cased origin → index of its first entry
	list := c.CORS.AllowOrigins
	for i, o := range list {
		at := fmt.Sprintf("cors.allowOrigins[%d]", i)
		if o == "*" {
			if len(list) > 1 {
				ps.add(at, `"*" allows every origin: it must be the only entry`)
			}
			continue
		}
		if msg := originProblem(o); msg != "" {
			ps.add(at, "%s", msg)
			continue
		}
		key := strings.ToLower(o)
		if j, dup := first[key]; dup {
			ps.add(at, "%q is listed twice (also cors.allowOrigins[%d])", o, j)
			continue
		}
		first[key] = i
	}
}

// originProblem says why s is not a web origin as browsers send it in the Origin
// header, "scheme://host[:port]", or returns "". An entry that could never equal a
// browser's Origin (a path, the default port written out) is refused rather than
// silently never matching.
func originProblem(s string) string {
	example := `write scheme://host[:port], e.g. "https://crm.example.com"`
	if strings.TrimSpace(s) == "" {
		return "must not be empty"
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || u.Host == "" || u.Opaque != "" {
		return fmt.Sprintf("%q is not an origin: %s", s, example)
	}
	bare := strings.ToLower(u.Scheme) + "://" + u.Host
	switch scheme := strings.ToLower(u.Scheme); {
	case scheme != "http" && scheme != "https":
		return fmt.Sprintf("%q: the scheme must be http or https", s)
	case u.User != nil:
		return fmt.Sprintf("%q: an origin has no user name or password", s)
	case u.Path != "" || u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return fmt.Sprintf("%q: an origin has no path, query or fragment: write %q", s, bare)
	case strings.Contains(u.Host, "*"):
		return fmt.Sprintf(`%q: wildcards in host names are not supported: list each origin, or "*" alone for any`, s)
	case u.Hostname() == "":
		return fmt.Sprintf("%q is not an origin: %s", s, example)
	}
	if port := u.Port(); port != "" || strings.HasSuffix(u.Host, ":") {
		n, err := strconv.Atoi(port)
		switch {
		case err != nil || n < 1 || n > 65535:
			return fmt.Sprintf("%q: the port must be a number from 1 to 65535", s)
		case strings.EqualFold(u.Scheme, "http") && n == 80, strings.EqualFold(u.Scheme, "https") && n == 443:
			return fmt.Sprintf("%q: browsers send the origin without its scheme's default port %d: write %q",
				s, n, strings.ToLower(u.Scheme)+"://"+strings.TrimSuffix(u.Host, ":"+port))
		}
	}
	return ""
}

// regionProblems checks identity.defaultRegion, and that the deprecated
// ingest.defaultCountryCode, when also set, names the same country.
func regionProblems(ps *problems, region, cc string) {
	const path = "identity.defaultRegion"
	if !identity.KnownRegion(region) {
		msg := fmt.Sprintf("must be an ISO 3166 alpha-2 region code that libphonenumber knows, in capitals (e.g. \"US\", \"GB\", \"DE\"), got %q", region)
		if s := regionSpellings[strings.ToUpper(region)]; s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		} else if u := strings.ToUpper(region); u != region && identity.KnownRegion(u) {
			msg += fmt.Sprintf(" (did you mean %q?)", u)
		}
		ps.add(path, "%s", msg)
		return
	}
	// Both set: they must name one country code (US and CA share 1: either goes with "1").
	if _, ok := identity.RegionForCountryCode(cc); ok && identity.CountryCodeOf(region) != cc {
		ps.add(path, "%q has country code %s, but the deprecated ingest.defaultCountryCode says %q: remove ingest.defaultCountryCode",
			region, identity.CountryCodeOf(region), cc)
	}
}

// regionSpellings are codes people write for a region that are not its ISO code.
var regionSpellings = map[string]string{"UK": "GB", "USA": "US"}

func (c *Config) keyProblems(ps *problems) {
	first := map[[2]string]int{} // (organization, name) → index of first key
	for i, k := range c.Keys {
		at := fmt.Sprintf("keys[%d]", i)
		for _, f := range []struct{ name, v string }{{"name", k.Name}, {"organization", k.Organization}} {
			switch {
			case f.v == "":
				ps.add(at+"."+f.name, "must not be empty")
			case strings.ContainsFunc(f.v, breaksToken):
				ps.add(at+"."+f.name, "%q must not contain '&', '=', '%%', spaces or control characters: tokens could not carry it", f.v)
			}
		}
		if k.Organization == "*" {
			ps.add(at+".organization", `must not be "*": only workspaces have a wildcard`)
		}
		if name, ok := envRef(k.Secret); ok {
			// Load substitutes set variables, so a reference still here
			// names a variable that is not set.
			if validEnvName(name) {
				ps.add(at+".secret", "environment variable %s is not set", name)
			} else {
				ps.add(at+".secret", "%q is not a valid environment variable reference", k.Secret)
			}
		} else if k.Secret == "" {
			ps.add(at+".secret", "must not be empty")
		} else if len(k.Secret) < connectors.MinSecretBytes {
			ps.add(at+".secret", "must be at least %d bytes (it has %d): a short HMAC key can be guessed; `openssl rand -base64 32` makes a good one", connectors.MinSecretBytes, len(k.Secret))
		}
		id := [2]string{k.Organization, k.Name}
		if j, dup := first[id]; dup && k.Name != "" {
			ps.add(at, "duplicate key %q for organization %q (also keys[%d])", k.Name, k.Organization, j)
			continue
		}
		first[id] = i
	}
}

// breaksToken reports the characters a token's so or sk value cannot carry:
// '&' and '=' are its syntax, '%' would be read as an escape when the token
// travels in a query string, and spaces are trimmed or split on.
func breaksToken(r rune) bool {
	return r == '&' || r == '=' || r == '%' || unicode.IsSpace(r) || unicode.IsControl(r)
}

// envRef reports whether s is a "${NAME}" reference and returns NAME.
func envRef(s string) (string, bool) {
	if strings.HasPrefix(s, "${") && strings.HasSuffix(s, "}") {
		return s[2 : len(s)-1], true
	}
	return "", false
}

func validEnvName(s string) bool {
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	for _, r := range s {
		if r != '_' && (r < 'A' || r > 'Z') && (r < 'a' || r > 'z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}
