package connectors

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Markdown writes the reference of every registered kind: its
// documentation, its config keys and the delivery attributes it reads, as
// generated into docs/connectors.md (a test keeps the two equal).
func Markdown(w io.Writer) error {
	var b strings.Builder
	for _, k := range Kinds() {
		fmt.Fprintf(&b, "### `%s`\n\n%s\n\n", k.Name, strings.TrimSpace(k.Doc))
		b.WriteString("| key | type | required | default | description |\n|---|---|---|---|---|\n")
		b.WriteString("| `name` | string | yes | | The instance's name, which actions' Connector triggers give. |\n")
		fmt.Fprintf(&b, "| `kind` | string | yes | | `%s` |\n", k.Name)
		fieldRows(&b, k.Spec, "")
		if len(k.Attributes) > 0 {
			b.WriteString("\nDelivery attributes (a Connector trigger's `attributes`, rendered):\n\n")
			b.WriteString("| attribute | required | description |\n|---|---|---|\n")
			for _, f := range k.Attributes {
				fmt.Fprintf(&b, "| `%s` | %s | %s |\n", f.Name, yesNo(f.Required), cell(f.Doc))
			}
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func fieldRows(b *strings.Builder, fields []Field, prefix string) {
	for _, f := range fields {
		doc := f.Doc
		if len(f.Options) > 0 {
			doc += " One of " + "`" + strings.Join(f.Options, "`, `") + "`."
		}
		if f.Secret {
			doc += " Secret: write `${ENV_VAR}`."
		}
		fmt.Fprintf(b, "| `%s%s` | %s | %s | %s | %s |\n", prefix, f.Name, f.Type, yesNo(f.Required), defaultText(f.Default), cell(doc))
		if f.Type == TypeObject {
			fieldRows(b, f.Fields, prefix+f.Name+".")
		}
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return ""
}

func defaultText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case time.Duration:
		s := v.String() // 10s, 1m0s, 1h0m0s
		for strings.HasSuffix(s, "m0s") || strings.HasSuffix(s, "h0m") {
			s = strings.TrimSuffix(strings.TrimSuffix(s, "0s"), "0m")
		}
		return "`" + s + "`"
	case string:
		return "`" + v + "`"
	}
	return fmt.Sprintf("`%v`", v)
}

// cell keeps a table cell on one line.
func cell(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\n", " "), "|", `\|`)
}
