package config

import (
	"fmt"
	"maps"
	"net"
	"net/netip"
	"slices"
	"strings"
)

// The limits that keep one tenant (an organization, or one of its workspaces) from
// slowing down, reading through or spending another's. docs/OPERATIONS.md lists every
// one with its default.

// Egress says where targets defined through the API (tenant-controlled webhooks) may
// send. Loopback, private (RFC 1918, fc00::/7), link-local (the cloud metadata address
// among them) and unspecified addresses are refused, at creation and again after DNS
// resolution at delivery, unless listed here. Connectors in this file are the
// operator's and are not restricted.
type Egress struct {
	// Allow lists what tenant targets may reach although it is internal: host names
	// ("crm.internal", matched exactly, case-insensitively), IP addresses or CIDR ranges
	// ("127.0.0.0/8", "10.1.0.0/16", "fd00::/8").
	Allow []string `yaml:"allow"`
}

// AllowsHost reports whether host (a name, without port) is listed by name.
func (e Egress) AllowsHost(host string) bool {
	return slices.ContainsFunc(e.Allow, func(a string) bool { return strings.EqualFold(a, host) })
}

// AllowsAddr reports whether addr is listed, as an address or inside a range.
func (e Egress) AllowsAddr(addr netip.Addr) bool {
	addr = addr.Unmap()
	for _, a := range e.Allow {
		if p, err := netip.ParsePrefix(a); err == nil && p.Contains(addr) {
			return true
		}
		if ip, err := netip.ParseAddr(a); err == nil && ip.Unmap() == addr {
			return true
		}
	}
	return false
}

// Limits bound what one workspace may do. Rates are off (0) by default; the counts of
// templates and actions always apply.
type Limits struct {
	// EventsPerSecond is the sustained ingest rate of one workspace (token bucket),
	// across every ingest path; past it ingest answers 429 with Retry-After. 0: no limit.
	EventsPerSecond float64 `yaml:"eventsPerSecond"`
	// Burst is the bucket's size: how many events a workspace may post at once above
	// the rate. 0 with a rate means one second's worth.
	Burst int `yaml:"burst"`
	// Workspaces override the rate of some workspaces, keyed "<organization>/<workspace>"
	// or "<workspace>" (every organization's workspace of that name); the first wins.
	Workspaces map[string]RateLimit `yaml:"workspaces"`
	// TemplatesPerWorkspace and ActionsPerWorkspace cap what a workspace may create
	// through the API (rule files count too).
	TemplatesPerWorkspace int `yaml:"templatesPerWorkspace"`
	ActionsPerWorkspace   int `yaml:"actionsPerWorkspace"`
}

// RateLimit is one workspace's ingest rate.
type RateLimit struct {
	EventsPerSecond float64 `yaml:"eventsPerSecond"` // 0: no limit for this workspace
	Burst           int     `yaml:"burst"`           // 0: one second's worth
}

// RateFor returns the ingest rate of a workspace; EventsPerSecond 0 means unlimited.
func (l Limits) RateFor(org, workspace string) RateLimit {
	r, ok := l.Workspaces[org+"/"+workspace]
	if !ok {
		r, ok = l.Workspaces[workspace]
	}
	if !ok {
		r = RateLimit{EventsPerSecond: l.EventsPerSecond, Burst: l.Burst}
	}
	if r.EventsPerSecond > 0 && r.Burst == 0 {
		r.Burst = max(1, int(r.EventsPerSecond))
	}
	return r
}

// InstanceAdmins returns the organizations whose admin tokens for every workspace
// (sn=*) may run instance-wide operations: Admins, or else the first key's
// organization. Empty when no key is configured (the development key's organization
// is the service's to add).
func (c *Config) InstanceAdmins() []string {
	if len(c.Admins) > 0 {
		return c.Admins
	}
	if len(c.Keys) > 0 {
		return []string{c.Keys[0].Organization}
	}
	return nil
}

func (c *Config) tenancyProblems(ps *problems) {
	for i, org := range c.Admins {
		if strings.TrimSpace(org) == "" || org == "*" {
			ps.add(fmt.Sprintf("admins[%d]", i), "must name an organization, got %q", org)
		}
	}
	for i, a := range c.Egress.Allow {
		at := fmt.Sprintf("egress.allow[%d]", i)
		switch {
		case strings.Contains(a, "/"):
			if _, err := netip.ParsePrefix(a); err != nil {
				ps.add(at, "%q is not a CIDR range (e.g. \"10.0.0.0/8\", \"fd00::/8\")", a)
			}
		case net.ParseIP(a) != nil:
		case !validHostName(a):
			ps.add(at, "%q is not a host name, an IP address or a CIDR range", a)
		}
	}
	l := c.Limits
	rate := func(path string, r RateLimit) {
		if r.EventsPerSecond < 0 {
			ps.add(path+".eventsPerSecond", "must be 0 (no limit) or more, got %g", r.EventsPerSecond)
		}
		if r.Burst < 0 {
			ps.add(path+".burst", "must be 0 or more, got %d", r.Burst)
		}
	}
	rate("limits", RateLimit{l.EventsPerSecond, l.Burst})
	for _, key := range slices.Sorted(maps.Keys(l.Workspaces)) {
		if problem := workspaceKeyProblem(key); problem != "" {
			ps.add("limits.workspaces."+key, "%s", problem)
			continue
		}
		rate("limits.workspaces."+key, l.Workspaces[key])
	}
	ps.intRange("limits.templatesPerWorkspace", l.TemplatesPerWorkspace, 1, 100_000)
	ps.intRange("limits.actionsPerWorkspace", l.ActionsPerWorkspace, 1, 100_000)
	s := c.Stream
	ps.intRange("stream.maxSubscribers", s.MaxSubscribers, 1, 1_000_000)
	ps.intRange("stream.maxSubscribersPerWorkspace", s.MaxSubscribersPerWorkspace, 1, s.MaxSubscribers)
}

// workspaceKeyProblem checks a key of a per-workspace map: "<organization>/<workspace>"
// or "<workspace>". It returns "" when the key is good.
func workspaceKeyProblem(key string) string {
	org, ws, qualified := strings.Cut(key, "/")
	switch {
	case strings.TrimSpace(key) == "":
		return "a workspace name must not be empty"
	case qualified && (org == "" || ws == "" || strings.Contains(ws, "/")):
		return fmt.Sprintf(`must be "<organization>/<workspace>" or "<workspace>", got %q`, key)
	case strings.ContainsRune(key, 0) || key != strings.TrimSpace(key):
		return fmt.Sprintf("%q must not hold NUL bytes or surrounding spaces", key)
	}
	return ""
}

// validHostName accepts DNS names made of letters, digits, '-' and '.'.
func validHostName(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(strings.TrimSuffix(h, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}
