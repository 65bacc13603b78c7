package identity

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
)

// Guardrail errors: what callers branch on (API answers, ingest counters).
var (
	ErrBlockedAlias   = errors.New("blocked alias")
	ErrTooManyAliases = errors.New("too many aliases")
)

// Guard holds the guardrails on identity: placeholder values that must never identify,
// link or merge anyone, and a bound on the aliases of one person.
type Guard struct {
	blocked    map[string]bool
	MaxAliases int

	// Hits count the refusals, for metrics.
	Blocked, TooMany atomic.Uint64
}

// NewGuard builds a guard. Blocked values compare case-insensitively after trimming;
// values made only of zeros (and phone punctuation) are always blocked.
func NewGuard(blocked []string, maxAliases int) *Guard {
	g := &Guard{blocked: map[string]bool{}, MaxAliases: maxAliases}
	for _, b := range blocked {
		g.blocked[strings.ToLower(strings.TrimSpace(b))] = true
	}
	return g
}

// Check returns an ErrBlockedAlias error when value is a placeholder.
func (g *Guard) Check(value string) error {
	if g == nil {
		return nil
	}
	v := strings.ToLower(strings.TrimSpace(value))
	if g.blocked[v] || allZeros(v) {
		g.Blocked.Add(1)
		return fmt.Errorf("%w: %q is a placeholder, not a customer", ErrBlockedAlias, value)
	}
	return nil
}

// Fits returns an ErrTooManyAliases error when a person with n aliases is over the bound.
func (g *Guard) Fits(n int) error {
	if g == nil || g.MaxAliases <= 0 || n <= g.MaxAliases {
		return nil
	}
	g.TooMany.Add(1)
	return fmt.Errorf("%w: a person may own at most %d, this would make %d", ErrTooManyAliases, g.MaxAliases, n)
}

// allZeros reports whether v has digits and all of them are zeros, ignoring the
// punctuation phones are written with: "0", "000-000-0000", "+0 (000) 000".
func allZeros(v string) bool {
	digits := 0
	for _, r := range v {
		switch {
		case r == '0':
			digits++
		case r == '+' || r == ' ' || r == '-' || r == '.' || r == '(' || r == ')':
		default:
			return false
		}
	}
	return digits > 0
}
