package connectors

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"
)

// Kind describes a connector kind: what the config file may say about an
// instance of it (Spec), what a delivery may carry for it (Attributes), and
// how to construct a Sender from a checked config (New).
type Kind struct {
	Name string // as written after "kind:" in the config file
	// Doc is the kind's documentation in Markdown: what it sends, to where,
	// and how the partner must be set up.
	Doc  string
	Spec []Field // the instance's config keys, besides name and kind
	// Attributes are the delivery attributes the kind reads, in the same form
	// as Spec (all strings), so an action's Connector trigger can be checked
	// when the action is loaded rather than when it fires.
	Attributes []Field
	// New constructs a Sender from an instance's config, which Build has
	// checked against Spec (types, required fields, unknown keys), completed
	// with defaults and resolved ${ENV} references in. It does no I/O. It
	// checks what the spec cannot say (a URL that does not parse, two
	// fields that exclude each other) and reports each problem with
	// Config.Errorf, joined.
	New func(c *Config) (Sender, error)
}

// Type is the type of a config field's value.
type Type string

// Field types. A duration is a Go duration ("10s", "1m30s") or an integer
// number of seconds, as elsewhere in the config file.
const (
	TypeString   Type = "string"
	TypeInt      Type = "integer"
	TypeBool     Type = "boolean"
	TypeDuration Type = "duration"
	TypeStrings  Type = "list of strings"
	TypeMap      Type = "map of strings"
	TypeObject   Type = "object"
)

// Field is one key of a config spec.
type Field struct {
	Name     string
	Type     Type
	Doc      string // one sentence or two, Markdown
	Required bool
	// Default is the value used when the key is absent, in the Go form the
	// Config accessor returns: string, int, bool, time.Duration, []string or
	// map[string]string. nil means the zero value.
	Default any
	// Secret marks a credential: write it as ${NAME} to keep it out of the
	// file. Its value never appears in errors or documentation.
	Secret bool
	// Options lists the values a string field accepts, matched
	// case-insensitively; empty means any.
	Options []string
	// Fields are the keys of a TypeObject field.
	Fields []Field
}

var registry = struct {
	sync.RWMutex
	kinds map[string]Kind
}{kinds: map[string]Kind{}}

// Register adds a connector kind. It is called from an init function of the
// kind's file, so a kind is available as soon as its package is linked in.
// It panics when the name is taken or the kind is malformed, like
// database/sql.Register: both are programming errors.
func Register(k Kind) {
	if err := checkKind(k); err != nil {
		panic("connectors: registering kind " + k.Name + ": " + err.Error())
	}
	registry.Lock()
	defer registry.Unlock()
	if _, dup := registry.kinds[k.Name]; dup {
		panic("connectors: kind " + k.Name + " registered twice")
	}
	registry.kinds[k.Name] = k
}

// Kinds returns every registered kind, sorted by name.
func Kinds() []Kind {
	registry.RLock()
	defer registry.RUnlock()
	names := slices.Sorted(maps.Keys(registry.kinds))
	out := make([]Kind, len(names))
	for i, n := range names {
		out[i] = registry.kinds[n]
	}
	return out
}

// Lookup returns the kind registered under name.
func Lookup(name string) (Kind, bool) {
	registry.RLock()
	defer registry.RUnlock()
	k, ok := registry.kinds[name]
	return k, ok
}

func checkKind(k Kind) error {
	if k.Name == "" {
		return fmt.Errorf("no name")
	}
	if k.New == nil {
		return fmt.Errorf("no constructor")
	}
	if err := checkFields(k.Spec, true); err != nil {
		return err
	}
	for _, f := range k.Attributes {
		if f.Type != TypeString {
			return fmt.Errorf("attribute %s: attributes are strings", f.Name)
		}
	}
	return checkFields(k.Attributes, false)
}

func checkFields(fields []Field, top bool) error {
	seen := map[string]bool{}
	for _, f := range fields {
		switch {
		case f.Name == "":
			return fmt.Errorf("a field has no name")
		case seen[f.Name]:
			return fmt.Errorf("field %s declared twice", f.Name)
		case top && (f.Name == "name" || f.Name == "kind"):
			return fmt.Errorf("field %s is common to every kind", f.Name)
		case f.Required && f.Default != nil:
			return fmt.Errorf("field %s is required and has a default", f.Name)
		case len(f.Options) > 0 && f.Type != TypeString:
			return fmt.Errorf("field %s: options need a string field", f.Name)
		case f.Type == TypeObject && len(f.Fields) == 0:
			return fmt.Errorf("object field %s has no fields", f.Name)
		case f.Type != TypeObject && len(f.Fields) > 0:
			return fmt.Errorf("field %s has fields but is not an object", f.Name)
		}
		seen[f.Name] = true
		if f.Default != nil {
			want := map[Type]reflect.Type{
				TypeString: reflect.TypeFor[string](), TypeInt: reflect.TypeFor[int](),
				TypeBool: reflect.TypeFor[bool](), TypeDuration: reflect.TypeFor[time.Duration](),
				TypeStrings: reflect.TypeFor[[]string](), TypeMap: reflect.TypeFor[map[string]string](),
			}[f.Type]
			if reflect.TypeOf(f.Default) != want {
				return fmt.Errorf("field %s: default %T does not fit type %s", f.Name, f.Default, f.Type)
			}
		}
		switch f.Type {
		case TypeString, TypeInt, TypeBool, TypeDuration, TypeStrings, TypeMap:
		case TypeObject:
			if err := checkFields(f.Fields, false); err != nil {
				return fmt.Errorf("field %s: %w", f.Name, err)
			}
		default:
			return fmt.Errorf("field %s: unknown type %q", f.Name, f.Type)
		}
	}
	return nil
}

// md writes Markdown in a Go raw string: "~" stands for a backquote.
func md(s string) string { return strings.ReplaceAll(s, "~", "`") }
