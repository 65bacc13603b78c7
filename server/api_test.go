package server_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/openjds/jds/config"
	"github.com/openjds/jds/internal/jdstest"
	"github.com/openjds/jds/internal/sas"
)

const (
	org    = jdstest.Org
	secret = jdstest.Secret
	ws     = "sandbox" // the workspace the tests use
)

// env is a whole jds (see jdstest.Start) with the helpers of this package's tests.
type env struct {
	*jdstest.Env
	t *testing.T
}

// start runs jds on the real clock.
func start(t *testing.T, mutate func(*config.Config)) *env {
	t.Helper()
	return startClocked(t, nil, mutate)
}

// startClocked runs jds whose windows run on c.
func startClocked(t *testing.T, c *jdstest.Clock, mutate func(*config.Config)) *env {
	t.Helper()
	return &env{Env: jdstest.Start(t, c, mutate), t: t}
}

var admin = jdstest.AdminToken()

func (e *env) post(ev any) jdstest.Response {
	return e.Do("POST", "/publish/v1/api/event?workspaceId="+ws, admin, ev)
}

// fixtures are the example events of samples/events, the ones the README tour posts.
func fixtures(t *testing.T) []json.RawMessage {
	t.Helper()
	paths, err := filepath.Glob("../samples/events/*.json")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	sort.Strings(paths)
	var out []json.RawMessage
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, raw)
	}
	return out
}

func ev(id, typ, ident, kind string, data map[string]any, extra ...any) map[string]any {
	m := map[string]any{"id": id, "specversion": "1.0", "type": typ, "source": "test", "identity": ident, "identitytype": kind, "data": data}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i].(string)] = extra[i+1]
	}
	return m
}

// eventIDs reads the ids of a history response's events, in order.
func eventIDs(t *testing.T, r jdstest.Response) []string {
	t.Helper()
	var body struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatalf("%v: %s", err, r.Body)
	}
	out := []string{}
	for _, d := range body.Data {
		out = append(out, d.ID)
	}
	return out
}

func historyPath(ident, query string) string {
	return "/v1/api/events/workspace-id/" + ws + "?identity=" + url.QueryEscape(ident) + query
}

func TestFixturesTourTheWayAnIVRReadsThem(t *testing.T) {
	e := start(t, nil)
	persons := map[string]string{}
	for _, f := range fixtures(t) {
		r := e.post(f)
		if r.Status != 202 {
			t.Fatalf("posting fixture: %d %s", r.Status, r.Body)
		}
		m := r.JSON(t)
		data := m["data"].(map[string]any)
		meta := m["meta"].(map[string]any)
		if data["message"] != "Accepted for processing" || data["duplicate"] != false || meta["organizationId"] != org || meta["workspaceId"] != ws {
			t.Fatalf("unexpected acceptance: %s", r.Body)
		}
		var id struct{ ID string }
		json.Unmarshal(f, &id)
		persons[id.ID] = meta["personId"].(string)
	}
	// The phone written three ways is one person: 01, 05, 06.
	phone := persons["27fcb3bc-0e7d-47c8-9bca-639daa326c76"]
	if persons["0b7e8f3a-4c55-4d1e-8e0f-2a9d6b1c7e11"] != phone || persons["3c2d7f0e-1b9a-4e6c-8d5f-7a4b2c1e9d00"] != phone {
		t.Fatalf("12263762555 and +12263762555 must be one person: %v", persons)
	}
	// Use case 1: the IVR asks for the latest Water payment, top=1, through both paths.
	for _, path := range []string{
		historyPath("12263762555", "&top=1&data="+url.QueryEscape("category eq 'Water'")),
		"/v1/journey/streams/historic/%2B12263762555?top=1&data=" + url.QueryEscape("category=='Water'"),
	} {
		tok := admin
		if strings.HasPrefix(path, "/v1/journey") {
			tok = jdstest.Token("tape", "r", ws)
		}
		r := e.Do("GET", path, tok, nil)
		if r.Status != 200 {
			t.Fatalf("%s: %d %s", path, r.Status, r.Body)
		}
		var body struct {
			Meta map[string]any
			Data []map[string]any
		}
		json.Unmarshal(r.Body, &body)
		if len(body.Data) != 1 || body.Meta["resultCount"] != 1.0 || body.Meta["personId"] != phone {
			t.Fatalf("%s: %s", path, r.Body)
		}
		d := body.Data[0]["data"].(map[string]any)
		if d["Notification"] != "1" || d["Past Due Amount"] != "$544.73" || body.Data[0]["time"] != "2023-03-31T00:39:46.917Z" {
			t.Fatalf("the overdue notice must come back as posted: %s", r.Body)
		}
	}
	// The anonymous web visits joined the login: the email's history holds all three,
	// newest first, and the temporaryId finds the same person.
	r := e.Do("GET", historyPath("BMCLELLA@cisco.com", ""), admin, nil)
	got := eventIDs(t, r)
	want := []string{"6f1c2f9e-8d1e-4a52-9a51-0c1d7e0b9a03", "6f1c2f9e-8d1e-4a52-9a51-0c1d7e0b9a02", "6f1c2f9e-8d1e-4a52-9a51-0c1d7e0b9a01"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("email history = %v, want %v", got, want)
	}
	if got := eventIDs(t, e.Do("GET", historyPath("954fcd6c-d-047ddb909", ""), admin, nil)); len(got) != 3 {
		t.Fatalf("temporaryId history = %v", got)
	}
	// Unknown identity: 200 and no events.
	r = e.Do("GET", historyPath("+15550000000", ""), admin, nil)
	if r.Status != 200 || len(eventIDs(t, r)) != 0 {
		t.Fatalf("unknown identity: %d %s", r.Status, r.Body)
	}
	// Posting a fixture again is a duplicate, acknowledged and not stored twice.
	r = e.post(fixtures(t)[0])
	if r.Status != 202 || r.JSON(t)["data"].(map[string]any)["duplicate"] != true {
		t.Fatalf("duplicate: %d %s", r.Status, r.Body)
	}
	if n := len(eventIDs(t, e.Do("GET", historyPath("12263762555", ""), admin, nil))); n != 3 {
		t.Fatalf("phone history has %d events after a duplicate, want 3", n)
	}
	// Everything survives a restart.
	e.Restart()
	if n := len(eventIDs(t, e.Do("GET", historyPath("12263762555", ""), admin, nil))); n != 3 {
		t.Fatalf("phone history has %d events after restart, want 3", n)
	}
}

