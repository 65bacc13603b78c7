// Package filter implements the query-filter language of the Journey Data
// Service: the grammar shared by the filter parameter, which tests event
// attributes (id, type, source, time, identity, identitytype, subject,
// extensions), and the data parameter, which tests keys inside the event's
// data object, dots naming nested keys (order.total).
//
// JDS users have written filters in two dialects, OData and RSQL/FIQL. Rather
// than make callers say which one a request uses, both are one grammar, so
// they can even be mixed in a single filter:
//
//	type eq 'Payment' and order.total gt 10      OData
//	type==Payment;order.total=gt=10              RSQL
//	type eq 'Payment';source==*web*              both
//
// A filter is compiled once with [Compile] and matched many times with
// [Filter.Match], which reads fields through a [Getter] so the caller decides
// how events are stored and decodes only the fields listed by [Filter.Fields].
//
// # Grammar
//
// Keywords (and, or, not, eq, in, contains, true, null, =gt=, ...) are
// case-insensitive. Whitespace between tokens is optional except between two
// words. In precedence order, not binds tightest, then and (";"), then or
// (","); parentheses group.
//
//	filter     = or .
//	or         = and { ( "or" | "," ) and } .
//	and        = unary { ( "and" | ";" ) unary } .
//	unary      = { "not" } primary .
//	primary    = "(" or ")" | function | comparison .
//	function   = ( "contains" | "startswith" | "endswith" ) "(" field "," value ")" .
//	comparison = field odataop value
//	           | field rsqlop rsqlvalue
//	           | field "in" "(" value { "," value } ")"
//	           | field ( "=in=" | "=out=" ) ( "(" rsqlvalue { "," rsqlvalue } ")" | rsqlvalue ) .
//	odataop    = "eq" | "ne" | "gt" | "ge" | "lt" | "le" .
//	rsqlop     = "==" | "!=" | "=gt=" | ">" | "=ge=" | ">=" | "=lt=" | "<" | "=le=" | "<=" .
//	field      = ident | string .
//	ident      = identchar { identchar } .    (* letters, digits, "_" "." "-" "$" "@" *)
//	value      = string | number | "true" | "false" | "null" | timestamp .
//	rsqlvalue  = value | bare .
//	string     = "'" { char | "''" | escape } "'" | `"` { char | `""` | escape } `"` .
//	escape     = `\'` | `\"` | `\\` | `\*` .  (* any other backslash is itself *)
//	number     = [ "-" ] digits [ "." digits ] [ ( "e" | "E" ) [ "+" | "-" ] digits ] .
//	timestamp  = an unquoted RFC 3339 date-time, as OData allows .
//	bare       = characters up to whitespace, ";", "," or ")" .
//
// A quoted string at the start of a comparison is the field name, for keys
// with spaces: 'Past Due Amount' eq '$544.73'. A word that looks like a keyword
// is a field name when an operator follows it, so a field may be called "not"
// or "contains".
//
// Bare words are RSQL's: they are accepted only after an RSQL operator
// (type==Payment, category=in=(Water,Gas)); after an OData operator text must
// be quoted, because there an unquoted word would be a property reference and
// silently reading it as text would mislead. A bare word that reads as a
// number, true, false or null is that value, not text.
//
// After == and != a "*" in the value, quoted or bare, is a wildcard matching
// any run of characters (type==Pay*, source=='*web*'); write \* for a literal
// star. Elsewhere, including eq, ne and lists, "*" is an ordinary character.
//
// # Values
//
//   - A number and a numeric string compare as numbers: Notification eq 1
//     matches the JSON string "1", Notification eq '1' matches the JSON number
//     1, and amount gt 10 holds for "12.5". A numeric string has the syntax of
//     a number above; two strings always compare as strings.
//   - When both sides are RFC 3339 timestamps, eq, ne, gt, ge, lt and le compare
//     instants, so time gt '2023-03-01T00:00:00Z' holds for
//     "2023-03-31T00:39:46.917Z" and zone offsets are honoured.
//   - Otherwise strings compare as strings: case-sensitive, in byte order.
//   - A bool compares with a bool, or with the strings "true" and "false"
//     (false orders before true). null eq null holds; a null field compared
//     with anything else is not equal.
//   - Objects never compare equal to anything; values of different kinds
//     (a bool and a number, a number and non-numeric text) are not equal and
//     not ordered.
//   - A missing field never matches, except under ne, != and =out=, which hold
//     for it. not is plain boolean negation of what it applies to.
//   - contains, startswith and endswith test text: numbers are first written as
//     their shortest decimal text; other kinds and missing fields are false.
//     On an array field contains holds when an element equals the value, and
//     startswith/endswith when some element's text does.
//   - On an array field a comparison holds when any element satisfies it;
//     ne, != and =out= hold when no element equals the value. Arrays nested in
//     arrays are not searched.
//
// Field values are what encoding/json decodes into an any: string, float64 or
// json.Number, bool, nil, []any and map[string]any; Go integer and float32
// values are accepted as numbers too.
//
// # Limits
//
// Filters longer than 4096 bytes or nested deeper than 64 parentheses are
// rejected with a [*SyntaxError], so hostile input cannot exhaust the parser.
package filter
