package strict

import (
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// messages lists problems as text.
func messages(es Errors) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Error())
	}
	return out
}

func check(t *testing.T, got Errors, want ...string) {
	t.Helper()
	if g := messages(got); !slices.Equal(g, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(g, "\n"), strings.Join(want, "\n"))
	}
}

func parse(t *testing.T, src string) *Node {
	t.Helper()
	n, errs := FromYAML("f.yaml", "a test file", []byte(src))
	if len(errs) > 0 {
		t.Fatalf("FromYAML: %v", errs.Err())
	}
	return n
}

// person decodes a small definition with field tables, the way rules and flows do.
type person struct {
	name string
	age  string
	tags []string
}

func decodePerson(d *Decoder, n *Node) *person {
	p := &person{}
	d.Object(n, "", []Field{
		{Name: "name", Required: true, Decode: func(v *Node, path string) { p.name = v.Text }},
		{Name: "age", Decode: func(v *Node, path string) {
			if v.Kind != Number {
				d.Fail(v, path, "expected a number, got %s", v.Describe())
			}
			p.age = v.Text
		}},
		{Name: "tags", Decode: func(v *Node, path string) {
			d.List(v, path, func(v *Node, path string) { p.tags = append(p.tags, v.Text) })
		}},
	})
	return p
}

func TestFieldTablesYAML(t *testing.T) {
	d := NewDecoder("f.yaml", PathFirst)
	p := decodePerson(d, parse(t, "name: Ada\nage: 36\ntags: [a, b]\n"))
	check(t, d.Errs)
	if p.name != "Ada" || p.age != "36" || !slices.Equal(p.tags, []string{"a", "b"}) {
		t.Errorf("decoded %+v", p)
	}

	// Several problems at once, each at its line and column.
	d = NewDecoder("f.yaml", PathFirst)
	decodePerson(d, parse(t, "nmae: Ada\nage: old\ntags: x\nage: 3\ncolour: red\n"))
	check(t, d.Errs,
		`f.yaml:1:1: unknown key "nmae" (did you mean "name"?)`,
		`f.yaml:2:6: age: expected a number, got "old"`,
		`f.yaml:3:7: tags: expected a list, got "x"`,
		`f.yaml:4:1: age: duplicate key (first at line 2)`,
		`f.yaml:5:1: unknown key "colour" (known: name, age, tags)`,
		`f.yaml:1:1: name: required`,
	)
	if !d.Bad["age"] || !d.Bad["nmae"] || !d.Bad["name"] || d.Bad[""] {
		t.Errorf("Bad = %v", d.Bad)
	}
	if n := d.Pos["tags"]; n == nil || n.Line != 3 || n.Col != 7 {
		t.Errorf("Pos[tags] = %+v", n)
	}
}

func TestFieldTablesJSON(t *testing.T) {
	n, err := FromJSON([]byte(`{"name": "Ada", "name": "Bob", "tags": ["a", 1, {}], "age": "x", "agee": 1}`))
	if err != nil {
		t.Fatal(err)
	}
	d := NewDecoder("", PathFirst)
	decodePerson(d, n)
	check(t, d.Errs,
		`name: duplicate key`,
		`age: expected a number, got "x"`,
		`unknown key "agee" (did you mean "age"?)`,
	)
	if n.Items != nil || n.Vals[2].Items[1].Kind != Number || n.Vals[2].Items[1].Text != "1" || n.Vals[2].Items[2].Kind != Map {
		t.Errorf("tree %+v", n.Vals[2])
	}
	d = NewDecoder("", PathFirst)
	n, _ = FromJSON([]byte(`{"name": "Ada", "tags": {"a": 1}}`))
	decodePerson(d, n)
	check(t, d.Errs, `tags: expected a list, got an object`)

	for in, want := range map[string]string{
		`{"a": 1`:     "invalid JSON: unexpected end of input",
		`{"a": 1} {}`: "unexpected data after the JSON value",
		`{"a" 1}`:     "invalid JSON at byte",
		strings.Repeat("[", 200) + strings.Repeat("]", 200): "nested deeper than 100 levels",
	} {
		if _, err := FromJSON([]byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("FromJSON(%.20q) = %v, want %q", in, err, want)
		}
	}
}

