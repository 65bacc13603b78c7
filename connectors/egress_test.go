package connectors

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"github.com/openjds/jds/internal/egress"
)

// allowCIDR is an egress allowlist of one range (config.Egress is the real one; the
// config package cannot be imported from here).
type allowCIDR string

func (a allowCIDR) AllowsHost(string) bool { return false }
func (a allowCIDR) AllowsAddr(ip netip.Addr) bool {
	return netip.MustParsePrefix(string(a)).Contains(ip.Unmap())
}

// A tenant's inline webhook (Delivery.Tenant) may not reach internal addresses, as
// written or as resolved, and its history keeps the status but not the answer; the
// operator's (not Tenant) is unrestricted.
func TestTenantDeliveriesFollowTheEgressPolicy(t *testing.T) {
	srv, reqs := recorder(t, 200, `{"AccessKeyId": "ASIA…"}`)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	send := func(policy *egress.Policy, d Delivery) Outcome {
		t.Helper()
		senders, err := Build(nil, Options{Egress: policy})
		if err != nil {
			t.Fatal(err)
		}
		defer Close(senders)
		d.ID = "d1"
		return senders[""].Send(context.Background(), d)
	}
	for _, target := range []string{srv.URL + "/latest/meta-data/", "http://localhost:" + port + "/", "http://169.254.169.254/latest/meta-data/"} {
		out := send(nil, Delivery{URL: target, Tenant: true})
		if !errors.Is(out.Err, egress.ErrRefused) || out.Retryable || out.Response != "" {
			t.Errorf("%s: %+v, want a permanent refusal", target, out)
		}
	}
	// Past the check as written ("localhost" is refused by name, so a name the check
	// cannot judge stands in: the address it resolves to is refused when connecting).
	w, err := newWebhook(&Config{values: map[string]any{"timeout": DefaultTimeout, "method": "GET"}, set: map[string]bool{}, opts: &Options{}})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", "http://localhost:"+port+"/", nil)
	out, _ := w.(*Webhook).tenant.do(context.Background(), req)
	if !errors.Is(out.Err, egress.ErrRefused) || out.Retryable {
		t.Errorf("resolved to loopback: %+v, want a permanent refusal", out)
	}
	if n := len(reqs()); n != 0 {
		t.Fatalf("the target saw %d requests", n)
	}
	out = send(egress.New(allowCIDR("127.0.0.0/8")), Delivery{URL: srv.URL + "/ok", Tenant: true})
	if !out.OK() || out.Response != "200 OK" || strings.Contains(out.Response, "AccessKeyId") {
		t.Fatalf("allowed tenant target: %+v, want sent with the status only", out)
	}
	hop := httptest.NewServer(http.RedirectHandler("http://10.0.0.1/internal/path", http.StatusFound))
	defer hop.Close()
	out = send(egress.New(allowCIDR("127.0.0.0/8")), Delivery{URL: hop.URL, Tenant: true})
	if out.OK() || out.Retryable || out.Response != "302 Found" || strings.Contains(out.Err.Error(), "10.0.0.1") {
		t.Fatalf("a tenant target's redirect: %+v, want the status without where it leads", out)
	}
	out = send(nil, Delivery{URL: srv.URL + "/operator"})
	if !out.OK() || !strings.Contains(out.Response, "AccessKeyId") {
		t.Fatalf("operator's target: %+v, want sent with the answer", out)
	}
}

// allowName is an egress allowlist of one host name.
type allowName string

func (a allowName) AllowsHost(h string) bool   { return strings.EqualFold(h, string(a)) }
func (a allowName) AllowsAddr(netip.Addr) bool { return false }

// With HTTP_PROXY set, a tenant's delivery goes to the operator's proxy (which is on
// loopback and not in egress.allow: it is not checked), once its target passes the
// egress policy in jds; a refused target reaches neither. A NO_PROXY target is
// connected to directly, checked as before.
func TestTenantDeliveriesGoThroughTheProxyOfTheEnvironment(t *testing.T) {
	var mu sync.Mutex
	var asked []string // what the proxy was asked for: the absolute URLs
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		asked = append(asked, r.Method+" "+r.RequestURI+" "+string(b))
		mu.Unlock()
		io.WriteString(w, "proxied")
	}))
	defer proxy.Close()
	for _, k := range []string{"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy", "REQUEST_METHOD"} {
		t.Setenv(k, "")
	}
	t.Setenv("HTTP_PROXY", proxy.URL)
	t.Setenv("NO_PROXY", "direct.example")
	senders, err := Build(nil, Options{Egress: egress.New(allowName("partner.example"))})
	if err != nil {
		t.Fatal(err)
	}
	defer Close(senders)
	send := func(target string) Outcome {
		return senders[""].Send(context.Background(), Delivery{ID: "d1", URL: target, Tenant: true, Body: `{"a":1}`})
	}
	for _, target := range []string{"http://partner.example/hook", "http://203.0.113.7/hook"} {
		if out := send(target); !out.OK() || out.Response != "200 OK" {
			t.Fatalf("%s: %+v, want sent through the proxy", target, out)
		}
	}
	for _, target := range []string{"http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/"} {
		if out := send(target); !errors.Is(out.Err, egress.ErrRefused) || out.Retryable {
			t.Errorf("%s: %+v, want a permanent refusal", target, out)
		}
	}
	if out := send("http://direct.example/"); out.OK() {
		t.Errorf("direct.example: %+v, want it dialled directly (and not found)", out)
	}
	mu.Lock()
	defer mu.Unlock()
	want := []string{`POST http://partner.example/hook {"a":1}`, `POST http://203.0.113.7/hook {"a":1}`}
	if strings.Join(asked, "\n") != strings.Join(want, "\n") {
		t.Fatalf("the proxy was asked for %q, want %q", asked, want)
	}
}
