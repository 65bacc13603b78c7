package filter

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
)

type litKind uint8

const (
	litNull litKind = iota
	litBool
	litNumber
	litString
)

// literal is a value written in the filter. Everything a comparison may need
// to know about it (is this text a number, a timestamp, a bool?) is worked out
// once at compile time so that matching does not parse the literal again.
type literal struct {
	kind litKind
	str  string  // the text; for a number its shortest decimal form
	num  float64 // a number, or the value of numeric text when isNum
	b    bool    // a bool, or the value of "true"/"false" text when isBool

	isNum, isBool, isTime bool

	sec  int64 // the instant of timestamp text, when isTime
	nsec int32
}

func numberLit(f float64) literal {
	if f == 0 {
		f = 0 // -0 equals 0; one spelling keeps the canonical form canonical
	}
	return literal{kind: litNumber, num: f, str: string(appendNum(nil, f))}
}

func stringLit(s string) literal {
	l := literal{kind: litString, str: s}
	l.num, l.isNum = parseNum(s)
	l.sec, l.nsec, l.isTime = parseTime(s)
	switch s {
	case "true":
		l.b, l.isBool = true, true
	case "false":
		l.isBool = true
	}
	return l
}

func (l *literal) write(b *strings.Builder) {
	switch l.kind {
	case litNull:
		b.WriteString("null")
	case litBool:
		b.WriteString(strconv.FormatBool(l.b))
	case litNumber:
		b.WriteString(l.str)
	default:
		writeQuoted(b, l.str, false)
	}
}

func (l *literal) equal(v any) bool {
	c, ok := compare(v, l)
	return ok && c == 0
}

// compare orders a field value against a literal. ok is false when the two
// are not comparable (different kinds, objects, nested arrays, null against
// anything but null): such values are neither equal nor ordered.
func compare(v any, l *literal) (c int, ok bool) {
	switch x := v.(type) {
	case string:
		return compareString(x, l)
	case nil:
		return 0, l.kind == litNull
	case bool:
		if l.kind == litBool || l.kind == litString && l.isBool {
			return compareBool(x, l.b), true
		}
		return 0, false
	}
	if f, isNum, ok := number(v); isNum && ok {
		switch {
		case l.kind == litNumber, l.kind == litString && l.isNum:
			return compareFloat(f, l.num), true
		}
	}
	return 0, false
}

func compareString(s string, l *literal) (int, bool) {
	switch l.kind {
	case litString:
		if l.isTime {
			if sec, nsec, ok := parseTime(s); ok {
				switch {
				case sec != l.sec:
					return compareInt(sec, l.sec), true
				default:
					return compareInt(int64(nsec), int64(l.nsec)), true
				}
			}
		}
		return strings.Compare(s, l.str), true
	case litNumber:
		if f, ok := parseNum(s); ok {
			return compareFloat(f, l.num), true
		}
	case litBool:
		switch s {
		case "true":
			return compareBool(true, l.b), true
		case "false":
			return compareBool(false, l.b), true
		}
	}
	return 0, false
}

func compareFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func compareInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case b:
		return -1
	}
	return 1
}

// number converts the numeric types a Getter may return. isNum tells whether
// v is of a numeric type at all; ok is false for NaN and malformed
// json.Number, which compare with nothing.
func number(v any) (f float64, isNum, ok bool) {
	switch x := v.(type) {
	case float64:
		return x, true, !math.IsNaN(x)
	case json.Number:
		f, ok := parseNum(string(x))
		return f, true, ok
	case float32:
		return float64(x), true, !math.IsNaN(float64(x))
	case int:
		return float64(x), true, true
	case int64:
		return float64(x), true, true
	case int32:
		return float64(x), true, true
	case int16:
		return float64(x), true, true
	case int8:
		return float64(x), true, true
	case uint:
		return float64(x), true, true
	case uint64:
		return float64(x), true, true
	case uint32:
		return float64(x), true, true
	case uint16:
		return float64(x), true, true
	case uint8:
		return float64(x), true, true
	}
	return 0, false, false
}

// IsNumber accepts JSON's number syntax, leading zeros aside ("007" is a number). It
// is stricter than strconv.ParseFloat on purpose: text such as "Inf", "0x1p4" or
// "1_000" is not a number to a user, and checking first also keeps ParseFloat from
// allocating an error on the hot path. Rules and the event decoder use it too, so
// that every part of jds agrees on what numeric text is.
func IsNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	digits := func() bool {
		start := i
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
		return i > start
	}
	if !digits() {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if !digits() {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if !digits() {
			return false
		}
	}
	return i == len(s)
}

