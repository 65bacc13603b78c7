package rules

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// An attribute says which keys of data it reads, and matching an event decoded with only
// those keys gives what matching the whole event gives.
func TestDataKeys(t *testing.T) {
	rule := func(metaData string) *RuleBlock {
		return &RuleBlock{Logic: "SINGLE", Condition: "E," + metaData + ",string,Value EQ Billing"}
	}
	tests := []struct {
		attr Attribute
		keys string // "*": all of data
	}{
		{Attribute{AggregationMode: "Count"}, ""},
		{Attribute{AggregationMode: "Count", Condition: `type == "E" && source != "x" && ext.channel == "sms"`}, ""},
		{Attribute{AggregationMode: "Value", MetaData: "n.k", MetaDataType: "string"}, "n n.k"},
		{Attribute{AggregationMode: "Count", Rules: rule("dot.key")}, "dot dot.key"},
		{Attribute{AggregationMode: "Value", MetaData: "i", Rules: rule("s"), Condition: `data.f > 2 && data["Past Due"] != "" && event.data.b`},
			"Past Due b f i s"},
		{Attribute{AggregationMode: "Count", Condition: `data?.n?.k == "v" && event.type == "E"`}, "n"},
		{Attribute{AggregationMode: "Count", Condition: `"s" in data`}, "*"},
		{Attribute{AggregationMode: "Count", Condition: `len(event.data) > 3`}, "*"},
		{Attribute{AggregationMode: "Count", Condition: `data[type] != nil`}, "*"},
		{Attribute{AggregationMode: "Count", Condition: `$env.data.s == "Billing"`}, "*"},
		{Attribute{AggregationMode: "Count", Condition: `toJSON(event) != ""`}, "*"},
		{Attribute{AggregationMode: "Count", Condition: `let d = data; d.s == "Billing"`}, "*"},
	}
	data := `{"s":"Billing","i":42,"f":2.5,"n":{"k":"v"},"dot.key":"Billing","dot":{"key":"x"},"b":true,"Past Due":"$1","other":[1,{"x":"y"}]}`
	raw := []byte(fmt.Sprintf(`{"id":"e1","specversion":"1.0","type":"E","source":"web","identity":"+12263762555","identitytype":"phone","time":"2023-03-31T00:39:46.917Z","datacontenttype":"application/json","channel":"sms","data":%s}`, data))
	full, err := NewEventEnv(raw)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		a := mustCompile(t, tc.attr).Attrs[0]
		keys, all := a.DataKeys()
		got := strings.Join(keys, " ")
		if all {
			got = "*"
		}
		if got != tc.keys {
			t.Errorf("%+v: keys %q, want %q", tc.attr, got, tc.keys)
			continue
		}
		if all {
			continue
		}
		part, err := NewEventEnvKeys(raw, keys)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]any{}
		for _, k := range keys {
			if v, ok := full.Data[k]; ok {
				want[k] = v
			}
		}
		if !reflect.DeepEqual(part.Data, want) {
			t.Errorf("%+v: decoded data %v, want %v", tc.attr, part.Data, want)
		}
		v1, ok1, err1 := a.Match(full)
		v2, ok2, err2 := a.Match(part)
		if !reflect.DeepEqual([]any{v1, ok1, err1}, []any{v2, ok2, err2}) || !ok1 {
			t.Errorf("%+v: matched with its keys %v %v %v, with all of data %v %v %v", tc.attr, v2, ok2, err2, v1, ok1, err1)
		}
	}
}
