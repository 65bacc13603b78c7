package filter

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// paymentJSON is a Payment event as a Webex contact center would send it.
const paymentJSON = `{
	"id": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
	"specversion": "1.0",
	"type": "Payment",
	"source": "https://web.acme-utilities.example/pay",
	"time": "2023-03-31T00:39:46.917Z",
	"identity": "jane.doe@example.com",
	"identitytype": "email",
	"subject": "invoice-2023-03",
	"datacontenttype": "application/json",
	"extensions": {"channel-type": "web", "priority": 2},
	"data": {
		"Notification": "1",
		"Past Due Amount": "$544.73",
		"category": "Water",
		"status": "overdue",
		"order": {"total": 12.5, "items": 3, "id": "A-17"},
		"amount": "12.5",
		"count": 3,
		"retries": 0,
		"paid": false,
		"autopay": "true",
		"note": null,
		"tags": ["vip", "autopay", "Water"],
		"scores": [1, 5, "9"],
		"empty": [],
		"due": "2023-04-15T00:00:00-07:00",
		"channel-type": "web",
		"version": "1.2.3",
		"path": "C:\\bills\\march*.pdf"
	}
}`

// decode decodes paymentJSON the two ways a caller may: plain, with numbers as
// float64, and with UseNumber, with numbers as json.Number.
func decode(t testing.TB, useNumber bool) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(paymentJSON))
	if useNumber {
		dec.UseNumber()
	}
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

// getter serves a decoded JSON object: a name is first looked up as a key as
// is (for "Past Due Amount" or "channel-type"), then as a dotted path into
// nested objects. It does not allocate.
func getter(m map[string]any) Getter {
	return func(name string) (any, bool) {
		if v, ok := m[name]; ok {
			return v, true
		}
		var cur any = m
		for {
			obj, ok := cur.(map[string]any)
			if !ok {
				return nil, false
			}
			key, rest, more := strings.Cut(name, ".")
			if cur, ok = obj[key]; !ok {
				return nil, false
			}
			if !more {
				return cur, true
			}
			name = rest
		}
	}
}

type matchCase struct {
	name   string
	filter string
	want   bool
}

