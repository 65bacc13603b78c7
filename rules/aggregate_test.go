package rules

import (
	"bytes"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2023, 4, 1, 12, 0, 0, 0, time.UTC)

func ago(d time.Duration) time.Time { return t0.Add(-d) }

// TestAggregateModes: every mode over every type, most recent value first in vals.
func TestAggregateModes(t *testing.T) {
	tm := func(s string) time.Time { x, _ := time.Parse(time.RFC3339, s); return x }
	tests := []struct {
		mode, typ string
		vals      []Value // oldest first
		result    string
		value     any
	}{
		{"Count", "string", []Value{nil, nil, nil}, "3", int64(3)},
		{"Count", "string", nil, "0", int64(0)},
		{"Value", "string", []Value{"a", "b"}, "b", "b"},
		{"Value", "string", nil, "", nil},
		{"Value", "integer", []Value{int64(1), int64(2)}, "2", int64(2)},
		{"Value", "double", []Value{2.5}, "2.5", 2.5},
		{"Value", "utc_datetime", []Value{tm("2023-03-31T00:39:46Z")}, "2023-03-31T00:39:46.000Z", "2023-03-31T00:39:46.000Z"},
		{"Sum", "integer", []Value{int64(1), int64(2), int64(-10)}, "-7", int64(-7)},
		{"Sum", "integer", nil, "0", int64(0)},
		{"Sum", "integer", []Value{int64(math.MaxInt64), int64(1)}, "9223372036854776000", float64(math.MaxInt64) + 1},
		{"Sum", "double", []Value{2.5, 10.0}, "12.5", 12.5},
		{"Sum", "double", nil, "0", 0.0},
		{"Sum", "string", []Value{544.73, 1.0}, "545.73", 545.73},
		{"Sum", "double", []Value{1e308, 1e308}, "", nil},
		{"Min", "integer", []Value{int64(5), int64(-2), int64(3)}, "-2", int64(-2)},
		{"Max", "integer", []Value{int64(5), int64(-2), int64(3)}, "5", int64(5)},
		{"Min", "double", []Value{0.5, 0.25}, "0.25", 0.25},
		{"Max", "string", []Value{0.5, 7.0}, "7", 7.0},
		{"Min", "utc_datetime", []Value{tm("2023-03-02T00:00:00Z"), tm("2023-03-01T00:00:00Z")}, "2023-03-01T00:00:00.000Z", "2023-03-01T00:00:00.000Z"},
		{"Max", "utc_datetime", []Value{tm("2023-03-02T00:00:00Z"), tm("2023-03-01T00:00:00Z")}, "2023-03-02T00:00:00.000Z", "2023-03-02T00:00:00.000Z"},
		{"Max", "integer", nil, "", nil},
		{"Average", "integer", []Value{int64(1), int64(2)}, "1.5", 1.5},
		{"Average", "double", []Value{0.1, 0.2, 0.3}, "0.19999999999999998", 0.19999999999999998}, // summed most recent first
		{"Average", "double", nil, "", nil},
		{"Distinct", "string", []Value{"sms", "email", "sms", "web"}, "web,sms,email", []any{"web", "sms", "email"}},
		{"Distinct", "integer", []Value{int64(1), int64(2), int64(1)}, "1,2", []any{int64(1), int64(2)}},
		{"Distinct", "double", []Value{1.5, 1.5}, "1.5", []any{1.5}},
		{"Distinct", "utc_datetime", []Value{tm("2023-03-01T00:00:00Z"), tm("2023-03-01T02:00:00+02:00")}, "2023-03-01T00:00:00.000Z", []any{"2023-03-01T00:00:00.000Z"}},
		{"Distinct", "string", nil, "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.mode+"/"+tc.typ+"/"+tc.result, func(t *testing.T) {
			a := mustCompile(t, Attribute{MetaData: "x", MetaDataType: tc.typ, AggregationMode: tc.mode, Verbose: true}).Attrs[0]
			var state []byte
			for i, v := range tc.vals {
				var err error
				state, err = a.Update(state, Entry{Time: ago(time.Duration(len(tc.vals)-i) * time.Minute), Seq: uint64(i + 1), Value: v}, t0)
				if err != nil {
					t.Fatal(err)
				}
			}
			es, err := DecodeState(state)
			if err != nil {
				t.Fatal(err)
			}
			r := a.Aggregate(t0, es)
			if r.Result != tc.result || !reflect.DeepEqual(r.Value, tc.value) {
				t.Errorf("got %q %#v, want %q %#v", r.Result, r.Value, tc.result, tc.value)
			}
			if len(r.Entries) != len(tc.vals) {
				t.Errorf("%d entries", len(r.Entries))
			}
		})
	}
}

