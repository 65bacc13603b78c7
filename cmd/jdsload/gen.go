package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"
)

// generator makes realistic contact-center events (480-530 bytes, about 500: the API
// fixture plus a queue) by appending bytes, without encoding/json: building a 100-event
// batch takes about 50 µs, far below what the server spends on it, so generation never
// limits the measured throughput (BenchmarkBatchBody).
//
// Event i is a pure function of i, the generator's run id and its time settings: the raw
// Badger baseline and the HTTP ingest write the same bodies for the same settings.
type generator struct {
	run      [8]byte // random per run: ids from different runs never collide
	persons  int     // distinct phone numbers; ignored when identity is set
	identity string  // every event for this one identity (seed); "" means pick among persons
	// Event times: with span 0 every event takes the wall clock at generation (a live feed);
	// otherwise event i of total is spread evenly over [end-span, end), with jitter.
	end   time.Time
	span  time.Duration
	total int
}

func newGenerator(runID string, persons int, identity string) (*generator, error) {
	g := &generator{persons: persons, identity: identity}
	if runID == "" {
		if _, err := rand.Read(g.run[:]); err != nil {
			return nil, err
		}
	} else {
		b, err := hex.DecodeString(runID)
		if err != nil || len(b) != len(g.run) {
			return nil, fmt.Errorf("--run-id must be 16 hex digits, got %q", runID)
		}
		copy(g.run[:], b)
	}
	if identity == "" && (persons < 1 || persons > maxPersons) {
		return nil, fmt.Errorf("--persons must be from 1 to %d, got %d", maxPersons, persons)
	}
	return g, nil
}

// maxPersons: phone numbers are +1555 followed by 1000000+person, seven digits.
const maxPersons = 9_000_000

// spread spreads the times of total events over the span ending at end.
func (g *generator) spread(end time.Time, span time.Duration, total int) {
	g.end, g.span, g.total = end, span, total
}

// splitmix64 is a fast, well-mixed hash of the event index.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

type eventKind struct {
	typ, source, origin, channelType, breakout, reason string
}

var kinds = [...]eventKind{
	{"Payment", "SMS%20Notifcation", "Past Due - 1st Notification", "Payment Notify", "sms", "Late Payment Notification Sent - Notification"},
	{"Queued Caller", "IVR%20Main", "Inbound Call - Main IVR", "Voice", "pstn", "Caller waiting for agent - Billing"},
	{"Closed Queue", "IVR%20Queue", "Queue Closed - After Hours", "Voice", "pstn", "Closed queue reached - After Hours"},
	{"webvisit", "Web%20Portal", "Website - Billing Page", "Web", "browser", "Viewed past due balance - Billing"},
}

var (
	categories = [...]string{"Water", "Electricity", "Gas", "Internet"}
	statuses   = [...]string{"overdue", "pending", "paid", "open"}
	queues     = [...]string{"Billing", "Collections", "Support", "Sales"}
)

const hexDigits = "0123456789abcdef"

func appendHex(b []byte, p []byte) []byte {
	for _, c := range p {
		b = append(b, hexDigits[c>>4], hexDigits[c&15])
	}
	return b
}

// appendID appends a UUID-shaped id: the run id, then the event index.
func (g *generator) appendID(b []byte, i uint64) []byte {
	var n [8]byte
	for k := range 8 {
		n[k] = byte(i >> (56 - 8*k))
	}
	b = appendHex(b, g.run[0:4])
	b = append(b, '-')
	b = appendHex(b, g.run[4:6])
	b = append(b, '-')
	b = appendHex(b, g.run[6:8])
	b = append(b, '-')
	b = appendHex(b, n[0:2])
	b = append(b, '-')
	return appendHex(b, n[2:8])
}

// phone returns the identity of event i (with h its hash).
func (g *generator) appendPhone(b []byte, h uint64) []byte {
	if g.identity != "" {
		return append(b, g.identity...)
	}
	p := 1_000_000 + int(h%uint64(g.persons))
	b = append(b, "+1555"...)
	return strconv.AppendInt(b, int64(p), 10)
}

func (g *generator) eventTime(i uint64, h uint64) time.Time {
	if g.span <= 0 {
		return time.Now()
	}
	step := g.span / time.Duration(max(g.total, 1))
	t := g.end.Add(-g.span + time.Duration(i)*step)
	if step > time.Millisecond {
		t = t.Add(time.Duration(h>>20) % step)
	}
	return t
}

// appendEvent appends event i as one JSON object.
func (g *generator) appendEvent(b []byte, i uint64) []byte {
	h := splitmix64(i ^ uint64(g.run[0])<<56 ^ uint64(g.run[7])<<48)
	k := &kinds[(h>>8)%uint64(len(kinds))]
	b = append(b, `{"id":"`...)
	b = g.appendID(b, i)
	b = append(b, `","specversion":"1.0","type":"`...)
	b = append(b, k.typ...)
	b = append(b, `","source":"`...)
	b = append(b, k.source...)
	b = append(b, `","identity":"`...)
	mark := len(b)
	b = g.appendPhone(b, h)
	phone := b[mark:]
	b = append(b, `","identitytype":"phone","datacontenttype":"application/json","time":"`...)
	b = g.eventTime(i, h).UTC().AppendFormat(b, "2006-01-02T15:04:05.000Z07:00")
	b = append(b, `","data":{"phone":"`...)
	b = append(b, phone...)
	b = append(b, `","Reason":"`...)
	b = append(b, k.reason...)
	b = append(b, `","Notification":"`...)
	b = strconv.AppendUint(b, 1+(h>>12)%3, 10)
	b = append(b, `","Past Due Amount":"$`...)
	cents := (h >> 16) % 150_000
	b = strconv.AppendUint(b, cents/100, 10)
	b = append(b, '.', byte('0'+cents/10%10), byte('0'+cents%10))
	b = append(b, `","category":"`...)
	b = append(b, categories[(h>>36)%uint64(len(categories))]...)
	b = append(b, `","status":"`...)
	b = append(b, statuses[(h>>40)%uint64(len(statuses))]...)
	b = append(b, `","origin":"`...)
	b = append(b, k.origin...)
	b = append(b, `","channelType":"`...)
	b = append(b, k.channelType...)
	b = append(b, `","channelBreakout":"`...)
	b = append(b, k.breakout...)
	b = append(b, `","queue":"`...)
	b = append(b, queues[(h>>44)%uint64(len(queues))]...)
	b = append(b, `"}}`...)
	return b
}

// appendBody appends the request body for events [from, to): one object when single,
// else a JSON array.
func (g *generator) appendBody(b []byte, from, to uint64, single bool) []byte {
	if single {
		return g.appendEvent(b, from)
	}
	b = append(b, '[')
	for i := from; i < to; i++ {
		if i > from {
			b = append(b, ',')
		}
		b = g.appendEvent(b, i)
	}
	return append(b, ']')
}