// eventCases filter on event attributes, as the filter parameter does.
var eventCases = []matchCase{
	// OData operators
	{"eq", `type eq 'Payment'`, true},
	{"eq is case-sensitive", `type eq 'payment'`, false},
	{"eq double quotes", `type eq "Payment"`, true},
	{"ne", `type ne 'Refund'`, true},
	{"ne equal", `type ne 'Payment'`, false},
	{"gt string", `subject gt 'invoice-2023-02'`, true},
	{"ge string", `subject ge 'invoice-2023-03'`, true},
	{"lt string", `subject lt 'invoice-2023-03'`, false},
	{"le string", `subject le 'invoice-2023-03'`, true},
	{"contains", `contains(source, 'acme')`, true},
	{"contains absent", `contains(source, 'mobile')`, false},
	{"startswith", `startswith(identity, 'jane.')`, true},
	{"endswith", `endswith(identity, '@example.com')`, true},
	{"endswith absent", `endswith(identity, '@example.org')`, false},
	{"in", `identitytype in ('email', 'phone')`, true},
	{"in absent", `identitytype in ('phone', 'sms')`, false},
	{"not", `not type eq 'Refund'`, true},
	{"not parenthesized", `not (type eq 'Payment')`, false},
	{"not function", `not contains(source, 'acme')`, false},

	// RSQL operators
	{"==", `type==Payment`, true},
	{"== quoted", `type=='Payment'`, true},
	{"== double quoted", `type=="Payment"`, true},
	{"!=", `type!=Payment`, false},
	{"!= other", `type!=Refund`, true},
	{"=gt=", `subject=gt=invoice-2023-02`, true},
	{">", `subject>invoice-2023-02`, true},
	{"=ge=", `subject=ge=invoice-2023-03`, true},
	{">=", `subject>=invoice-2023-04`, false},
	{"=lt=", `subject=lt=invoice-2023-04`, true},
	{"<", `subject<invoice-2023-03`, false},
	{"=le=", `subject=le=invoice-2023-03`, true},
	{"<=", `subject<='invoice-2023-02'`, false},
	{"=in=", `identitytype=in=(email,phone)`, true},
	{"=in= absent", `identitytype=in=(phone,sms)`, false},
	{"=in= single value without parentheses", `identitytype=in=email`, true},
	{"=out=", `identitytype=out=(phone,sms)`, true},
	{"=out= present", `identitytype=out=(email,sms)`, false},
	{"; is and", `type==Payment;identitytype==phone`, false},
	{", is or", `type==Refund,identitytype==email`, true},
	{"spaces around RSQL operators", `type == Payment ; identitytype =in= ( email , sms )`, true},

	// Case-insensitive keywords
	{"EQ AND", `type EQ 'Payment' AND identitytype Eq 'email'`, true},
	{"Or", `type eq 'Refund' Or identitytype eq 'email'`, true},
	{"NOT", `NOT type eq 'Payment'`, false},
	{"CONTAINS", `CONTAINS(source, 'acme')`, true},
	{"StartsWith", `StartsWith(source, 'https://')`, true},
	{"IN", `identitytype IN ('email')`, true},
	{"=IN=", `identitytype=IN=(email)`, true},
	{"=Gt=", `time=Gt=2023-01-01T00:00:00Z`, true},

	// Mixed dialects
	{"odata ; rsql", `type eq 'Payment';source==*web*`, true},
	{"rsql or odata", `type==Refund or identitytype eq 'email'`, true},
	{"odata , group", `type eq 'Refund',(identity==jane*;time gt '2023-01-01T00:00:00Z')`, true},
	{"not before rsql", `not type==Refund and identitytype=in=(email)`, true},

	// Precedence and parentheses
	{"and binds tighter than or", `type eq 'Refund' and identitytype eq 'email' or subject eq 'invoice-2023-03'`, true},
	{"and binds tighter than or, right", `type eq 'Payment' or type eq 'Refund' and identitytype eq 'phone'`, true},
	{"; binds tighter than ,", `type==Refund;identitytype==email,subject==invoice-2023-03`, true},
	{"parentheses group or", `type eq 'Refund' and (identitytype eq 'email' or subject eq 'invoice-2023-03')`, false},
	{"parentheses group ,", `type==Refund;(identitytype==email,subject==invoice-2023-03)`, false},
	{"not binds tighter than and", `not type eq 'Payment' and identitytype eq 'phone'`, false},
	{"not of a group", `not (type eq 'Payment' and identitytype eq 'phone')`, true},
	{"double not", `not not type eq 'Payment'`, true},
	{"nested parentheses", `((type eq 'Payment') and ((identitytype eq 'email')))`, true},

	// Times
	{"time gt", `time gt '2023-03-01T00:00:00Z'`, true},
	{"time gt compares instants, not text", `time gt '2023-03-31T02:00:00+02:00'`, true},
	{"time eq across zones", `time eq '2023-03-31T02:39:46.917+02:00'`, true},
	{"time eq more digits", `time eq '2023-03-31T00:39:46.917000Z'`, true},
	{"time lt", `time lt '2023-03-31T00:39:46.916Z'`, false},
	{"time unquoted in OData", `time ge 2023-03-31T00:39:46.917Z`, true},
	{"time bare in RSQL", `time=lt=2023-04-01T00:00:00Z`, true},
	{"time against a date compares text", `time gt '2023-04'`, false},

	// Wildcards
	{"wildcard suffix", `type==Pay*`, true},
	{"wildcard prefix", `source==*/pay`, true},
	{"wildcard both", `source==*web*`, true},
	{"wildcard inner", `source==https://*.example/*`, true},
	{"wildcard absent", `source==*mobile*`, false},
	{"wildcard quoted", `type=='Pay*'`, true},
	{"wildcard !=", `source!=*mobile*`, true},
	{"wildcard != matching", `type!=Pay*`, false},
	{"wildcard star alone", `subject==*`, true},
	{"wildcard is not OData", `type eq 'Pay*'`, false},
	{"escaped star is literal", `type==Pay\*`, false},
	{"wildcard needs the whole value", `type==ay*`, false},
	{"wildcard overlapping ends", `type==Paym*ment`, false},

	// Nested attributes and identifiers
	{"dotted extension", `extensions.channel-type eq 'web'`, true},
	{"json number extension", `extensions.priority ge 2`, true},
	{"extension numeric string", `extensions.priority eq '2'`, true},

	// Missing fields
	{"missing eq", `campaign eq 'spring'`, false},
	{"missing ne", `campaign ne 'spring'`, true},
	{"missing !=", `campaign!=spring`, true},
	{"missing gt", `campaign gt 0`, false},
	{"missing le", `campaign le 'z'`, false},
	{"missing in", `campaign in ('spring')`, false},
	{"missing =in=", `campaign=in=(spring)`, false},
	{"missing =out=", `campaign=out=(spring,fall)`, true},
	{"missing not eq", `not (campaign eq 'spring')`, true},
	{"missing is not null", `campaign eq null`, false},
	{"missing ne null", `campaign ne null`, true},
	{"missing contains", `contains(campaign, 's')`, false},
	{"missing not contains", `not contains(campaign, 's')`, true},
	{"missing wildcard", `campaign==*`, false},
	{"missing wildcard !=", `campaign!=*`, true},
	{"missing nested", `extensions.missing eq 'x'`, false},
	{"missing under a scalar", `type.name eq 'x'`, false},

	// Fields named like keywords
	{"field named not", `not eq 'x'`, false},
	{"field named not, negated", `not not ne 'x'`, false},
	{"field named contains", `contains ne 'x'`, true},
}

