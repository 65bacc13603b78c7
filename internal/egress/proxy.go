package egress

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// ProxyFunc gives the proxy a request to u goes through, or nil to connect directly
// (the shape of golang.org/x/net/http/httpproxy's Config.ProxyFunc).
type ProxyFunc func(u *url.URL) (*url.URL, error)

// LookupFunc resolves a host name to its addresses.
type LookupFunc func(ctx context.Context, host string) ([]netip.Addr, error)

// defaultLookup resolves with the system's resolver, as the dialer would.
func defaultLookup(ctx context.Context, host string) ([]netip.Addr, error) {
	return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
}

// WithLookup returns a copy of the policy that resolves names with lookup when it
// checks a target before sending it through a proxy (CheckResolved); nil restores the
// system's resolver. The dial-time check of direct connections is not affected.
func (p *Policy) WithLookup(lookup LookupFunc) *Policy {
	q := &Policy{}
	if p != nil {
		*q = *p
	}
	q.lookup = lookup
	return q
}

// CheckResolved checks a host (no port) where jds does not connect to it itself, as
// when a proxy does: the host as written (CheckHost), then every address it resolves to
// here. A host the allowlist names passes without a lookup; a name that does not
// resolve is refused (the proxy would resolve it where jds cannot look). A lookup that
// fails for another reason (a timeout, a server failure) is returned as is, not as a
// refusal: the next attempt may resolve it.
func (p *Policy) CheckResolved(ctx context.Context, host string) error {
	if err := p.CheckHost(host); err != nil {
		return err
	}
	h := strings.ToLower(strings.TrimSuffix(strings.Trim(host, "[]"), "."))
	if p.allowsHost(h) || p.allowsHost(host) {
		return nil
	}
	if a, err := netip.ParseAddr(h); err == nil {
		return p.CheckAddr(a)
	}
	lookup := defaultLookup
	if p != nil && p.lookup != nil {
		lookup = p.lookup
	}
	addrs, err := lookup(ctx, h)
	var dnsErr *net.DNSError
	switch {
	case err != nil && errors.As(err, &dnsErr) && dnsErr.IsNotFound, err == nil && len(addrs) == 0:
		return &RefusedError{Target: host, Rule: "a name that does not resolve from jds",
			Detail: "behind a proxy jds resolves a tenant's target to check its addresses before sending; a name it cannot resolve is sent only if the operator lists it in egress.allow"}
	case err != nil:
		return fmt.Errorf("resolving %s to check it before sending through the proxy: %w", host, err)
	}
	for _, a := range addrs {
		err := p.CheckAddr(a)
		var refused *RefusedError
		if errors.As(err, &refused) {
			return &RefusedError{Target: host, Addr: a.WithZone("").String(), Rule: refused.Rule}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Transport returns the round tripper of tenant targets, made from base (cloned, base
// is not changed). A request that proxy sends through a proxy is checked first with
// CheckResolved on its host, then goes to the proxy, which is the operator's and is
// connected to without a check. Any other request connects directly, through the
// checking dialer (DialContext). nil proxy connects every request directly.
// Either way a refusal wraps ErrRefused and nothing is sent.
func (p *Policy) Transport(base *http.Transport, proxy ProxyFunc) http.RoundTripper {
	direct := base.Clone()
	direct.Proxy = nil
	direct.DialTLSContext = nil
	direct.DialContext = p.DialContext()
	t := &transport{policy: p, direct: direct}
	if proxy != nil {
		t.proxy = proxy
		t.proxied = base.Clone()
		t.proxied.Proxy = func(r *http.Request) (*url.URL, error) { return proxy(r.URL) }
		if t.proxied.DialContext == nil {
			t.proxied.DialContext = (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext
		}
	}
	return t
}

// transport sends each request either directly (checked as it connects) or, when its
// URL has a proxy, through it (checked before).
type transport struct {
	policy  *Policy
	proxy   ProxyFunc
	direct  *http.Transport
	proxied *http.Transport // nil without a proxy function
}

// RoundTrip implements http.RoundTripper.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.proxy == nil {
		return t.direct.RoundTrip(req)
	}
	via, err := t.proxy(req.URL)
	if err != nil {
		closeBody(req)
		return nil, fmt.Errorf("choosing the proxy: %w", err)
	}
	if via == nil {
		return t.direct.RoundTrip(req)
	}
	if err := t.policy.CheckResolved(req.Context(), req.URL.Hostname()); err != nil {
		closeBody(req)
		return nil, err
	}
	return t.proxied.RoundTrip(req)
}

// CloseIdleConnections closes both transports' idle connections (http.Client calls it).
func (t *transport) CloseIdleConnections() {
	t.direct.CloseIdleConnections()
	if t.proxied != nil {
		t.proxied.CloseIdleConnections()
	}
}

// closeBody closes a request's body, as a RoundTripper must even when it fails.
func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}
