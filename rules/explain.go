package rules

import (
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"

	"github.com/openjds/jds/internal/exprbudget"
)

// Explanation says why an action's rule and condition hold or not over some aggregate
// results: the whole answer as Holds gives it, the JDS rule block's, and the condition
// split into its top-level clauses, each with its value.
type Explanation struct {
	Holds bool   `json:"holds"`
	Error string `json:"error,omitempty"` // why the evaluation failed (the action does not fire then)
	// Rule is the JDS rule block's answer, when the action has one.
	Rule *bool `json:"rule,omitempty"`
	// Operator joins the clauses: "&&" or "||"; "" when the condition is one clause.
	Operator string   `json:"operator,omitempty"`
	Clauses  []Clause `json:"clauses,omitempty"`
	// Attributes are the values of the attributes the rule and the condition read, as
	// the condition sees them.
	Attributes map[string]any `json:"attributes"`
}

// Clause is one top-level clause of a condition and its value.
type Clause struct {
	Text  string `json:"text"`
	Value any    `json:"value"`           // true, false; nil when it failed
	Error string `json:"error,omitempty"` // its runtime error (nil compared with a number, say)
}

// Explain evaluates the action over results as Holds does and says why. The condition
// is split at its top-level operator when it is && or || (a && b && c gives three
// clauses; a && b || c gives "a && b" and "c"); each clause is compiled with the
// condition's environment and run over the same values.
func (c *CompiledAction) Explain(results map[string]Result) Explanation {
	x := Explanation{Attributes: map[string]any{}}
	holds, err := c.Holds(results)
	x.Holds = holds
	if err != nil {
		x.Error = err.Error()
	}
	for _, a := range c.attrs {
		if r, ok := results[a.Name]; ok {
			x.Attributes[a.Name] = exprValue(a, r.Value)
		}
	}
	if c.rule != nil {
		ok, err := c.rule.Eval(results)
		if err == nil {
			x.Rule = &ok
		}
	}
	if c.cond == nil {
		return x
	}
	env, err := c.conditionEnv(results)
	if err != nil {
		return x
	}
	op, parts := splitClauses(c.Action.Condition)
	x.Operator = op
	for _, text := range parts {
		cl := Clause{Text: text}
		prog, err := exprbudget.Compile(text, c.conditionOptions()...)
		if err == nil {
			cl.Value, err = exprbudget.Run(prog, env)
		}
		if err != nil {
			cl.Value, cl.Error = nil, ExprMessage(err)
		}
		x.Clauses = append(x.Clauses, cl)
	}
	return x
}

// splitClauses splits an expression at its top-level && or || (and, or): the operator
// and the operands, flattened over the same operator; the whole expression alone when
// its top is anything else.
func splitClauses(src string) (string, []string) {
	tree, err := parser.Parse(src)
	if err != nil {
		return "", []string{src}
	}
	top, ok := tree.Node.(*ast.BinaryNode)
	if !ok {
		return "", []string{src}
	}
	op := logical(top.Operator)
	if op == "" {
		return "", []string{src}
	}
	var out []string
	var walk func(n ast.Node)
	walk = func(n ast.Node) {
		if b, ok := n.(*ast.BinaryNode); ok && logical(b.Operator) == op {
			walk(b.Left)
			walk(b.Right)
			return
		}
		out = append(out, n.String())
	}
	walk(top)
	return op, out
}

func logical(op string) string {
	switch op {
	case "&&", "and":
		return "&&"
	case "||", "or":
		return "||"
	}
	return ""
}
