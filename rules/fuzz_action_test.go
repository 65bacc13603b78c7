package rules

import (
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"

	"github.com/openjds/jds/internal/exprbudget"
)

// Seed corpora live in testdata/fuzz/<target>/.

func FuzzParseActionJSON(f *testing.F) {
	f.Add([]byte(actionExample))
	f.Add([]byte(`{"name":"A","isActive":true,"cooldownPeriodInMinutes":0,"condition":"closedQueueCalls >= 1 && callsToday < 6","actionTriggers":[{"type":"Connector","connector":"sms","at":"${event.time + duration(\"1h\")}","attributes":{"to":"${person.phone[0]}","json":"{\"a\": ${profile.queues}, \"b\": \"${event.data.note}\"}"}}]}`))
	tpl := closedQueue(f)
	env := testRenderEnv(&testing.T{})
	f.Fuzz(func(t *testing.T, raw []byte) {
		a, err := ParseActionJSON(raw)
		if err != nil {
			for _, e := range unwrapAll(err) {
				var pe *Error
				if !errors.As(e, &pe) {
					t.Fatalf("not an *Error: %v", e)
				}
			}
			return
		}
		// What is accepted marshals to JSON that parses back to the same action.
		out, err := json.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseActionJSON(out)
		if err != nil {
			t.Fatalf("%s\n%v", out, err)
		}
		if !reflect.DeepEqual(normalJSON(t, back), normalJSON(t, a)) {
			t.Fatalf("not idempotent:\n%s\n%s", normalJSON(t, back), normalJSON(t, a))
		}
		c, err := CompileAction(a, tpl)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatal(err)
			}
			return
		}
		c.Holds(map[string]Result{"closedQueueCalls": {Value: int64(1)}, "callsToday": {Value: int64(1)}})
		rts, err := c.Render(env)
		if err != nil {
			if !errors.Is(err, ErrRender) {
				t.Fatalf("not ErrRender: %v", err)
			}
			return
		}
		for i, rt := range rts {
			if rt.ContentType == "application/json" && !json.Valid(rt.Body) {
				t.Fatalf("trigger %d: invalid JSON body %q from %q", i, rt.Body, a.ActionTriggers[i].Attributes[AttrRequestBody])
			}
		}
	})
}

// FuzzParseTemplate checks the placeholder parser, and that a template accepted as JSON
// renders valid JSON whatever the values.
func FuzzParseTemplate(f *testing.F) {
	for _, s := range []string{
		"", "plain", "${a}", "x${a}y${ b }z", "$${a} $$${b} $5", "${ {'a': 1}.a }", `${"}" + '{'}`,
		`{"SMS":"${person.phone[0]}","n": ${x}}`, `[${a}, "${b}\n", {"k": [${c}]}]`, "${a", `${"}`, "${ }",
		`{"a": "\${x}"}`, `{"a": 1${x}}`, "é${ü}✓",
	} {
		f.Add(s)
	}
	values := []any{`a "quoted"` + "\nline\t\\ </script> \u2028", int64(-3), 1.5, nil, []any{"x", int64(1)}, map[string]any{"k": `"v"`}, true}
	vars := map[string]any{}
	for i, v := range values {
		vars["v"+strconv.Itoa(i)] = v
	}
	progs := make([]*vm.Program, len(values))
	for i := range values {
		p, err := expr.Compile("v"+strconv.Itoa(i), expr.Env(vars))
		if err != nil {
			f.Fatal(err)
		}
		progs[i] = p
	}
	f.Fuzz(func(t *testing.T, s string) {
		parts, perr := parseTemplate(s)
		if perr != nil {
			if perr.off < 0 || perr.off > len(s) || perr.msg == "" {
				t.Fatalf("bad error %+v for %q", perr, s)
			}
			return
		}
		// Written back (literals with $ doubled), it parses to the same parts.
		var b strings.Builder
		for i, p := range parts {
			if p.isLit() {
				if p.lit == "" || (i > 0 && parts[i-1].isLit()) {
					t.Fatalf("empty or split literal in %q: %q", s, lits(parts))
				}
				b.WriteString(strings.ReplaceAll(p.lit, "$", "$$"))
				continue
			}
			if strings.TrimSpace(p.src) == "" || s[p.at:p.at+len(p.src)] != p.src {
				t.Fatalf("bad placeholder %+v in %q", p, s)
			}
			b.WriteString("${" + p.src + "}")
		}
		again, perr := parseTemplate(b.String())
		if perr != nil || !reflect.DeepEqual(lits(again), lits(parts)) {
			t.Fatalf("%q written back as %q: %v\n%q\n%q", s, b.String(), perr, lits(again), lits(parts))
		}
		if !looksJSON(s) || jsonContexts(parts) != nil {
			return
		}
		// Accepted as JSON: any values keep it valid JSON.
		for k := range values {
			for i := range parts {
				if !parts[i].isLit() {
					parts[i].prog = progs[(k+i)%len(progs)]
				}
			}
			out, err := (&tmpl{parts: parts}).render(vars, exprbudget.NewBudget(exprbudget.Units))
			if err != nil {
				continue // nil inside a string
			}
			if !json.Valid([]byte(out)) {
				t.Fatalf("%q rendered invalid JSON %q", s, out)
			}
		}
	})
}

func lits(parts []tmplPart) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p.lit+"\x00"+p.src)
	}
	return out
}
