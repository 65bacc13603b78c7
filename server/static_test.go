package server_test

import (
	"net/http"
	"strings"
	"testing"
)

// The widget and the console are served from the binary, without a token, with an ETag
// that revalidates to 304.
func TestStaticFiles(t *testing.T) {
	e := start(t, nil)
	for _, tc := range []struct{ path, ctype, contains string }{
		{"/widget/customer-journey.js", "text/javascript", "customer-journey-widget"},
		{"/", "text/html", "<jds-console>"},
		{"/console/", "text/html", "<jds-console>"},
		{"/console/index.html", "text/html", "<jds-console>"},
		{"/console/console.js", "text/javascript", "jds-console"},
	} {
		r := e.Do(http.MethodGet, tc.path, "", nil)
		if r.Status != http.StatusOK {
			t.Fatalf("GET %s: %d %s", tc.path, r.Status, r.Body)
		}
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, tc.ctype) {
			t.Errorf("GET %s: Content-Type %q, want %s", tc.path, ct, tc.ctype)
		}
		if !strings.Contains(string(r.Body), tc.contains) {
			t.Errorf("GET %s: body lacks %q", tc.path, tc.contains)
		}
		if cc := r.Header.Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("GET %s: Cache-Control %q", tc.path, cc)
		}
		etag := r.Header.Get("ETag")
		if etag == "" {
			t.Fatalf("GET %s: no ETag", tc.path)
		}
		if r := e.Do(http.MethodGet, tc.path, "", nil, "If-None-Match", etag); r.Status != http.StatusNotModified || len(r.Body) != 0 {
			t.Errorf("GET %s with If-None-Match: %d, %d bytes", tc.path, r.Status, len(r.Body))
		}
	}
	for _, p := range []string{"/console/nope.js", "/console/../../go.mod"} {
		if r := e.Do(http.MethodGet, p, "", nil); r.Status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, r.Status)
		}
	}
	// The API still needs a token.
	if r := e.Do(http.MethodGet, "/v1/api/events/workspace-id/sandbox?identity=x", "", nil); r.Status != http.StatusUnauthorized {
		t.Errorf("history without token: %d", r.Status)
	}
}
