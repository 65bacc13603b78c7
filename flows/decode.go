package flows

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/expr-lang/expr/file"
	"go.yaml.in/yaml/v3"

	"github.com/openjds/jds/internal/strict"
	"github.com/openjds/jds/rules"
)

// ErrInvalid is what every flow definition problem is, as for rule files:
// errors.Is(err, ErrInvalid) holds for the errors of ParseFile and Load, so that a reload
// keeps the working set.
var ErrInvalid = rules.ErrInvalid

// Error is one problem in a flow file, "file:line:col: path: message": the type of rule
// files' problems.
type Error = rules.Error

// decoder walks a YAML document strictly: unknown keys, duplicate keys and wrong kinds
// are reported, all of them, each at its line and column.
type decoder struct {
	file string
	errs []error // each an *Error
}

func (d *decoder) fail(n *yaml.Node, path, format string, args ...any) {
	e := &Error{File: d.file, Path: path, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Col = n.Line, n.Column
	}
	d.errs = append(d.errs, e)
}

// err joins the problems in the order of the file.
func (d *decoder) err() error {
	sort.SliceStable(d.errs, func(i, j int) bool {
		a, b := d.errs[i].(*Error), d.errs[j].(*Error)
		return a.Line < b.Line || (a.Line == b.Line && a.Col < b.Col)
	})
	return errors.Join(d.errs...)
}

// field is one key an object accepts.
type field struct {
	name     string
	required bool
	fn       func(v *yaml.Node, path string)
}

// object decodes a mapping: each key to its field's fn, in the file's order.
func (d *decoder) object(n *yaml.Node, path string, fields []field) bool {
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "expected an object, got %s", describe(n))
		return false
	}
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.name
	}
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		p := join(path, k.Value)
		if first := seen[k.Value]; first != nil {
			d.fail(k, p, "duplicate key (first at line %d)", first.Line)
			continue
		}
		seen[k.Value] = k
		var fn func(*yaml.Node, string)
		for _, f := range fields {
			if f.name == k.Value {
				fn = f.fn
			}
		}
		if fn == nil {
			msg := fmt.Sprintf("unknown key %q", k.Value)
			if s := strict.Closest(k.Value, names); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			} else {
				msg += " (known: " + strings.Join(names, ", ") + ")"
			}
			d.fail(k, path, "%s", msg)
			continue
		}
		fn(v, p)
	}
	for _, f := range fields {
		if f.required && seen[f.name] == nil {
			d.fail(n, join(path, f.name), "required")
		}
	}
	return true
}

// pairs calls fn for each key and value of a mapping, in order.
func (d *decoder) pairs(n *yaml.Node, path string, fn func(k, v *yaml.Node, path string)) {
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "expected an object, got %s", describe(n))
		return
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if line, dup := seen[k.Value]; dup {
			d.fail(k, join(path, k.Value), "duplicate key (first at line %d)", line)
			continue
		}
		seen[k.Value] = k.Line
		fn(k, n.Content[i+1], join(path, k.Value))
	}
}

// list calls fn for each item of a sequence.
func (d *decoder) list(n *yaml.Node, path string, fn func(v *yaml.Node, path string)) {
	if n.Kind != yaml.SequenceNode {
		d.fail(n, path, "expected a list, got %s", describe(n))
		return
	}
	for i, v := range n.Content {
		fn(v, path+"["+strconv.Itoa(i)+"]")
	}
}

// str reads a string scalar (numbers and booleans are taken as written).
func (d *decoder) str(n *yaml.Node, path string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		d.fail(n, path, "expected a string, got %s", describe(n))
		return "", false
	}
	return n.Value, true
}

// duration reads a positive duration such as 2s, 500ms or 5m.
func (d *decoder) duration(n *yaml.Node, path string) (time.Duration, bool) {
	s, ok := d.str(n, path)
	if !ok {
		return 0, false
	}
	t, err := rules.ParseDuration(s)
	if err == nil && t <= 0 {
		err = errors.New("must be positive")
	}
	if err != nil {
		d.fail(n, path, "%v", err)
		return 0, false
	}
	return t, true
}

// scalar reads a scalar as the JSON value it stands for: string, int64, float64, bool
// or nil.
func scalar(n *yaml.Node) any {
	switch n.Tag {
	case "!!null":
		return nil
	case "!!bool":
		b, _ := strconv.ParseBool(n.Value)
		return b
	case "!!int":
		if i, err := strconv.ParseInt(n.Value, 0, 64); err == nil {
			return i
		}
	case "!!float":
		if f, err := strconv.ParseFloat(n.Value, 64); err == nil {
			return f
		}
	}
	return n.Value
}

// textCol is the file column of a 1-based column inside a scalar's text, 0 when the
// scalar's text does not start where the node does (block scalars).
func textCol(n *yaml.Node, col int) int {
	switch n.Style {
	case 0:
		return n.Column + col - 1
	case yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle:
		return n.Column + col
	}
	return 0
}

// exprError reports an expr compile error of the expression in scalar n.
func (d *decoder) exprError(n *yaml.Node, path string, err error) {
	var fe *file.Error
	if !errors.As(err, &fe) {
		d.fail(n, path, "%v", err)
		return
	}
	d.at(n, path, fe.Line, fe.Column+1, fe.Message)
}

// textError reports the problems of a ${expr} text in scalar n.
func (d *decoder) textError(n *yaml.Node, path string, err error) {
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	for _, e := range errs {
		var te *rules.TextError
		if errors.As(e, &te) {
			d.at(n, path, 1, te.Col, te.Msg)
			continue
		}
		d.fail(n, path, "%v", e)
	}
}

// at reports a problem at a line and column of a scalar's text.
func (d *decoder) at(n *yaml.Node, path string, line, col int, msg string) {
	e := &Error{File: d.file, Path: path, Line: n.Line, Col: n.Column, Msg: msg}
	switch {
	case line > 1 || (line == 1 && textCol(n, 1) == 0 && col > 0):
		e.Msg += fmt.Sprintf(" (line %d, column %d of the text)", line, col)
	case col > 0:
		e.Col = textCol(n, col)
	}
	d.errs = append(d.errs, e)
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "an object"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	if n.Tag == "!!null" {
		return "null"
	}
	if len(n.Value) > 40 {
		return strconv.Quote(n.Value[:40] + "...")
	}
	return strconv.Quote(n.Value)
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
