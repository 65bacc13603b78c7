package rules

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

// The definitions arrive as JSON (the API) or YAML (rule files). Both are first turned
// into a small tree of nodes, and one hand-written decoder walks that tree against the
// definition types. That is how unknown keys, duplicate keys and type errors are all
// reported at once, each with its JSON path and, for YAML, its line and column;
// encoding/json stops at the first problem and yaml.v3's KnownFields gives no column.

type nodeKind uint8

const (
	kNull nodeKind = iota
	kString
	kNumber
	kBool
	kMap
	kList
)

func (k nodeKind) String() string {
	switch k {
	case kNull:
		return "null"
	case kString:
		return "a string"
	case kNumber:
		return "a number"
	case kBool:
		return "a boolean"
	case kMap:
		return "an object"
	case kList:
		return "a list"
	}
	return "?"
}

type node struct {
	kind  nodeKind
	text  string  // scalars: the text (a number's literal, "true"/"false")
	keys  []*node // kMap: scalar keys, in order
	vals  []*node // kMap: values, parallel to keys
	items []*node // kList
	line  int     // 1-based, 0 for JSON
	col   int
	// quoted is 0 for a plain YAML scalar, 1 for a single- or double-quoted one, -1
	// when the text does not start at col+quoted in the file (block scalars, JSON).
	quoted int
}

// describe names what a node holds, for "expected X, got Y".
func (n *node) describe() string {
	switch n.kind {
	case kString:
		if len(n.text) > 40 {
			return fmt.Sprintf("%q", n.text[:40]+"...")
		}
		return fmt.Sprintf("%q", n.text)
	case kNumber, kBool:
		return n.text
	}
	return n.kind.String()
}

// toAny turns a node into what encoding/json would decode: map[string]any, []any,
// string, float64 or int64, bool, nil.
func (n *node) toAny() any {
	switch n.kind {
	case kString:
		return n.text
	case kNumber:
		if i, err := strconv.ParseInt(n.text, 10, 64); err == nil {
			return i
		}
		f, _ := strconv.ParseFloat(n.text, 64)
		return f
	case kBool:
		return n.text == "true"
	case kMap:
		m := make(map[string]any, len(n.keys))
		for i, k := range n.keys {
			m[k.text] = n.vals[i].toAny()
		}
		return m
	case kList:
		l := make([]any, len(n.items))
		for i, it := range n.items {
			l[i] = it.toAny()
		}
		return l
	}
	return nil
}

const maxDepth = 100

// fromJSON parses one JSON value. Numbers keep their literal text.
func fromJSON(data []byte) (*node, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	n, err := readJSONValue(dec, 0)
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

func readJSONValue(dec *json.Decoder, depth int) (*node, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("nested deeper than %d levels", maxDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	n := &node{quoted: -1}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n.kind = kMap
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				key, _ := kt.(string)
				v, err := readJSONValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, &node{kind: kString, text: key, quoted: -1})
				n.vals = append(n.vals, v)
			}
		case '[':
			n.kind = kList
			for dec.More() {
				v, err := readJSONValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				n.items = append(n.items, v)
			}
		default:
			return nil, fmt.Errorf("unexpected %q", t)
		}
		if _, err := dec.Token(); err != nil { // the closing delimiter
			return nil, err
		}
	case string:
		n.kind, n.text = kString, t
	case json.Number:
		n.kind, n.text = kNumber, t.String()
	case bool:
		n.kind, n.text = kBool, strconv.FormatBool(t)
	case nil:
		n.kind = kNull
	}
	return n, nil
}

// yamlLine matches the "yaml: line N: message" form of yaml.v3's syntax errors.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// maxNodes bounds the tree built from YAML: aliases are expanded, and a few nested
// aliases (the "billion laughs") would otherwise blow a small file up exponentially.
const maxNodes = 200000

// fromYAML parses a single-document YAML file. It returns nil for an empty document.
func fromYAML(file string, data []byte) (*node, problems) {
	var errs problems
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, problems{yamlSyntax(file, err)}
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		return nil, problems{{File: file, Line: next.Line, Col: next.Column, Msg: "a rule file holds one YAML document; found another"}}
	case !errors.Is(err, io.EOF):
		return nil, problems{yamlSyntax(file, err)}
	}
	root := &doc
	if doc.Kind == yaml.DocumentNode {
		if len(doc.Content) == 0 {
			return nil, nil
		}
		root = doc.Content[0]
	}
	c := &yamlConv{file: file}
	n := c.conv(root, 0)
	errs = append(errs, c.errs...)
	return n, errs
}

