package rules

import (
	"fmt"
	"strings"
	"time"
)

// maxDuration bounds written durations (about 200 years), far from overflow.
const maxDuration = 200 * 365 * 24 * time.Hour

// ParseDuration reads a duration as admins write them: an optional sign, then one or
// more whole numbers each with a unit among ms, s, m, h, d (24h) and w (7d): 90s, -3h,
// 1d12h, 2w.
func ParseDuration(s string) (time.Duration, error) { return parseDuration(s) }

func parseDuration(s string) (time.Duration, error) {
	orig := s
	bad := func() (time.Duration, error) {
		return 0, fmt.Errorf("expected a duration like 90s, 30m, 24h, 7d or 1d12h, got %q", orig)
	}
	s = strings.TrimSpace(s)
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" {
		return bad()
	}
	var total time.Duration
	for s != "" {
		i := 0
		var n int64
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			n = n*10 + int64(s[i]-'0')
			if n > int64(maxDuration/time.Millisecond) {
				return 0, fmt.Errorf("duration %q is too large", orig)
			}
			i++
		}
		if i == 0 {
			return bad()
		}
		s = s[i:]
		j := 0
		for j < len(s) && ('a' <= s[j] && s[j] <= 'z') {
			j++
		}
		var unit time.Duration
		switch s[:j] {
		case "ms":
			unit = time.Millisecond
		case "s":
			unit = time.Second
		case "m":
			unit = time.Minute
		case "h":
			unit = time.Hour
		case "d":
			unit = 24 * time.Hour
		case "w":
			unit = 7 * 24 * time.Hour
		default:
			return bad()
		}
		s = s[j:]
		if n > int64(maxDuration/unit) {
			return 0, fmt.Errorf("duration %q is too large", orig)
		}
		total += time.Duration(n) * unit
		if total > maxDuration {
			return 0, fmt.Errorf("duration %q is too large", orig)
		}
	}
	if neg {
		total = -total
	}
	return total, nil
}
