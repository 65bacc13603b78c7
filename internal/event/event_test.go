package event

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openjds/jds/internal/filter"
	"github.com/openjds/jds/internal/identity"
)

var lim = Limits{MaxBatch: 10, MaxEventBytes: 4096, DefaultRegion: "US"}

var received = time.Date(2026, 11, 25, 12, 0, 0, 123456789, time.UTC)

const fixture = `{
  "id": "0b7e8f3a-4c55-4d1e-8e0f-2a9d6b1c7e11", "specversion": "1.0", "type": "Payment",
  "source": "SMS%20Notifcation", "identity": "+1 226 376 2555", "identitytype": "PHONE",
  "datacontenttype": "application/json", "time": "2023-03-31T02:39:46.917+02:00",
  "tenant": {"region": "emea"}, "subject": "bill",
  "data": {"Notification": "1", "Past Due Amount": "$544.73", "note": "line\nbreak \"quoted\" \u00e9"}
}`

func TestDecodeCanonicalises(t *testing.T) {
	ev, bad := Decode([]byte(fixture), received, lim)
	if bad != nil {
		t.Fatal(bad)
	}
	if ev.Alias != "+12263762555" || ev.Identity != "+1 226 376 2555" || ev.IdentityType != identity.Phone {
		t.Fatalf("identity: %+v", ev)
	}
	want := `{"id":"0b7e8f3a-4c55-4d1e-8e0f-2a9d6b1c7e11","specversion":"1.0","type":"Payment","source":"SMS%20Notifcation",` +
		`"identity":"+1 226 376 2555","identitytype":"phone","time":"2023-03-31T00:39:46.917Z","datacontenttype":"application/json",` +
		`"subject":"bill","tenant":{"region":"emea"},"data":{"Notification":"1","Past Due Amount":"$544.73","note":"line\nbreak \"quoted\" \u00e9"}}` // data is kept as posted, compacted
	if string(ev.Raw) != want {
		t.Fatalf("canonical form:\n got %s\nwant %s", ev.Raw, want)
	}
	if ID(ev.Raw) != ev.ID {
		t.Fatal("ID reads the id back")
	}
	// Without time, the server's receive time, to the millisecond on output.
	var m map[string]any
	json.Unmarshal([]byte(fixture), &m)
	delete(m, "time")
	raw, _ := json.Marshal(m)
	ev, _ = Decode(raw, received, lim)
	if !strings.Contains(string(ev.Raw), `"time":"2026-11-25T12:00:00.123Z"`) || !ev.Time.Equal(received) {
		t.Fatalf("default time: %s", ev.Raw)
	}
}

func TestDecodeBatchJudgesEachEvent(t *testing.T) {
	good := `{"id":"a","specversion":"1.0","type":"T","source":"s","identity":"x","identitytype":"customerId","data":{}}`
	body := "[" + good + `,{"id":"b"},7,` + strings.Replace(good, `"a"`, `"c"`, 1) + "]"
	evs, idx, rejected, err := DecodeBatch([]byte(body), received, lim)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 || idx[0] != 0 || idx[1] != 3 || evs[1].ID != "c" {
		t.Fatalf("good events: %v %v", evs, idx)
	}
	if rejected[1].ID != "b" || len(rejected[1].Errors) < 4 || !strings.Contains(rejected[2].Error(), "must be a JSON object") {
		t.Fatalf("rejected: %+v %+v", rejected[1], rejected[2])
	}
	for _, body := range []string{`{}`, `[]`, `[` + strings.Repeat(good+",", 10) + good + `]`, `[1,`} {
		if _, _, _, err := DecodeBatch([]byte(body), received, lim); err == nil {
			t.Errorf("DecodeBatch(%.20q) must fail as a whole", body)
		}
	}
}

func TestDecodeRejectsOversizedEvents(t *testing.T) {
	big := `{"id":"a","data":{"x":"` + strings.Repeat("y", 5000) + `"}}`
	if _, bad := Decode([]byte(big), received, lim); bad == nil || !strings.Contains(bad.Error(), "larger than 4096 bytes") {
		t.Fatalf("got %v", bad)
	}
}

