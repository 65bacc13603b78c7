package config_test

import (
	"testing"
	"time"

	"github.com/openjds/jds/config"
)

func TestRetentionFor(t *testing.T) {
	r := config.Retention{Default: 365 * config.Day, Workspaces: map[string]config.Duration{
		"cctsa/sandbox": 30 * config.Day, // this organization's sandbox
		"sandbox":       90 * config.Day, // every other organization's
		"archive":       0,               // forever
	}}
	tests := []struct {
		org, ws string
		want    time.Duration
	}{
		{"cctsa", "sandbox", 30 * 24 * time.Hour},
		{"acme", "sandbox", 90 * 24 * time.Hour},
		{"acme", "archive", 0},
		{"acme", "prod", 365 * 24 * time.Hour},
		{"cctsa", "cctsa/sandbox", 365 * 24 * time.Hour},
	}
	for _, tc := range tests {
		if got := r.For(tc.org, tc.ws); got != tc.want {
			t.Errorf("For(%q, %q) = %v, want %v", tc.org, tc.ws, got, tc.want)
		}
		// Named says whether Workspaces decides (the default is not a naming).
		if got, named := r.Named(tc.org, tc.ws); named != (tc.ws != "prod" && tc.ws != "cctsa/sandbox") || named && got != tc.want {
			t.Errorf("Named(%q, %q) = %v, %v", tc.org, tc.ws, got, named)
		}
	}
}
