package config

import (
	"bytes"
	"encoding"
	"errors"
	"fmt"
	"github.com/openjds/jds/internal/strict"
	"io"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The strict loader. yaml.v3's KnownFields option stops at the first
// unknown key and gives no column, so the file is parsed into a yaml.Node
// tree and walked against the Go types by reflection instead: every
// unknown key, duplicate key and type error is collected with its
// file:line:col. Nothing here knows the Config type, so a new section needs
// no change in this file.
//
// What the walker understands: structs (fields by yaml tag, ",inline"
// embedding), slices, maps with string keys, pointers, strings, booleans,
// integers, floats, and any type implementing yaml.Unmarshaler or
// encoding.TextUnmarshaler (ByteSize and Duration). Aliases and "<<" merge
// keys are followed. A key with no value (null) keeps its default; a list or
// map in the file replaces the default one.

type position struct{ line, col int }

type decoder struct {
	file string
	errs []error
	// pos remembers where each key path's value sits, so that Load can
	// point Validate's findings at the line that set the value.
	pos map[string]position
}

func newDecoder(file string) *decoder {
	return &decoder{file: file, pos: map[string]position{}}
}

// errorf records a problem at n's position.
func (d *decoder) errorf(n *yaml.Node, format string, args ...any) {
	d.errs = append(d.errs, fmt.Errorf("%s:%d:%d: %s", d.file, n.Line, n.Column, fmt.Sprintf(format, args...)))
}

// valueErrorf records a problem with the value at path.
func (d *decoder) valueErrorf(n *yaml.Node, path, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if path != "" {
		msg = path + ": " + msg
	}
	d.errorf(n, "%s", msg)
}

// yamlLine matches the "yaml: line N: message" form of yaml.v3's syntax
// errors, which carries a line but no column.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func (d *decoder) syntaxError(err error) {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		d.errs = append(d.errs, fmt.Errorf("%s:%s: %s", d.file, m[1], m[2]))
		return
	}
	d.errs = append(d.errs, fmt.Errorf("%s: %s", d.file, strings.TrimPrefix(msg, "yaml: ")))
}

// decodeDocument walks the single YAML document in data into out, a pointer.
func (d *decoder) decodeDocument(data []byte, out any) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if !errors.Is(err, io.EOF) {
			d.syntaxError(err)
		}
		return // io.EOF: empty, or only comments
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		d.errorf(&next, "a config file holds one YAML document; found another")
	case !errors.Is(err, io.EOF):
		d.syntaxError(err)
	}
	root := &doc
	if doc.Kind == yaml.DocumentNode {
		if len(doc.Content) == 0 {
			return
		}
		root = doc.Content[0]
	}
	d.decode(root, reflect.ValueOf(out).Elem(), "")
}

