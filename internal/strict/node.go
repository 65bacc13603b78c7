package strict

import (
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Kind is what a node holds.
type Kind uint8

// The kinds of nodes.
const (
	Null Kind = iota
	String
	Number
	Bool
	Map
	List
)

func (k Kind) String() string {
	switch k {
	case Null:
		return "null"
	case String:
		return "a string"
	case Number:
		return "a number"
	case Bool:
		return "a boolean"
	case Map:
		return "an object"
	case List:
		return "a list"
	}
	return "?"
}

// Node is one value of a document, with its position.
type Node struct {
	Kind Kind
	// Text is a scalar's text as written: a string, a number's literal, a boolean
	// (true or false, in any case YAML accepts).
	Text  string
	Keys  []*Node // Map: the keys, scalars, in order (merged keys first)
	Vals  []*Node // Map: the values, parallel to Keys
	Items []*Node // List
	// Line and Col are 1-based; 0 for JSON, where problems are placed by path.
	Line, Col int
	// Quoted is 0 for a plain YAML scalar, 1 for a single- or double-quoted one, -1 when
	// the text does not start at Col+Quoted in the file (block scalars, aliases, JSON).
	Quoted int
	// Tag is a YAML scalar's resolved short tag ("!!int", "!!str"); "" from JSON.
	Tag string
}

// Scalar reports whether n is no map and no list.
func (n *Node) Scalar() bool { return n.Kind != Map && n.Kind != List }

// True reports whether n is the boolean true.
func (n *Node) True() bool { return n.Kind == Bool && strings.EqualFold(n.Text, "true") }

// Describe names what a node holds, for "expected X, got Y": a string quoted and
// shortened, a number or boolean as written, else its kind.
func (n *Node) Describe() string {
	switch n.Kind {
	case String:
		if len(n.Text) > 40 {
			return fmt.Sprintf("%q", n.Text[:40]+"...")
		}
		return fmt.Sprintf("%q", n.Text)
	case Number, Bool:
		return n.Text
	}
	return n.Kind.String()
}

// Value turns a node into what encoding/json would decode, with integers kept whole:
// map[string]any, []any, string, int64 or float64, bool, nil.
func (n *Node) Value() any {
	switch n.Kind {
	case String:
		return n.Text
	case Number:
		if i, err := strconv.ParseInt(n.Text, 10, 64); err == nil {
			return i
		}
		f, _ := strconv.ParseFloat(n.Text, 64)
		return f
	case Bool:
		return n.True()
	case Map:
		m := make(map[string]any, len(n.Keys))
		for i, k := range n.Keys {
			m[k.Text] = n.Vals[i].Value()
		}
		return m
	case List:
		l := make([]any, len(n.Items))
		for i, it := range n.Items {
			l[i] = it.Value()
		}
		return l
	}
	return nil
}

// YAML rebuilds a yaml.Node of n, aliases and merges resolved, for what yaml.v3
// decodes by its own rules (yaml.Unmarshaler types, values of type any).
func (n *Node) YAML() *yaml.Node {
	y := &yaml.Node{Line: n.Line, Column: n.Col}
	switch n.Kind {
	case Map:
		y.Kind, y.Tag = yaml.MappingNode, "!!map"
		for i, k := range n.Keys {
			y.Content = append(y.Content, k.YAML(), n.Vals[i].YAML())
		}
	case List:
		y.Kind, y.Tag = yaml.SequenceNode, "!!seq"
		for _, it := range n.Items {
			y.Content = append(y.Content, it.YAML())
		}
	default:
		y.Kind, y.Tag, y.Value = yaml.ScalarNode, n.Tag, n.Text
		if n.Tag == "" { // from JSON
			y.Tag = map[Kind]string{Null: "!!null", String: "!!str", Bool: "!!bool", Number: "!!float"}[n.Kind]
			if n.Kind == Number && !strings.ContainsAny(n.Text, ".eE") {
				y.Tag = "!!int"
			}
		}
	}
	return y
}

// Join appends a key or an index ("[2]") to a path.
func Join(path, key string) string {
	switch {
	case path == "":
		return key
	case key == "":
		return path
	case key[0] == '[':
		return path + key
	}
	return path + "." + key
}

// Index appends a list index to a path: a.b[2].
func Index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// Parent strips the last component of a path: a.b[2] → a.b, a.b → a.
func Parent(p string) string {
	i := strings.LastIndexAny(p, ".[")
	if i < 0 {
		return ""
	}
	return p[:i]
}
