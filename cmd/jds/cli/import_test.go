package cli

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openjds/jds/internal/jdstest"
)

// jds import persons uploads NDJSON and CSV files to a running jds in chunks, reports
// each failed line by its place in the file, and fails when one did.
func TestImportPersons(t *testing.T) {
	e := jdstest.Start(t, nil, nil)
	dir := t.TempDir()
	tok := jdstest.Token("idmt", "rw", "sandbox")
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	person := func(alias string) map[string]any {
		t.Helper()
		r := e.Do("GET", "/admin/v1/api/person/workspace-id/sandbox/aliases/"+url.PathEscape(alias), jdstest.AdminToken(), nil)
		if r.Status != 200 {
			t.Fatalf("%s: %d %s", alias, r.Status, r.Body)
		}
		var body struct{ Data []map[string]any }
		json.Unmarshal(r.Body, &body)
		return body.Data[0]
	}

	ndjson := write("persons.ndjson", `{"firstName":"Ann","phone":["+12263762555"]}

{"firstName":"Bob","email":["bob@example.com"]}
{"firstName":"Cy","customerId":["C-3"]}
{"firstName":"Ann","email":["ann@example.com"],"phone":["12263762555"]}
`)
	code, out, errOut := run(t, "import", "persons", "--url", e.URL, "--token", tok, "--workspace", "sandbox", "--chunk", "2", ndjson)
	if code != 0 || !strings.Contains(out, "4 persons: 3 created, 1 merged, 0 failed") || !strings.Contains(errOut, "] 4/4") {
		t.Fatalf("import: %d\n%s\n%s", code, out, errOut)
	}
	if ann := person("ann@example.com"); ann["firstName"] != "Ann" || len(ann["phone"].([]any)) != 1 {
		t.Errorf("Ann: %v", ann)
	}

	// CSV: a header row, several aliases separated by ';'; the file after the flags.
	csvFile := write("persons.csv", "firstName,lastName,phone,email,customerId\n"+
		"Dee,Doe,+1 555 010 0001;+15550100002,dee@example.com,\n"+
		"Eve,,,not-an-email,\n"+
		"Fay,Fox,,,C-6\n")
	code, out, errOut = run(t, "import", "persons", csvFile, "--url", e.URL, "--token", tok, "--workspace", "sandbox")
	if code != 1 || !strings.Contains(out, "3 persons: 2 created, 0 merged, 1 failed") || !strings.Contains(errOut, csvFile+":3: email[0]:") {
		t.Fatalf("csv import: %d\n%s\n%s", code, out, errOut)
	}
	if dee := person("+15550100002"); dee["lastName"] != "Doe" || len(dee["phone"].([]any)) != 2 {
		t.Errorf("Dee: %v", dee)
	}

	for name, c := range map[string]struct {
		args []string
		code int
		want string
	}{
		"unknown column": {[]string{write("bad.csv", "firstName,fax\nA,1\n"), "--workspace", "sandbox"}, 1, `bad.csv:1: unknown column "fax"`},
		"no workspace":   {[]string{ndjson}, 2, "--workspace is required"},
		"read-only":      {[]string{ndjson, "--workspace", "sandbox", "--token", jdstest.Token("idmt", "r", "sandbox")}, 1, "403 Forbidden"},
	} {
		args := append([]string{"import", "persons", "--url", e.URL, "--token", tok}, c.args...)
		if code, _, errOut := run(t, args...); code != c.code || !strings.Contains(errOut, c.want) {
			t.Errorf("%s: %d %s, want %d with %q", name, code, errOut, c.code, c.want)
		}
	}
}
