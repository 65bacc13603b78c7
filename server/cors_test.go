package server_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/openjds/jds/config"
	"github.com/openjds/jds/internal/jdstest"
)

const (
	crm   = "http://crm.example:8081" // an origin the tests allow
	other = "https://evil.example"    // one they never allow
)

// preflight sends what a browser sends before a cross-origin request that is not simple.
func (e *env) preflight(path, origin, method, headers string) jdstest.Response {
	return e.Do(http.MethodOptions, path, "", nil,
		"Origin", origin, "Access-Control-Request-Method", method, "Access-Control-Request-Headers", headers)
}

// headerList splits a comma-separated header into lower-cased items.
func headerList(h http.Header, name string) []string {
	var out []string
	for _, v := range h.Values(name) {
		for _, item := range strings.Split(v, ",") {
			out = append(out, strings.ToLower(strings.TrimSpace(item)))
		}
	}
	return out
}

// Without configuration, only jds's own origin can use it from a browser: preflights are
// refused and no response carries a grant.
func TestCORSSameOriginByDefault(t *testing.T) {
	e := start(t, nil)
	hist := historyPath("+12263762555", "")
	r := e.preflight(hist, crm, "GET", "authorization")
	if r.Status != http.StatusForbidden || r.Header.Get("Access-Control-Allow-Origin") != "" || r.Header.Get("Access-Control-Allow-Methods") != "" {
		t.Fatalf("preflight: %d %v %s", r.Status, r.Header, r.Body)
	}
	if msg, _ := r.JSON(t)["message"].(string); !strings.Contains(msg, crm) || !strings.Contains(msg, "cors.allowOrigins") {
		t.Errorf("the refusal should name the origin and the setting: %q", msg)
	}
	r = e.Do("GET", hist, admin, nil, "Origin", crm)
	if r.Status != 200 || r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("GET: %d, Access-Control-Allow-Origin %q", r.Status, r.Header.Get("Access-Control-Allow-Origin"))
	}
	// An OPTIONS that is not a preflight is no route, as before.
	if r := e.Do(http.MethodOptions, hist, "", nil); r.Status != http.StatusNotFound {
		t.Errorf("plain OPTIONS: %d", r.Status)
	}
}

