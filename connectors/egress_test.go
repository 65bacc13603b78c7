package connectors

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
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
