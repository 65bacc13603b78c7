package strict

import (
	"errors"
	"sort"
	"strconv"
	"strings"
)

// Error is one problem: "file:line:col: path: message", without the parts that are
// unknown (JSON has no lines, a problem with a whole file no path).
type Error struct {
	File      string
	Line, Col int    // 1-based; 0 when unknown
	Path      string // of the value: attributes[0].aggregationMode
	Msg       string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			b.WriteString(":" + strconv.Itoa(e.Line))
			if e.Col > 0 {
				b.WriteString(":" + strconv.Itoa(e.Col))
			}
		}
		b.WriteString(": ")
	}
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors are the problems of a document.
type Errors []*Error

// Err joins the problems; nil when there are none.
func (es Errors) Err() error { return JoinAll(es) }

// JoinAll is errors.Join of a slice of some error type; nil when it is empty.
func JoinAll[E error](es []E) error {
	errs := make([]error, len(es))
	for i, e := range es {
		errs[i] = e
	}
	return errors.Join(errs...)
}

// Sort orders the problems by position, keeping the order of those at one place.
func (es Errors) Sort() {
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].Line != es[j].Line {
			return es[i].Line < es[j].Line
		}
		return es[i].Col < es[j].Col
	})
}
