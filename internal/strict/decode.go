package strict

import (
	"fmt"
	"strings"
)

// Wording is how a Decoder words the problems of keys.
type Wording uint8

const (
	// PathFirst, the definitions' wording, puts the mapping's path first and lists
	// the known keys when none is close:
	//
	//	f.yaml:3:5: tests[0]: unknown key "colour" (known: id, type, source)
	//	f.yaml:4:5: tests[0].id: duplicate key (first at line 3)
	PathFirst Wording = iota
	// InMapping, the configuration file's wording, names the key and its mapping in
	// the message, and when no key is close says whether the value's own keys belong
	// where the unknown one stands:
	//
	//	f.yaml:3:5: unknown key "memTablSize" in store (did you mean "memTableSize"?)
	//	f.yaml:4:5: duplicate key "addr" (first at line 1)
	InMapping
)

// Decoder walks a tree, collecting every problem.
type Decoder struct {
	File    string
	Wording Wording
	Errs    Errors
	// Pos remembers the node at each path decoded, so that problems found later
	// (validation, compilation) can point at the line that set the value.
	Pos map[string]*Node
	// Bad holds the paths of badly written values: later problems under them are
	// consequences, not news.
	Bad map[string]bool
}

// NewDecoder returns a decoder of a document of file.
func NewDecoder(file string, w Wording) *Decoder {
	return &Decoder{File: file, Wording: w, Pos: map[string]*Node{}, Bad: map[string]bool{}}
}

// Fail records a problem with the value at path, placed at n (nil: no position).
func (d *Decoder) Fail(n *Node, path, format string, args ...any) *Error {
	e := &Error{File: d.File, Path: path, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Col = n.Line, n.Col
	}
	d.Errs = append(d.Errs, e)
	d.Bad[path] = true
	return e
}

// Field is a key a mapping may have.
type Field struct {
	Name     string
	Required bool // reported missing when absent
	// Decode reads the key's value, at path; nil accepts and ignores it.
	Decode func(v *Node, path string)
}

// Object decodes mapping n, each key by its field in the file's order, reporting
// unknown and duplicate keys and missing required ones. It reports false, with a
// problem, when n is no mapping.
func (d *Decoder) Object(n *Node, path string, fields []Field) bool {
	d.Pos[path] = n
	if n.Kind != Map {
		d.Fail(n, path, "expected an object, got %s", n.Describe())
		return false
	}
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.Name
	}
	seen := map[string]*Node{}
	for i, k := range n.Keys {
		v, p := n.Vals[i], Join(path, k.Text)
		if d.duplicate(seen, k, path) {
			continue
		}
		var field *Field
		for j := range fields {
			if fields[j].Name == k.Text {
				field = &fields[j]
			}
		}
		if field == nil {
			d.unknown(k, v, path, names, seen)
			continue
		}
		d.Pos[p] = v
		if field.Decode != nil {
			field.Decode(v, p)
		}
	}
	for _, f := range fields {
		if f.Required && seen[f.Name] == nil {
			d.Fail(n, Join(path, f.Name), "required")
		}
	}
	return true
}

// duplicate reports key k of the mapping at path if seen has it, else adds it.
func (d *Decoder) duplicate(seen map[string]*Node, k *Node, path string) bool {
	first := seen[k.Text]
	if first == nil {
		seen[k.Text] = k
		return false
	}
	switch {
	case d.Wording == InMapping:
		d.Fail(k, "", "duplicate key %q%s (first at line %d)", k.Text, in(path), first.Line)
	case first.Line > 0:
		d.Fail(k, Join(path, k.Text), "duplicate key (first at line %d)", first.Line)
	default:
		d.Fail(k, Join(path, k.Text), "duplicate key")
	}
	return true
}

func (d *Decoder) unknown(k, v *Node, path string, names []string, seen map[string]*Node) {
	s := Closest(k.Text, names)
	if d.Wording == InMapping {
		hint := ""
		if s != "" {
			hint = fmt.Sprintf(" (did you mean %q?)", s)
		} else if h := misplaced(v, path, names); h != "" {
			hint = " (" + h + ")"
		}
		d.Fail(k, "", "unknown key %q%s%s", k.Text, in(path), hint)
		return
	}
	d.Fail(k, path, "unknown key %q%s", k.Text, Known(k.Text, names))
	// The mapping itself is fine; the unknown key's value and the key it probably
	// is are not ("required" would only repeat the typo).
	delete(d.Bad, path)
	d.Bad[Join(path, k.Text)] = true
	if s != "" && seen[s] == nil {
		d.Bad[Join(path, s)] = true
	}
}

// in names the mapping at path, for the InMapping wording.
func in(path string) string {
	if path == "" {
		return ""
	}
	return " in " + path
}

// misplaced explains an unknown section whose own keys belong where it stands, such as
// "server: {adress: ...}" for the top level's addr: it names the first such key and
// the known key it probably is. "" when val is no mapping or has none.
func misplaced(val *Node, path string, names []string) string {
	if val.Kind != Map {
		return ""
	}
	where := "at the top level"
	if path != "" {
		where = "in " + path
	}
	for _, k := range val.Keys {
		for _, name := range names {
			if name == k.Text {
				return fmt.Sprintf("%q belongs %s, not in a section", k.Text, where)
			}
		}
		if s := Closest(k.Text, names); s != "" {
			return fmt.Sprintf("did you mean %q, %s?", s, where)
		}
	}
	return ""
}

// Pairs calls fn for each key and value of mapping n, in order, reporting duplicate
// keys. It reports false, with a problem, when n is no mapping.
func (d *Decoder) Pairs(n *Node, path string, fn func(k, v *Node, path string)) bool {
	d.Pos[path] = n
	if n.Kind != Map {
		d.Fail(n, path, "expected an object, got %s", n.Describe())
		return false
	}
	seen := map[string]*Node{}
	for i, k := range n.Keys {
		if d.duplicate(seen, k, path) {
			continue
		}
		p := Join(path, k.Text)
		d.Pos[p] = n.Vals[i]
		fn(k, n.Vals[i], p)
	}
	return true
}

// List calls fn for each item of list n. It reports false, with a problem, when n is
// no list.
func (d *Decoder) List(n *Node, path string, fn func(v *Node, path string)) bool {
	d.Pos[path] = n
	if n.Kind != List {
		d.Fail(n, path, "expected a list, got %s", n.Describe())
		return false
	}
	for i, it := range n.Items {
		p := Index(path, i)
		d.Pos[p] = it
		fn(it, p)
	}
	return true
}

// Known is ` (did you mean "name"?)` for the name closest to word, or when none is
// close, the names: ` (known: a, b, c)`.
func Known(word string, names []string) string {
	if s := Closest(word, names); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	return " (known: " + strings.Join(names, ", ") + ")"
}
