package flows

import (
	"errors"
	"strings"
	"testing"

	"github.com/openjds/jds/internal/store/badgerstore"
)

func TestParseFileErrors(t *testing.T) {
	cases := []struct {
		name, src string
		want      []string // each must appear in the error, in order of the file
	}{
		{"unknown key", "identity: ani\nrules: [{respond: {a: 1}}]\nfallback: {a: 1}\nfalback: {}\n",
			[]string{`f.yaml:4:1: unknown key "falback" (did you mean "fallback"?)`}},
		{"required parts", "description: nothing\n",
			[]string{"identity: required", "rules: required", "fallback: required"}},
		{"expr error at its column", "identity: ani\nbindings:\n  x: request.ani +\nrules: [{respond: {a: 1}}]\nfallback: {a: 1}\n",
			[]string{"f.yaml:3:"}},
		{"unknown name", "identity: ani\nrules:\n  - when: paymnet == nil\n    respond: {a: 1}\nfallback: {a: 1}\n",
			[]string{`f.yaml:3:11: rules[0].when: unknown name paymnet`}},
		{"when must be boolean", "identity: ani\nrules:\n  - when: '1 + 1'\n    respond: {a: 1}\nfallback: {a: 1}\n",
			[]string{"rules[0].when: expected bool"}},
		{"bad literal filter", "identity: ani\nbindings:\n  p: last(\"type eq\", \"\")\nrules: [{respond: {a: 1}}]\nfallback: {a: 1}\n",
			[]string{`f.yaml:3:11: bindings.p: last(): its filter argument`}},
		{"nested answer", "identity: ani\nrules: [{respond: {a: {b: 1}}}]\nfallback: {a: 1}\n",
			[]string{"rules[0].respond.a: answers are flat JSON"}},
		{"fallback cannot compute", "identity: ani\nrules: [{respond: {a: 1}}]\nfallback: {a: '${request.x}'}\n",
			[]string{"fallback.a: the fallback is what a caller hears when evaluation fails"}},
		{"placeholder error", "identity: ani\nrules: [{respond: {a: '${nope}'}}]\nfallback: {a: 1}\n",
			[]string{"rules[0].respond.a: unknown name nope"}},
		{"reserved binding", "identity: ani\nbindings: {person: 1}\nrules: [{respond: {a: 1}}]\nfallback: {a: 1}\n",
			[]string{`bindings.person: "person" is a name flows already define`}},
		{"bad identity type", "identity: {field: ani, type: fax}\nrules: [{respond: {a: 1}}]\nfallback: {a: 1}\n",
			[]string{"identity.type: must be one of"}},
		{"secret from a missing variable", "identity: ani\nsignature: {secret: '${NOT_SET_ANYWHERE}'}\nrules: [{respond: {a: 1}}]\nfallback: {a: 1}\n",
			[]string{"signature.secret: environment variable NOT_SET_ANYWHERE is not set"}},
		{"expression budget", "identity: ani\nbindings:\n  x: len(replace(repeat('a', 999999), 'a', 'aa'))\nrules: [{respond: {a: 1}}]\nfallback: {a: 1}\n",
			[]string{"f.yaml:3:", "bindings.x: expression budget: replace(...) makes a string of 1999998 bytes"}},
		{"expression budget in a text", "identity: ani\nrules: [{respond: {a: '${repeat(\"ab\", 600000)}'}}]\nfallback: {a: 1}\n",
			[]string{"rules[0].respond.a: expression budget: repeat(...) makes a string of 1200000 bytes"}},
		{"empty", "", []string{"empty flow file"}},
		{"yaml syntax", "identity: ani\nrules: [\n", []string{"f.yaml: line"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseFile("f.yaml", []byte(c.src), Options{Getenv: func(string) string { return "" }})
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, ErrInvalid) && !strings.Contains(err.Error(), "line") && c.name != "empty" {
				t.Errorf("error is not ErrInvalid: %v", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\nlacks %q", err, w)
				}
			}
		})
	}
}

func TestParseFileTypesFlowThroughBindings(t *testing.T) {
	src := `identity: {field: caller.number, type: phone}
timeout: 500ms
bindings:
  events: history("type eq 'Payment'", "", 5)
  n: len(events)
  latest: last("", "")
rules:
  - name: some
    when: n > 0 && latest.data.status == "overdue"
    respond: {count: "${n}", when: "${latest.time}"}
fallback: {count: 0}
`
	f, err := ParseFile("ok.yaml", []byte(src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if f.Name != "ok" || f.field != "caller.number" || f.timeout.Milliseconds() != 500 || f.Writes() {
		t.Errorf("parsed %+v", f)
	}
	if f.filters["type eq 'Payment'"] == nil {
		t.Error("literal filter not compiled at load")
	}
	// A binding's type is checked where it is used: n is an int.
	bad := strings.Replace(src, `n > 0`, `n.data`, 1)
	if _, err := ParseFile("bad.yaml", []byte(bad), Options{}); err == nil || !strings.Contains(err.Error(), "bad.yaml:9:") {
		t.Errorf("type error not reported at its place: %v", err)
	}
}

func TestLoadRejectsTwoFlowsOfOneName(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir+"/a.yaml", "identity: ani\nrules: [{respond: {a: 1}}]\nfallback: {a: 1}\n")
	writeFile(t, dir+"/sub.yaml", "identity: ani\nrules: [{respond: {a: 1}}]\nfallback: {a: 1}\n")
	writeFile(t, dir+"/a.test.yaml", "flow: a.yaml\n")
	set, err := Load(Options{}, dir)
	if err != nil || strings.Join(set.Names(), ",") != "a,sub" {
		t.Fatalf("load: %v %v", set, err)
	}
	if _, err := Load(Options{}, dir, dir+"/a.yaml"); err == nil || !strings.Contains(err.Error(), `flow "a" is defined twice`) {
		t.Errorf("duplicate name: %v", err)
	}
	if set, err := Load(Options{}, dir+"/missing"); err != nil || len(set.Names()) != 0 {
		t.Errorf("a missing directory holds no flows: %v %v", set, err)
	}
}

// Issue 17 (1): a flow's expressions run within the expression budget too: a binding
// that only the request arms fails, and the fallback answers with the reason.
func TestFlowOverItsExpressionBudgetFallsBack(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir+"/bomb.yaml", `identity: ani
bindings:
  size: len(replace(repeat("a", request.n), "a", "aa"))
rules:
  - respond: {size: "${size}"}
fallback: {size: 0}
`)
	writeFile(t, dir+"/bomb.test.yaml", `flow: bomb.yaml
tests:
  - name: small
    request: {ani: "+12263762555", n: 3}
    expect: {size: 6}
  - name: armed
    request: {ani: "+12263762555", n: 900000}
    expect: {size: 0}
`)
	report, err := RunTestFile(dir+"/bomb.test.yaml", Options{Scratch: badgerstore.Scratch})
	if err != nil {
		t.Fatal(err)
	}
	if len(report.Tests) != 2 || len(report.Tests[0].Failures) != 0 {
		t.Fatalf("report: %+v", report)
	}
	f := report.Tests[1].Failures
	if len(f) != 1 || !strings.Contains(f[0], "the fallback answered: bindings.size: expression budget: replace would cost more than") {
		t.Fatalf("armed: %v", f)
	}
}
