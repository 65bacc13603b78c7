package strict

import (
	"encoding"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Unmarshaler is a type that decodes itself: Decode hands it its node and path.
type Unmarshaler interface {
	UnmarshalStrict(d *Decoder, n *Node, path string)
}

// UnmarshalYAML decodes y into u with a Decoder of its own, for a type that is also a
// yaml.Unmarshaler: its problems are joined, each "line N: path: message".
func UnmarshalYAML(y *yaml.Node, u Unmarshaler) error {
	n, errs := FromYAMLNode("", y)
	if n != nil {
		d := NewDecoder("", InMapping)
		u.UnmarshalStrict(d, n, "")
		errs = append(errs, d.Errs...)
	}
	out := make([]error, len(errs))
	for i, e := range errs {
		out[i] = fmt.Errorf("line %d: %s", e.Line, e.Error())
	}
	return errors.Join(out...)
}

// Decode decodes n into out, a pointer, by reflection, with the field tables of
// out's struct types: the yaml tag's name, or the lower-cased field name as yaml.v3
// has it; "-" skips a field and ",inline" lifts an embedded struct's keys into its
// parent. It understands structs, slices, maps with string keys, pointers, strings,
// booleans, integers, floats, times, and types implementing [Unmarshaler],
// yaml.Unmarshaler or encoding.TextUnmarshaler; anything else goes to yaml.v3. A null
// value keeps what out holds; a list or map in the document replaces out's.
func (d *Decoder) Decode(n *Node, out any) {
	d.value(n, reflect.ValueOf(out).Elem(), "")
}

func (d *Decoder) value(n *Node, v reflect.Value, path string) {
	d.Pos[path] = n
	if n.Kind == Null {
		return
	}
	if v.Type() == reflect.TypeFor[time.Time]() { // with the forms of YAML timestamps
		d.yamlValue(n, v, path)
		return
	}
	if v.CanAddr() {
		switch u := v.Addr().Interface().(type) {
		case Unmarshaler:
			u.UnmarshalStrict(d, n, path)
			return
		case yaml.Unmarshaler:
			if err := u.UnmarshalYAML(n.YAML()); err != nil {
				d.Fail(n, path, "%v", err)
			}
			return
		case encoding.TextUnmarshaler:
			if d.scalar(n, path, "a scalar") {
				if err := u.UnmarshalText([]byte(n.Text)); err != nil {
					d.Fail(n, path, "%q: %v", n.Text, err)
				}
			}
			return
		}
	}
	switch v.Kind() {
	case reflect.Struct:
		d.structValue(n, v, path)
	case reflect.Slice:
		if n.Kind != List {
			d.Fail(n, path, "expected a list, got %s", KindName(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Items), len(n.Items))
		for i, item := range n.Items {
			d.value(item, s.Index(i), Index(path, i))
		}
		v.Set(s)
	case reflect.Map:
		d.mapValue(n, v, path)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		if !v.IsNil() {
			p.Elem().Set(v.Elem()) // keep the pointed-to defaults
		}
		before := len(d.Errs)
		d.value(n, p.Elem(), path)
		if len(d.Errs) == before { // a value that did not decode leaves the pointer as it was
			v.Set(p)
		}
	case reflect.String:
		if d.scalar(n, path, "a string") {
			v.SetString(n.Text)
		}
	case reflect.Bool:
		if !d.scalar(n, path, "a boolean") {
			return
		}
		switch strings.ToLower(n.Text) {
		case "true":
			v.SetBool(true)
		case "false":
			v.SetBool(false)
		default:
			d.Fail(n, path, "%q is not a boolean (true or false)", n.Text)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if d.scalar(n, path, "an integer") {
			i, err := strconv.ParseInt(n.Text, 0, v.Type().Bits())
			if d.number(n, path, err, "an integer") {
				v.SetInt(i)
			}
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if d.scalar(n, path, "a non-negative integer") {
			u, err := strconv.ParseUint(n.Text, 0, v.Type().Bits())
			if d.number(n, path, err, "a non-negative integer") {
				v.SetUint(u)
			}
		}
	case reflect.Float32, reflect.Float64:
		if d.scalar(n, path, "a number") {
			f, err := strconv.ParseFloat(n.Text, v.Type().Bits())
			if d.number(n, path, err, "a number") {
				v.SetFloat(f)
			}
		}
	default:
		d.yamlValue(n, v, path)
	}
}

// yamlValue leaves a value to yaml.v3 (interfaces, maps without string keys), which
// knows no strictness.
func (d *Decoder) yamlValue(n *Node, v reflect.Value, path string) {
	if err := n.YAML().Decode(v.Addr().Interface()); err != nil {
		d.Fail(n, path, "%v", err)
	}
}

func (d *Decoder) scalar(n *Node, path, want string) bool {
	if !n.Scalar() {
		d.Fail(n, path, "expected %s, got %s", want, KindName(n))
		return false
	}
	return true
}

func (d *Decoder) number(n *Node, path string, err error, want string) bool {
	switch {
	case errors.Is(err, strconv.ErrRange):
		d.Fail(n, path, "%s is out of range", n.Text)
	case err != nil:
		d.Fail(n, path, "%q is not %s", n.Text, want)
	}
	return err == nil
}

func (d *Decoder) structValue(n *Node, v reflect.Value, path string) {
	if n.Kind != Map {
		d.Fail(n, path, "expected a mapping, got %s", KindName(n))
		return
	}
	var fields []Field
	var walk func(t reflect.Type, index []int)
	walk = func(t reflect.Type, index []int) {
		for i := range t.NumField() {
			f := t.Field(i)
			tag := f.Tag.Get("yaml")
			if !f.IsExported() || tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			idx := append(append([]int(nil), index...), i)
			if f.Type.Kind() == reflect.Struct && hasOpt(opts, "inline") {
				walk(f.Type, idx)
				continue
			}
			if name == "" {
				name = strings.ToLower(f.Name)
			}
			fields = append(fields, Field{Name: name, Decode: func(val *Node, p string) {
				d.value(val, v.FieldByIndex(idx), p)
			}})
		}
	}
	walk(v.Type(), nil)
	d.Object(n, path, fields)
}

func hasOpt(opts, want string) bool {
	for o := range strings.SplitSeq(opts, ",") {
		if o == want {
			return true
		}
	}
	return false
}

func (d *Decoder) mapValue(n *Node, v reflect.Value, path string) {
	if v.Type().Key().Kind() != reflect.String {
		d.yamlValue(n, v, path)
		return
	}
	if n.Kind != Map {
		d.Fail(n, path, "expected a mapping, got %s", KindName(n))
		return
	}
	m := reflect.MakeMapWithSize(v.Type(), len(n.Keys))
	d.Pairs(n, path, func(k, val *Node, p string) {
		elem := reflect.New(v.Type().Elem()).Elem()
		d.value(val, elem, p)
		m.SetMapIndex(reflect.ValueOf(k.Text).Convert(v.Type().Key()), elem)
	})
	v.Set(m)
}

// KindName names what a node holds in the configuration's words: "a mapping", "a
// list", or a scalar's text quoted.
func KindName(n *Node) string {
	switch n.Kind {
	case Map:
		return "a mapping"
	case List:
		return "a list"
	}
	return strconv.Quote(n.Text)
}
