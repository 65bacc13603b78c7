package rules

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Template is a profile view template, JDS-shaped: marshalled to JSON it has the field
// names of the JDS API.
type Template struct {
	ID         string      `json:"id,omitempty" yaml:"id,omitempty"`
	Name       string      `json:"name" yaml:"name"`
	Attributes []Attribute `json:"attributes" yaml:"attributes"`
	// Source is "api", or the rule file path the template came from (read-only in the API).
	Source string `json:"source,omitempty" yaml:"-"`
	Audit  `yaml:"-"`
}

// Audit is when, and with which key, a template or journey action was created and last
// changed through the API: times RFC 3339 in UTC with milliseconds, "by" the name (sk)
// of the signing key of the request's token. The server sets it on every API write; it
// is empty for rule files and for what was stored before jds kept it.
type Audit struct {
	CreatedAt string `json:"createdAt,omitempty" yaml:"-"`
	CreatedBy string `json:"createdBy,omitempty" yaml:"-"`
	UpdatedAt string `json:"updatedAt,omitempty" yaml:"-"`
	UpdatedBy string `json:"updatedBy,omitempty" yaml:"-"`
}

// Attribute is one aggregate of a template: which events count (Event, Rules,
// Condition), which field of theirs (MetaData, MetaDataType), over which window
// (LookBackPeriod LookBackDurationType, Limit), and how (AggregationMode).
//
// Parsing normalises the enumerations to their canonical spelling and fills Limit and
// MetaDataType with their defaults.
type Attribute struct {
	Version     string `json:"version,omitempty" yaml:"version,omitempty"`
	DisplayName string `json:"displayName" yaml:"displayName"`
	// Name (ext) is how expressions refer to the attribute; it defaults to DisplayName.
	Name  string `json:"name,omitempty" yaml:"name,omitempty"`
	Event string `json:"event" yaml:"event"` // matches the event's type exactly
	// MetaData is the key inside data, dots for nesting ("order.total"). A key that
	// itself holds dots is found too: the whole key is tried before nesting.
	MetaData string `json:"metaData,omitempty" yaml:"metaData,omitempty"`
	// MetaDataType is string, integer, double or utc_datetime (default string).
	MetaDataType         string `json:"metaDataType,omitempty" yaml:"metaDataType,omitempty"`
	Limit                int    `json:"limit,omitempty" yaml:"limit,omitempty"` // 1..MaxLimit; default 1000
	LookBackDurationType string `json:"lookBackDurationType" yaml:"lookBackDurationType"`
	LookBackPeriod       int    `json:"lookBackPeriod" yaml:"lookBackPeriod"`
	// AggregationMode is Value, Count, Sum, Min, Max, Average or Distinct.
	AggregationMode string     `json:"aggregationMode" yaml:"aggregationMode"`
	Rules           *RuleBlock `json:"rules,omitempty" yaml:"rules,omitempty"`
	// Condition (ext) is an expr expression over the event; with Rules, both must hold.
	Condition        string         `json:"condition,omitempty" yaml:"condition,omitempty"`
	Verbose          bool           `json:"verbose,omitempty" yaml:"verbose,omitempty"`
	WidgetAttributes map[string]any `json:"widgetAttributes,omitempty" yaml:"widgetAttributes,omitempty"`
}

// Defaults and bounds of attributes.
const (
	DefaultLimit = 1000
	MaxLimit     = 10000
	// MaxLookBackDays bounds windows so that they stay far from time.Duration overflow.
	MaxLookBackDays = 36500
)

// Aggregation modes, canonical spelling.
const (
	ModeValue    = "Value"
	ModeCount    = "Count"
	ModeSum      = "Sum"
	ModeMin      = "Min"
	ModeMax      = "Max"
	ModeAverage  = "Average"
	ModeDistinct = "Distinct"
)

var modes = []string{ModeValue, ModeCount, ModeSum, ModeMin, ModeMax, ModeAverage, ModeDistinct}

// Metadata types.
const (
	TypeString   = "string"
	TypeInteger  = "integer"
	TypeDouble   = "double"
	TypeDatetime = "utc_datetime"
)

var types = []string{TypeString, TypeInteger, TypeDouble, TypeDatetime}

var units = []string{"minutes", "hours", "days"}

// Rule logic.
const (
	LogicSingle = "SINGLE"
	LogicAnd    = "AND"
	LogicOr     = "OR"
)

// canonical returns the member of set equal to s ignoring case.
func canonical(s string, set []string) (string, bool) {
	for _, c := range set {
		if strings.EqualFold(s, c) {
			return c, true
		}
	}
	return "", false
}

// RuleBlock is the JDS rule grammar:
//
//	{"logic": "SINGLE", "condition": "<event>,<metaData>,<type>,<Mode> <OP> <value>"}
//	{"logic": "AND"|"OR", "args": [<condition string or nested block>, ...]}
//
// OP is EQ, NEQ, GT, GTE, LT, LTE or HAS. In an attribute rule the condition tests each
// event's field; in an action rule it tests an attribute's aggregate.
type RuleBlock struct {
	Logic     string    `json:"logic" yaml:"logic"`
	Condition string    `json:"condition,omitempty" yaml:"condition,omitempty"`
	Args      []RuleArg `json:"args,omitempty" yaml:"args,omitempty"`
}

// RuleArg is one argument of an AND/OR block: a condition string or a nested block.
// It marshals to, and unmarshals from, a JSON (or YAML) string or object.
type RuleArg struct {
	Condition string
	Block     *RuleBlock // when set, Condition is ignored
}

// MarshalJSON writes the argument as a string or as a nested block.
func (a RuleArg) MarshalJSON() ([]byte, error) {
	if a.Block != nil {
		return json.Marshal(a.Block)
	}
	return json.Marshal(a.Condition)
}

// UnmarshalJSON reads a string or a nested block.
func (a *RuleArg) UnmarshalJSON(b []byte) error {
	*a = RuleArg{}
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		a.Condition = s
		return nil
	}
	var blk RuleBlock
	if err := json.Unmarshal(b, &blk); err != nil {
		return errors.New("a rule argument must be a condition string or a rule block")
	}
	a.Block = &blk
	return nil
}

// MarshalYAML writes the argument as a string or as a nested block.
func (a RuleArg) MarshalYAML() (any, error) {
	if a.Block != nil {
		return a.Block, nil
	}
	return a.Condition, nil
}

// UnmarshalYAML reads a string or a nested block. Rule files go through ParseFile,
// which reports positions; this is for callers that decode templates themselves.
func (a *RuleArg) UnmarshalYAML(n *yaml.Node) error {
	*a = RuleArg{}
	switch n.Kind {
	case yaml.ScalarNode:
		a.Condition = n.Value
		return nil
	case yaml.MappingNode:
		var blk RuleBlock
		if err := n.Decode(&blk); err != nil {
			return err
		}
		a.Block = &blk
		return nil
	}
	return fmt.Errorf("line %d: a rule argument must be a condition string or a rule block", n.Line)
}
