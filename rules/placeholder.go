package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/exprbudget"
)

// Trigger strings are templates: literal text with ${expr} placeholders, each replaced by
// the value of an expr expression when the action fires. "$$" writes one "$", so "$${"
// is a literal "${" and "$$${x}" a dollar sign before a value (the Docker Compose
// escape; a backslash would collide with JSON's own escapes in request bodies). Any
// other "$" is literal: "US$5" stays as it is.
//
// A template is parsed and its expressions compiled once, at load. How a value is
// written depends on where the placeholder stands (its context), which is also decided
// at load:
//
//	text        the value's text (see textOf)
//	urlPath     the text, path-escaped (before any ? of the URL)
//	urlQuery    the text, query-escaped (after the ?), and every placeholder of a form body
//	header      the text, which must not hold a line break
//	jsonString  inside a JSON string literal: the text, JSON-escaped (no quotes added)
//	jsonValue   standing alone as a JSON value: the value's JSON encoding

type placeCtx uint8

const (
	ctxText placeCtx = iota
	ctxURLPath
	ctxURLQuery
	ctxHeader
	ctxJSONString
	ctxJSONValue
)

// tmplPart is literal text (prog nil) or a placeholder.
type tmplPart struct {
	lit  string
	src  string // the expression, without ${ }
	at   int    // byte offset of the expression in the template text
	prog *vm.Program
	ctx  placeCtx
}

func (p *tmplPart) isLit() bool { return p.src == "" }

// tmplError is a problem in a template at a byte offset of its text.
type tmplError struct {
	off int
	msg string
}

func (e *tmplError) Error() string { return e.msg }

// maxPlaceholders bounds the placeholders of one string; hostile input stays cheap.
const maxPlaceholders = 1000

// parseTemplate splits s into literal parts and placeholders (not compiled). Adjacent
// literal text is one part.
func parseTemplate(s string) ([]tmplPart, *tmplError) {
	var parts []tmplPart
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			parts = append(parts, tmplPart{lit: lit.String()})
			lit.Reset()
		}
	}
	n := 0
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], "$$"):
			lit.WriteByte('$')
			i += 2
		case strings.HasPrefix(s[i:], "${"):
			end, err := placeholderEnd(s, i+2)
			if err != nil {
				return nil, err
			}
			src := s[i+2 : end]
			if strings.TrimSpace(src) == "" {
				return nil, &tmplError{off: i, msg: "empty placeholder ${}"}
			}
			if n++; n > maxPlaceholders {
				return nil, &tmplError{off: i, msg: fmt.Sprintf("more than %d placeholders", maxPlaceholders)}
			}
			flush()
			parts = append(parts, tmplPart{src: src, at: i + 2})
			i = end + 1
		default:
			lit.WriteByte(s[i])
			i++
		}
	}
	flush()
	return parts, nil
}

// placeholderEnd returns the offset of the "}" that closes the placeholder whose
// expression starts at i: braces nest (map literals), and braces inside expr string
// literals ("...", '...', `...`) do not count.
func placeholderEnd(s string, i int) (int, *tmplError) {
	open := i - 2
	depth := 1
	for i < len(s) {
		switch c := s[i]; c {
		case '"', '\'', '`':
			j := i + 1
			for j < len(s) && s[j] != c {
				if s[j] == '\\' && c != '`' {
					j++
				}
				j++
			}
			if j >= len(s) {
				return 0, &tmplError{off: i, msg: "unterminated string in placeholder"}
			}
			i = j + 1
			continue
		case '{':
			depth++
		case '}':
			if depth--; depth == 0 {
				return i, nil
			}
		}
		i++
	}
	return 0, &tmplError{off: open, msg: "unterminated placeholder: ${ without its closing }"}
}

// tmpl is a compiled template string.
type tmpl struct {
	parts []tmplPart
}

// static reports whether the template has no placeholder, and its text.
func (t *tmpl) static() (string, bool) {
	var b strings.Builder
	for _, p := range t.parts {
		if !p.isLit() {
			return "", false
		}
		b.WriteString(p.lit)
	}
	return b.String(), true
}

// render writes the template with env, its placeholders drawing on budget. Errors name
// the placeholder.
func (t *tmpl) render(env any, budget *exprbudget.Budget) (string, error) {
	var b strings.Builder
	for _, p := range t.parts {
		if p.isLit() {
			b.WriteString(p.lit)
			continue
		}
		v, err := budget.Run(p.prog, env)
		if err == nil {
			err = exprbudget.CheckSize(v)
		}
		if err != nil {
			return "", fmt.Errorf("${%s}: %w", p.src, exprErr(err))
		}
		s, err := encode(v, p.ctx)
		if err != nil {
			return "", fmt.Errorf("${%s}: %w", p.src, err)
		}
		if b.Len()+len(s) > exprbudget.MaxText {
			return "", fmt.Errorf("${%s}: %w: the text is more than %d bytes with it", p.src, exprbudget.ErrBudget, exprbudget.MaxText)
		}
		b.WriteString(s)
	}
	return b.String(), nil
}