func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	n = resolveAlias(n)
	d.pos[path] = position{n.Line, n.Column}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return
	}
	if v.CanAddr() {
		switch u := v.Addr().Interface().(type) {
		case yaml.Unmarshaler:
			if err := u.UnmarshalYAML(n); err != nil {
				d.valueErrorf(n, path, "%v", err)
			}
			return
		case encoding.TextUnmarshaler:
			if n.Kind != yaml.ScalarNode {
				d.valueErrorf(n, path, "expected a scalar, got %s", kindName(n))
				return
			}
			if err := u.UnmarshalText([]byte(n.Value)); err != nil {
				d.valueErrorf(n, path, "%q: %v", n.Value, err)
			}
			return
		}
	}

	switch v.Kind() {
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	case reflect.Slice:
		d.decodeSlice(n, v, path)
	case reflect.Map:
		d.decodeMap(n, v, path)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		if !v.IsNil() {
			p.Elem().Set(v.Elem()) // keep the pointed-to defaults
		}
		d.decode(n, p.Elem(), path)
		v.Set(p)
	case reflect.String:
		if d.scalar(n, path, "a string") {
			v.SetString(n.Value)
		}
	case reflect.Bool:
		if !d.scalar(n, path, "a boolean") {
			return
		}
		switch strings.ToLower(n.Value) {
		case "true":
			v.SetBool(true)
		case "false":
			v.SetBool(false)
		default:
			d.valueErrorf(n, path, "%q is not a boolean (true or false)", n.Value)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if !d.scalar(n, path, "an integer") {
			return
		}
		i, err := strconv.ParseInt(n.Value, 0, v.Type().Bits())
		if err != nil {
			d.numberError(n, path, err, "an integer")
			return
		}
		v.SetInt(i)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if !d.scalar(n, path, "a non-negative integer") {
			return
		}
		u, err := strconv.ParseUint(n.Value, 0, v.Type().Bits())
		if err != nil {
			d.numberError(n, path, err, "a non-negative integer")
			return
		}
		v.SetUint(u)
	case reflect.Float32, reflect.Float64:
		if !d.scalar(n, path, "a number") {
			return
		}
		f, err := strconv.ParseFloat(n.Value, v.Type().Bits())
		if err != nil {
			d.numberError(n, path, err, "a number")
			return
		}
		v.SetFloat(f)
	default:
		// Interfaces and the like: leave them to yaml.v3, which knows no
		// strictness but at least positions its messages by line.
		if err := n.Decode(v.Addr().Interface()); err != nil {
			d.valueErrorf(n, path, "%v", err)
		}
	}
}

func (d *decoder) scalar(n *yaml.Node, path, want string) bool {
	if n.Kind != yaml.ScalarNode {
		d.valueErrorf(n, path, "expected %s, got %s", want, kindName(n))
		return false
	}
	return true
}

func (d *decoder) numberError(n *yaml.Node, path string, err error, want string) {
	if errors.Is(err, strconv.ErrRange) {
		d.valueErrorf(n, path, "%s is out of range", n.Value)
		return
	}
	d.valueErrorf(n, path, "%q is not %s", n.Value, want)
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.valueErrorf(n, path, "expected a mapping, got %s", kindName(n))
		return
	}
	fields := structFields(v.Type())
	d.eachPair(n, path, func(key, val *yaml.Node) {
		idx, ok := fields.byName[key.Value]
		if !ok {
			msg := fmt.Sprintf("unknown key %q", key.Value)
			if path != "" {
				msg += " in " + path
			}
			if s := strict.Closest(key.Value, fields.names); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			} else if hint := misplaced(resolveAlias(val), path, fields); hint != "" {
				msg += " (" + hint + ")"
			}
			d.errorf(key, "%s", msg)
			return
		}
		d.decode(val, v.FieldByIndex(idx), join(path, key.Value))
	}, func(merged *yaml.Node) {
		d.decodeStruct(merged, v, path)
	})
}

// misplaced explains an unknown section whose own keys belong where it stands, such as
// "server: {adress: ...}" for the top level's addr: it names the first such key and
// the known key it probably is. "" when val is no mapping or has none.
func misplaced(val *yaml.Node, path string, fields fieldSet) string {
	if val.Kind != yaml.MappingNode {
		return ""
	}
	where := "at the top level"
	if path != "" {
		where = "in " + path
	}
	for i := 0; i+1 < len(val.Content); i += 2 {
		k := val.Content[i].Value
		if _, ok := fields.byName[k]; ok {
			return fmt.Sprintf("%q belongs %s, not in a section", k, where)
		}
		if s := strict.Closest(k, fields.names); s != "" {
			return fmt.Sprintf("did you mean %q, %s?", s, where)
		}
	}
	return ""
}