func TestOneIDFromTwoSourcesIsTwoEvents(t *testing.T) {
	e := start(t, nil)
	crm := ev("ticket-7", "Ticket Opened", "alice@example.com", "email", map[string]any{"n": 1}, "source", "crm")
	web := ev("ticket-7", "Page Visit", "bob@example.com", "email", map[string]any{"n": 2}, "source", "web")
	persons := map[string]string{}
	for name, body := range map[string]any{"crm": crm, "web": web} {
		r := e.post(body)
		m := r.JSON(t)
		if r.Status != 202 || m["data"].(map[string]any)["duplicate"] != false {
			t.Fatalf("%s: %d %s", name, r.Status, r.Body)
		}
		persons[name] = m["meta"].(map[string]any)["personId"].(string)
	}
	if persons["crm"] == persons["web"] {
		t.Fatalf("the web event was filed under the crm event's person: %v", persons)
	}
	if got := eventIDs(t, e.Do("GET", historyPath("bob@example.com", ""), admin, nil)); fmt.Sprint(got) != "[ticket-7]" {
		t.Fatalf("bob's history = %v", got)
	}
	r := e.post(web)
	m := r.JSON(t)
	if r.Status != 202 || m["data"].(map[string]any)["duplicate"] != true || m["meta"].(map[string]any)["personId"] != persons["web"] {
		t.Fatalf("the web event again is a duplicate under bob: %d %s", r.Status, r.Body)
	}
}

