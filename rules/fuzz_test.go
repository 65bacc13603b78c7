package rules

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// Seed corpora live in testdata/fuzz/<target>/; the fixtures are added here too.

func FuzzParseTemplateJSON(f *testing.F) {
	f.Add([]byte(apiExample))
	f.Add([]byte(`{"name":"T","attributes":[{"displayName":"A","event":"E","metaData":"x","lookBackDurationType":"days","lookBackPeriod":1,"aggregationMode":"Distinct","rules":{"logic":"OR","args":["E,x,string,Value HAS a",{"logic":"AND","args":["E,y,integer,Value GT 1"]}]},"condition":"data.x != nil"}]}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		tpl, err := ParseTemplateJSON(raw)
		if err != nil {
			for _, e := range unwrapAll(err) {
				var pe *Error
				if !errors.As(e, &pe) {
					t.Fatalf("not an *Error: %v", e)
				}
			}
			return
		}
		// What is accepted marshals to JSON that parses back to the same template.
		out, err := json.Marshal(tpl)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseTemplateJSON(out)
		if err != nil {
			t.Fatalf("%s\n%v", out, err)
		}
		if !reflect.DeepEqual(normalJSON(t, back), normalJSON(t, tpl)) {
			t.Fatalf("not idempotent:\n%s\n%s", normalJSON(t, back), normalJSON(t, tpl))
		}
	})
}

func unwrapAll(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func FuzzParseFile(f *testing.F) {
	for _, pattern := range []string{"testdata/good/*.yaml", "testdata/bad/*.yaml", "../samples/rules/*.yaml"} {
		files, _ := filepath.Glob(pattern)
		for _, p := range files {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := ParseFile("f.yaml", data)
		if err != nil {
			for _, e := range unwrapAll(err) {
				var pe *Error
				if !errors.As(e, &pe) || !errors.Is(e, ErrInvalid) {
					t.Fatalf("not an *Error: %v", e)
				}
				if !strings.HasPrefix(e.Error(), "f.yaml") {
					t.Fatalf("no file in %q", e)
				}
			}
			return
		}
		for _, tpl := range file.Templates {
			raw, err := json.Marshal(tpl)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ParseTemplateJSON(raw); err != nil {
				t.Fatalf("a template of a good file does not parse back from JSON: %s\n%v", raw, err)
			}
		}
		// the same text as a test file: no panic
		RunTests("f.test.yaml", data, func(string) (*Compiled, error) {
			if len(file.Compiled) == 0 {
				return nil, errors.New("none")
			}
			return file.Compiled[0], nil
		})
	})
}

func FuzzParseCondition(f *testing.F) {
	for _, s := range []string{
		"Queued Caller,queue,string,Value EQ Billing", "Closed Queue,category,string,Count GTE 1",
		`E,x,string,Value EQ "a b"`, "E,,integer,Sum >= 3", "E,t,utc_datetime,Max LT 2023-03-31T00:39:46.917Z",
		"E,x,double,Average NEQ 1e3", "a,b,c", "E,x,string,Value", ",,,", "é,ü,string,Value HAS ✓",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, cerr := parseCondition(s)
		if cerr != nil {
			if cerr.col < 1 || cerr.col > utf8.RuneCountInString(s)+1 {
				t.Fatalf("column %d out of %q", cerr.col, s)
			}
			return
		}
		if c.Event == "" || c.Op == 0 || c.Mode == "" || c.Type == "" {
			t.Fatalf("incomplete %+v", c)
		}
		// Every kind of operand either accepts the constant or says why.
		for k := vString; k <= vTime; k++ {
			for _, list := range []bool{false, true} {
				if cmp, err := newComparator(c.Op, k, list, c.Value); err == nil {
					cmp.test(nil)
					cmp.test([]any{"x", int64(1), 1.5})
				}
			}
		}
		if strings.ContainsAny(c.Event, ",") || strings.ContainsAny(c.MetaData, ",") {
			t.Fatalf("comma in event or metaData: %+v", c)
		}
	})
}

func FuzzDecodeState(f *testing.F) {
	a := mustCompile(f, Attribute{MetaData: "x", AggregationMode: "Value"}).Attrs[0]
	s, _ := a.Update(nil, Entry{Time: t0, Seq: 3, Value: "a"}, t0)
	s, _ = a.Update(s, Entry{Time: t0.Add(-1), Seq: 1, Value: "b"}, t0)
	f.Add(s)
	f.Add([]byte{1, 1, 2, 0, 2, 2})
	f.Fuzz(func(t *testing.T, b []byte) {
		es, err := DecodeState(b)
		if err != nil {
			if !errors.Is(err, ErrState) {
				t.Fatal(err)
			}
			return
		}
		again, err := encodeState(es, 0)
		if err != nil {
			t.Fatal(err)
		}
		es2, err := DecodeState(again)
		if err != nil || !reflect.DeepEqual(es, es2) {
			t.Fatalf("re-encoding: %v\n%+v\n%+v", err, es, es2)
		}
	})
}