func (d *decoder) decodeMap(n *yaml.Node, v reflect.Value, path string) {
	if v.Type().Key().Kind() != reflect.String {
		if err := n.Decode(v.Addr().Interface()); err != nil {
			d.valueErrorf(n, path, "%v", err)
		}
		return
	}
	if n.Kind != yaml.MappingNode {
		d.valueErrorf(n, path, "expected a mapping, got %s", kindName(n))
		return
	}
	m := reflect.MakeMapWithSize(v.Type(), len(n.Content)/2)
	var fill func(n *yaml.Node)
	fill = func(n *yaml.Node) {
		d.eachPair(n, path, func(key, val *yaml.Node) {
			elem := reflect.New(v.Type().Elem()).Elem()
			d.decode(val, elem, join(path, key.Value))
			m.SetMapIndex(reflect.ValueOf(key.Value).Convert(v.Type().Key()), elem)
		}, func(merged *yaml.Node) {
			if merged.Kind != yaml.MappingNode {
				d.valueErrorf(merged, path, "expected a mapping to merge, got %s", kindName(merged))
				return
			}
			fill(merged)
		})
	}
	fill(n)
	v.Set(m)
}

func (d *decoder) decodeSlice(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.SequenceNode {
		d.valueErrorf(n, path, "expected a list, got %s", kindName(n))
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		d.decode(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i))
	}
	v.Set(s)
}

// eachPair calls pair for each key of mapping n, checking that keys are
// scalars and unique, and calls merge for each mapping a "<<" key merges in.
// Merged mappings go first, so that the mapping's own keys win, as YAML says.
func (d *decoder) eachPair(n *yaml.Node, path string, pair func(key, val *yaml.Node), merge func(*yaml.Node)) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], resolveAlias(n.Content[i+1])
		if !isMerge(key) {
			continue
		}
		if val.Kind == yaml.SequenceNode {
			// In a list, earlier mappings win: merge the last first.
			for j := len(val.Content) - 1; j >= 0; j-- {
				merge(resolveAlias(val.Content[j]))
			}
			continue
		}
		merge(val)
	}
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := resolveAlias(n.Content[i]), n.Content[i+1]
		if isMerge(key) {
			continue
		}
		if key.Kind != yaml.ScalarNode {
			d.errorf(key, "expected a key, got %s", kindName(key))
			continue
		}
		if first, dup := seen[key.Value]; dup {
			msg := fmt.Sprintf("duplicate key %q", key.Value)
			if path != "" {
				msg += " in " + path
			}
			d.errorf(key, "%s (first at line %d)", msg, first.Line)
			continue
		}
		seen[key.Value] = key
		pair(key, val)
	}
}

func isMerge(key *yaml.Node) bool {
	return key.Kind == yaml.ScalarNode && key.Value == "<<" && key.ShortTag() == "!!merge"
}

func resolveAlias(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	case yaml.AliasNode:
		return "an alias"
	case yaml.DocumentNode:
		return "a document"
	}
	return "nothing"
}

type fieldSet struct {
	byName map[string][]int // yaml key → field index path (through inline structs)
	names  []string         // in declaration order, for suggestions
}

// structFields lists the YAML keys of a struct type: the yaml tag's name, or
// the lower-cased field name as yaml.v3 does; "-" skips a field and
// ",inline" lifts an embedded struct's keys into its parent.
func structFields(t reflect.Type) fieldSet {
	fs := fieldSet{byName: map[string][]int{}}
	var walk func(t reflect.Type, prefix []int)
	walk = func(t reflect.Type, prefix []int) {
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			tag := f.Tag.Get("yaml")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			idx := append(append([]int(nil), prefix...), i)
			if f.Type.Kind() == reflect.Struct && hasOpt(opts, "inline") {
				walk(f.Type, idx)
				continue
			}
			if name == "" {
				name = strings.ToLower(f.Name)
			}
			if _, dup := fs.byName[name]; !dup {
				fs.names = append(fs.names, name)
			}
			fs.byName[name] = idx
		}
	}
	walk(t, nil)
	return fs
}

func hasOpt(opts, want string) bool {
	for o := range strings.SplitSeq(opts, ",") {
		if o == want {
			return true
		}
	}
	return false
}