func TestEventValidationNamesTheField(t *testing.T) {
	e := start(t, nil)
	good := func() map[string]any {
		return ev("v1", "Payment", "+12263762555", "phone", map[string]any{"a": 1})
	}
	cases := []struct {
		name   string
		change func(m map[string]any)
		want   string
	}{
		{"missing id", func(m map[string]any) { delete(m, "id") }, "id: required"},
		{"empty id", func(m map[string]any) { m["id"] = " " }, "id: must not be empty"},
		{"numeric id", func(m map[string]any) { m["id"] = 7 }, "id: must be a string"},
		{"specversion", func(m map[string]any) { m["specversion"] = "0.3" }, `specversion: must be "1.0"`},
		{"missing type", func(m map[string]any) { delete(m, "type") }, "type: required"},
		{"source with space", func(m map[string]any) { m["source"] = "WxCC Desktop" }, "source: must be a URI-reference without spaces"},
		{"missing identity", func(m map[string]any) { delete(m, "identity") }, "identity: required"},
		{"identitytype", func(m map[string]any) { m["identitytype"] = "fax" }, "identitytype: must be one of phone, email, customerId, socialId, temporaryId"},
		{"bad phone", func(m map[string]any) { m["identity"] = "call me" }, "identity: \"call me\" is not a phone number"},
		{"bad email", func(m map[string]any) { m["identitytype"] = "email"; m["identity"] = "nobody" }, "identity: \"nobody\" is not an email address"},
		{"time", func(m map[string]any) { m["time"] = "yesterday" }, "time: must be an RFC 3339 time"},
		{"missing data", func(m map[string]any) { delete(m, "data") }, "data: required"},
		{"data not object", func(m map[string]any) { m["data"] = "x" }, "data: must be a JSON object"},
		{"content type", func(m map[string]any) { m["datacontenttype"] = "text/xml" }, "datacontenttype: must be application/json"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := good()
			c.change(m)
			r := e.post(m)
			if r.Status != 400 {
				t.Fatalf("status %d: %s", r.Status, r.Body)
			}
			body := r.JSON(t)
			if body["status"] != "400 BAD_REQUEST" || body["trackingId"] == "" || body["timestamp"] == "" {
				t.Fatalf("not the error envelope: %s", r.Body)
			}
			if !strings.Contains(fmt.Sprint(body["errors"]), c.want) {
				t.Fatalf("errors %v do not say %q", body["errors"], c.want)
			}
		})
	}
	for _, body := range []string{"", "{", "[]", "null", `"x"`, "{}", `[1,2]`} {
		r := e.Do("POST", "/publish/v1/api/event?workspaceId="+ws, admin, body)
		if r.Status != 400 {
			t.Fatalf("body %q: %d %s", body, r.Status, r.Body)
		}
	}
	r := e.Do("POST", "/publish/v1/api/event?workspaceId="+ws, admin, good(), "Content-Type", "text/plain")
	if r.Status != 415 {
		t.Fatalf("text/plain: %d", r.Status)
	}
	// Extensions come back as posted; identitytype in canonical case; time defaulted.
	m := good()
	m["identitytype"] = "PHONE"
	m["tenantregion"] = "emea"
	m["subject"] = "bill"
	if r := e.post(m); r.Status != 202 {
		t.Fatal(r.Status, string(r.Body))
	}
	r = e.Do("GET", historyPath("+12263762555", ""), admin, nil)
	var h struct{ Data []map[string]any }
	json.Unmarshal(r.Body, &h)
	got := h.Data[0]
	if got["identitytype"] != "phone" || got["tenantregion"] != "emea" || got["subject"] != "bill" || got["datacontenttype"] != "application/json" {
		t.Fatalf("stored event: %v", got)
	}
	if ts, err := time.Parse(time.RFC3339, got["time"].(string)); err != nil || time.Since(ts) > time.Minute {
		t.Fatalf("default time: %v %v", got["time"], err)
	}
}