func TestAggregateWindowAndLimit(t *testing.T) {
	a := mustCompile(t, Attribute{MetaData: "x", MetaDataType: "integer", AggregationMode: "Sum", Limit: 3, Verbose: true,
		LookBackDurationType: "hours", LookBackPeriod: 1}).Attrs[0]
	es := []Entry{
		{Time: ago(time.Hour), Seq: 1, Value: int64(1000)}, // exactly now-window: out
		{Time: ago(50 * time.Minute), Seq: 2, Value: int64(1)},
		{Time: ago(40 * time.Minute), Seq: 3, Value: int64(10)},
		{Time: ago(30 * time.Minute), Seq: 4, Value: int64(100)},
		{Time: ago(30 * time.Minute), Seq: 5, Value: int64(200)}, // same instant: Seq orders
		{Time: t0, Seq: 6, Value: int64(400)},                    // exactly now: in
		{Time: t0.Add(time.Second), Seq: 7, Value: int64(800)},   // the future: not yet
	}
	if r := a.Aggregate(t0, es); r.Result != "700" {
		t.Errorf("sum %s, want 700 (400+200+100)", r.Result)
	}
	if r := a.Aggregate(t0.Add(time.Second), es); r.Result != "1400" || r.Entries[0].Seq != 7 {
		t.Errorf("a second later: %s", r.Result)
	}
	// The window moves with no new event.
	if r := a.Aggregate(t0.Add(time.Hour), es); r.Result != "800" {
		t.Errorf("an hour later: %s, want 800 (t0 has left, t0+1s is still in)", r.Result)
	}
	// Merged persons: their entries interleave.
	p1, p2 := []Entry{es[1], es[3], es[5]}, []Entry{es[2], es[4]}
	if r := a.Aggregate(t0, p1, nil, p2); r.Result != "700" {
		t.Errorf("merged %s", r.Result)
	}
}

func TestUpdateKeepsWhatIsNeeded(t *testing.T) {
	a := mustCompile(t, Attribute{AggregationMode: "Count", Limit: 2, LookBackDurationType: "hours", LookBackPeriod: 1}).Attrs[0]
	var s []byte
	add := func(at time.Time, seq uint64, now time.Time) []Entry {
		t.Helper()
		var err error
		if s, err = a.Update(s, Entry{Time: at, Seq: seq}, now); err != nil {
			t.Fatal(err)
		}
		es, _ := DecodeState(s)
		return es
	}
	add(ago(10*time.Minute), 1, t0)
	add(ago(20*time.Minute), 2, t0)
	es := add(ago(5*time.Minute), 3, t0)
	if len(es) != 2 || es[0].Seq != 1 || es[1].Seq != 3 {
		t.Errorf("limit: %+v", es)
	}
	es = add(ago(30*time.Minute), 4, t0) // too late to ever count
	if len(es) != 2 || es[0].Seq != 1 {
		t.Errorf("late: %+v", es)
	}
	add(t0.Add(time.Hour), 5, t0) // the future: kept beyond the limit
	es = add(t0.Add(2*time.Hour), 6, t0)
	if len(es) != 4 {
		t.Errorf("future: %+v", es)
	}
	before := append([]byte(nil), s...)
	es = add(t0.Add(time.Hour), 5, t0) // replayed: no change
	if !bytes.Equal(s, before) {
		t.Errorf("replay changed the state: %+v", es)
	}
	es = add(t0.Add(150*time.Minute), 7, t0.Add(150*time.Minute)) // the rest aged out
	if len(es) != 2 || es[0].Seq != 6 || es[1].Seq != 7 {
		t.Errorf("later: %+v", es)
	}
	if s, _ = a.Update(s, Entry{Time: t0, Seq: 9}, t0.Add(10*time.Hour)); s != nil {
		t.Errorf("empty state is %v, want nil", s)
	}
}

func TestFutureEntriesAreBounded(t *testing.T) {
	a := mustCompile(t, Attribute{AggregationMode: "Count", Limit: 5}).Attrs[0]
	var s []byte
	for i := range MaxFutureEntries + 10 {
		s, _ = a.Update(s, Entry{Time: t0.Add(time.Duration(i+1) * time.Hour), Seq: uint64(i)}, t0)
	}
	es, _ := DecodeState(s)
	if len(es) != MaxFutureEntries || es[len(es)-1].Seq != MaxFutureEntries-1 {
		t.Errorf("%d future entries kept, the last %d", len(es), es[len(es)-1].Seq)
	}
}

func TestStateEncoding(t *testing.T) {
	tm := time.Date(2023, 3, 31, 0, 39, 46, 917123456, time.UTC)
	es := []Entry{
		{Time: time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), Seq: 1 << 63, Value: nil},
		{Time: tm, Seq: 1, Value: "é,\x00"},
		{Time: tm, Seq: 2, Value: int64(math.MinInt64)},
		{Time: tm.Add(time.Millisecond), Seq: 0, Value: -math.MaxFloat64},
		{Time: time.Date(9999, 12, 31, 23, 59, 59, 999e6, time.UTC), Seq: 7, Value: tm},
	}
	b, err := encodeState(es, 0)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeState(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, es) {
		t.Errorf("round trip:\n%+v\n%+v", got, es)
	}
	// Compact: a Count entry of an event with milliseconds takes a few bytes.
	a := mustCompile(t, Attribute{AggregationMode: "Count", Limit: 1000}).Attrs[0]
	var s []byte
	for i := range 1000 {
		s, _ = a.Update(s, Entry{Time: ago(time.Duration(1000-i) * 37 * time.Second).Add(123 * time.Millisecond), Seq: uint64(1000 + i*3)}, t0)
	}
	if len(s) > 6*1000 {
		t.Errorf("1000 entries take %d bytes", len(s))
	}
	t.Logf("1000 Count entries: %d bytes", len(s))

	for _, bad := range [][]byte{{2}, {1}, {1, 5, 0}, {1, 1, 0, 0, 0, 9}, append(b, 0), b[:len(b)-1]} {
		if _, err := DecodeState(bad); !errors.Is(err, ErrState) {
			t.Errorf("%v: %v", bad, err)
		}
	}
	if _, err := encodeState([]Entry{{Value: math.NaN()}}, 0); err == nil {
		t.Error("NaN encoded")
	}
	if _, err := encodeState([]Entry{{Value: 3}}, 0); err == nil || !strings.Contains(err.Error(), "int") {
		t.Errorf("an int value: %v", err)
	}
}
