package egress_test

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/openjds/jds/config"
	"github.com/openjds/jds/internal/egress"
)

func TestCheckHost(t *testing.T) {
	open := egress.New(nil)
	allowing := egress.New(config.Egress{Allow: []string{"127.0.0.0/8", "crm.internal", "fd00::/8"}})
	for _, tc := range []struct {
		host     string
		rule     string // "" when allowed
		allowed2 bool   // allowed by the allowlist above
	}{
		{"example.com", "", true},
		{"93.184.216.34", "", true},
		{"2606:2800:220:1:248:1893:25c8:1946", "", true},
		{"127.0.0.1", "loopback", true},
		{"127.8.9.10", "loopback", true},
		{"::1", "loopback", false},
		{"[::1]", "loopback", false},
		{"::ffff:127.0.0.1", "loopback", true},
		{"::ffff:7f00:1", "loopback", true},
		{"::127.0.0.1", "loopback", false},
		{"64:ff9b::a9fe:a9fe", "link-local", false},
		{"2002:a00:1::", "private", false},
		{"169.254.169.254", "link-local", false},
		{"fe80::1%eth0", "link-local", false},
		{"10.1.2.3", "private", false},
		{"172.16.0.1", "private", false},
		{"172.32.0.1", "", true},
		{"192.168.1.1", "private", false},
		{"100.100.100.200", "private", false},
		{"fd00::1", "private", true},
		{"fc00::1", "private", false},
		{"0.0.0.0", "unspecified", false},
		{"::", "unspecified", false},
		{"255.255.255.255", "broadcast", false},
		{"localhost", "loopback name", false},
		{"LocalHost.", "loopback name", false},
		{"api.localhost", "loopback name", false},
		{"2130706433", "numeric", false},
		{"0x7f000001", "numeric", false},
		{"127.1", "numeric", false},
		{"0177.0.0.1", "numeric", false},
		{"crm.internal", "", true},
	} {
		t.Run(tc.host, func(t *testing.T) {
			err := open.CheckHost(tc.host)
			switch {
			case tc.rule == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.rule != "" && (err == nil || !errors.Is(err, egress.ErrRefused) || !strings.Contains(err.Error(), tc.rule)):
				t.Fatalf("got %v, want a refusal naming %q", err, tc.rule)
			}
			if err := allowing.CheckHost(tc.host); (err == nil) != tc.allowed2 {
				t.Fatalf("with egress.allow: got %v, want allowed=%v", err, tc.allowed2)
			}
		})
	}
}

func TestInternal(t *testing.T) {
	if r := egress.Internal(netip.MustParseAddr("8.8.8.8")); r != "" {
		t.Fatalf("8.8.8.8: %q", r)
	}
	if r := egress.Internal(netip.MustParseAddr("::ffff:169.254.169.254")); !strings.Contains(r, "link-local") {
		t.Fatalf("mapped metadata address: %q", r)
	}
}

// The dialer checks the address it connects to, after resolution: "localhost" passes
// no literal check here (DialContext sees the name), and is refused once resolved.
func TestDialChecksTheResolvedAddress(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("secret")) }))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	client := func(p *egress.Policy) *http.Client {
		return &http.Client{Transport: &http.Transport{DialContext: p.DialContext()}}
	}
	for _, host := range []string{"127.0.0.1", "localhost"} {
		_, err := client(egress.New(nil)).Get("http://" + net.JoinHostPort(host, port) + "/")
		if !errors.Is(err, egress.ErrRefused) {
			t.Fatalf("%s: got %v, want a refusal", host, err)
		}
	}
	for _, allow := range []string{"127.0.0.0/8", "localhost"} {
		resp, err := client(egress.New(config.Egress{Allow: []string{allow}})).Get("http://" + net.JoinHostPort("localhost", port) + "/")
		if err != nil {
			t.Fatalf("allowing %s: %v", allow, err)
		}
		resp.Body.Close()
	}
	// A redirect to an internal address goes through the same dialer: "localhost" is
	// allowed by name, the address it redirects to is not.
	hop := httptest.NewServer(http.RedirectHandler(srv.URL+"/", http.StatusFound))
	defer hop.Close()
	_, hopPort, _ := net.SplitHostPort(hop.Listener.Addr().String())
	_, err := client(egress.New(config.Egress{Allow: []string{"localhost"}})).Get("http://" + net.JoinHostPort("localhost", hopPort) + "/")
	if !errors.Is(err, egress.ErrRefused) {
		t.Fatalf("redirect to %s: got %v, want a refusal", srv.URL, err)
	}
}

// FuzzCheckHost: any host is judged without panicking, and one that passes is never an
// internal address in disguise.
func FuzzCheckHost(f *testing.F) {
	for _, h := range []string{"example.com", "127.0.0.1", "[::ffff:7f00:1]", "fe80::1%eth0", "0x7f.1", "localhost.", "", "2002:a00:1::", "::127.0.0.1"} {
		f.Add(h)
	}
	p := egress.New(nil)
	f.Fuzz(func(t *testing.T, host string) {
		if p.CheckHost(host) != nil {
			return
		}
		h := strings.TrimSuffix(strings.Trim(host, "[]"), ".")
		if a, err := netip.ParseAddr(h); err == nil {
			if rule := egress.Internal(a.WithZone("")); rule != "" {
				t.Fatalf("%q passed but is %s", host, rule)
			}
		}
		if l := strings.ToLower(h); l == "localhost" || strings.HasSuffix(l, ".localhost") {
			t.Fatalf("%q passed", host)
		}
	})
}
