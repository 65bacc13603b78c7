package server_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/openjds/jds/internal/store/backupfile"
	"github.com/openjds/jds/server"
)

// The backup route streams a whole, verifiable file whose HTTP headers say what it
// holds; ?since= makes an incremental on it; a bad or foreign base is a 4xx that says so.
func TestBackupRoute(t *testing.T) {
	e := start(t, nil)
	for i := range 5 {
		if r := e.post(map[string]any{"id": fmt.Sprint("b", i), "specversion": "1.0", "type": "T", "source": "s",
			"identity": "+15550001111", "identitytype": "phone", "data": map[string]any{}}); r.Status != 202 {
			t.Fatalf("post: %d %s", r.Status, r.Body)
		}
	}
	r := e.Do("GET", "/admin/v1/api/backup", admin, nil)
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/octet-stream" || r.Header.Get(server.HeaderBackupLastSeq) != "5" ||
		r.Header.Get(server.HeaderStoreFormat) != "3" || !strings.Contains(r.Header.Get("Content-Disposition"), "-full-") {
		t.Fatalf("backup: %d %v", r.Status, r.Header)
	}
	h, tr, _, err := backupfile.Verify(bytes.NewReader(r.Body))
	if err != nil || tr.Counts["events"] != 5 || fmt.Sprint(h.Until) != r.Header.Get(server.HeaderBackupUntil) {
		t.Fatalf("verify: %+v %+v %v", h, tr, err)
	}

	inc := e.Do("GET", fmt.Sprintf("/admin/v1/api/backup?since=%d&store=%s", h.Until, h.Store), admin, nil)
	ih, _, _, err := backupfile.Verify(bytes.NewReader(inc.Body))
	if inc.Status != 200 || err != nil || ih.Since != h.Until || ih.Store != h.Store {
		t.Fatalf("incremental: %d %+v %v", inc.Status, ih, err)
	}

	for _, c := range []struct {
		query  string
		status int
		says   string
	}{
		{"since=yesterday", 400, "since must be the version"},
		{"since=99999999", 409, "after this store's latest"},
		{fmt.Sprintf("since=%d&store=another", h.Until), 409, "of store another"},
	} {
		if r := e.Do("GET", "/admin/v1/api/backup?"+c.query, admin, nil); r.Status != c.status || !strings.Contains(string(r.Body), c.says) {
			t.Errorf("?%s: %d %s, want %d saying %q", c.query, r.Status, r.Body, c.status, c.says)
		}
	}
}
