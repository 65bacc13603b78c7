package rules

import (
	"errors"
	"strconv"

	"github.com/openjds/jds/internal/strict"
)

// ErrInvalid is what every definition problem is: errors.Is(err, ErrInvalid) holds for
// the errors of ParseTemplateJSON, ParseFile, Compile and CompileActionRule, so that a
// server maps them to 400 and a reload keeps the working set.
var ErrInvalid = errors.New("invalid rule definition")

// ErrState reports a state that cannot be decoded: corrupt, or written by a newer
// version of jds.
var ErrState = errors.New("bad profile state")

// Error is one problem in a definition. Its text is "file:line:col: path: message",
// without the parts that are unknown (an API template has no file).
type Error struct {
	File      string
	Line, Col int    // 1-based; 0 when unknown
	Path      string // JSON path of the field: attributes[0].aggregationMode
	Msg       string

	// exprCol is the 1-based column inside the field's text (an expression or a rule
	// condition) where the problem is, 0 when the whole field is meant. ParseFile turns
	// it into a file column when it can.
	exprCol int
	// atKey says the problem is the key of the field at Path, not its value: ParseFile
	// points at the key.
	atKey bool
}

func (e *Error) Error() string {
	s := (&strict.Error{File: e.File, Line: e.Line, Col: e.Col, Path: e.Path, Msg: e.Msg}).Error()
	if e.exprCol > 0 {
		s += " (column " + strconv.Itoa(e.exprCol) + ")"
	}
	return s
}

// Is makes every *Error an ErrInvalid.
func (e *Error) Is(target error) bool { return target == ErrInvalid }

// Problems lists the messages of a (joined) error, one per problem, for an API
// response's "errors" array.
func Problems(err error) []string {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []string
		for _, e := range j.Unwrap() {
			out = append(out, Problems(e)...)
		}
		return out
	}
	return []string{err.Error()}
}

// Invalid joins the strict decoder's problems, each as an *Error; nil when there are
// none.
func Invalid(es strict.Errors) error { return toProblems(es).err() }

// problems collects Errors.
type problems []*Error

func (p *problems) add(path, format string, args ...any) *Error {
	e := &Error{Path: path, Msg: sprintf(format, args...)}
	*p = append(*p, e)
	return e
}

func (p problems) err() error { return strict.JoinAll(p) }

// Paths are written as the strict decoder writes them.
func join(path, key string) string    { return strict.Join(path, key) }
func index(path string, i int) string { return strict.Index(path, i) }
func parent(path string) string       { return strict.Parent(path) }

func errorsJoin(errs []error) error { return errors.Join(errs...) }