// An allowed origin gets answered preflights and a grant on every response: the API,
// its errors, live streams, the widget; another origin gets nothing.
func TestCORSAllowedOrigins(t *testing.T) {
	e := start(t, func(c *config.Config) {
		c.CORS.AllowOrigins = []string{"https://desktop.example", strings.ToUpper(crm)}
	})
	e.post(ev("cors-1", "Call", "+12263762555", "phone", map[string]any{"origin": "IVR", "channelType": "Voice"}))
	hist := historyPath("+12263762555", "")

	t.Run("preflight", func(t *testing.T) {
		for _, tc := range []struct{ path, method, headers string }{
			{hist, "GET", "authorization"},
			{"/publish/v1/api/event?workspaceId=" + ws, "POST", "authorization,content-type"},
			{"/admin/v1/api/person/workspace-id/" + ws + "/person-id/x", "PATCH", "authorization,content-type"},
			{"/v1/api/events/stream/workspace-id/" + ws + "/identity/x", "GET", "last-event-id"},
		} {
			r := e.preflight(tc.path, crm, tc.method, tc.headers)
			if r.Status/100 != 2 {
				t.Fatalf("%s %s: %d %s", tc.method, tc.path, r.Status, r.Body)
			}
			if got := r.Header.Get("Access-Control-Allow-Origin"); got != crm {
				t.Errorf("%s: Access-Control-Allow-Origin %q, want %q", tc.path, got, crm)
			}
			methods := headerList(r.Header, "Access-Control-Allow-Methods")
			hdrs := headerList(r.Header, "Access-Control-Allow-Headers")
			if !slices.Contains(methods, strings.ToLower(tc.method)) {
				t.Errorf("%s: methods %v lack %s", tc.path, methods, tc.method)
			}
			for _, h := range []string{"authorization", "content-type", "last-event-id", "x-request-id"} {
				if !slices.Contains(hdrs, h) {
					t.Errorf("%s: headers %v lack %s", tc.path, hdrs, h)
				}
			}
			if r.Header.Get("Access-Control-Max-Age") == "" {
				t.Errorf("%s: no Access-Control-Max-Age", tc.path)
			}
			if r.Header.Get("Access-Control-Allow-Credentials") != "" {
				t.Errorf("%s: credentials granted", tc.path)
			}
		}
		r := e.preflight(hist, other, "GET", "authorization")
		if r.Status != http.StatusForbidden || r.Header.Get("Access-Control-Allow-Origin") != "" || r.Header.Get("Access-Control-Allow-Headers") != "" {
			t.Errorf("preflight from %s: %d %v", other, r.Status, r.Header)
		}
	})

	t.Run("responses", func(t *testing.T) {
		for _, tc := range []struct {
			name, path, token string
			status            int
		}{
			{"history", hist, admin, 200},
			{"an error", hist, "", 401},
			{"the widget", "/widget/customer-journey.js", "", 200},
			{"no route", "/nowhere", "", 404},
		} {
			r := e.Do("GET", tc.path, tc.token, nil, "Origin", crm)
			if r.Status != tc.status {
				t.Fatalf("%s: %d %s", tc.name, r.Status, r.Body)
			}
			if got := r.Header.Get("Access-Control-Allow-Origin"); got != crm {
				t.Errorf("%s: Access-Control-Allow-Origin %q, want %q", tc.name, got, crm)
			}
			if !slices.Contains(headerList(r.Header, "Access-Control-Expose-Headers"), "x-request-id") {
				t.Errorf("%s: X-Request-ID not exposed: %v", tc.name, r.Header)
			}
			if !slices.Contains(headerList(r.Header, "Vary"), "origin") {
				t.Errorf("%s: no Vary: Origin", tc.name)
			}
			if r := e.Do("GET", tc.path, tc.token, nil, "Origin", other); r.Status != tc.status || r.Header.Get("Access-Control-Allow-Origin") != "" {
				t.Errorf("%s from %s: %d, Access-Control-Allow-Origin %q", tc.name, other, r.Status, r.Header.Get("Access-Control-Allow-Origin"))
			}
		}
	})

	t.Run("live stream", func(t *testing.T) {
		path := "/v1/api/events/stream/workspace-id/" + ws + "/identity/%2B12263762555?bearerToken=" + url.QueryEscape(admin)
		s := e.openStream(path, "", "Origin", crm)
		if got := s.res.Header.Get("Access-Control-Allow-Origin"); got != crm {
			t.Errorf("stream: Access-Control-Allow-Origin %q, want %q", got, crm)
		}
		s = e.openStream(path, "", "Origin", other)
		if got := s.res.Header.Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("stream from %s: Access-Control-Allow-Origin %q", other, got)
		}
	})
}

// "*" lets any origin in, with the wildcard grant (no credentials are ever granted).
func TestCORSAnyOrigin(t *testing.T) {
	e := start(t, func(c *config.Config) { c.CORS.AllowOrigins = []string{"*"} })
	hist := historyPath("+12263762555", "")
	for _, origin := range []string{crm, other, "null"} {
		r := e.preflight(hist, origin, "GET", "authorization")
		if r.Status/100 != 2 || r.Header.Get("Access-Control-Allow-Origin") != "*" || !slices.Contains(headerList(r.Header, "Access-Control-Allow-Headers"), "authorization") {
			t.Errorf("preflight from %s: %d %v", origin, r.Status, r.Header)
		}
		for _, p := range []string{hist, "/widget/customer-journey.js"} {
			if r := e.Do("GET", p, admin, nil, "Origin", origin); r.Status != 200 || r.Header.Get("Access-Control-Allow-Origin") != "*" {
				t.Errorf("GET %s from %s: %d, Access-Control-Allow-Origin %q", p, origin, r.Status, r.Header.Get("Access-Control-Allow-Origin"))
			}
		}
	}
}

// JDS_CORS_ORIGINS, read by config.Load as jds serve does, reaches the server.
func TestCORSFromEnvironment(t *testing.T) {
	loaded, err := config.Load("", func(k string) string {
		return map[string]string{config.EnvCORSOrigins: "https://desktop.example, " + crm}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	e := start(t, func(c *config.Config) { c.CORS = loaded.CORS })
	for origin, want := range map[string]string{crm: crm, "https://desktop.example": "https://desktop.example", other: ""} {
		r := e.preflight(historyPath("x", ""), origin, "GET", "authorization")
		if got := r.Header.Get("Access-Control-Allow-Origin"); got != want {
			t.Errorf("preflight from %s: %d, Access-Control-Allow-Origin %q, want %q", origin, r.Status, got, want)
		}
	}
}
