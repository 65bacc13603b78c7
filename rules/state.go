package rules

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"time"
)

// Entry is one matching event an attribute keeps for a person: when it happened, its
// ledger sequence (which orders events of the same instant, and tells them apart), and
// the value it contributed.
type Entry struct {
	Time  time.Time
	Seq   uint64
	Value Value
}

// compareEntries orders entries by (Time, Seq).
func compareEntries(a, b Entry) int {
	if c := a.Time.Compare(b.Time); c != 0 {
		return c
	}
	switch {
	case a.Seq < b.Seq:
		return -1
	case a.Seq > b.Seq:
		return 1
	}
	return 0
}

// MaxFutureEntries bounds the entries dated after the update instant that a state keeps
// (when it is larger than the attribute's limit): see Update.
const MaxFutureEntries = 1000

// Update adds an entry to an encoded state (nil is the empty state) and returns the new
// encoding, nil when nothing is left. now is the instant of the update (the arrival
// of the event, or of a backfill): later answers must be asked at instants >= now.
//
// The state keeps exactly what answers every instant t >= now:
//   - entries with Time <= now-Window are gone for good (windows only move forward);
//   - of the entries with now-Window < Time <= now, the Limit most recent by (Time, Seq):
//     at any t >= now the answer's Limit most recent can only be newer ones;
//   - every entry dated after now (clock skew, scheduled events): each one becomes the
//     most recent at its own instant, so none can be dropped without making some later
//     answer wrong. They are bounded by max(Limit, MaxFutureEntries), dropping the
//     farthest in the future, so that a sender stamping events years ahead cannot grow
//     a state without end; answers stay exact while fewer are pending.
//
// A late event (older than what is kept) lands in order, or is dropped when it could
// never be counted. An entry with the same (Time, Seq) as a kept one replaces it, so
// replaying an event (backfill racing live ingest) changes nothing.
func (a *CompiledAttr) Update(state []byte, e Entry, now time.Time) ([]byte, error) {
	if out, ok := a.appendLatest(state, e, now); ok {
		return out, nil
	}
	return a.update(state, e, now)
}

// update is Update by decoding every entry, inserting and pruning, and encoding again.
func (a *CompiledAttr) update(state []byte, e Entry, now time.Time) ([]byte, error) {
	entries, err := decodeState(state, 1)
	if err != nil {
		return nil, err
	}
	i, found := slices.BinarySearchFunc(entries, e, compareEntries)
	if found {
		entries[i] = e
	} else {
		entries = slices.Insert(entries, i, e)
	}
	entries = a.prune(entries, now)
	return encodeState(entries, len(state)+32)
}

// appendLatest is Update for the usual event: newer than every kept entry, not dated
// after now, in a state that keeps no entry dated after now either. Then only a prefix
// of the state leaves (out of the window, or beyond the limit) and the new entry goes
// last, so the encoding is walked without decoding values, the bytes of the entries that
// stay are kept, and the new one is appended: the same bytes update gives, at a
// fraction of the cost. ok is false when the case does not apply (update then decides,
// and reports a corrupt state).
func (a *CompiledAttr) appendLatest(state []byte, e Entry, now time.Time) (out []byte, ok bool) {
	lower := now.Add(-a.Window)
	if len(state) == 0 || state[0] != stateVersion || e.Time.After(now) || !e.Time.After(lower) {
		return nil, false
	}
	r := reader{b: state[1:]}
	n64 := r.uvarint()
	if r.err || n64 == 0 || n64 > uint64(len(r.b)/4) {
		return nil, false
	}
	n := int(n64)
	bodyAt := len(state) - len(r.b)
	// first is the index of the first entry that stays: after the expired ones, and
	// leaving room for the new one within the limit. Its time and sequence are written
	// again, absolute, and the bytes from its value on are kept.
	first, byLimit := -1, n+1-a.Limit
	var firstSec, firstNs int64
	var firstSeq uint64
	firstValueAt := 0
	var sec, ns int64
	var seq uint64
	for i := range n {
		if i == 0 {
			sec = r.varint()
		} else {
			d := r.uvarint()
			if d > math.MaxInt64/2 {
				return nil, false
			}
			sec += int64(d)
		}
		ns = r.subsec()
		seq += uint64(r.varint())
		valueAt := len(state) - len(r.b)
		r.skipValue()
		if r.err {
			return nil, false
		}
		if first < 0 && time.Unix(sec, ns).After(lower) {
			first = max(i, byLimit)
		}
		if i == first {
			firstSec, firstNs, firstSeq, firstValueAt = sec, ns, seq, valueAt
		}
	}
	last := time.Unix(sec, ns)
	if len(r.b) != 0 || last.After(now) || compareEntries(e, Entry{Time: last, Seq: seq}) <= 0 {
		return nil, false
	}
	if first < 0 {
		first = n // every kept entry expired
	}
	b := make([]byte, 0, len(state)+32)
	b = append(b, stateVersion)
	b = binary.AppendUvarint(b, uint64(n-first+1))
	switch {
	case first >= n:
		sec, seq = 0, 0
	case first == 0:
		b = append(b, state[bodyAt:]...)
	default:
		b = binary.AppendVarint(b, firstSec)
		b = appendSubsec(b, int(firstNs))
		b = binary.AppendVarint(b, int64(firstSeq))
		b = append(b, state[firstValueAt:]...)
	}
	b, err := appendEntry(b, e, first >= n, sec, seq)
	return b, err == nil
}