func TestInMappingWording(t *testing.T) {
	d := NewDecoder("f.yaml", InMapping)
	n := parse(t, `
top:
  nmae: x
  name: y
  name: z
  server: {name: 1}
  other: {zzzzzz: 1}
`)
	d.Object(n, "", []Field{{Name: "top", Decode: func(v *Node, p string) {
		d.Object(v, p, []Field{{Name: "name", Decode: func(*Node, string) {}}})
	}}})
	check(t, d.Errs,
		`f.yaml:3:3: unknown key "nmae" in top (did you mean "name"?)`,
		`f.yaml:5:3: duplicate key "name" in top (first at line 4)`,
		`f.yaml:6:3: unknown key "server" in top ("name" belongs in top, not in a section)`,
		`f.yaml:7:3: unknown key "other" in top`,
	)
}

// config stands in for a configuration file's types, decoded by reflection.
type config struct {
	Addr     string            `yaml:"addr"`
	Limits   limits            `yaml:"limits"`
	Targets  map[string]target `yaml:"targets"`
	Ports    []uint16          `yaml:"ports"`
	Ratio    *float64          `yaml:"ratio"`
	Extra    map[string]any    `yaml:"extra"`
	Skipped  string            `yaml:"-"`
	Untagged bool
}

type limits struct {
	Common `yaml:",inline"`
	Max    int `yaml:"max"`
}

type Common struct {
	On bool `yaml:"on"`
}

type target struct {
	URL  string `yaml:"url"`
	Size size   `yaml:"size"`
}

// size decodes itself: "small" or "large".
type size int

func (s *size) UnmarshalStrict(d *Decoder, n *Node, path string) {
	switch n.Text {
	case "small":
		*s = 1
	case "large":
		*s = 2
	default:
		d.Fail(n, path, "expected small or large, got %s", KindName(n))
	}
}

func (s *size) UnmarshalYAML(y *yaml.Node) error { return UnmarshalYAML(y, s) }

func TestDecodeByReflection(t *testing.T) {
	c := config{Addr: ":80", Limits: limits{Max: 5}}
	d := NewDecoder("f.yaml", InMapping)
	d.Decode(parse(t, `
addr: ":8080"
limits: {on: true}
targets:
  a: {url: "http://a", size: small}
ports: [1, 2]
ratio: 0.5
extra: {x: [1, two]}
untagged: true
`), &c)
	check(t, d.Errs)
	if c.Addr != ":8080" || !c.Limits.On || c.Limits.Max != 5 || c.Targets["a"].Size != 1 ||
		!slices.Equal(c.Ports, []uint16{1, 2}) || c.Ratio == nil || *c.Ratio != 0.5 || !c.Untagged ||
		len(c.Extra["x"].([]any)) != 2 {
		t.Errorf("decoded %+v", c)
	}

	d = NewDecoder("f.yaml", InMapping)
	d.Decode(parse(t, `
addr: [x]
limits: {on: maybe, max: 1.5, mx: 2}
targets:
  a: {url: "http://a", size: huge}
  a: {}
ports: [70000, -1]
ratio: half
skipped: x
`), &c)
	check(t, d.Errs,
		`f.yaml:2:7: addr: expected a string, got a list`,
		`f.yaml:3:14: limits.on: "maybe" is not a boolean (true or false)`,
		`f.yaml:3:26: limits.max: "1.5" is not an integer`,
		`f.yaml:3:31: unknown key "mx" in limits (did you mean "max"?)`,
		`f.yaml:5:30: targets.a.size: expected small or large, got "huge"`,
		`f.yaml:6:3: duplicate key "a" in targets (first at line 5)`,
		`f.yaml:7:9: ports[0]: 70000 is out of range`,
		`f.yaml:7:16: ports[1]: "-1" is not a non-negative integer`,
		`f.yaml:8:8: ratio: "half" is not a number`,
		`f.yaml:9:1: unknown key "skipped"`,
	)

	var s struct {
		S size `yaml:"s"`
	}
	if err := yaml.Unmarshal([]byte("\ns: [1]\n"), &s); err == nil || err.Error() != `line 2: expected small or large, got a list` {
		t.Errorf("yaml.Unmarshal: %v", err)
	}
}

