package rules

import (
	"bytes"
	"flag"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/openjds/jds/internal/event"
)

var (
	propSeed  = flag.Uint64("rules.seed", 0, "seed of the profile property test (0: random)")
	propIters = flag.Int("rules.iters", 10000, "iterations of the profile property test")
)

// propAttr compiles a random attribute for the property test.
func propAttr(t *testing.T, r *rand.Rand) *CompiledAttr {
	mode := modes[r.IntN(len(modes))]
	typ := types[r.IntN(len(types))]
	if (mode == ModeSum || mode == ModeAverage) && typ == TypeDatetime {
		typ = TypeDouble
	}
	limit := 1 + r.IntN(6)
	if r.IntN(5) == 0 {
		limit = 1 + r.IntN(100)
	}
	a := Attribute{
		Verbose:     r.IntN(2) == 0,
		DisplayName: "x", Event: "E", MetaData: "v", MetaDataType: typ, AggregationMode: mode,
		Limit: limit, LookBackDurationType: "minutes", LookBackPeriod: 1 + r.IntN(300),
	}
	c, err := Compile(&Template{Name: "p", Attributes: []Attribute{a}})
	if err != nil {
		t.Fatal(err)
	}
	return c.Attrs[0]
}

var propBase = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

func propValue(r *rand.Rand, k valueKind) Value {
	switch k {
	case vString:
		return []string{"a", "b", "c", "d", "é,x"}[r.IntN(5)]
	case vInt:
		return int64(r.IntN(21) - 10)
	case vFloat:
		return float64(r.IntN(41)-20) / 4
	case vTime:
		return propBase.Add(time.Duration(r.IntN(50)) * time.Minute).Add(time.Duration(r.IntN(3)) * time.Millisecond)
	}
	return nil
}

// bruteForce answers from every entry ever seen, with no state.
func bruteForce(a *CompiledAttr, all []Entry, now time.Time) Result {
	var sel []Entry
	for _, e := range all {
		if e.Time.After(now.Add(-a.Window)) && !e.Time.After(now) {
			sel = append(sel, e)
		}
	}
	slices.SortFunc(sel, func(x, y Entry) int { return -compareEntries(x, y) })
	if len(sel) > a.Limit {
		sel = sel[:a.Limit]
	}
	if sel == nil {
		sel = []Entry{}
	}
	res := Result{}
	if a.Verbose {
		res.Entries = sel
	}
	text := func(v any) string {
		switch x := v.(type) {
		case string:
			return x
		case int64:
			return strconv.FormatInt(x, 10)
		case float64:
			return strconv.FormatFloat(x, 'f', -1, 64)
		case time.Time:
			return x.UTC().Format(event.TimeLayout)
		}
		panic(fmt.Sprintf("%T", v))
	}
	typed := func(v any) any {
		if t, ok := v.(time.Time); ok {
			return t.UTC().Format(event.TimeLayout)
		}
		return v
	}
	set := func(v any) { res.Value, res.Result = typed(v), text(v) }
	switch a.Mode {
	case ModeCount:
		res.Value, res.Result = int64(len(sel)), strconv.Itoa(len(sel))
	case ModeValue:
		if len(sel) > 0 {
			set(sel[0].Value)
		}
	case ModeSum:
		if a.kind == vInt {
			var s int64
			for _, e := range sel {
				s += e.Value.(int64)
			}
			set(s)
		} else {
			var s float64
			for _, e := range sel {
				s += e.Value.(float64)
			}
			set(s)
		}
	case ModeAverage:
		if len(sel) > 0 {
			var s float64
			for _, e := range sel {
				switch v := e.Value.(type) {
				case int64:
					s += float64(v)
				case float64:
					s += v
				}
			}
			set(s / float64(len(sel)))
		}
	case ModeMin, ModeMax:
		if len(sel) > 0 {
			best := sel[0].Value
			for _, e := range sel {
				var less bool
				switch v := e.Value.(type) {
				case int64:
					less = v < best.(int64)
				case float64:
					less = v < best.(float64)
				case time.Time:
					less = v.Before(best.(time.Time))
				}
				if less == (a.Mode == ModeMin) && e.Value != best && !reflect.DeepEqual(e.Value, best) {
					best = e.Value
				}
			}
			set(best)
		}
	case ModeDistinct:
		if len(sel) > 0 {
			var out []any
			var parts []string
			for _, e := range sel {
				v := typed(e.Value)
				if !slices.Contains(out, v) {
					out = append(out, v)
					parts = append(parts, text(e.Value))
				}
			}
			res.Value = out
			for i, p := range parts {
				if i > 0 {
					res.Result += ","
				}
				res.Result += p
			}
		}
	}
	return res
}