// dataCases filter on keys of the data object, as the data parameter does.
var dataCases = []matchCase{
	// Quoted keys with spaces
	{"quoted key eq", `'Past Due Amount' eq '$544.73'`, true},
	{"double-quoted key ==", `"Past Due Amount"=='$544.73'`, true},
	{"quoted key wildcard", `'Past Due Amount'==$5*`, true},
	{"quoted key contains", `contains('Past Due Amount', '544')`, true},
	{"quoted key in", `'category' in ('Water')`, true},
	{"key with dash", `channel-type eq 'web'`, true},

	// Numeric strings
	{"number matches numeric string", `Notification eq 1`, true},
	{"numeric string matches number", `order.items eq '3'`, true},
	{"rsql bare number", `Notification==1`, true},
	{"numeric string eq text", `Notification eq '1'`, true},
	{"number ne", `Notification ne 1`, false},
	{"number gt numeric string", `amount gt 10`, true},
	{"number lt numeric string", `amount lt 9`, false},
	{"two strings compare as text", `amount gt '9'`, false},
	{"number gt number", `order.total gt 10`, true},
	{"number =le=", `order.total=le=12.5`, true},
	{"number <", `order.total<12.5`, false},
	{"number trailing zero", `order.total eq 12.50`, true},
	{"number exponent", `order.total eq 1.25E+1`, true},
	{"number eq numeric string", `order.total eq '12.5'`, true},
	{"number in list", `Notification in (1, 2)`, true},
	{"zero", `retries eq 0`, true},
	{"negative zero", `retries eq -0`, true},
	{"negative", `retries gt -2.5`, true},
	{"exponent bare", `retries=lt=1e3`, true},
	{"text is not a number", `category gt 1`, false},
	{"text is not a number, ne", `category ne 1`, true},
	{"version text", `version==1.2.3`, true},
	{"count", `count ge 3 and count le 3`, true},

	// Booleans
	{"bool eq", `paid eq false`, true},
	{"bool ne", `paid ne true`, true},
	{"bool ==", `paid==false`, true},
	{"bool upper case", `paid eq FALSE`, true},
	{"bool with text", `paid eq 'false'`, true},
	{"text with bool", `autopay eq true`, true},
	{"bool is not a number", `paid eq 0`, false},
	{"bool order", `paid lt true`, true},

	// null
	{"null eq null", `note eq null`, true},
	{"null ne null", `note ne null`, false},
	{"null == null", `note==null`, true},
	{"null eq text", `note eq 'x'`, false},
	{"null ne text", `note ne 'x'`, true},
	{"null gt", `note gt 0`, false},
	{"text eq null", `status eq null`, false},
	{"text ne null", `status ne null`, true},

	// Objects
	{"object eq", `order eq 'x'`, false},
	{"object ne", `order ne 'x'`, true},
	{"object eq null", `order eq null`, false},
	{"object contains", `contains(order, 'A')`, false},

	// Nested keys
	{"nested text", `order.id eq 'A-17'`, true},
	{"nested missing", `order.discount gt 0`, false},

	// Arrays
	{"array eq any", `tags eq 'vip'`, true},
	{"array eq none", `tags eq 'gold'`, false},
	{"array ne none", `tags ne 'gold'`, true},
	{"array ne one", `tags ne 'vip'`, false},
	{"array !=", `tags!=autopay`, false},
	{"array =in=", `tags=in=(gold,vip)`, true},
	{"array in none", `tags in ('gold', 'silver')`, false},
	{"array =out=", `tags=out=(gold,silver)`, true},
	{"array =out= one", `tags=out=(vip)`, false},
	{"array contains element", `contains(tags, 'vip')`, true},
	{"array contains is not substring", `contains(tags, 'vi')`, false},
	{"array startswith", `startswith(tags, 'au')`, true},
	{"array endswith", `endswith(tags, 'xx')`, false},
	{"array wildcard", `tags==Wat*`, true},
	{"array wildcard none", `tags==V*`, false},
	{"array wildcard !=", `tags!=Wat*`, false},
	{"array gt mixed", `scores gt 8`, true},
	{"array eq number", `scores eq 5`, true},
	{"array lt", `scores lt 1`, false},
	{"array contains number", `contains(scores, 5)`, true},
	{"empty array eq", `empty eq 'x'`, false},
	{"empty array ne", `empty ne 'x'`, true},
	{"empty array =out=", `empty=out=(x)`, true},

	// Text functions
	{"startswith text", `startswith(status, 'over')`, true},
	{"endswith text", `endswith(status, 'due')`, true},
	{"contains text", `contains(category, 'ate')`, true},
	{"contains is case-sensitive", `contains(category, 'ATE')`, false},
	{"contains on a number", `contains(order.total, '2.5')`, true},
	{"contains number literal", `contains(order.total, 12)`, true},
	{"startswith a number", `startswith(count, '3')`, true},
	{"endswith zero", `endswith(retries, '0')`, true},
	{"contains on a bool", `contains(paid, 'f')`, false},

	// Bare RSQL words and escapes
	{"bare word", `category==Water`, true},
	{"bare words in list", `category=in=(Water,Gas)`, true},
	{"bare words and", `status==overdue;category==Water`, true},
	{"backslashes in bare word", `path==C:\bills\march\*.pdf`, true},
	{"escaped star in pattern", `path==*\*.pdf`, true},
	{"quoted doubled quote", `note ne 'it''s'`, true},
	{"quoted backslash quote", `note ne 'it\'s'`, true},

	// Times with offsets
	{"offset time gt", `due gt '2023-04-15T06:59:59Z'`, true},
	{"offset time le", `due le '2023-04-15T07:00:00Z'`, true},
}