func (a *CompiledAttr) prune(es []Entry, now time.Time) []Entry {
	lower := now.Add(-a.Window)
	lo := firstAfter(es, lower)
	hi := firstAfter(es, now)
	if hi-lo > a.Limit {
		lo = hi - a.Limit
	}
	end := len(es)
	if most := max(a.Limit, MaxFutureEntries); end-hi > most {
		end = hi + most
	}
	return es[lo:end]
}

// firstAfter returns the index of the first entry with Time > t in sorted entries.
func firstAfter(es []Entry, t time.Time) int {
	i, _ := slices.BinarySearchFunc(es, t, func(e Entry, t time.Time) int {
		if e.Time.After(t) {
			return 1
		}
		return -1
	})
	return i
}

// The encoding: a version byte, the number of entries, then each entry in (Time, Seq)
// order. Times are Unix seconds (the first zigzag-varint, then non-negative deltas)
// and a sub-second part that is milliseconds when it can be (events carry
// milliseconds), so a typical entry costs 3 to 6 bytes before its value. Sequences are
// zigzag deltas from the previous entry's. A value is a tag byte and its payload.
const stateVersion = 1

const (
	tagNil byte = iota
	tagString
	tagInt
	tagFloat
	tagTime
)

// encodeState encodes entries into a buffer of capacity size (a guess; 0 for one).
func encodeState(es []Entry, size int) ([]byte, error) {
	if len(es) == 0 {
		return nil, nil
	}
	b := make([]byte, 0, max(size, 2+len(es)*8))
	b = append(b, stateVersion)
	b = binary.AppendUvarint(b, uint64(len(es)))
	var prevSec int64
	var prevSeq uint64
	for i, e := range es {
		var err error
		if b, err = appendEntry(b, e, i == 0, prevSec, prevSeq); err != nil {
			return nil, err
		}
		prevSec, prevSeq = e.Time.Unix(), e.Seq
	}
	return b, nil
}

// appendEntry encodes one entry after the one with time prevSec and sequence prevSeq,
// or as the first of a state.
func appendEntry(b []byte, e Entry, first bool, prevSec int64, prevSeq uint64) ([]byte, error) {
	sec := e.Time.Unix()
	if first {
		b = binary.AppendVarint(b, sec)
		prevSeq = 0
	} else {
		b = binary.AppendUvarint(b, uint64(sec-prevSec))
	}
	b = appendSubsec(b, e.Time.Nanosecond())
	b = binary.AppendVarint(b, int64(e.Seq-prevSeq))
	switch v := e.Value.(type) {
	case nil:
		b = append(b, tagNil)
	case string:
		b = append(b, tagString)
		b = binary.AppendUvarint(b, uint64(len(v)))
		b = append(b, v...)
	case int64:
		b = append(b, tagInt)
		b = binary.AppendVarint(b, v)
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("encoding profile state: the value %v", v)
		}
		b = append(b, tagFloat)
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	case time.Time:
		b = append(b, tagTime)
		b = binary.AppendVarint(b, v.Unix())
		b = appendSubsec(b, v.Nanosecond())
	default:
		return nil, fmt.Errorf("encoding profile state: a value of type %T", e.Value)
	}
	return b, nil
}