// Anchors, aliases and merge keys are resolved in the tree: a merged mapping's keys
// come first, the mapping's own win, and in a merged list the earlier mapping wins.
func TestAliasesAndMerges(t *testing.T) {
	n := parse(t, `
base: &base {url: "http://base", size: small}
big: &big {size: large}
targets:
  a: *base
  b:
    <<: *base
    url: "http://b"
  c:
    <<: [*big, *base]
`)
	var c config
	d := NewDecoder("f.yaml", InMapping)
	d.Object(n, "", []Field{
		{Name: "base"}, {Name: "big"},
		{Name: "targets", Decode: func(v *Node, p string) { d.Decode(v, &c.Targets) }},
	})
	check(t, d.Errs)
	want := map[string]target{"a": {"http://base", 1}, "b": {"http://b", 1}, "c": {"http://base", 2}}
	for k, w := range want {
		if c.Targets[k] != w {
			t.Errorf("targets.%s = %+v, want %+v", k, c.Targets[k], w)
		}
	}
	// An alias is placed where it is used.
	if a := n.Vals[2].Vals[0]; a.Line != 5 || a.Col != 6 {
		t.Errorf("alias at %d:%d, want 5:6", a.Line, a.Col)
	}

	_, errs := FromYAML("f.yaml", "a test file", []byte("a: &a x\nb: {<<: *a}\n"))
	check(t, errs, `f.yaml:2:9: expected a mapping to merge, got "x"`)
}

func TestDocuments(t *testing.T) {
	for src, want := range map[string]string{
		"a: 1\n---\nb: 2\n":    "f.yaml:2:1: a test file holds one YAML document; found another",
		"a: [\n":               "f.yaml:1: did not find expected node content",
		"a:\n  b: 1\n\tc: 2\n": "f.yaml:2: found a tab character that violates indentation",
	} {
		_, errs := FromYAML("f.yaml", "a test file", []byte(src))
		if len(errs) != 1 || !strings.HasPrefix(errs[0].Error(), want) {
			t.Errorf("FromYAML(%q) = %v, want %q", src, errs.Err(), want)
		}
	}
	for _, src := range []string{"", "# only a comment\n"} {
		if n, errs := FromYAML("f.yaml", "a test file", []byte(src)); n != nil || errs != nil {
			t.Errorf("FromYAML(%q) = %v, %v", src, n, errs)
		}
	}
}

// A few nested aliases would expand exponentially: the tree stops at MaxNodes.
func TestBounds(t *testing.T) {
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 10; i++ {
		b.WriteString("a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [")
		for j := range 10 {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*a" + string(rune('0'+i-1)))
		}
		b.WriteString("]\n")
	}
	_, errs := FromYAML("f.yaml", "a test file", []byte(b.String()))
	if len(errs) != 1 || !strings.Contains(errs[0].Msg, "too large") {
		t.Errorf("billion laughs: %v", errs.Err())
	}
	deep := strings.Repeat("[", 150) + strings.Repeat("]", 150)
	if _, errs := FromYAML("f.yaml", "a test file", []byte(deep)); len(errs) != 1 || !strings.Contains(errs[0].Msg, "levels") {
		t.Errorf("deep: %v", errs.Err())
	}
}

func TestScalars(t *testing.T) {
	n := parse(t, "- plain\n- 'quoted'\n- 12\n- 1.5\n- 0x1F\n- True\n- yes\n- ~\n- |\n  block\n")
	kinds := []Kind{String, String, Number, Number, String, Bool, String, Null, String}
	quoted := []int{0, 1, 0, 0, 0, 0, 0, 0, -1}
	for i, it := range n.Items {
		if it.Kind != kinds[i] || it.Quoted != quoted[i] {
			t.Errorf("item %d (%q): kind %v quoted %d, want %v %d", i, it.Text, it.Kind, it.Quoted, kinds[i], quoted[i])
		}
	}
	if !n.Items[5].True() || n.Items[5].Describe() != "True" || n.Items[8].Text != "block\n" {
		t.Errorf("scalars %+v", n.Items)
	}
	if got := n.Value().([]any); got[2] != int64(12) || got[3] != 1.5 || got[5] != true || got[7] != nil {
		t.Errorf("Value = %#v", got)
	}
}

func TestPaths(t *testing.T) {
	if p := Join(Index(Join("", "a"), 2), "b"); p != "a[2].b" || Parent(p) != "a[2]" || Parent("a[2]") != "a" || Parent("a") != "" {
		t.Errorf("paths: %q", p)
	}
}
