package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

const importSynopsis = "persons [--url URL] [--token TOKEN] --workspace WS FILE.ndjson|FILE.csv"

// maxImportLines and maxImportBytes bound one upload request: the server takes at most
// 10,000 lines, and bodies up to ingest.maxBodyBytes (4 MiB by default).
const (
	maxImportLines = 10_000
	maxImportBytes = 3 << 20
)

// importPersons is jds import persons: the Day-0 upload of a file against a running jds
// (POST /admin/v1/api/person/bulk/workspace-id/{ws}), in requests of at most 10,000
// lines, with a progress bar on stderr, the failed lines on stderr, and a summary on
// stdout. It fails when any line failed.
func importPersons(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flags("import", importSynopsis, stderr)
	base := fs.String("url", envOr("JDS_URL", "http://localhost:8080"), "base URL of the running jds ($JDS_URL)")
	token := fs.String("token", os.Getenv("JDS_TOKEN"), "a token with idmt (or admin) write on the workspace ($JDS_TOKEN)")
	workspace := fs.String("workspace", "", "the workspace to upload to")
	chunk := fs.Int("chunk", maxImportLines, "lines per request, at most 10000")
	if len(args) == 0 || isHelp(args[0]) {
		fs.Usage()
		if len(args) == 0 {
			return errUsage
		}
		return flag.ErrHelp
	}
	if args[0] != "persons" {
		fmt.Fprintf(stderr, "jds import: unknown kind %q: only persons can be imported\n", args[0])
		fs.Usage()
		return errUsage
	}
	// Flags may come before or after the file.
	if err := fs.Parse(args[1:]); err != nil {
		return usageOr(err)
	}
	rest := fs.Args()
	if len(rest) > 0 {
		if err := fs.Parse(rest[1:]); err != nil {
			return usageOr(err)
		}
	}
	switch {
	case len(rest) == 0 || fs.NArg() > 0:
		fmt.Fprintln(stderr, "jds import persons: give one file")
		return errUsage
	case *workspace == "":
		fmt.Fprintln(stderr, "jds import persons: --workspace is required")
		return errUsage
	case *token == "":
		fmt.Fprintln(stderr, "jds import persons: --token (or $JDS_TOKEN) is required")
		return errUsage
	case *chunk < 1 || *chunk > maxImportLines:
		fmt.Fprintf(stderr, "jds import persons: --chunk must be from 1 to %d\n", maxImportLines)
		return errUsage
	}
	file := rest[0]
	recs, err := readPersons(file)
	if err != nil {
		return err
	}
	if len(recs) == 0 {
		return fmt.Errorf("%s holds no person", file)
	}
	up := uploader{
		url:   strings.TrimRight(*base, "/") + "/admin/v1/api/person/bulk/workspace-id/" + url.PathEscape(*workspace),
		token: *token, client: &http.Client{Timeout: 5 * time.Minute},
	}
	if !strings.ContainsAny(up.token, " \t") {
		up.token = "Bearer " + up.token
	}
	var created, merged, failed int
	// The bar is redrawn in place (\r); a failed line printed over it is padded to
	// cover it.
	barLen := 0
	progress := func(done int) {
		const width = 30
		fill := width * done / len(recs)
		bar := fmt.Sprintf("importing %s [%s%s] %d/%d", filepath.Base(file), strings.Repeat("#", fill), strings.Repeat(".", width-fill), done, len(recs))
		barLen = len(bar)
		fmt.Fprint(stderr, "\r"+bar)
	}
	progress(0)
	for start := 0; start < len(recs); {
		end, size := start, 0
		for end < len(recs) && end-start < *chunk && (end == start || size+len(recs[end].json)+1 <= maxImportBytes) {
			size += len(recs[end].json) + 1
			end++
		}
		results, err := up.send(ctx, recs[start:end])
		if err != nil {
			fmt.Fprintln(stderr)
			landed := ""
			if start > 0 {
				landed = fmt.Sprintf(" (the %d persons before them were sent)", start)
			}
			return fmt.Errorf("uploading lines %d to %d of %s%s: %w", recs[start].line, recs[end-1].line, file, landed, err)
		}
		for _, r := range results {
			switch r.Result {
			case "created":
				created++
			case "merged":
				merged++
			default:
				failed++
				line := 0
				if r.Line >= 1 && r.Line <= end-start {
					line = recs[start+r.Line-1].line
				}
				msg := fmt.Sprintf("%s:%d: %s", file, line, strings.Join(r.Errors, "; "))
				fmt.Fprintf(stderr, "\r%-*s\n", barLen, msg)
			}
		}
		start = end
		progress(start)
	}
	fmt.Fprintln(stderr)
	fmt.Fprintf(stdout, "%d persons: %d created, %d merged, %d failed\n", len(recs), created, merged, failed)
	if failed > 0 {
		return fmt.Errorf("%d of %d lines failed", failed, len(recs))
	}
	return nil
}

