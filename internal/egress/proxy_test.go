package egress_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/openjds/jds/config"
	"github.com/openjds/jds/internal/egress"
)

// forwardProxy is an HTTP forward proxy that answers every request itself, 200, and
// records the request-target it was asked for (an absolute URL).
func forwardProxy(t *testing.T) (*httptest.Server, func() []string) {
	t.Helper()
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.RequestURI)
		mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	return srv, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), seen...)
	}
}

// A lookup standing in for DNS: the names of the test and what they resolve to.
func lookup(_ context.Context, host string) ([]netip.Addr, error) {
	switch host {
	case "public.example":
		return []netip.Addr{netip.MustParseAddr("203.0.113.7")}, nil
	case "rebind.example":
		return []netip.Addr{netip.MustParseAddr("203.0.113.7"), netip.MustParseAddr("10.0.0.5")}, nil
	case "slow.example":
		return nil, &net.DNSError{Err: "i/o timeout", Name: host, IsTimeout: true}
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// Behind a proxy, a tenant's target is resolved and checked in jds, then sent to the
// proxy (on loopback, not in egress.allow: the operator's); a target the proxy does not
// take is dialled directly and checked as it connects.
func TestTransportThroughAProxy(t *testing.T) {
	proxy, seen := forwardProxy(t)
	proxyURL, _ := url.Parse(proxy.URL)
	direct := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer direct.Close()
	_, directPort, _ := net.SplitHostPort(direct.Listener.Addr().String())
	viaProxy := func(u *url.URL) (*url.URL, error) {
		if u.Hostname() == "localhost" {
			return nil, nil // as NO_PROXY=localhost
		}
		return proxyURL, nil
	}
	policy := egress.New(config.Egress{Allow: []string{"listed.example"}}).WithLookup(lookup)
	client := &http.Client{Transport: policy.Transport(http.DefaultTransport.(*http.Transport), viaProxy)}
	get := func(target string) error {
		resp, err := client.Get(target)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}

	for _, target := range []string{"http://public.example/a", "http://listed.example/b", "http://203.0.113.9/c"} {
		if err := get(target); err != nil {
			t.Fatalf("%s: %v, want sent through the proxy", target, err)
		}
	}
	for target, reason := range map[string]string{
		"http://rebind.example/":               "rebind.example resolves to 10.0.0.5, which is a private address",
		"http://nowhere.example/":              "nowhere.example is a name that does not resolve from jds",
		"http://169.254.169.254/meta-data":     "169.254.169.254 is a link-local address",
		"http://localhost:" + directPort + "/": "dial tcp 127.0.0.1:" + directPort + ": 127.0.0.1 is a loopback address",
	} {
		err := get(target)
		if !errors.Is(err, egress.ErrRefused) || !strings.Contains(err.Error(), reason) {
			t.Errorf("%s: got %v, want a refusal saying %q", target, err, reason)
		}
	}
	// A lookup that fails for a while is not a refusal: the delivery is tried again.
	if err := get("http://slow.example/"); err == nil || errors.Is(err, egress.ErrRefused) {
		t.Errorf("slow.example: got %v, want an error that is not a refusal", err)
	}
	want := []string{"http://public.example/a", "http://listed.example/b", "http://203.0.113.9/c"}
	if got := seen(); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("the proxy was asked for %q, want %q", got, want)
	}
}
