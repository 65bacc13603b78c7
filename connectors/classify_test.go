package connectors

import (
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name, v string
		want    time.Duration
	}{
		{"empty", "", 0},
		{"seconds", "120", 2 * time.Minute},
		{"spaces", " 3 ", 3 * time.Second},
		{"zero", "0", 0},
		{"negative", "-5", 0},
		{"capped seconds", "86400", MaxRetryAfter},
		{"huge seconds", "99999999999999999999", 0}, // not an int64: unreadable
		{"date", now.Add(30 * time.Second).Format(http.TimeFormat), 30 * time.Second},
		{"past date", now.Add(-time.Hour).Format(http.TimeFormat), 0},
		{"far date", now.Add(48 * time.Hour).Format(http.TimeFormat), MaxRetryAfter},
		{"RFC 850 date", now.Add(time.Minute).Format(time.RFC850), time.Minute},
		{"ANSI C date", now.Add(time.Minute).Format(time.ANSIC), time.Minute},
		{"garbage", "soon", 0},
		{"fraction", "1.5", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ParseRetryAfter(tc.v, now); got != tc.want {
				t.Fatalf("ParseRetryAfter(%q) = %v, want %v", tc.v, got, tc.want)
			}
		})
	}
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"", "1", "-1", "3600", "Sat, 01 Mar 2025 12:00:30 GMT", "x"} {
		f.Add(s)
	}
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		if d := ParseRetryAfter(v, now); d < 0 || d > MaxRetryAfter {
			t.Fatalf("ParseRetryAfter(%q) = %v, outside [0, %v]", v, d, MaxRetryAfter)
		}
	})
}

func TestRetryable(t *testing.T) {
	for code := 100; code < 600; code++ {
		want := code == 408 || code == 425 || code == 429 || code >= 500
		if got := Retryable(code); got != want {
			t.Errorf("Retryable(%d) = %v", code, got)
		}
	}
}

func TestClassify(t *testing.T) {
	now := time.Now()
	h := http.Header{"Retry-After": {"9"}}
	if out := Classify(204, h, nil, now); !out.OK() || out.RetryAfter != 0 {
		t.Errorf("204: %+v", out)
	}
	if out := Classify(503, h, []byte("down"), now); out.OK() || !out.Retryable || out.RetryAfter != 9*time.Second || out.Response != "down" {
		t.Errorf("503: %+v", out)
	}
	out := Classify(302, http.Header{"Location": {"https://u:p@other.example/next?token=abc"}}, nil, now)
	if out.OK() || out.Retryable || strings.Contains(out.Err.Error(), "token") || strings.Contains(out.Err.Error(), "u:p") {
		t.Errorf("302: %+v", out)
	}
}

func TestSnippetCutsOnRuneBoundary(t *testing.T) {
	b := []byte(strings.Repeat("a", ResponseLimit-1) + "é and more")
	s := snippet(b)
	if !utf8.ValidString(s) || len(s) > ResponseLimit || !strings.HasPrefix(string(b), s) {
		t.Fatalf("snippet is %d bytes, valid UTF-8 %v", len(s), utf8.ValidString(s))
	}
}