func usageOr(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	return errUsage
}

// envOr is $name, or def when it is empty.
func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// personRecord is one person of the file: its JSON line and where it is in the file.
type personRecord struct {
	line int
	json []byte
}

// readPersons reads an NDJSON file (one person per line, as the person POST takes it)
// or, for a .csv name, a CSV file with a header row.
func readPersons(name string) ([]personRecord, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if strings.EqualFold(filepath.Ext(name), ".csv") {
		return readCSV(name, f)
	}
	var out []personRecord
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		if line := bytes.TrimSpace(sc.Bytes()); len(line) > 0 {
			out = append(out, personRecord{line: n, json: bytes.Clone(line)})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	return out, nil
}

// csvColumns are the columns a CSV file may have: names, and aliases by kind.
var csvColumns = []string{"firstName", "lastName", "phone", "email", "customerId", "socialId", "temporaryId"}

// readCSV turns the rows of a CSV file into person lines. Alias columns may hold several
// values separated by ';'.
func readCSV(name string, r io.Reader) ([]personRecord, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: reading the header row: %w", name, err)
	}
	cols := make([]string, len(header))
	var unknown []string
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		for _, c := range csvColumns {
			if strings.EqualFold(h, c) {
				cols[i] = c
			}
		}
		if cols[i] == "" {
			unknown = append(unknown, fmt.Sprintf("%q", h))
		}
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("%s:1: unknown column %s; columns: %s", name, strings.Join(unknown, ", "), strings.Join(csvColumns, ","))
	}
	var out []personRecord
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(row) > len(cols) {
			return nil, fmt.Errorf("%s:%d: %d fields, the header has %d", name, line, len(row), len(cols))
		}
		p := map[string]any{}
		for i, v := range row {
			switch c := cols[i]; c {
			case "firstName", "lastName":
				if v = strings.TrimSpace(v); v != "" {
					p[c] = v
				}
			default:
				var vs []string
				for _, a := range strings.Split(v, ";") {
					if a = strings.TrimSpace(a); a != "" {
						vs = append(vs, a)
					}
				}
				if len(vs) > 0 {
					p[c] = vs
				}
			}
		}
		if len(p) == 0 {
			continue // an empty row
		}
		b, err := json.Marshal(p)
		if err != nil {
			return nil, err
		}
		out = append(out, personRecord{line: line, json: b})
	}
}

// uploader sends chunks of person lines to the bulk route.
type uploader struct {
	url, token string
	client     *http.Client
}

type importResult struct {
	Line   int      `json:"line"`
	Result string   `json:"result"`
	Errors []string `json:"errors"`
}

// send uploads recs as one request and returns the result of each line.
func (u uploader) send(ctx context.Context, recs []personRecord) ([]importResult, error) {
	var body bytes.Buffer
	for _, r := range recs {
		body.Write(r.json)
		body.WriteByte('\n')
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.url, &body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-ndjson")
	req.Header.Set("Authorization", u.token)
	res, err := u.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	if err != nil {
		return nil, err
	}
	if res.StatusCode != http.StatusMultiStatus {
		var e struct {
			Message string   `json:"message"`
			Errors  []string `json:"errors"`
		}
		if json.Unmarshal(raw, &e) == nil && e.Message != "" {
			return nil, fmt.Errorf("%s: %s", res.Status, e.Message)
		}
		return nil, fmt.Errorf("%s: %.200s", res.Status, raw)
	}
	var out struct {
		Data []importResult `json:"data"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("reading the answer: %w", err)
	}
	if len(out.Data) != len(recs) {
		return nil, fmt.Errorf("the answer has %d results for %d lines", len(out.Data), len(recs))
	}
	return out.Data, nil
}