func TestBatchIngestLandsTheGoodEvents(t *testing.T) {
	e := start(t, func(c *config.Config) {
		c.Ingest.MaxBatchEvents = 5
		c.Ingest.MaxBodyBytes = 64 << 10
		c.Ingest.MaxEventBytes = 64 << 10 // no more than the body, or the config is invalid
	})
	batch := []any{
		ev("b1", "T", "c1", "customerId", map[string]any{}),
		ev("b2", "T", "c1", "customerId", nil),
		ev("b3", "T", "c1", "bogus", map[string]any{}),
		ev("b4", "T", "c1", "customerId", map[string]any{}),
	}
	for _, path := range []string{"/publish/v1/api/events?workspaceId=" + ws, "/v1/journey/events"} {
		tok := admin
		if path == "/v1/journey/events" {
			tok = jdstest.Token("ds", "w", ws)
		}
		r := e.Do("POST", path, tok, batch)
		if r.Status != 207 {
			t.Fatalf("%s: %d %s", path, r.Status, r.Body)
		}
		var body struct {
			Data struct {
				Accepted, Duplicates int
				Rejected             []struct {
					Index  int
					ID     string
					Errors []string
				}
			}
		}
		json.Unmarshal(r.Body, &body)
		d := body.Data
		if len(d.Rejected) != 2 || d.Rejected[0].Index != 1 || d.Rejected[0].ID != "b2" || d.Rejected[1].Index != 2 ||
			!strings.Contains(d.Rejected[1].Errors[0], "identitytype") || d.Accepted != 2 {
			t.Fatalf("%s: %s", path, r.Body)
		}
		if path == "/v1/journey/events" && d.Duplicates != 2 {
			t.Fatalf("second post must count duplicates: %s", r.Body)
		}
	}
	if got := eventIDs(t, e.Do("GET", historyPath("c1", ""), admin, nil)); len(got) != 2 {
		t.Fatalf("history after batches: %v", got)
	}
	// All bad: 400, the envelope and the per-event results.
	r := e.Do("POST", "/publish/v1/api/events?workspaceId="+ws, admin, batch[1:3])
	if r.Status != 400 || !strings.Contains(string(r.Body), `"rejected":[{"index":0`) || !strings.Contains(string(r.Body), `"status":"400 BAD_REQUEST"`) {
		t.Fatalf("all bad: %d %s", r.Status, r.Body)
	}
	// All good: 202.
	r = e.Do("POST", "/publish/v1/api/events?workspaceId="+ws, admin, []any{ev("b9", "T", "c2", "customerId", map[string]any{})})
	if r.Status != 202 {
		t.Fatalf("all good: %d %s", r.Status, r.Body)
	}
	// Too many events; too large a body.
	many := make([]any, 6)
	for i := range many {
		many[i] = ev(fmt.Sprint("m", i), "T", "c3", "customerId", map[string]any{})
	}
	r = e.Do("POST", "/publish/v1/api/events?workspaceId="+ws, admin, many)
	if r.Status != 400 || !strings.Contains(string(r.Body), "at most 5") {
		t.Fatalf("too many: %d %s", r.Status, r.Body)
	}
	// The server refuses a body over the limit from its Content-Length, before reading
	// it; send only the headers so that the answer does not race the upload.
	conn, err := net.Dial("tcp", strings.TrimPrefix(e.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /publish/v1/api/event?workspaceId=%s HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", ws, admin, 70<<10)
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != 413 || !strings.Contains(string(raw), `"status":"413 REQUEST_ENTITY_TOO_LARGE"`) {
		t.Fatalf("too large: %d %s", res.StatusCode, raw)
	}
}

func TestAuthentication(t *testing.T) {
	e := start(t, nil)
	path := "/publish/v1/api/event?workspaceId=" + ws
	body := ev("a1", "T", "c1", "customerId", map[string]any{})
	expired := sas.Sign(org, ws, "ds", "w", time.Now().Add(-time.Minute), "sandbox", []byte(secret))
	wrongKey := sas.Sign(org, ws, "ds", "w", time.Now().Add(time.Hour), "sandbox", []byte("other"))
	unknownKey := sas.Sign(org, ws, "ds", "w", time.Now().Add(time.Hour), "nokey", []byte(secret))
	otherOrg := sas.Sign("acme", ws, "ds", "w", time.Now().Add(time.Hour), "sandbox", []byte(secret))
	cases := []struct {
		name, path, header string
		want               int
		says               string
	}{
		{"missing", path, "", 401, "missing token"},
		{"garbled", path, "SharedAccessSignature nonsense", 401, "malformed"},
		{"bad signature", path, wrongKey, 401, "signature"},
		{"expired", path, expired, 401, "expired"},
		{"unknown key", path, unknownKey, 401, "unknown signing key"},
		{"other organization's key", path, otherOrg, 401, "unknown signing key"},
		{"wrong service", path, jdstest.Token("tape", "rw", ws), 403, "service"},
		{"read only", path, jdstest.Token("ds", "r", ws), 403, "read"},
		{"other workspace", path, jdstest.Token("ds", "w", "other"), 403, "workspace"},
		{"organizationId mismatch", path + "&organizationId=acme", jdstest.Token("ds", "w", ws), 403, "organization"},
		{"ingest token", path, jdstest.Token("ds", "w", ws), 202, ""},
		{"bearer form", path, "Bearer " + strings.TrimPrefix(jdstest.Token("ds", "w", ws), sas.Prefix), 202, ""},
		{"bearer with prefix", path, "Bearer " + jdstest.Token("ds", "rw", "*"), 202, ""},
		{"old path, wildcard token", "/v1/journey/events", jdstest.Token("ds", "w", "*"), 400, "workspaceId"},
		{"old path, workspace token", "/v1/journey/events", jdstest.Token("ds", "w", ws), 202, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.Do("POST", c.path, c.header, body)
			if r.Status != c.want || !strings.Contains(strings.ToLower(string(r.Body)), strings.ToLower(c.says)) {
				t.Fatalf("got %d %s, want %d saying %q", r.Status, r.Body, c.want, c.says)
			}
			if strings.Contains(string(r.Body), secret) {
				t.Fatal("the response echoes the secret")
			}
		})
	}
	// Tenants are isolated: a token for another workspace sees nothing of this one.
	e.Do("POST", "/v1/journey/events", jdstest.Token("ds", "w", "other"), ev("o1", "T", "c1", "customerId", map[string]any{}))
	if got := eventIDs(t, e.Do("GET", "/v1/journey/streams/historic/c1", jdstest.Token("tape", "r", "other"), nil)); fmt.Sprint(got) != "[o1]" {
		t.Fatalf("workspace other sees %v", got)
	}
	// The token in the query string, for clients that cannot set headers.
	q := strings.TrimPrefix(jdstest.Token("tape", "r", ws), sas.Prefix)
	if r := e.Do("GET", historyPath("c1", "&"+q), "", nil); r.Status != 200 {
		t.Fatalf("token in query: %d %s", r.Status, r.Body)
	}
	if r := e.Do("GET", historyPath("c1", "&bearerToken="+url.QueryEscape(jdstest.Token("tape", "r", ws))), "", nil); r.Status != 200 {
		t.Fatalf("bearerToken in query: %d %s", r.Status, r.Body)
	}
}

func TestHistoryPagingAndFilters(t *testing.T) {
	e := start(t, nil)
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	var batch []any
	for i := range 120 {
		status := []string{"overdue", "paid"}[i%2]
		batch = append(batch, ev(fmt.Sprintf("p%03d", i), []string{"Payment", "Queued Caller"}[i%3%2], "+1 226 376 2555", "phone",
			map[string]any{"Notification": fmt.Sprint(i % 4), "status": status, "Past Due Amount": "$544.73", "order": map[string]any{"total": i}},
			"time", t0.Add(time.Duration(i)*time.Minute).Format(time.RFC3339)))
	}
	if r := e.Do("POST", "/publish/v1/api/events?workspaceId="+ws, admin, batch); r.Status != 202 {
		t.Fatal(r.Status, string(r.Body))
	}
	count := func(query string) (int, []string) {
		t.Helper()
		r := e.Do("GET", historyPath("12263762555", query), admin, nil)
		if r.Status != 200 {
			t.Fatalf("%s: %d %s", query, r.Status, r.Body)
		}
		ids := eventIDs(t, r)
		return len(ids), ids
	}
	if n, ids := count(""); n != 50 || ids[0] != "p119" || ids[49] != "p070" {
		t.Fatalf("default page: %d %v", n, ids)
	}
	if n, ids := count("&page=2"); n != 20 || ids[0] != "p019" {
		t.Fatalf("page 2: %d %v", n, ids)
	}
	if n, _ := count("&pageSize=1000"); n != 120 {
		t.Fatalf("pageSize 1000: %d", n)
	}
	filters := []struct {
		query string
		want  int
	}{
		{"&pageSize=1000&filter=" + url.QueryEscape("type eq 'Payment'"), 80},
		{"&pageSize=1000&filter=" + url.QueryEscape("type=='Payment'"), 80},
		{"&pageSize=1000&filter=" + url.QueryEscape("type==Pay*"), 80},
		{"&pageSize=1000&filter=" + url.QueryEscape("type ne 'Payment'"), 40},
		{"&pageSize=1000&data=" + url.QueryEscape("Notification eq 1"), 30},
		{"&pageSize=1000&data=" + url.QueryEscape("Notification=ge=2;status==overdue"), 30},
		{"&pageSize=1000&data=" + url.QueryEscape("'Past Due Amount' eq '$544.73'"), 120},
		{"&pageSize=1000&data=" + url.QueryEscape("order.total lt 10 or order.total ge 115"), 15},
		{"&pageSize=1000&data=" + url.QueryEscape("missing ne 'x'"), 120},
		{"&pageSize=1000&data=" + url.QueryEscape("missing eq 'x'"), 0},
		{"&pageSize=1000&filter=" + url.QueryEscape("time gt '2026-03-01T01:49:00Z'") + "&data=" + url.QueryEscape("status eq 'paid'"), 5},
	}
	for _, f := range filters {
		if n, _ := count(f.query); n != f.want {
			t.Errorf("%s: %d events, want %d", f.query, n, f.want)
		}
	}
	for _, bad := range []struct{ query, says string }{
		{"&top=0", "top: must be an integer from 1 to 1000"},
		{"&pageSize=1001", "pageSize: must be an integer from 1 to 1000"},
		{"&page=-1", "page:"},
		{"&filter=" + url.QueryEscape("type eq"), "filter: at position"},
		{"&data=" + url.QueryEscape("(status eq 'paid'"), "data: at position"},
	} {
		r := e.Do("GET", historyPath("12263762555", bad.query), admin, nil)
		if r.Status != 400 || !strings.Contains(string(r.Body), bad.says) {
			t.Errorf("%s: %d %s", bad.query, r.Status, r.Body)
		}
	}
	if r := e.Do("GET", "/v1/api/events/workspace-id/"+ws, admin, nil); r.Status != 400 || !strings.Contains(string(r.Body), "identity: required") {
		t.Errorf("no identity: %d %s", r.Status, r.Body)
	}
}

// sse reads a Server-Sent Events stream.
type sse struct {
	res *http.Response
	rd  *bufio.Reader
}

type message struct{ id, event, data string }

func (e *env) openStream(path, tok string, headers ...string) *sse {
	e.t.Helper()
	req, _ := http.NewRequest("GET", e.URL+path, nil)
	if tok != "" {
		req.Header.Set("Authorization", tok)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/event-stream" {
		b, _ := io.ReadAll(res.Body)
		e.t.Fatalf("stream: %d %s", res.StatusCode, b)
	}
	e.t.Cleanup(func() { res.Body.Close() })
	return &sse{res: res, rd: bufio.NewReader(res.Body)}
}

// next returns the next message; comments (heartbeats) are returned as event "comment".
func (s *sse) next(t *testing.T) message {
	t.Helper()
	var m message
	deadline := time.AfterFunc(10*time.Second, func() { s.res.Body.Close() })
	defer deadline.Stop()
	for {
		line, err := s.rd.ReadString('\n')
		if err != nil {
			t.Fatalf("reading stream: %v", err)
		}
		line = strings.TrimRight(line, "\n")
		switch {
		case line == "":
			if m != (message{}) {
				return m
			}
		case strings.HasPrefix(line, ":"):
			if m == (message{}) {
				return message{event: "comment", data: strings.TrimSpace(line[1:])}
			}
		case strings.HasPrefix(line, "id: "):
			m.id = line[4:]
		case strings.HasPrefix(line, "event: "):
			m.event = line[7:]
		case strings.HasPrefix(line, "data: "):
			m.data = line[6:]
		}
	}
}

// nextEvent skips comments and retry hints.
func (s *sse) nextEvent(t *testing.T) message {
	t.Helper()
	for {
		m := s.next(t)
		if m.event == "event" {
			return m
		}
	}
}

func TestLiveStream(t *testing.T) {
	e := start(t, func(c *config.Config) { c.Stream.Heartbeat = config.Duration(200 * time.Millisecond) })
	e.post(ev("s0", "T", "+12263762555", "phone", map[string]any{}))
	q := strings.TrimPrefix(jdstest.Token("stream", "r", ws), sas.Prefix)
	// G3 path, token in the query string as a browser's EventSource sends it.
	st := e.openStream("/v1/api/events/stream/workspace-id/"+ws+"/identity/12263762555?"+q+"&data="+url.QueryEscape("keep eq true"), "")
	e.post(ev("s1", "T", "226-376-2555", "phone", map[string]any{"keep": true}))
	e.post(ev("x1", "T", "someone-else", "customerId", map[string]any{"keep": true}))
	e.post(ev("s2", "T", "+12263762555", "phone", map[string]any{"keep": false}))
	e.post(ev("s3", "T", "+12263762555", "phone", map[string]any{"keep": true}))
	for _, want := range []string{"s1", "s3"} {
		m := st.nextEvent(t)
		var got map[string]any
		if err := json.Unmarshal([]byte(m.data), &got); err != nil || m.id != want || got["id"] != want {
			t.Fatalf("got %+v, want event %s", m, want)
		}
	}
	// Heartbeats keep the connection alive while nothing happens.
	if m := st.next(t); m.event != "comment" {
		t.Fatalf("expected a heartbeat, got %+v", m)
	}
	// The older path, resuming after s1: the ledger replays s2 and s3, then live events follow.
	old := e.openStream("/v1/journey/streams/%2B12263762555", jdstest.Token("stream", "r", ws), "Last-Event-ID", "s1")
	e.post(ev("s4", "T", "+12263762555", "phone", map[string]any{}))
	var got []string
	for range 3 {
		got = append(got, old.nextEvent(t).id)
	}
	if fmt.Sprint(got) != "[s2 s3 s4]" {
		t.Fatalf("resumed stream = %v", got)
	}
	// An id the ledger does not know is said in a comment, with a query value that tries
	// to write a line of its own kept on one line; live events follow.
	lost := e.openStream("/v1/journey/streams/%2B12263762555?lastEventId="+url.QueryEscape("gone\nevent: forged"), jdstest.Token("stream", "r", ws))
	for m := lost.next(t); ; m = lost.next(t) {
		if m.event != "comment" || m.data == "connected" {
			if m.event != "comment" {
				t.Fatalf("an unknown Last-Event-ID must be said before anything else, got %+v", m)
			}
			continue
		}
		if m.data != `last event id "gone\nevent: forged" not found for this identity; streaming new events only` {
			t.Fatalf("unknown Last-Event-ID comment = %q", m.data)
		}
		break
	}
	e.post(ev("s5", "T", "+12263762555", "phone", map[string]any{}))
	if m := lost.nextEvent(t); m.id != "s5" {
		t.Fatalf("after an unknown Last-Event-ID: %+v", m)
	}
	// A stream opened before the customer exists follows them once they appear, and
	// follows them into the person they merge into.
	anon := e.openStream("/v1/journey/streams/tmp-9", jdstest.Token("stream", "r", ws))
	e.post(ev("t1", "T", "tmp-9", "temporaryId", map[string]any{}))
	if m := anon.nextEvent(t); m.id != "t1" {
		t.Fatalf("new person's stream: %+v", m)
	}
	e.post(ev("t2", "T", "+12263762555", "phone", map[string]any{}, "previousidentity", "tmp-9"))
	if m := anon.nextEvent(t); m.id != "t2" {
		t.Fatalf("after merge: %+v", m)
	}
	if r := e.Do("GET", "/v1/journey/streams/x", jdstest.Token("tape", "r", ws), nil); r.Status != 403 {
		t.Fatalf("stream with a history token: %d", r.Status)
	}
}

func TestOperationsEndpoints(t *testing.T) {
	e := start(t, nil)
	for _, p := range []string{"/livez", "/readyz"} {
		if r := e.Do("GET", p, "", nil); r.Status != 200 {
			t.Fatalf("%s: %d", p, r.Status)
		}
	}
	e.post(ev("m1", "T", "c1", "customerId", map[string]any{}))
	e.post(map[string]any{"id": "bad"})
	r := e.Do("GET", "/metrics", "", nil)
	for _, want := range []string{
		`jds_events_total{result="accepted"} 1`,
		`jds_events_total{result="rejected"} 1`,
		`jds_http_requests_total{code="202",method="POST",route="/publish/v1/api/event"} 1`,
		"jds_commit_batch_events_count",
		"jds_stream_subscribers 0",
		"go_goroutines",
	} {
		if !strings.Contains(string(r.Body), want) {
			t.Errorf("metrics lack %q in %s", want, r.Body)
		}
	}
	r = e.Do("GET", "/no/such/thing", admin, nil, "X-Request-ID", "abc-123")
	if r.Status != 404 || r.Header.Get("X-Request-ID") != "abc-123" || r.JSON(t)["trackingId"] != "abc-123" {
		t.Fatalf("unknown route: %d %v %s", r.Status, r.Header, r.Body)
	}
	if r := e.Do("GET", "/livez", "", nil); len(r.Header.Get("X-Request-ID")) < 16 {
		t.Fatal("every response carries a request id")
	}
}
