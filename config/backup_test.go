package config_test

import (
	"strings"
	"testing"

	"github.com/openjds/jds/config"
)

func TestBackupValidation(t *testing.T) {
	for _, tc := range []struct {
		b    config.Backup
		url  string // store.url
		want string // "" when valid
	}{
		{config.Backup{Dir: "./backups", Keep: 2, FullEvery: 7}, "", ""},
		{config.Backup{Schedule: "@daily", Dir: "/b", Keep: 1, FullEvery: 1}, "", ""},
		{config.Backup{Dir: "./backups", Keep: 2, FullEvery: 7}, "postgres://db/jds", ""},
		{config.Backup{Schedule: "@daily", Keep: 2, FullEvery: 7}, "", "backup.dir: must not be empty"},
		{config.Backup{Schedule: "daily", Dir: "/b", Keep: 2, FullEvery: 7}, "", `backup.schedule: "daily" is not a schedule`},
		{config.Backup{Dir: "/b", Keep: 0, FullEvery: 7}, "", "backup.keep: must be between 1 and 1000, got 0"},
		{config.Backup{Dir: "/b", Keep: 2, FullEvery: 0}, "", "backup.fullEvery: must be between 1 and 1000, got 0"},
		{config.Backup{Schedule: "@daily", Dir: "/b", Keep: 2, FullEvery: 7}, "postgres://db/jds", "backup.schedule: must be empty with store.url"},
	} {
		c := config.Default()
		c.Backup = tc.b
		c.Store.URL = tc.url
		err := c.Validate()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%+v: %v", tc.b, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%+v: %v, want %q", tc.b, err, tc.want)
		}
	}
}
