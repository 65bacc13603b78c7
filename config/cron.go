package config

import (
	"errors"
	"fmt"
	"strings"

	"github.com/robfig/cron/v3"
)

// checkSchedule validates a job schedule with the parser the scheduler itself uses
// (robfig/cron's standard parser: "@every 10m", "@hourly", "0 3 * * *", optionally
// after "CRON_TZ=<zone> "), so that a bad schedule is reported with every other config
// problem at load time instead of when the job is started.
func checkSchedule(s string) error {
	if strings.TrimSpace(s) == "" {
		return errors.New("must not be empty")
	}
	if _, err := cron.ParseStandard(s); err != nil {
		return fmt.Errorf("%q is not a schedule: %w", s, err)
	}
	return nil
}
