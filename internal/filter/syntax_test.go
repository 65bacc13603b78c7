package filter

import (
	"errors"
	"strings"
	"testing"
)

func TestSyntaxErrors(t *testing.T) {
	deep := strings.Repeat("(", maxDepth+1) + "a eq 1" + strings.Repeat(")", maxDepth+1)
	for _, tc := range []struct {
		name string
		src  string
		pos  int
		msg  string
	}{
		// Strings
		{"unclosed quote", `type eq 'Payment`, 9, `unclosed string`},
		{"unclosed double quote", `type=="Payment;a==1`, 7, `unclosed string`},
		{"unclosed quoted field", `'Past Due Amount eq 1`, 1, `unclosed string`},
		{"escaped closing quote", `type eq 'Payment\'`, 9, `unclosed string`},
		{"empty field name", `'' eq 1`, 1, `empty field name`},

		// Values
		{"missing value at end", `type eq`, 8, `expected a value after "eq"`},
		{"missing value before and", `type eq and source eq 'x'`, 9, `expected a value after "eq", found "and"; quote text values`},
		{"bare word after OData operator", `type eq Payment`, 9, `expected a value after "eq", found "Payment"; quote text values`},
		{"missing value rsql", `type==;a==1`, 7, `expected a value after "==", found ";"`},
		{"missing value before paren", `a==(x)`, 4, `expected a value after "==", found "("`},
		{"invalid number", `amount gt 1.2.3`, 11, `invalid number "1.2.3"`},
		{"number glued to a word", `amount gt 1and b eq 2`, 11, `invalid number "1and"`},
		{"number out of range", `amount gt 1e999`, 11, `number 1e999 is out of range`},

		// Operators
		{"unknown rsql operator", `type =foo= 1`, 6, `unknown operator "=foo="`},
		{"unclosed rsql operator", `type=gt 1`, 5, `unknown operator "=gt"`},
		{"unknown word operator", `type equals 'x'`, 6, `unknown operator "equals"`},
		{"single =", `type = 'x'`, 6, `unknown operator "="; use "==" or "eq"`},
		{"single !", `type ! 'x'`, 6, `unknown operator "!"; use "!=" or "ne"`},
		{"missing operator", `type`, 5, `expected an operator after "type"`},
		{"missing operator before quote", `type 'x'`, 6, `expected an operator after "type", found "'"`},

		// Conditions and joiners
		{"dangling and", `type eq 'x' and`, 16, `expected a condition after "and"`},
		{"dangling ;", `type==x;`, 9, `expected a condition after ";"`},
		{"dangling ,", `type==x,`, 9, `expected a condition after ","`},
		{"dangling or in parens", `(type eq 'x' or)`, 16, `expected a condition after "or", found ")"`},
		{"dangling not", `type eq 'x' and not`, 20, `expected a condition after "not"`},
		{"leading and", `and type eq 'x'`, 1, `unexpected "and"`},
		{"double or", `a eq 1 or or b eq 2`, 11, `expected a condition after "or", found "or"`},
		{"leading bang", `!type==x`, 1, `unexpected "!"`},

		// Parentheses
		{"unclosed paren", `(type eq 'x'`, 13, `missing ")" to close "(" at position 1`},
		{"unclosed inner paren", `type eq 'x' and ((a eq 1) or b eq 2`, 36, `missing ")" to close "(" at position 17`},
		{"extra closing paren", `type eq 'x')`, 12, `unexpected ")"`},
		{"leading closing paren", `) type eq 'x'`, 1, `unexpected ")"`},
		{"empty parens", `()`, 2, `expected a condition after "(", found ")"`},
		{"garbage before closing paren", `(a eq 1 b)`, 9, `expected ")", found "b"`},

		// Lists
		{"empty =in=", `category=in=()`, 14, `empty list after "=in="`},
		{"empty =out=", `category=out=( )`, 16, `empty list after "=out="`},
		{"empty in", `category in ()`, 14, `empty list after "in"`},
		{"in without parens", `category in 'Water'`, 13, `expected "(" after "in"`},
		{"unclosed list", `category=in=(Water`, 19, `missing ")" to close the list at position 13`},
		{"list without comma", `category=in=(Water Gas)`, 20, `expected "," or ")" in the list, found "Gas"`},
		{"list trailing comma", `category=in=(Water,)`, 20, `expected a value after ",", found ")"`},
		{"bare word in OData list", `category in ('Water', Gas)`, 23, `expected a value after ",", found "Gas"; quote text values`},

		// Functions
		{"function without comma", `contains(status)`, 16, `expected "," after the field name in "contains", found ")"`},
		{"function without value", `contains(status,)`, 17, `expected a value after ",", found ")"`},
		{"function unclosed", `contains(status,'x'`, 20, `expected ")" to close "contains(", found end of filter`},
		{"function bool argument", `startswith(status, true)`, 20, `expected text as the second argument of "startswith"`},
		{"function without field", `endswith(,'x')`, 10, `expected a field name as the first argument of "endswith", found ","`},

		// Trailing garbage
		{"trailing word", `type eq 'x' source eq 'y'`, 13, `unexpected "source"; expected "and", "or" or the end of the filter`},
		{"trailing string", `type eq 'x' 'y'`, 13, `unexpected "'"; expected "and", "or" or the end of the filter`},
		{"trailing after bare", `type==Pay ment`, 11, `unexpected "ment"; expected "and", "or" or the end of the filter`},

		// Limits. In the multibyte case byte 4096 falls inside the 2045th é,
		// which follows 6 runes of prefix: the position is that of the é.
		{"too long", strings.Repeat("a", maxLen+1), maxLen + 1, `filter is longer than 4096 bytes`},
		{"too long multibyte", "é eq '" + strings.Repeat("é", maxLen) + "'", 2051, `filter is longer than 4096 bytes`},
		{"too deep", deep, maxDepth + 1, `filter is nested deeper than 64 levels`},

		// Positions count characters, not bytes
		{"position after multibyte", `Größe eq`, 9, `expected a value after "eq"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Compile(tc.src)
			if err == nil {
				t.Fatalf("Compile(%q) = %q, want an error", clip(tc.src, 60), f)
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Compile(%q) error %T %v, want *SyntaxError", clip(tc.src, 60), err, err)
			}
			if se.Pos != tc.pos || se.Msg != tc.msg {
				t.Errorf("Compile(%q) error at %d: %q\nwant at %d: %q", clip(tc.src, 60), se.Pos, se.Msg, tc.pos, tc.msg)
			}
			if !strings.HasPrefix(err.Error(), "at position ") {
				t.Errorf("Error() = %q", err)
			}
		})
	}
}

func TestSyntaxErrorFormat(t *testing.T) {
	_, err := Compile(`type eq 'Payment' and amount gt`)
	want := `at position 32: expected a value after "gt"`
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	_, err = Compile(`type eq and amount gt 1`)
	want = `at position 9: expected a value after "eq", found "and"; quote text values (near "and amount gt 1")`
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	if got := (&SyntaxError{Pos: 3, Msg: "unclosed string"}).Error(); got != "at position 3: unclosed string" {
		t.Errorf("got %q", got)
	}
}
