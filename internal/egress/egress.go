// Package egress decides where the targets tenants define through the API may connect:
// never to the service's own network (loopback, private, link-local, unspecified
// addresses) unless the operator lists the address or host in config egress.allow.
//
// A target is checked twice. When it is created, [Policy.CheckHost] looks at the host
// as written: an IP literal in an internal range, "localhost", or a numeric host that
// some resolvers read as an address ("2130706433", "127.1") is refused. When it is
// delivered, every connection goes through [Policy.DialContext], whose dialer checks
// the address actually being connected to, after DNS resolution: a name that resolves,
// or later rebinds, to an internal address is refused there. Redirects are covered by
// the same dialer (and the senders do not follow them anyway).
//
// A delivery the operator's proxy carries (HTTP_PROXY, HTTPS_PROXY, NO_PROXY) is not
// connected to by jds: [Policy.Transport] then resolves its host here and checks every
// address before handing the request to the proxy ([Policy.CheckResolved]). The proxy
// resolves the name again; what it reaches is the proxy's own policy to bound.
//
// What the operator writes in the configuration file (connector instances, rule files)
// is not restricted: this package is only applied to tenant-controlled targets. It owns
// the classification of addresses; it does not know which targets are tenants'.
package egress

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"syscall"
	"time"
)

// Allowlist is what the operator lets tenant targets reach although it is internal.
// config.Egress is one.
type Allowlist interface {
	// AllowsHost reports whether a host name (no port) is listed by name.
	AllowsHost(host string) bool
	// AllowsAddr reports whether an address is listed, alone or inside a range.
	AllowsAddr(addr netip.Addr) bool
}

// ErrRefused is what every refusal wraps: callers branch on it with errors.Is (a
// refused delivery is permanent: no retry will change the answer).
var ErrRefused = errors.New("refused by the egress policy")

// RefusedError names what was refused and the rule that refused it.
type RefusedError struct {
	Target string // the host as written, or the address connected to
	Addr   string // the address Target resolved to that Rule refuses; "" when Target is judged itself
	Rule   string // "a loopback address", "a private address", …
	// Detail replaces the usual explanation (that internal addresses are refused unless
	// listed in egress.allow) when the rule is of another sort; "" for the usual one.
	Detail string
}

func (e *RefusedError) Error() string {
	what := e.Target + " is " + e.Rule
	if e.Addr != "" {
		what = fmt.Sprintf("%s resolves to %s, which is %s", e.Target, e.Addr, e.Rule)
	}
	if e.Detail != "" {
		return what + ": " + e.Detail
	}
	return what + ": targets defined through the API may not reach loopback, private, link-local or unspecified addresses unless the operator lists them in egress.allow"
}

// Unwrap makes errors.Is(err, ErrRefused) hold.
func (e *RefusedError) Unwrap() error { return ErrRefused }

// Policy checks tenant targets against the internal ranges and the operator's
// allowlist. It is immutable and safe for concurrent use.
type Policy struct {
	allow  Allowlist
	lookup LookupFunc // resolves names for CheckResolved; nil: the system's resolver
}

// New returns the policy with the operator's allowlist; nil allows nothing internal.
func New(allow Allowlist) *Policy { return &Policy{allow: allow} }

func (p *Policy) allowsHost(host string) bool {
	return p != nil && p.allow != nil && p.allow.AllowsHost(host)
}

func (p *Policy) allowsAddr(a netip.Addr) bool {
	return p != nil && p.allow != nil && p.allow.AllowsAddr(a)
}

// CheckHost checks a host as a target writes it (no port; IPv6 without brackets):
// an internal IP literal, a loopback name or a numeric host that is not a plain
// address is refused unless listed. Other names pass: their addresses are checked
// when connecting.
func (p *Policy) CheckHost(host string) error {
	h := strings.ToLower(strings.TrimSuffix(strings.Trim(host, "[]"), "."))
	if p.allowsHost(h) || p.allowsHost(host) {
		return nil
	}
	if a, err := netip.ParseAddr(h); err == nil {
		if err := p.CheckAddr(a.WithZone("")); err != nil {
			return &RefusedError{Target: host, Rule: err.(*RefusedError).Rule}
		}
		return nil
	}
	switch {
	case h == "":
		return &RefusedError{Target: `""`, Rule: "an empty host"}
	case h == "localhost" || strings.HasSuffix(h, ".localhost"):
		return &RefusedError{Target: host, Rule: "a loopback name (RFC 6761)"}
	case numericHost(h):
		// inet_aton forms (127.1, 0x7f000001, 017700000001, 2130706433): no top-level
		// domain is numeric, so these are addresses in disguise.
		return &RefusedError{Target: host, Rule: "a numeric host that is not a plain IP address"}
	}
	return nil
}