func TestDecodeBoundsTheUniqueKey(t *testing.T) {
	// (source, id) is an event's key: control characters (excluded from CloudEvents
	// strings) and unbounded lengths are refused, naming the field.
	good := map[string]any{"id": "a", "specversion": "1.0", "type": "T", "source": "s", "identity": "x", "identitytype": "customerId", "data": map[string]any{}}
	for _, tc := range []struct {
		name, field, value, want string
	}{
		{"NUL in id", "id", "a\x00b", "id: must not contain control characters"},
		{"newline in id", "id", "a\nb", "id: must not contain control characters"},
		{"C1 control in id", "id", "a\u0085b", "id: must not contain control characters"},
		{"long id", "id", strings.Repeat("i", 257), "id: longer than 256 bytes"},
		{"C1 control in source", "source", "s\u009fx", "source: must be a URI-reference without control characters"},
		{"long source", "source", strings.Repeat("s", 1025), "source: longer than 1024 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := maps.Clone(good)
			m[tc.field] = tc.value
			raw, _ := json.Marshal(m)
			if _, bad := Decode(raw, received, Limits{}); bad == nil || !slices.Contains(bad.Errors, tc.want) {
				t.Fatalf("got %v, want %q", bad, tc.want)
			}
		})
	}
}

func TestMatcher(t *testing.T) {
	ev, _ := Decode([]byte(fixture), received, lim)
	compile := func(s string) *filter.Filter {
		f, err := filter.Compile(s)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	cases := []struct {
		attr, data string
		want       bool
	}{
		{"type eq 'Payment'", "", true},
		{"identitytype eq 'phone'", "Notification eq 1", true},
		{"tenant.region eq 'emea'", "", true},
		{"data.Notification eq 1", "", true},
		{"", "'Past Due Amount' eq '$544.73'", true},
		{"type eq 'Payment'", "Notification eq 2", false},
		{"time lt '2023-04-01T00:00:00Z'", "", true},
		{"type eq 'Other'", "'Past Due Amount' eq '$544.73'", false},
		{"nosuch eq 'x'", "", false},
		{"nosuch ne 'x' and type eq 'Payment'", "", true},
		{"type eq 'Payment' and identity eq '+1 226 376 2555'", "Notification eq 1 and 'Past Due Amount' eq '$544.73'", true},
	}
	for _, c := range cases {
		m := Matcher{}
		if c.attr != "" {
			m.Attr = compile(c.attr)
		}
		if c.data != "" {
			m.Data = compile(c.data)
		}
		if got := m.Match(ev.Raw); got != c.want {
			t.Errorf("filter %q data %q = %v, want %v", c.attr, c.data, got, c.want)
		}
	}
	if ID(ev.Raw) != ev.ID || TypeOf(ev.Raw) != "Payment" || TypeOf([]byte("not json")) != "" {
		t.Errorf("ID %q, TypeOf %q", ID(ev.Raw), TypeOf(ev.Raw))
	}
	if (Matcher{}).Func() != nil {
		t.Error("no filter: no predicate")
	}
}

// FuzzDecode: whatever a client sends, Decode never panics, and what it accepts is
// stored as valid JSON that decodes again to the same event.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(fixture))
	f.Add([]byte(`{"id":"a","specversion":"1.0","type":"T","source":"s","identity":"x@y","identitytype":"email","data":{}}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		ev, bad := Decode(raw, received, lim)
		if bad != nil {
			if len(bad.Errors) == 0 {
				t.Fatal("a rejection must say why")
			}
			return
		}
		if !json.Valid(ev.Raw) {
			t.Fatalf("stored form is not JSON: %s", ev.Raw)
		}
		again, bad := Decode(ev.Raw, received, Limits{DefaultRegion: "US"})
		if bad != nil {
			t.Fatalf("stored form does not decode again: %v: %s", bad, ev.Raw)
		}
		if string(again.Raw) != string(ev.Raw) || again.Alias != ev.Alias {
			t.Fatalf("canonical form is not stable:\n%s\n%s", ev.Raw, again.Raw)
		}
	})
}

// FuzzDecodeBinary: whatever headers and body a binary-mode client sends, DecodeBinary
// never panics, and what it accepts is stored as JSON that decodes again as structured.
func FuzzDecodeBinary(f *testing.F) {
	f.Add("pct-1", "Queued%20Caller", "%2B1%20226%20376%202555", "note", "caf%C3%A9", "application/json", []byte(`{"queue":"Billing"}`))
	f.Add("a", "T", "x", "my_ext", "50%", "", []byte(`[1]`))
	f.Fuzz(func(t *testing.T, id, typ, ident, extName, extValue, contentType string, data []byte) {
		attrs := map[string]string{
			"specversion": "1.0", "id": id, "source": "s", "type": typ,
			"identity": ident, "identitytype": "customerId", extName: extValue,
		}
		ev, bad := DecodeBinary(attrs, contentType, data, received, lim)
		if bad != nil {
			if len(bad.Errors) == 0 {
				t.Fatal("a rejection must say why")
			}
			return
		}
		again, bad := Decode(ev.Raw, received, lim)
		if bad != nil || string(again.Raw) != string(ev.Raw) {
			t.Fatalf("binary event does not decode again as structured: %v: %s", bad, ev.Raw)
		}
	})
}

func TestDecodeRefusesWhatItCouldNotKeepExactly(t *testing.T) {
	const head = `{"specversion":"1.0","type":"T","source":"s","identity":"x","identitytype":"customerId",`
	for _, tc := range []struct {
		name, body, want string
	}{
		{"invalid UTF-8 in id", head + "\"id\":\"col\xfe\",\"data\":{}}", "event: not valid UTF-8 at byte 97"},
		{"lone low surrogate in data", head + `"id":"a","data":{"k":"col\udcfe"}}`, `event: a lone surrogate escape \udcfe at byte 113 is not a character`},
		{"lone high surrogate at the end", head + `"id":"a","data":{"k":"\ud83d"}}`, `event: a lone surrogate escape \ud83d at byte 110 is not a character`},
		{"extension in camel case", head + `"id":"a","myExt":1,"data":{}}`, `"myExt": an extension attribute name is lowercase letters a-z and digits, at most 64 (CloudEvents)`},
		{"G2 spelling", head + `"id":"a","dataContentType":"application/json","data":{}}`, `"dataContentType": an extension attribute name is lowercase letters a-z and digits, at most 64 (CloudEvents); did you mean "datacontenttype"?`},
		{"long previousidentity", head + `"id":"a","previousidentity":"` + strings.Repeat("p", 513) + `","data":{}}`, "previousidentity: longer than 512 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, bad := Decode([]byte(tc.body), received, Limits{}); bad == nil || !slices.Contains(bad.Errors, tc.want) {
				t.Fatalf("got %v, want %q", bad, tc.want)
			}
		})
	}
	// What is valid stays valid: a surrogate pair, an escaped backslash before a u.
	ok := head + `"id":"a","data":{"emoji":"\ud83d\ude00","path":"C:\\users"}}`
	if _, bad := Decode([]byte(ok), received, Limits{}); bad != nil {
		t.Fatalf("valid escapes refused: %v", bad)
	}
	if _, bad := DecodeBinary(map[string]string{"specversion": "1.0", "id": "a", "source": "s", "type": "T", "identity": "x", "identitytype": "customerId"},
		"application/json", []byte("{\"k\":\"\xff\"}"), received, Limits{}); bad == nil || !slices.Contains(bad.Errors, "data: not valid UTF-8 at byte 6") {
		t.Fatalf("binary data with invalid UTF-8: %v", bad)
	}
}
