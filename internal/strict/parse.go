package strict

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Bounds of a tree: aliases are expanded, and a few nested aliases (the "billion
// laughs") would otherwise blow a small file up exponentially.
const (
	MaxDepth = 100    // levels of nesting
	MaxNodes = 200000 // nodes of a YAML tree, aliases expanded
)

// FromYAML parses a single-document YAML file; what names such a file in the message
// about a second document ("a rule file"). It returns nil for an empty document (or
// only comments). Syntax errors carry a line but no column: yaml.v3 gives none.
func FromYAML(file, what string, data []byte) (*Node, Errors) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, Errors{syntaxError(file, err)}
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		return nil, Errors{{File: file, Line: next.Line, Col: next.Column, Msg: what + " holds one YAML document; found another"}}
	case !errors.Is(err, io.EOF):
		return nil, Errors{syntaxError(file, err)}
	}
	return FromYAMLNode(file, &doc)
}

// FromYAMLNode converts a yaml.v3 node (a document or a value) to a tree, resolving
// aliases and merge keys. It returns nil for an empty document.
func FromYAMLNode(file string, y *yaml.Node) (*Node, Errors) {
	if y.Kind == yaml.DocumentNode && len(y.Content) > 0 {
		y = y.Content[0]
	}
	if y.Kind == 0 || y.Kind == yaml.DocumentNode { // what yaml.Unmarshal leaves of nothing
		return nil, nil
	}
	c := &converter{file: file}
	n := c.conv(y, 0)
	return n, c.errs
}

// yamlLine matches the "yaml: line N: message" form of yaml.v3's syntax errors.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func syntaxError(file string, err error) *Error {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{File: file, Line: line, Msg: m[2]}
	}
	return &Error{File: file, Msg: strings.TrimPrefix(msg, "yaml: ")}
}

type converter struct {
	file  string
	errs  Errors
	count int
	over  bool
}

func (c *converter) fail(line, col int, msg string) {
	c.errs = append(c.errs, &Error{File: c.file, Line: line, Col: col, Msg: msg})
}

func (c *converter) conv(y *yaml.Node, depth int) *Node {
	c.count++
	if c.count > MaxNodes || depth > MaxDepth {
		if !c.over {
			c.over = true
			c.fail(y.Line, y.Column, fmt.Sprintf("too large: more than %d nodes or %d levels once aliases are expanded", MaxNodes, MaxDepth))
		}
		return &Node{Kind: Null, Line: y.Line, Col: y.Column}
	}
	n := &Node{Line: y.Line, Col: y.Column, Quoted: -1}
	switch y.Kind {
	case yaml.AliasNode:
		if y.Alias == nil {
			return n
		}
		cp := *c.conv(y.Alias, depth+1)
		cp.Line, cp.Col, cp.Quoted = y.Line, y.Column, -1 // point at the alias, where it is used
		return &cp
	case yaml.ScalarNode:
		c.scalar(n, y)
	case yaml.SequenceNode:
		n.Kind = List
		for _, it := range y.Content {
			n.Items = append(n.Items, c.conv(it, depth+1))
		}
	case yaml.MappingNode:
		c.mapping(n, y, depth)
	}
	return n
}

func (c *converter) scalar(n *Node, y *yaml.Node) {
	n.Text, n.Tag = y.Value, y.ShortTag()
	switch y.Style {
	case 0, yaml.TaggedStyle:
		n.Quoted = 0
	case yaml.SingleQuotedStyle, yaml.DoubleQuotedStyle:
		n.Quoted = 1
	}
	switch n.Tag {
	case "!!null":
		n.Kind = Null
	case "!!bool":
		n.Kind = Bool
		if b := strings.ToLower(y.Value); b != "true" && b != "false" { // YAML 1.1 yes/no/on/off
			n.Kind = String
		}
	case "!!int", "!!float":
		n.Kind = Number
		if _, err := strconv.ParseFloat(y.Value, 64); err != nil {
			n.Kind = String // 0x1F, 0o17, .inf: kept as text, rejected where a number is due
		}
	default:
		n.Kind = String
	}
}

// mapping converts a mapping: the keys of "<<" merges first (an earlier mapping of a
// merged list winning over a later one), except those the mapping has itself.
// Duplicate keys are kept, for the decoder to report.
func (c *converter) mapping(n *Node, y *yaml.Node, depth int) {
	n.Kind = Map
	own := map[string]bool{}
	for i := 0; i+1 < len(y.Content); i += 2 {
		if k := y.Content[i]; !isMerge(k) {
			own[k.Value] = true
		}
	}
	seen := map[string]bool{}
	merge := func(m *Node) {
		if m.Kind != Map {
			c.fail(m.Line, m.Col, "expected a mapping to merge, got "+m.Describe())
			return
		}
		for i, k := range m.Keys {
			if !own[k.Text] && !seen[k.Text] {
				seen[k.Text] = true
				n.Keys, n.Vals = append(n.Keys, k), append(n.Vals, m.Vals[i])
			}
		}
	}
	for i := 0; i+1 < len(y.Content); i += 2 {
		k, v := y.Content[i], y.Content[i+1]
		if !isMerge(k) {
			continue
		}
		if v.Kind == yaml.SequenceNode {
			for _, it := range v.Content {
				merge(c.conv(it, depth+1))
			}
		} else {
			merge(c.conv(v, depth+1))
		}
	}
	for i := 0; i+1 < len(y.Content); i += 2 {
		k, v := y.Content[i], y.Content[i+1]
		if isMerge(k) {
			continue
		}
		kn := c.conv(k, depth+1)
		if !kn.Scalar() {
			c.fail(k.Line, k.Column, "expected a key, got "+kn.Describe())
			continue
		}
		n.Keys, n.Vals = append(n.Keys, kn), append(n.Vals, c.conv(v, depth+1))
	}
}

func isMerge(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.Value == "<<" && k.ShortTag() == "!!merge"
}

// FromJSON parses one JSON value. Numbers keep their literal text; nodes have no
// position.
func FromJSON(data []byte) (*Node, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	n, err := readJSON(dec, 0)
	if err != nil {
		return nil, jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			return nil, errors.New("unexpected data after the JSON value")
		}
		return nil, jsonError(err)
	}
	return n, nil
}

func jsonError(err error) error {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return fmt.Errorf("invalid JSON at byte %d: %s", syn.Offset, syn.Error())
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("invalid JSON: unexpected end of input")
	}
	return fmt.Errorf("invalid JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
}

func readJSON(dec *json.Decoder, depth int) (*Node, error) {
	if depth > MaxDepth {
		return nil, fmt.Errorf("nested deeper than %d levels", MaxDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	n := &Node{Quoted: -1}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n.Kind = Map
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				key, _ := kt.(string)
				v, err := readJSON(dec, depth+1)
				if err != nil {
					return nil, err
				}
				n.Keys = append(n.Keys, &Node{Kind: String, Text: key, Quoted: -1})
				n.Vals = append(n.Vals, v)
			}
		case '[':
			n.Kind = List
			for dec.More() {
				v, err := readJSON(dec, depth+1)
				if err != nil {
					return nil, err
				}
				n.Items = append(n.Items, v)
			}
		default:
			return nil, fmt.Errorf("unexpected %q", t)
		}
		if _, err := dec.Token(); err != nil { // the closing delimiter
			return nil, err
		}
	case string:
		n.Kind, n.Text = String, t
	case json.Number:
		n.Kind, n.Text = Number, t.String()
	case bool:
		n.Kind, n.Text = Bool, strconv.FormatBool(t)
	case nil:
		n.Kind = Null
	}
	return n, nil
}
