package ruledir

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestStatusTimesHaveMilliseconds(t *testing.T) {
	at := time.Date(2026, 11, 25, 21, 46, 4, 833206874, time.UTC)
	raw, err := json.Marshal(Status{Dir: "d", LoadedAt: at, CheckedAt: at, OK: true, Files: []string{}, Errors: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	got := string(raw)
	if !strings.Contains(got, `"loadedAt":"2026-11-25T21:46:04.833Z"`) || strings.Count(got, "loadedAt") != 1 || !strings.Contains(got, `"ok":true`) {
		t.Errorf("status JSON: %s", got)
	}
	raw, _ = json.Marshal(Status{})
	if !strings.Contains(string(raw), `"loadedAt":null`) {
		t.Errorf("never loaded: %s", raw)
	}
}