func runMatchCases(t *testing.T, cases []matchCase, pick func(map[string]any) map[string]any) {
	for _, useNumber := range []bool{false, true} {
		get := getter(pick(decode(t, useNumber)))
		for _, tc := range cases {
			name := tc.name
			if useNumber {
				name += "/UseNumber"
			}
			t.Run(name, func(t *testing.T) {
				f, err := Compile(tc.filter)
				if err != nil {
					t.Fatalf("Compile(%q): %v", tc.filter, err)
				}
				if got := f.Match(get); got != tc.want {
					t.Errorf("Compile(%q).Match = %v, want %v (canonical %q)", tc.filter, got, tc.want, f)
				}
				// The canonical form must mean the same.
				g, err := Compile(f.String())
				if err != nil {
					t.Fatalf("Compile(%q) (canonical): %v", f, err)
				}
				if got := g.Match(get); got != tc.want {
					t.Errorf("canonical %q: Match = %v, want %v", f, got, tc.want)
				}
			})
		}
	}
}

func TestMatchEvent(t *testing.T) {
	runMatchCases(t, eventCases, func(m map[string]any) map[string]any { return m })
}

func TestMatchData(t *testing.T) {
	runMatchCases(t, dataCases, func(m map[string]any) map[string]any { return m["data"].(map[string]any) })
}

func TestMatchGoValues(t *testing.T) {
	m := map[string]any{"i": 7, "u8": uint8(7), "f32": float32(2.5), "nan": nanValue(), "bad": json.Number("x")}
	get := getter(m)
	for _, tc := range []matchCase{
		{"int", `i eq 7`, true},
		{"int as text", `i eq '7'`, true},
		{"uint8", `u8 gt 6`, true},
		{"float32", `f32 eq 2.5`, true},
		{"NaN equals nothing", `nan eq 0`, false},
		{"NaN ne", `nan ne 0`, true},
		{"NaN not ordered", `nan gt 0 or nan le 0`, false},
		{"malformed json.Number", `bad eq 'x'`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := mustCompile(t, tc.filter).Match(get); got != tc.want {
				t.Errorf("%q: got %v, want %v", tc.filter, got, tc.want)
			}
		})
	}
}

