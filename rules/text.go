package rules

import (
	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"

	"github.com/openjds/jds/internal/exprbudget"
)

// Text is a string with ${expr} placeholders, compiled once, for definitions outside this
// package (IVR flows write their answers and events with it). Placeholders follow the
// same syntax as action triggers; their values are written as text.
type Text struct {
	t *tmpl
	// alone is true when the text is one placeholder and nothing else.
	alone bool
}

// TextError is a problem of a Text at a 1-based column of its text (0 when the text has
// several lines; the message then names the line and column inside it).
type TextError struct {
	Col int
	Msg string
}

func (e *TextError) Error() string { return e.Msg }

// CompileText parses s and compiles its placeholders with opts (the environment, the
// functions). Every problem is reported, each a *TextError, joined.
func CompileText(s string, opts ...expr.Option) (*Text, error) {
	parts, perr := parseTemplate(s)
	var errs problems
	if perr != nil {
		templateError(&errs, "", s, perr)
	} else if t := compileTemplate(s, parts, "", &errs, nil, opts...); t != nil {
		return &Text{t: t, alone: len(parts) == 1 && !parts[0].isLit()}, nil
	}
	out := make([]error, len(errs))
	for i, e := range errs {
		out[i] = &TextError{Col: e.exprCol, Msg: e.Msg}
	}
	return nil, errorsJoin(out)
}

// Programs returns the compiled placeholders, for callers that inspect them.
func (t *Text) Programs() []*vm.Program {
	var out []*vm.Program
	for _, p := range t.t.parts {
		if !p.isLit() {
			out = append(out, p.prog)
		}
	}
	return out
}

// Static reports whether the text has no placeholder, and its text.
func (t *Text) Static() (string, bool) { return t.t.static() }

// Render writes the text with every placeholder replaced by its value as text: strings
// as they are, numbers in their shortest form, times in RFC 3339 UTC, lists and maps as
// JSON. A placeholder without a value (nil) is an error naming it.
// Each Render has a budget of exprbudget.Units of its own.
func (t *Text) Render(env any) (string, error) {
	return t.t.render(env, exprbudget.NewBudget(exprbudget.Units))
}

// Value is Render, except that a text that is one placeholder alone yields the value
// itself, so that "${count}" stays a number and "${x ?? nil}" may be null.
func (t *Text) Value(env any) (any, error) {
	if !t.alone {
		return t.Render(env)
	}
	p := t.t.parts[0]
	v, err := exprbudget.Run(p.prog, env)
	if err == nil {
		err = exprbudget.CheckSize(v)
	}
	if err != nil {
		return nil, &TextError{Msg: "${" + p.src + "}: " + ExprMessage(err)}
	}
	return v, nil
}