// TestPropertyIncrementalEqualsBruteForce: updating states event by event, as they
// arrive (late and future-dated ones included), then aggregating at later instants,
// gives what a computation over the full history gives at those instants.
func TestPropertyIncrementalEqualsBruteForce(t *testing.T) {
	seed := *propSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	iters := *propIters
	if testing.Short() {
		iters /= 10
	}
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	for it := range iters {
		if !propIteration(t, r, it) {
			t.Fatalf("failed at iteration %d; reproduce with: go test ./rules/ -run TestPropertyIncrementalEqualsBruteForce -rules.seed=%d", it, seed)
		}
	}
}

func propIteration(t *testing.T, r *rand.Rand, it int) bool {
	t.Helper()
	a := propAttr(t, r)
	var states [2][]byte // two persons, later merged
	var all []Entry
	clock := propBase
	seq := uint64(r.IntN(1000))
	check := func(now time.Time, when string) bool {
		var decoded [][]Entry
		for _, s := range states {
			es, err := DecodeState(s)
			if err != nil {
				t.Errorf("iteration %d: %s: decoding: %v", it, when, err)
				return false
			}
			decoded = append(decoded, es)
		}
		got := a.Aggregate(now, decoded...)
		want := bruteForce(a, all, now)
		if got.Result != want.Result || !reflect.DeepEqual(got.Value, want.Value) || !reflect.DeepEqual(got.Entries, want.Entries) {
			t.Errorf("iteration %d: %s: %s (%s, limit %d, window %s) at %s:\n got %q %#v (%d entries)\nwant %q %#v (%d entries)",
				it, when, a.Mode, a.kind, a.Limit, a.Window, now.Format(time.RFC3339), got.Result, got.Value, len(got.Entries),
				want.Result, want.Value, len(want.Entries))
			return false
		}
		// The answer holds until got.Until: at the last instant before it, and at one
		// drawn at random in between.
		last := 2 * a.Window
		if !got.Until.IsZero() {
			last = got.Until.Sub(now) - time.Nanosecond
		}
		for _, d := range []time.Duration{last, time.Duration(r.Int64N(int64(last) + 1))} {
			if later := bruteForce(a, all, now.Add(d)); later.Result != got.Result || !reflect.DeepEqual(later.Entries, got.Entries) {
				t.Errorf("iteration %d: %s: %s (window %s, limit %d): the answer at %s changed %s later, before Until %s: %q, then %q",
					it, when, a.Mode, a.Window, a.Limit, now.Format(time.RFC3339Nano), d, got.Until.Format(time.RFC3339Nano), got.Result, later.Result)
				return false
			}
		}
		return true
	}
	n := r.IntN(60)
	w := a.Window
	for i := range n {
		clock = clock.Add(time.Duration(r.IntN(int(w/time.Second)/3+2)) * time.Second)
		var at time.Time
		switch r.IntN(6) {
		case 0: // future-dated
			at = clock.Add(time.Duration(r.Int64N(int64(w)/2+1)) + time.Millisecond)
		case 1: // late, maybe very late
			at = clock.Add(-time.Duration(r.Int64N(2*int64(w) + 1)))
		case 2: // same instant as the previous event
			if len(all) > 0 {
				at = all[len(all)-1].Time
				break
			}
			fallthrough
		default:
			at = clock.Add(-time.Duration(r.IntN(60)) * time.Second)
		}
		at = at.Truncate(time.Millisecond)
		if r.IntN(4) == 0 {
			at = at.Add(time.Duration(r.IntN(1000)) * time.Microsecond) // sub-millisecond times too
		}
		seq += 1 + uint64(r.IntN(3))
		e := Entry{Time: at, Seq: seq, Value: propValue(r, a.kind)}
		p := r.IntN(2)
		s, err := a.Update(states[p], e, clock)
		if err != nil {
			t.Errorf("iteration %d: update: %v", it, err)
			return false
		}
		// The fast path for the newest entry writes exactly what decoding, inserting and
		// encoding again writes.
		if slow, err := a.update(states[p], e, clock); err != nil || !bytes.Equal(s, slow) {
			t.Errorf("iteration %d: event %d: Update wrote %x, the full update %x (%v)", it, i, s, slow, err)
			return false
		}
		states[p] = s
		all = append(all, e)
		// minimal, not only sufficient: nothing outside the window, at most Limit up to now
		kept, _ := DecodeState(s)
		past := 0
		for _, k := range kept {
			if !k.Time.After(clock.Add(-w)) {
				t.Errorf("iteration %d: the state keeps an entry out of the window", it)
				return false
			}
			if !k.Time.After(clock) {
				past++
			}
		}
		if past > a.Limit {
			t.Errorf("iteration %d: the state keeps %d entries up to now, limit %d", it, past, a.Limit)
			return false
		}
		if r.IntN(3) == 0 {
			clock = clock.Add(time.Duration(r.Int64N(int64(w))))
			if !check(clock, fmt.Sprintf("after event %d", i)) {
				return false
			}
		}
	}
	for range 5 {
		clock = clock.Add(time.Duration(r.Int64N(int64(w))))
		if !check(clock, "at the end") {
			return false
		}
	}
	return true
}