func nanValue() float64 {
	zero := 0.0
	return zero / zero
}

func mustCompile(t testing.TB, src string) *Filter {
	t.Helper()
	f, err := Compile(src)
	if err != nil {
		t.Fatalf("Compile(%q): %v", src, err)
	}
	return f
}

func TestEmpty(t *testing.T) {
	for _, src := range []string{"", " ", "\t\n ", "\u00a0"} {
		f, err := Compile(src)
		if f != nil || err != nil {
			t.Errorf("Compile(%q) = %v, %v; want nil, nil", src, f, err)
		}
		if !f.Match(getter(nil)) {
			t.Errorf("nil filter does not match")
		}
		if f.String() != "" || f.Fields() != nil {
			t.Errorf("nil filter: String %q, Fields %q", f.String(), f.Fields())
		}
	}
}

func TestNilGetter(t *testing.T) {
	if mustCompile(t, `type eq 'x'`).Match(nil) {
		t.Error("eq matched with no fields")
	}
	if !mustCompile(t, `type ne 'x'`).Match(nil) {
		t.Error("ne did not match with no fields")
	}
}

func TestFields(t *testing.T) {
	for _, tc := range []struct {
		filter string
		want   []string
	}{
		{`type eq 'Payment'`, []string{"type"}},
		{`type eq 'Payment' and order.total gt 10 or type eq 'Refund'`, []string{"type", "order.total"}},
		{`'Past Due Amount'=='$5*';contains(status,'due'),tags=out=(a,b)`, []string{"Past Due Amount", "status", "tags"}},
		{`not (b eq 1 or a eq 2) and startswith(c, 'x') and b in (1)`, []string{"b", "a", "c"}},
	} {
		f := mustCompile(t, tc.filter)
		got := f.Fields()
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("Compile(%q).Fields() = %q, want %q", tc.filter, got, tc.want)
		}
		got[0] = "changed"
		if f.Fields()[0] == "changed" {
			t.Errorf("Fields returned the filter's own slice")
		}
	}
}

func TestString(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`type eq 'Payment'`, `type eq 'Payment'`},
		{`type==Payment`, `type eq 'Payment'`},
		{`TYPE EQ "Payment"`, `TYPE eq 'Payment'`},
		{`a==1;b!=x,c=gt=2`, `a eq 1 and b ne 'x' or c gt 2`},
		{`a>1;a>=2;a<3;a<=4`, `a gt 1 and a ge 2 and a lt 3 and a le 4`},
		{`a=in=(x,"y",3,true,null)`, `a in ('x', 'y', 3, true, null)`},
		{`a=out=(x)`, `not a in ('x')`},
		{`not a=out=(x)`, `a in ('x')`},
		{`type==Pay*`, `type == 'Pay*'`},
		{`type!='*web*'`, `type != '*web*'`},
		{`type==a**b`, `type == 'a*b'`},
		{`path==*\*.pdf`, `path == '*\*.pdf'`},
		{`type==Pay\*`, `type eq 'Pay*'`},
		{`type eq 'Pay*'`, `type eq 'Pay*'`},
		{`(a eq 1 or b eq 2) and c eq 3`, `(a eq 1 or b eq 2) and c eq 3`},
		{`((a eq 1) and (b eq 2 and c eq 3))`, `a eq 1 and b eq 2 and c eq 3`},
		{`a eq 1 or (b eq 2 or c eq 3)`, `a eq 1 or b eq 2 or c eq 3`},
		{`a eq 1 or (b eq 2 and c eq 3)`, `a eq 1 or b eq 2 and c eq 3`},
		{`not (a eq 1)`, `not a eq 1`},
		{`not not not a eq 1`, `not a eq 1`},
		{`not (a eq 1 or b eq 2)`, `not (a eq 1 or b eq 2)`},
		{`NOT Contains(a,'x')`, `not contains(a, 'x')`},
		{`startswith("Past Due Amount",'$')`, `startswith('Past Due Amount', '$')`},
		{`"Past Due Amount"=='$544.73'`, `'Past Due Amount' eq '$544.73'`},
		{`"it's" eq "say ""hi"""`, `'it''s' eq 'say "hi"'`},
		{`a eq 'x\'y\\z\q'`, `a eq 'x''y\\z\\q'`},
		{`a eq 1e3 and b eq -2.50 and c eq 0.1e-7 and d eq -0 and e eq 1e21`,
			`a eq 1000 and b eq -2.5 and c eq 1e-8 and d eq 0 and e eq 1e+21`},
		{`a eq '1e3'`, `a eq '1e3'`},
		{`time gt 2023-03-01T00:00:00Z`, `time gt '2023-03-01T00:00:00Z'`},
		{`'not' eq 1 and "in" eq 2 and 'a b' eq 3 and 'x.y' eq 4`, `'not' eq 1 and 'in' eq 2 and 'a b' eq 3 and x.y eq 4`},
		{`not eq 1`, `'not' eq 1`},
	} {
		f := mustCompile(t, tc.in)
		if got := f.String(); got != tc.want {
			t.Errorf("Compile(%q).String() = %q, want %q", tc.in, got, tc.want)
		}
		if again := mustCompile(t, f.String()).String(); again != f.String() {
			t.Errorf("canonical form of %q is not stable: %q then %q", tc.in, f.String(), again)
		}
	}
}

