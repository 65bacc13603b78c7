package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// checkSchedule accepts the schedules of the standard cron parser that the
// store's scheduler uses (robfig/cron v3's ParseStandard): "@every <Go
// duration>", the descriptors @yearly … @hourly, or five fields "minute hour
// day-of-month month day-of-week", optionally after "TZ=<zone> " or
// "CRON_TZ=<zone> ". The check lives here, without the cron library, so that
// a bad schedule is reported with all other config problems at load time
// instead of when the store starts.
func checkSchedule(s string) error {
	s = strings.TrimSpace(s)
	if s == "" {
		return errors.New("must not be empty")
	}
	if strings.HasPrefix(s, "TZ=") || strings.HasPrefix(s, "CRON_TZ=") {
		tz, rest, _ := strings.Cut(s, " ")
		_, zone, _ := strings.Cut(tz, "=")
		if _, err := time.LoadLocation(zone); err != nil {
			return fmt.Errorf("unknown time zone %q", zone)
		}
		s = strings.TrimSpace(rest)
	}
	if rest, ok := strings.CutPrefix(s, "@every "); ok {
		d, err := time.ParseDuration(strings.TrimSpace(rest))
		if err != nil {
			return fmt.Errorf("%q: @every needs a duration such as 10m", s)
		}
		if d < time.Second {
			return fmt.Errorf("%q: @every needs at least 1s", s)
		}
		return nil
	}
	if strings.HasPrefix(s, "@") {
		switch s {
		case "@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly":
			return nil
		}
		return fmt.Errorf("%q is not a schedule (descriptors: @every <duration>, @hourly, @daily, @weekly, @monthly, @yearly)", s)
	}
	fields := strings.Fields(s)
	if len(fields) != 5 {
		return fmt.Errorf("%q has %d fields, want 5 (minute hour day-of-month month day-of-week) or a descriptor such as \"@every 10m\"", s, len(fields))
	}
	for i, f := range fields {
		if err := checkCronField(f, cronFields[i]); err != nil {
			return fmt.Errorf("%q: %s field: %w", s, cronFields[i].name, err)
		}
	}
	return nil
}

type cronField struct {
	name     string
	min, max int
	names    []string // names[i] stands for min+i
}

var cronFields = [5]cronField{
	{name: "minute", min: 0, max: 59},
	{name: "hour", min: 0, max: 23},
	{name: "day-of-month", min: 1, max: 31},
	{name: "month", min: 1, max: 12, names: []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}},
	{name: "day-of-week", min: 0, max: 6, names: []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}},
}

// checkCronField checks one field: a comma-separated list of "*" or "?",
// a value, or a range "a-b", each optionally followed by "/step".
func checkCronField(s string, f cronField) error {
	for part := range strings.SplitSeq(s, ",") {
		rng, step, hasStep := strings.Cut(part, "/")
		if hasStep {
			n, err := strconv.Atoi(step)
			if err != nil || n <= 0 {
				return fmt.Errorf("bad step %q", step)
			}
		}
		if rng == "*" || rng == "?" {
			continue
		}
		lo, hi, isRange := strings.Cut(rng, "-")
		a, err := f.value(lo)
		if err != nil {
			return err
		}
		b := a
		if isRange {
			if b, err = f.value(hi); err != nil {
				return err
			}
		}
		if a > b {
			return fmt.Errorf("range %q runs backwards", rng)
		}
	}
	return nil
}

func (f cronField) value(s string) (int, error) {
	for i, name := range f.names {
		if strings.EqualFold(s, name) {
			return f.min + i, nil
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	if n < f.min || n > f.max {
		return 0, fmt.Errorf("%d is outside %d-%d", n, f.min, f.max)
	}
	return n, nil
}
