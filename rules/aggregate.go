package rules

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/openjds/jds/internal/event"
)

// Result is an attribute's answer at one instant.
type Result struct {
	// Result is the JDS text form: Count "6", Sum "12.5", Distinct joined with ",",
	// times "2006-01-02T15:04:05.000Z" (UTC, milliseconds); "" when there is no data,
	// except Count and Sum, which are "0".
	Result string
	// Value is the same, typed and ready for JSON: int64 (Count; Sum, Min, Max and Value
	// of integers), float64 (Average; Sum, Min, Max and Value of doubles and numeric
	// strings), string (strings, and times in the form above), []any of those (Distinct,
	// most recent first); nil when there is no data, except Count (0) and Sum (0 of
	// its type).
	Value any
	// Entries are the entries that counted, most recent first, for a verbose
	// attribute's journeyEvents (Seq finds each event); nil for other attributes, for
	// which they would cost a copy of the selection on every read.
	Entries []Entry
	// Until is the first instant after now at which the answer may change with no new
	// event (an entry leaves the window, a future-dated one starts to count); zero when
	// none will. As long as the states do not change, the answer holds from now until
	// then, so that it can be kept and served again.
	Until time.Time
}

// Aggregate answers at instant now over the entries of one or more states (a person and
// the persons merged into it; each as DecodeState returns them, in (Time, Seq) order).
// The entries with now-Window < Time <= now count, the Limit most recent of them by
// (Time, Seq), and the mode then applies:
//
//	Value     the most recent value
//	Count     how many
//	Sum       the sum: int64 for integers (float64 should it overflow), float64 otherwise
//	Min, Max  the least, the greatest: numbers, or times for utc_datetime
//	Average   the mean, float64
//	Distinct  the distinct values, most recent first
//
// Sums and means add the values most recent first. now must not precede the instant of
// the last Update of any of the states.
func (a *CompiledAttr) Aggregate(now time.Time, states ...[]Entry) Result {
	var es []Entry
	nonEmpty := 0
	for _, s := range states {
		if len(s) > 0 {
			nonEmpty++
			es = s
		}
	}
	if nonEmpty > 1 {
		es = make([]Entry, 0, 64)
		for _, s := range states {
			es = append(es, s...)
		}
		slices.SortFunc(es, compareEntries)
	}
	lower := now.Add(-a.Window)
	hi := firstAfter(es, now)
	lo := hi
	for lo > 0 && hi-lo < a.Limit && es[lo-1].Time.After(lower) {
		lo--
	}
	sel := selection(es[lo:hi])
	r := a.compute(sel)
	if hi < len(es) {
		r.Until = es[hi].Time // counts once now reaches it
	}
	if lo < hi {
		if gone := es[lo].Time.Add(a.Window); r.Until.IsZero() || gone.Before(r.Until) {
			r.Until = gone // leaves once now-Window reaches it
		}
	}
	if a.Verbose {
		r.Entries = make([]Entry, sel.Len())
		for i := range r.Entries {
			r.Entries[i] = sel.At(i)
		}
	}
	return r
}

// selection is the entries that count, in (Time, Seq) order; At(0) is the most recent.
type selection []Entry

func (s selection) Len() int          { return len(s) }
func (s selection) At(i int) Entry    { return s[len(s)-1-i] }
func (s selection) value(i int) Value { return s[len(s)-1-i].Value }

// compute applies the mode to the selected entries, most recent first.
func (a *CompiledAttr) compute(sel selection) Result {
	switch a.Mode {
	case ModeCount:
		return Result{Result: strconv.Itoa(len(sel)), Value: int64(len(sel))}
	case ModeValue:
		if len(sel) == 0 {
			return Result{}
		}
		return valueResult(sel.value(0))
	case ModeSum:
		if a.kind == vInt {
			var sum int64
			for i := range sel.Len() {
				v, _ := sel.value(i).(int64)
				s := sum + v
				if (s > sum) != (v > 0) { // overflow: fall back to float64
					return valueResult(floatSum(sel))
				}
				sum = s
			}
			return valueResult(sum)
		}
		return valueResult(floatSum(sel))
	case ModeAverage:
		if len(sel) == 0 {
			return Result{}
		}
		return valueResult(floatSum(sel) / float64(len(sel)))
	case ModeMin, ModeMax:
		if len(sel) == 0 {
			return Result{}
		}
		want := -1
		if a.Mode == ModeMax {
			want = 1
		}
		best := sel.value(0)
		for i := 1; i < sel.Len(); i++ {
			if v := sel.value(i); compareValues(v, best) == want {
				best = v
			}
		}
		return valueResult(best)
	case ModeDistinct:
		if len(sel) == 0 {
			return Result{}
		}
		seen := make(map[any]bool, len(sel))
		var out []any
		for i := range sel.Len() {
			v := sel.value(i)
			k := v
			if t, ok := k.(time.Time); ok {
				k = [2]int64{t.Unix(), int64(t.Nanosecond())} // instants, whatever the location
			}
			if seen[k] {
				continue
			}
			seen[k] = true
			out = append(out, jsonValue(v))
		}
		return Result{Result: joinValues(out), Value: out}
	}
	return Result{}
}

func floatSum(sel selection) float64 {
	var sum float64
	for i := range sel.Len() {
		switch v := sel.value(i).(type) {
		case float64:
			sum += v
		case int64:
			sum += float64(v)
		}
	}
	return sum
}

// compareValues orders two values of the same kind.
func compareValues(a, b Value) int {
	switch x := a.(type) {
	case int64:
		y, _ := b.(int64)
		return cmp3(x < y, x > y)
	case float64:
		y, _ := b.(float64)
		return cmp3(x < y, x > y)
	case time.Time:
		y, _ := b.(time.Time)
		return x.Compare(y)
	case string:
		y, _ := b.(string)
		return strings.Compare(x, y)
	}
	return 0
}

func cmp3(less, more bool) int {
	switch {
	case less:
		return -1
	case more:
		return 1
	}
	return 0
}

func valueResult(v Value) Result {
	if f, ok := v.(float64); ok && (math.IsInf(f, 0) || math.IsNaN(f)) {
		return Result{} // a sum beyond float64: no JSON number can say it
	}
	return Result{Result: formatValue(v), Value: jsonValue(v)}
}

// jsonValue is v as Result.Value holds it: times become their text.
func jsonValue(v Value) any {
	if t, ok := v.(time.Time); ok {
		return t.UTC().Format(event.TimeLayout)
	}
	return v
}

func formatValue(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return formatFloat(x)
	case time.Time:
		return x.UTC().Format(event.TimeLayout)
	}
	return ""
}

func joinValues(l []any) string {
	var b strings.Builder
	for i, v := range l {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(formatValue(v))
	}
	return b.String()
}