func TestDepthLimit(t *testing.T) {
	ok := strings.Repeat("(", maxDepth) + "a eq 1" + strings.Repeat(")", maxDepth)
	f := mustCompile(t, ok)
	if !f.Match(getter(map[string]any{"a": 1.0})) {
		t.Error("deeply nested filter did not match")
	}
	// Any number of nots is fine: they cost no nesting.
	mustCompile(t, strings.Repeat("not ", 1000)+"a eq 1")
	// A long flat chain is fine too.
	mustCompile(t, strings.Repeat("a eq 1 and ", 300)+"a eq 1")
}

func TestConcurrentMatch(t *testing.T) {
	f := mustCompile(t, `type eq 'Payment' and (source==*web* or time gt '2023-01-01T00:00:00Z')`)
	get := getter(decode(t, false))
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 1000 {
				if !f.Match(get) {
					t.Error("no match")
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestMatchDoesNotAllocate holds the package to its promise that matching
// parses nothing it could have parsed at compile time.
func TestMatchDoesNotAllocate(t *testing.T) {
	get := getter(decode(t, true))
	for _, src := range []string{
		benchFilter,
		`source==*web*;tags=in=(gold,vip);scores gt 8`,
		`data.amount gt 10 and data.due gt '2023-04-15T06:59:59Z' and contains(data.order.total, '2.5')`,
		`not data.Notification eq 1 or startswith(data.count, '3') or data.paid eq 'false'`,
	} {
		f := mustCompile(t, src)
		if n := testing.AllocsPerRun(100, func() { f.Match(get) }); n != 0 {
			t.Errorf("%q: %v allocations per Match", src, n)
		}
	}
}

const benchFilter = `type eq 'Payment' and data.category in ('Water', 'Gas') and data.order.total gt 10 and time gt '2023-03-01T00:00:00Z'`

func BenchmarkMatch(b *testing.B) {
	f := mustCompile(b, benchFilter)
	get := getter(decode(b, false))
	if !f.Match(get) {
		b.Fatal("benchmark filter does not match")
	}
	b.ReportAllocs()
	for b.Loop() {
		f.Match(get)
	}
}

func BenchmarkCompile(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(benchFilter); err != nil {
			b.Fatal(err)
		}
	}
}

// Example shows a filter compiled once and matched against decoded events.
func Example() {
	f, err := Compile(`type eq 'Payment' and (amount gt 100 or status==overdue)`)
	if err != nil {
		panic(err)
	}
	for _, event := range []string{
		`{"type": "Payment", "amount": "544.73", "status": "paid"}`,
		`{"type": "Payment", "amount": 12.5, "status": "overdue"}`,
		`{"type": "Payment", "amount": 12.5}`,
	} {
		var m map[string]any
		if err := json.Unmarshal([]byte(event), &m); err != nil {
			panic(err)
		}
		fmt.Println(f.Match(func(name string) (any, bool) {
			v, ok := m[name]
			return v, ok
		}))
	}
	fmt.Println(f)
	fmt.Println(f.Fields())
	// Output:
	// true
	// true
	// false
	// type eq 'Payment' and (amount gt 100 or status eq 'overdue')
	// [type amount status]
}
