package event

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/openjds/jds/internal/identity"
)

// G2 bodies, as the product's WxCC task events and the browser SDK posted them, become
// the CloudEvents jds stores; only when the limits allow G2.
func TestDecodeG2Bodies(t *testing.T) {
	g2 := lim
	g2.G2 = true
	for _, c := range []struct {
		file, want string
	}{
		{"wxcc-task-new.json", `{"id":"9f1c2d7e-5b0a-4f6e-8d21-3c4b5a697e80","specversion":"1.0","type":"task:new","source":"wxcc","identity":"+14085550123","identitytype":"phone","time":"2022-05-05T09:13:31.505Z","datacontenttype":"application/json","data":{"taskId":"3a7c9e10-2b4d-4f6a-9c8e-1d2f3a4b5c6d","channelType":"telephony","createdTime":1651742011505,"direction":"INBOUND","origin":"+14085550123","destination":"+18005550100","queueId":"b2c4d6e8-0a1b-4c3d-8e5f-6a7b8c9d0e1f","outboundType":null,"workflowManager":null}}`},
		{"sdk-string-data.json", `{"id":"checkout-0042","specversion":"1.0","type":"Add To Cart","source":"website","identity":"bob@example.com","identitytype":"email","previousidentity":"anon-5b2f0c1e","time":"2026-11-25T12:00:00.123Z","datacontenttype":"application/json","data":{"sku":"TV-55","price":499.99,"origin":"web","channelType":"web"}}`},
	} {
		raw, err := os.ReadFile("testdata/g2/" + c.file)
		if err != nil {
			t.Fatal(err)
		}
		ev, bad := Decode(raw, received, g2)
		if bad != nil {
			t.Errorf("%s: %v", c.file, bad)
			continue
		}
		if string(ev.Raw) != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.file, ev.Raw, c.want)
		}
		if _, bad := Decode(raw, received, lim); bad == nil {
			t.Errorf("%s: accepted without G2", c.file)
		}
	}
}

func TestG2ProblemsNameTheG2Field(t *testing.T) {
	g2 := lim
	g2.G2 = true
	for _, c := range []struct{ body, want string }{
		{`{"specVersion":"1.0","id":"1","source":"s","type":"t","data":{}}`, "person: required"},
		{`{"specVersion":"2.0","id":"1","source":"s","type":"t","person":"ann@example.com","data":{}}`, `specVersion: must be "1.0"`},
		{`{"specVersion":"1.0","id":"1","source":"s","type":"t","person":"+12","data":{}}`, "person: "},
		{`{"specVersion":"1.0","id":"1","source":"s","type":"t","person":"a@b.c","data":"not json"}`, "data: a string must hold a JSON object"},
		{`{"specVersion":"1.0","id":"1","source":"s","type":"t","person":"a@b.c","data":"[1]"}`, "data: a string must hold a JSON object"},
		{`{"specVersion":"1.0","id":"1","source":"s","type":"t","person":"a@b.c","dataContentType":"text/xml","data":{}}`, `dataContentType: must be "string" or application/json`},
		{`{"specVersion":"1.0","id":"1","source":"s","type":"t","person":"a@b.c","identity":"b@b.c","data":{}}`, "person: given with identity; use one"},
		{`{"specVersion":"1.0","id":"1","source":"s","type":"t","person":"a@b.c","previously":7,"data":{}}`, "previously: must be a string"},
	} {
		_, bad := Decode([]byte(c.body), received, g2)
		if bad == nil || !slices.ContainsFunc(bad.Errors, func(e string) bool { return strings.HasPrefix(e, c.want) }) {
			t.Errorf("%s: %v, want %q", c.body, bad, c.want)
			continue
		}
		for _, e := range bad.Errors {
			if f, _, _ := strings.Cut(e, ": "); f == "identity" || f == "specversion" || f == "previousidentity" || f == "datacontenttype" {
				t.Errorf("%s: %q names the CloudEvents attribute, not the G2 member", c.body, e)
			}
		}
		if len(bad.Errors) != len(slices.Compact(slices.Clone(bad.Errors))) {
			t.Errorf("%s: a reason repeated: %v", c.body, bad.Errors)
		}
	}
}

func TestInferKind(t *testing.T) {
	for person, want := range map[string]identity.Kind{
		"+1 226 376 2555": identity.Phone, "12263762555": identity.Phone, "(226) 376-2555": identity.Phone,
		"bob@example.com": identity.Email, "anon-5b2f0c1e": identity.TemporaryID,
		"C-1042": identity.CustomerID, "abc": identity.CustomerID, "--": identity.CustomerID,
	} {
		if got := InferKind(person); got != want {
			t.Errorf("%q: %v, want %v", person, got, want)
		}
	}
}