// numericHost reports whether the last label of a name is a number (decimal, octal or
// hex), as in the forms C resolvers read as IPv4 addresses.
func numericHost(h string) bool {
	last := h[strings.LastIndexByte(h, '.')+1:]
	if x, ok := strings.CutPrefix(last, "0x"); ok {
		return x == "" || strings.Trim(x, "0123456789abcdef") == ""
	}
	return last != "" && strings.Trim(last, "0123456789") == ""
}

// CheckAddr checks an address being connected to: internal ranges are refused unless
// listed. IPv4 inside IPv6 (mapped ::ffff:a.b.c.d, compatible ::a.b.c.d, NAT64
// 64:ff9b::/96, 6to4 2002::/16) is judged by its IPv4 address.
func (p *Policy) CheckAddr(a netip.Addr) error {
	a = a.WithZone("")
	if p.allowsAddr(a) {
		return nil
	}
	if rule := Internal(a); rule != "" {
		return &RefusedError{Target: a.String(), Rule: rule}
	}
	return nil
}

// Internal says why an address is internal ("a loopback address", …), or "" when it is
// a public one.
func Internal(a netip.Addr) string {
	a = a.WithZone("").Unmap()
	if v4, ok := embeddedIPv4(a); ok {
		if rule := Internal(v4); rule != "" {
			return rule + " (inside the IPv6 address " + a.String() + ")"
		}
		return ""
	}
	for _, r := range ranges {
		if r.prefix.Contains(a) {
			return r.rule
		}
	}
	if !a.IsValid() {
		return "not an address"
	}
	return ""
}

// embeddedIPv4 returns the IPv4 address that an IPv6 address carries where packets to
// it may reach that IPv4 address.
func embeddedIPv4(a netip.Addr) (netip.Addr, bool) {
	if !a.Is6() {
		return netip.Addr{}, false
	}
	b := a.As16()
	switch {
	case compatible.Contains(a) && !a.IsUnspecified() && !a.IsLoopback():
		return netip.AddrFrom4([4]byte(b[12:16])), true
	case nat64.Contains(a):
		return netip.AddrFrom4([4]byte(b[12:16])), true
	case sixToFour.Contains(a):
		return netip.AddrFrom4([4]byte(b[2:6])), true
	}
	return netip.Addr{}, false
}

var (
	compatible = netip.MustParsePrefix("::/96")
	nat64      = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour  = netip.MustParsePrefix("2002::/16")
)

const (
	ruleUnspecified = "an unspecified address"
	ruleLoopback    = "a loopback address"
	rulePrivate     = "a private address"
	ruleLinkLocal   = "a link-local address (the cloud metadata address 169.254.169.254 among them)"
	ruleReserved    = "a multicast, broadcast or reserved address"
)

var ranges = func() []struct {
	prefix netip.Prefix
	rule   string
} {
	var out []struct {
		prefix netip.Prefix
		rule   string
	}
	for _, r := range [][2]string{
		{"0.0.0.0/8", ruleUnspecified}, {"::/128", ruleUnspecified},
		{"127.0.0.0/8", ruleLoopback}, {"::1/128", ruleLoopback},
		{"10.0.0.0/8", rulePrivate}, {"172.16.0.0/12", rulePrivate}, {"192.168.0.0/16", rulePrivate},
		{"fc00::/7", rulePrivate},
		// Shared address space (RFC 6598): carrier-grade NAT, and some clouds' metadata
		// services (100.100.100.200).
		{"100.64.0.0/10", "a private address (shared, RFC 6598)"},
		{"169.254.0.0/16", ruleLinkLocal}, {"fe80::/10", ruleLinkLocal},
		{"192.0.0.0/24", ruleReserved}, {"198.18.0.0/15", ruleReserved},
		{"224.0.0.0/4", ruleReserved}, {"240.0.0.0/4", ruleReserved}, {"ff00::/8", ruleReserved},
	} {
		out = append(out, struct {
			prefix netip.Prefix
			rule   string
		}{netip.MustParsePrefix(r[0]), r[1]})
	}
	return out
}()

// DialContext returns the dial function of a transport for tenant targets: a host the
// allowlist names is dialled as is; any other is resolved and each address is checked
// as the connection is made (in the dialer's Control hook, so the address checked is
// the one connected to, whatever DNS said before). A refusal wraps ErrRefused.
func (p *Policy) DialContext() func(ctx context.Context, network, address string) (net.Conn, error) {
	plain := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	guarded := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second,
		ControlContext: func(_ context.Context, _, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return &RefusedError{Target: address, Rule: "not an IP address and port"}
			}
			return p.CheckAddr(ap.Addr())
		}}
	return func(ctx context.Context, network, address string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(address)
		if err == nil && p.allowsHost(strings.TrimSuffix(host, ".")) {
			return plain.DialContext(ctx, network, address)
		}
		return guarded.DialContext(ctx, network, address)
	}
}