// ExprMessage is an expr run-time error without the source excerpt expr appends: the
// message is what matters in a dead-letter entry or a flow's fallback reason.
func ExprMessage(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// exprRunError is an expr run-time error written as ExprMessage writes it, still
// wrapping it: errors.Is(err, exprbudget.ErrBudget) holds for an evaluation over its
// budget.
type exprRunError struct{ err error }

func (e exprRunError) Error() string { return ExprMessage(e.err) }
func (e exprRunError) Unwrap() error { return e.err }

func exprErr(err error) error { return exprRunError{err} }

// encode writes a value in a context.
func encode(v any, ctx placeCtx) (string, error) {
	if ctx == ctxJSONValue {
		return jsonOf(v)
	}
	if v == nil {
		return "", errors.New(`no value (nil); write ${x ?? ""} to render nothing when x has none`)
	}
	s, err := textOf(v)
	if err != nil {
		return "", err
	}
	switch ctx {
	case ctxURLPath:
		return url.PathEscape(s), nil
	case ctxURLQuery:
		return url.QueryEscape(s), nil
	case ctxHeader:
		if strings.ContainsAny(s, "\r\n") {
			return "", errors.New("a header value cannot hold a line break")
		}
	case ctxJSONString:
		q, err := marshalJSON(s)
		if err != nil {
			return "", err
		}
		return q[1 : len(q)-1], nil
	}
	return s, nil
}

var timeType = reflect.TypeOf(time.Time{})

// textOf writes a value as text: strings as they are, numbers in their shortest form,
// booleans as true/false, times as RFC 3339 in UTC with milliseconds, durations as Go
// writes them (1h30m0s), and lists, maps and anything else as JSON.
func textOf(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case bool:
		return strconv.FormatBool(x), nil
	case int:
		return strconv.Itoa(x), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case int32:
		return strconv.FormatInt(int64(x), 10), nil
	case uint:
		return strconv.FormatUint(uint64(x), 10), nil
	case uint64:
		return strconv.FormatUint(x, 10), nil
	case float64:
		return formatFloat(x), nil
	case float32:
		return formatFloat(float64(x)), nil
	case time.Time:
		return x.UTC().Format(event.TimeLayout), nil
	case time.Duration:
		return x.String(), nil
	}
	return marshalJSON(v)
}

// jsonOf writes a value as a JSON value: nil is null, times are strings as textOf
// writes them, NaN and infinities are errors.
func jsonOf(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "null", nil
	case time.Time:
		return marshalJSON(x.UTC().Format(event.TimeLayout))
	case time.Duration:
		return marshalJSON(x.String())
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "", fmt.Errorf("%v is not a JSON number", x)
		}
		return formatFloat(x), nil
	}
	return marshalJSON(v)
}

