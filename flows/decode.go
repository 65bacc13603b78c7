package flows

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/expr-lang/expr/file"

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

// decoder walks a flow file's tree strictly: unknown keys, duplicate keys and wrong
// kinds are reported, all of them, each at its line and column.
type decoder struct {
	*strict.Decoder
}

// err joins the problems in the order of the file.
func (d *decoder) err() error {
	d.Errs.Sort()
	return rules.Invalid(d.Errs)
}

// str reads a string scalar (numbers and booleans are taken as written).
func (d *decoder) str(n *strict.Node, path string) (string, bool) {
	if !n.Scalar() || n.Kind == strict.Null {
		d.Fail(n, path, "expected a string, got %s", n.Describe())
		return "", false
	}
	return n.Text, true
}

// duration reads a positive duration such as 2s, 500ms or 5m.
func (d *decoder) duration(n *strict.Node, path string) (time.Duration, bool) {
	s, ok := d.str(n, path)
	if !ok {
		return 0, false
	}
	t, err := rules.ParseDuration(s)
	if err == nil && t <= 0 {
		err = errors.New("must be positive")
	}
	if err != nil {
		d.Fail(n, path, "%v", err)
		return 0, false
	}
	return t, true
}

// scalar reads a scalar as the JSON value it stands for: string, int64, float64, bool
// or nil.
func scalar(n *strict.Node) any {
	switch n.Tag {
	case "!!null":
		return nil
	case "!!bool":
		b, _ := strconv.ParseBool(n.Text)
		return b
	case "!!int":
		if i, err := strconv.ParseInt(n.Text, 0, 64); err == nil {
			return i
		}
	case "!!float":
		if f, err := strconv.ParseFloat(n.Text, 64); err == nil {
			return f
		}
	}
	return n.Text
}

// textCol is the file column of a 1-based column inside a scalar's text, 0 when the
// scalar's text does not start where the node does (block scalars).
func textCol(n *strict.Node, col int) int {
	if n.Quoted < 0 {
		return 0
	}
	return n.Col + n.Quoted + col - 1
}

// exprError reports an expr compile error of the expression in scalar n.
func (d *decoder) exprError(n *strict.Node, path string, err error) {
	var fe *file.Error
	if !errors.As(err, &fe) {
		d.Fail(n, path, "%v", err)
		return
	}
	d.at(n, path, fe.Line, fe.Column+1, fe.Message)
}

// textError reports the problems of a ${expr} text in scalar n.
func (d *decoder) textError(n *strict.Node, path string, err error) {
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
		d.Fail(n, path, "%v", e)
	}
}

// at reports a problem at a line and column of a scalar's text.
func (d *decoder) at(n *strict.Node, path string, line, col int, msg string) {
	e := d.Fail(n, path, "%s", msg)
	switch {
	case line > 1 || (line == 1 && textCol(n, 1) == 0 && col > 0):
		e.Msg += fmt.Sprintf(" (line %d, column %d of the text)", line, col)
	case col > 0:
		e.Col = textCol(n, col)
	}
}

func join(path, key string) string { return strict.Join(path, key) }