func parseNum(s string) (float64, bool) {
	if !IsNumber(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

// appendNum writes a number as its shortest decimal text, switching to
// exponent form where JavaScript does so that huge or tiny values stay short.
func appendNum(b []byte, f float64) []byte {
	if a := math.Abs(f); a == 0 || a >= 1e-6 && a < 1e21 {
		return strconv.AppendFloat(b, f, 'f', -1, 64)
	}
	start := len(b)
	b = strconv.AppendFloat(b, f, 'e', -1, 64)
	// Go pads the exponent to two digits (1e-08); shortest means 1e-8.
	if i := bytes.IndexByte(b[start:], 'e'); i >= 0 {
		if j := start + i + 2; j+1 < len(b) && b[j] == '0' {
			b = append(b[:j], b[j+1:]...)
		}
	}
	return b
}

// parseTime parses an RFC 3339 date-time into Unix seconds and nanoseconds.
// It is hand-written because time.Parse allocates for numeric zone offsets
// and for every failure, and matching tries it on arbitrary field text.
func parseTime(s string) (sec int64, nsec int32, ok bool) {
	if len(s) < len("2006-01-02T15:04:05Z") ||
		s[4] != '-' || s[7] != '-' || s[10] != 'T' && s[10] != 't' || s[13] != ':' || s[16] != ':' {
		return 0, 0, false
	}
	year, ok1 := atoi(s[0:4])
	month, ok2 := atoi(s[5:7])
	day, ok3 := atoi(s[8:10])
	hour, ok4 := atoi(s[11:13])
	minute, ok5 := atoi(s[14:16])
	second, ok6 := atoi(s[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) ||
		month < 1 || month > 12 || day < 1 || day > daysIn(month, year) ||
		hour > 23 || minute > 59 || second > 59 {
		return 0, 0, false
	}
	i := 19
	if s[i] == '.' {
		i++
		start := i
		scale := int32(1e8)
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			nsec += int32(s[i]-'0') * scale // digits past nanoseconds are dropped
			scale /= 10
			i++
		}
		if i == start {
			return 0, 0, false
		}
	}
	if i >= len(s) {
		return 0, 0, false
	}
	offset := 0
	switch s[i] {
	case 'Z', 'z':
		i++
	case '+', '-':
		if len(s)-i != 6 || s[i+3] != ':' {
			return 0, 0, false
		}
		hh, ok1 := atoi(s[i+1 : i+3])
		mm, ok2 := atoi(s[i+4 : i+6])
		if !ok1 || !ok2 || hh > 23 || mm > 59 {
			return 0, 0, false
		}
		offset = hh*3600 + mm*60
		if s[i] == '-' {
			offset = -offset
		}
		i += 6
	default:
		return 0, 0, false
	}
	if i != len(s) {
		return 0, 0, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, second, 0, time.UTC)
	return t.Unix() - int64(offset), nsec, true
}

func atoi(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// pattern is a wildcard value: the literal text between the stars, at least
// two parts. Matching is the classic greedy scan, which is exact for "*"
// alone and needs no regexp or allocation.
type pattern []string

// newPattern drops empty inner parts, since "**" matches what "*" does.
func newPattern(parts []string) pattern {
	p := pattern{parts[0]}
	for _, s := range parts[1 : len(parts)-1] {
		if s != "" {
			p = append(p, s)
		}
	}
	return append(p, parts[len(parts)-1])
}

func (p pattern) match(s string) bool {
	first, last := p[0], p[len(p)-1]
	if len(s) < len(first)+len(last) || !strings.HasPrefix(s, first) || !strings.HasSuffix(s, last) {
		return false
	}
	s = s[len(first) : len(s)-len(last)]
	for _, mid := range p[1 : len(p)-1] {
		i := strings.Index(s, mid)
		if i < 0 {
			return false
		}
		s = s[i+len(mid):]
	}
	return true
}

func (p pattern) write(b *strings.Builder) {
	b.WriteByte('\'')
	for i, s := range p {
		if i > 0 {
			b.WriteByte('*')
		}
		writeEscaped(b, s, true)
	}
	b.WriteByte('\'')
}
