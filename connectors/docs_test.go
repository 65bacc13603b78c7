package connectors

import (
	"bytes"
	"flag"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the generated part of docs/connectors.md")

const (
	docPath  = "../docs/connectors.md"
	docBegin = "<!-- BEGIN GENERATED: go test ./connectors -run TestDocs -update -->\n"
	docEnd   = "<!-- END GENERATED -->\n"
)

// TestDocs keeps the kinds reference in docs/connectors.md equal to what the
// specs say, so the documentation lists every field with its real default.
func TestDocs(t *testing.T) {
	doc, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	begin := bytes.Index(doc, []byte(docBegin))
	end := bytes.Index(doc, []byte(docEnd))
	if begin < 0 || end < begin {
		t.Fatalf("%s has no generated section between %q and %q", docPath, docBegin, docEnd)
	}
	var gen strings.Builder
	if err := Markdown(&gen); err != nil {
		t.Fatal(err)
	}
	current := string(doc[begin+len(docBegin) : end])
	if current == gen.String() {
		return
	}
	if !*update {
		t.Fatalf("%s is out of date with the kinds' specs; run go test ./connectors -run TestDocs -update", docPath)
	}
	out := string(doc[:begin+len(docBegin)]) + gen.String() + string(doc[end:])
	if err := os.WriteFile(docPath, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Every key of every spec appears in the reference, nested keys by path.
func TestMarkdownListsEveryField(t *testing.T) {
	var b strings.Builder
	if err := Markdown(&b); err != nil {
		t.Fatal(err)
	}
	var walk func(kind string, fields []Field, prefix string)
	walk = func(kind string, fields []Field, prefix string) {
		for _, f := range fields {
			if !strings.Contains(b.String(), "| `"+prefix+f.Name+"` |") {
				t.Errorf("%s: field %s%s missing from the reference", kind, prefix, f.Name)
			}
			walk(kind, f.Fields, prefix+f.Name+".")
		}
	}
	for _, k := range Kinds() {
		walk(k.Name, k.Spec, "")
		walk(k.Name, k.Attributes, "")
	}
}
