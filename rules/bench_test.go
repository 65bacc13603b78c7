package rules

import (
	"testing"
	"time"
)

// BenchmarkMatchUpdateCount: one event through a Count attribute with a rule, into a
// state that already holds n entries (the ingest cost per attribute).
func BenchmarkMatchUpdateCount(b *testing.B) {
	for _, n := range []int{0, 100, 999} {
		b.Run(itoa(n)+"entries", func(b *testing.B) {
			a := mustCompile(b, Attribute{Event: "Queued Caller", AggregationMode: "Count", Limit: 1000,
				Rules: &RuleBlock{Logic: "SINGLE", Condition: "Queued Caller,queue,string,Value EQ Billing"}}).Attrs[0]
			env := envOf(b, "Queued Caller", `{"queue":"Billing","wait":42}`)
			var state []byte
			for i := range n {
				state, _ = a.Update(state, Entry{Time: env.Time.Add(-time.Duration(n-i) * time.Second), Seq: uint64(i + 1)}, env.Time)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				_, ok, err := a.Match(env)
				if !ok || err != nil {
					b.Fatal(ok, err)
				}
				// Same instant, same seq each time: the state keeps its size.
				if _, err := a.Update(state, Entry{Time: env.Time, Seq: uint64(n + 1)}, env.Time); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkMatchCondition: an expr condition (the ext) instead of a rule.
func BenchmarkMatchCondition(b *testing.B) {
	a := mustCompile(b, Attribute{Event: "Queued Caller", AggregationMode: "Count",
		Condition: `data.queue == "Billing" && data.wait > 30`}).Attrs[0]
	env := envOf(b, "Queued Caller", `{"queue":"Billing","wait":42}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, ok, err := a.Match(env); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}

// BenchmarkNewEventEnv: a Payment event as jdsload posts it, decoded whole, and with only
// the three keys of data that the benchmark templates read (scripts/bench-rules).
func BenchmarkNewEventEnv(b *testing.B) {
	raw := []byte(`{"id":"0b7e8f3a-4c55-4d1e-8e0f-2a9d6b1c7e11","specversion":"1.0","type":"Payment","source":"SMS%20Notifcation","identity":"+12263762555","identitytype":"phone","time":"2023-03-31T00:39:46.917Z","datacontenttype":"application/json","data":{"phone":"+12263762555","Reason":"Late Payment Notification Sent - Notification","Notification":"1","Past Due Amount":"$544.73","category":"Water","status":"overdue","origin":"Past Due - 1st Notification","channelType":"Payment Notify","channelBreakout":"sms"}}`)
	b.Run("all", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := NewEventEnv(raw); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("keys", func(b *testing.B) {
		keys := []string{"Notification", "category", "status"}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := NewEventEnvKeys(raw, keys); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkAggregate1000: a profile read over a state of 1000 entries (decode included).
func BenchmarkAggregate1000(b *testing.B) {
	for _, mode := range []string{"Count", "Sum", "Distinct"} {
		b.Run(mode, func(b *testing.B) {
			a := mustCompile(b, Attribute{AggregationMode: mode, MetaData: "x", MetaDataType: "integer", Limit: 1000}).Attrs[0]
			var state []byte
			for i := range 1000 {
				state, _ = a.Update(state, Entry{Time: t0.Add(-time.Duration(1000-i) * time.Minute), Seq: uint64(i), Value: int64(i % 37)}, t0)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				es, err := DecodeState(state)
				if err != nil {
					b.Fatal(err)
				}
				if r := a.Aggregate(t0, es); r.Result == "" {
					b.Fatal(r)
				}
			}
		})
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	s := ""
	for ; n > 0; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	return s
}