func appendSubsec(b []byte, ns int) []byte {
	if ns%1e6 == 0 {
		return binary.AppendUvarint(b, uint64(ns/1e6)<<1)
	}
	return binary.AppendUvarint(b, uint64(ns)<<1|1)
}

// DecodeState decodes a state into its entries, in (Time, Seq) order; nil for nil.
// The error wraps ErrState.
func DecodeState(state []byte) ([]Entry, error) { return decodeState(state, 0) }

// decodeState decodes into a slice with room for extra more entries.
func decodeState(state []byte, extra int) ([]Entry, error) {
	if len(state) == 0 {
		return nil, nil
	}
	bad := func(what string) ([]Entry, error) {
		return nil, fmt.Errorf("%w: %s", ErrState, what)
	}
	if state[0] != stateVersion {
		return bad(fmt.Sprintf("unknown version %d", state[0]))
	}
	r := reader{b: state[1:]}
	n := r.uvarint()
	if r.err || n > uint64(len(r.b)/4) { // an entry takes at least 4 bytes
		return bad("bad entry count")
	}
	if n == 0 {
		if len(r.b) != 0 {
			return bad("trailing bytes")
		}
		return nil, nil
	}
	es := make([]Entry, n, int(n)+extra)
	var lastString Value // the last string value, boxed once
	var sec, prevNs int64
	var seq uint64
	for i := range es {
		prevSec, prevSeq := sec, seq
		if i == 0 {
			sec = r.varint()
		} else {
			d := r.uvarint()
			if d > math.MaxInt64/2 {
				return bad("bad time")
			}
			sec += int64(d)
		}
		ns := r.subsec()
		seq += uint64(r.varint())
		es[i].Time = time.Unix(sec, ns).UTC()
		es[i].Seq = seq
		switch r.byte() {
		case tagNil:
		case tagString:
			l := r.uvarint()
			if l > uint64(len(r.b)) {
				return bad("bad string length")
			}
			// Kept values repeat (a channel, a queue): reuse the previous string when
			// the bytes are the same, so that reading a large state allocates less.
			if prev, ok := lastString.(string); ok && prev == string(r.b[:l]) {
				es[i].Value = lastString
			} else {
				lastString = string(r.b[:l])
				es[i].Value = lastString
			}
			r.b = r.b[l:]
		case tagInt:
			es[i].Value = r.varint()
		case tagFloat:
			if len(r.b) < 8 {
				return bad("truncated")
			}
			f := math.Float64frombits(binary.LittleEndian.Uint64(r.b))
			if math.IsNaN(f) || math.IsInf(f, 0) {
				return bad("a value that is not a finite number")
			}
			es[i].Value = f
			r.b = r.b[8:]
		case tagTime:
			s := r.varint()
			es[i].Value = time.Unix(s, r.subsec()).UTC()
		default:
			return bad("unknown value tag")
		}
		if r.err {
			return bad("truncated")
		}
		if i > 0 && sec == prevSec && (ns < prevNs || ns == prevNs && seq <= prevSeq) {
			return bad("entries out of order") // (Time, Seq) strictly increase
		}
		prevNs = ns
	}
	if len(r.b) != 0 {
		return bad("trailing bytes")
	}
	return es, nil
}

type reader struct {
	b   []byte
	err bool
}

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = true
		r.b = nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err = true
		r.b = nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) byte() byte {
	if len(r.b) == 0 {
		r.err = true
		return 0xff
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

// skipValue steps over a value: its tag and payload.
func (r *reader) skipValue() {
	switch r.byte() {
	case tagNil:
	case tagString:
		l := r.uvarint()
		if l > uint64(len(r.b)) {
			r.err = true
			return
		}
		r.b = r.b[l:]
	case tagInt:
		r.varint()
	case tagFloat:
		if len(r.b) < 8 {
			r.err = true
			return
		}
		r.b = r.b[8:]
	case tagTime:
		r.varint()
		r.subsec()
	default:
		r.err = true
	}
}

func (r *reader) subsec() int64 {
	v := r.uvarint()
	ns := v >> 1
	if v&1 == 0 {
		ns *= 1e6
	}
	if ns >= 1e9 {
		r.err = true
		return 0
	}
	return int64(ns)
}