func yamlSyntax(file string, err error) *Error {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{File: file, Line: line, Msg: m[2]}
	}
	return &Error{File: file, Msg: strings.TrimPrefix(msg, "yaml: ")}
}

type yamlConv struct {
	file  string
	errs  problems
	count int
	over  bool
}

func (c *yamlConv) conv(y *yaml.Node, depth int) *node {
	c.count++
	if c.count > maxNodes || depth > maxDepth {
		if !c.over {
			c.over = true
			c.errs = append(c.errs, &Error{File: c.file, Line: y.Line, Col: y.Column,
				Msg: fmt.Sprintf("too large: more than %d nodes or %d levels once aliases are expanded", maxNodes, maxDepth)})
		}
		return &node{kind: kNull, line: y.Line, col: y.Column}
	}
	pos := func(n *node) *node { n.line, n.col = y.Line, y.Column; return n }
	switch y.Kind {
	case yaml.AliasNode:
		if y.Alias == nil {
			return pos(&node{kind: kNull})
		}
		n := c.conv(y.Alias, depth+1)
		cp := *n
		cp.line, cp.col, cp.quoted = y.Line, y.Column, -1 // point at the alias, where it is used
		return &cp
	case yaml.ScalarNode:
		n := pos(&node{text: y.Value, quoted: -1})
		switch y.Style {
		case 0, yaml.TaggedStyle:
			n.quoted = 0
		case yaml.SingleQuotedStyle, yaml.DoubleQuotedStyle:
			n.quoted = 1
		}
		switch y.ShortTag() {
		case "!!null":
			n.kind = kNull
		case "!!bool":
			n.kind = kBool
			n.text = strings.ToLower(y.Value)
			if n.text != "true" && n.text != "false" { // YAML 1.1 yes/no/on/off
				n.kind = kString
				n.text = y.Value
			}
		case "!!int", "!!float":
			n.kind = kNumber
			if _, err := strconv.ParseFloat(y.Value, 64); err != nil {
				n.kind = kString // 0x1F, 0o17, .inf: keep as text, decoders reject them where numbers are due
			}
		default:
			n.kind = kString
		}
		return n
	case yaml.SequenceNode:
		n := pos(&node{kind: kList, quoted: -1})
		for _, it := range y.Content {
			n.items = append(n.items, c.conv(it, depth+1))
		}
		return n
	case yaml.MappingNode:
		n := pos(&node{kind: kMap, quoted: -1})
		own := map[string]bool{}
		for i := 0; i+1 < len(y.Content); i += 2 {
			if k := y.Content[i]; !isMerge(k) {
				own[k.Value] = true
			}
		}
		var merged []*node // keys, values alternately
		seenMerged := map[string]bool{}
		addMerged := func(m *node) {
			if m.kind != kMap {
				c.errs = append(c.errs, &Error{File: c.file, Line: m.line, Col: m.col, Msg: "expected a mapping to merge, got " + m.describe()})
				return
			}
			for i, k := range m.keys {
				if !own[k.text] && !seenMerged[k.text] {
					seenMerged[k.text] = true
					merged = append(merged, k, m.vals[i])
				}
			}
		}
		for i := 0; i+1 < len(y.Content); i += 2 {
			k, v := y.Content[i], y.Content[i+1]
			if !isMerge(k) {
				continue
			}
			if v.Kind == yaml.SequenceNode { // earlier mappings win
				for _, it := range v.Content {
					addMerged(c.conv(it, depth+1))
				}
			} else {
				addMerged(c.conv(v, depth+1))
			}
		}
		for i := 0; i+1 < len(merged); i += 2 {
			n.keys = append(n.keys, merged[i])
			n.vals = append(n.vals, merged[i+1])
		}
		for i := 0; i+1 < len(y.Content); i += 2 {
			k, v := y.Content[i], y.Content[i+1]
			if isMerge(k) {
				continue
			}
			kn := c.conv(k, depth+1)
			if kn.kind == kMap || kn.kind == kList {
				c.errs = append(c.errs, &Error{File: c.file, Line: k.Line, Col: k.Column, Msg: "expected a key, got " + kn.describe()})
				continue
			}
			n.keys = append(n.keys, kn)
			n.vals = append(n.vals, c.conv(v, depth+1))
		}
		return n
	}
	return pos(&node{kind: kNull, quoted: -1})
}

func isMerge(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.Value == "<<" && k.ShortTag() == "!!merge"
}