// marshalJSON is json.Marshal without HTML escaping (<, > and & stay as they are).
func marshalJSON(v any) (string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", fmt.Errorf("writing the value as JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

// contexts for a template used as a URL: the scheme and host must be written out (so a
// value can never choose where a delivery goes); placeholders are path-escaped before
// the first ? and query-escaped after it.
func urlContexts(s string, parts []tmplPart) *tmplError {
	if len(parts) == 0 || !parts[0].isLit() {
		return &tmplError{off: 0, msg: "must start with http:// or https:// and the host, written out"}
	}
	first := parts[0].lit
	lower := strings.ToLower(first)
	var rest string
	switch {
	case strings.HasPrefix(lower, "https://"):
		rest = first[len("https://"):]
	case strings.HasPrefix(lower, "http://"):
		rest = first[len("http://"):]
	default:
		return &tmplError{off: 0, msg: "must be an http:// or https:// URL"}
	}
	if rest == "" || rest[0] == '/' {
		return &tmplError{off: 0, msg: "must name the host after the scheme, written out"}
	}
	if len(parts) == 1 {
		u, err := url.Parse(first)
		if err != nil {
			return &tmplError{off: 0, msg: "bad URL: " + strings.TrimPrefix(err.Error(), "parse "+strconv.Quote(first)+": ")}
		}
		if u.Host == "" {
			return &tmplError{off: 0, msg: "must name the host"}
		}
		return nil
	}
	query := false
	for i := range parts {
		if parts[i].isLit() {
			if strings.ContainsAny(parts[i].lit, "?#") {
				query = true
			}
			continue
		}
		if query {
			parts[i].ctx = ctxURLQuery
		} else {
			parts[i].ctx = ctxURLPath
		}
	}
	return nil
}

// looksJSON reports whether a text is meant as a JSON document: an object or an array.
func looksJSON(s string) bool {
	s = strings.TrimLeft(s, " \t\r\n")
	return s != "" && (s[0] == '{' || s[0] == '[')
}

// jsonContexts decides, for a template meant as JSON, which placeholders stand inside a
// string literal and which stand alone as a value, and checks that the text is valid
// JSON with them: each placeholder in a string as "x", each standing alone as null (so
// that 1${x} or ${x}${y} is caught: a value placeholder must be the whole value).
func jsonContexts(parts []tmplPart) error {
	var probe strings.Builder
	inString, escaped := false, false
	for i := range parts {
		p := &parts[i]
		if p.isLit() {
			for j := 0; j < len(p.lit); j++ {
				c := p.lit[j]
				switch {
				case escaped:
					escaped = false
				case inString && c == '\\':
					escaped = true
				case c == '"':
					inString = !inString
				}
			}
			probe.WriteString(p.lit)
			continue
		}
		if inString {
			if escaped {
				return errors.New("a placeholder cannot follow a backslash inside a JSON string")
			}
			p.ctx = ctxJSONString
			probe.WriteString("x")
		} else {
			p.ctx = ctxJSONValue
			probe.WriteString("null")
		}
	}
	var v any
	if err := json.Unmarshal([]byte(probe.String()), &v); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return fmt.Errorf("not valid JSON (with each placeholder standing for a value): %s", syn.Error())
		}
		return fmt.Errorf("not valid JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	return nil
}

// compileTemplate compiles every placeholder of parts with the given expr options.
// Problems are reported with exprErrorAt, at the expression's place in the text.
func compileTemplate(s string, parts []tmplPart, path string, errs *problems, check func(prog *vm.Program, at int) *tmplError, opts ...expr.Option) *tmpl {
	bad := false
	for i := range parts {
		p := &parts[i]
		if p.isLit() {
			continue
		}
		prog, err := exprbudget.Compile(p.src, opts...)
		if err != nil {
			exprErrorAt(errs, path, s, p.at, err)
			bad = true
			continue
		}
		if check != nil {
			if e := check(prog, p.at); e != nil {
				templateError(errs, path, s, e)
				bad = true
				continue
			}
		}
		p.prog = prog
	}
	if bad {
		return nil
	}
	return &tmpl{parts: parts}
}

// exprErrorAt records an expr compile error of an expression that starts at byte off of
// a field's text s.
func exprErrorAt(errs *problems, path, s string, off int, err error) {
	exprErrorNow(errs, path, s, off, err, "now() is not available: use event.time, the time of the event that fired the action, so that a rendering does not depend on when it happens")
}

// exprErrorNow is exprErrorAt with the message that replaces expr's "unknown name now".
func exprErrorNow(errs *problems, path, s string, off int, err error, nowMsg string) {
	var fe *file.Error
	if !errors.As(err, &fe) {
		errs.add(path, "%v", err)
		return
	}
	msg := goTypes.Replace(fe.Message)
	if msg == "unknown name now" {
		msg = nowMsg
	}
	col := fe.Column
	if fe.Line > 1 { // a multi-line expression: find the line inside it
		lines := strings.SplitAfterN(s[off:], "\n", fe.Line)
		if len(lines) == fe.Line {
			for _, l := range lines[:fe.Line-1] {
				off += len(l)
			}
		}
	}
	templateError(errs, path, s, &tmplError{off: off + byteOffset(s[off:], col), msg: msg})
}

// goTypes names the Go types of the environment the way admins write them.
var goTypes = strings.NewReplacer("type rules.PersonEnv", "person", "type *rules.EventEnv", "event",
	"type rules.EventEnv", "event", "type rules.ActionEnv", "action")

// byteOffset returns the byte offset of the n-th rune of s (len(s) past the end).
func byteOffset(s string, n int) int {
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}

// templateError records a problem at a byte offset of a field's text: as a column when
// the text is one line (ParseFile then points at it in the file), else with its line
// and column inside the text.
func templateError(errs *problems, path, s string, e *tmplError) {
	off := min(max(e.off, 0), len(s))
	before := s[:off]
	line := strings.Count(before, "\n") + 1
	col := utf8.RuneCountInString(before[strings.LastIndexByte(before, '\n')+1:]) + 1
	if strings.Contains(s, "\n") {
		errs.add(path, "%s (line %d, column %d of the text)", e.msg, line, col)
		return
	}
	errs.add(path, "%s", e.msg).exprCol = col
}
