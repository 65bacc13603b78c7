package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/openjds/jds/rules"
)

// Client commands of issue 21: they ask a running jds, as the API does.

// remote holds the flags every client command takes.
type remote struct {
	url, token, workspace *string
}

func remoteFlags(fs *flag.FlagSet) remote {
	return remote{
		url:       fs.String("url", envOr("JDS_URL", "http://localhost:8080"), "the running jds ($JDS_URL)"),
		token:     fs.String("token", os.Getenv("JDS_TOKEN"), "a token for the workspace ($JDS_TOKEN)"),
		workspace: fs.String("workspace", envOr("JDS_WORKSPACE", "default"), "the workspace ($JDS_WORKSPACE)"),
	}
}

// do sends a request and writes the answer, indented, to stdout; a non-2xx answer is
// an error carrying the body.
func (r remote) do(ctx context.Context, method, path string, query url.Values, body any, stdout io.Writer) error {
	if *r.token == "" {
		return fmt.Errorf("no token: give --token or set $JDS_TOKEN")
	}
	raw, err := json.Marshal(body)
	if err != nil {
		return err
	}
	u := strings.TrimRight(*r.url, "/") + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(raw))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", *r.token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %s: %s", method, path, res.Status, bytes.TrimSpace(out))
	}
	for _, h := range []string{"X-JDS-Dry-Run", "X-JDS-Flow-Rule", "X-JDS-Fallback"} {
		if v := res.Header.Get(h); v != "" {
			fmt.Fprintf(stdout, "# %s: %s\n", h, v)
		}
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, out, "", "  ") != nil {
		_, err = stdout.Write(out)
		return err
	}
	pretty.WriteByte('\n')
	_, err = pretty.WriteTo(stdout)
	return err
}

// backtest replays a rule file's action over a running jds's stored events.
func backtest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flags("backtest", "--rules FILE --from TIME --to TIME [--action NAME] [--identity ALIAS]... [--url URL --token TOKEN --workspace WS]", stderr)
	file := fs.String("rules", "", "the rule file holding the action (and its template, or the name of a template of the server)")
	name := fs.String("action", "", "the action's name (default: the file's only action)")
	from := fs.String("from", "", "the window's start, RFC 3339")
	to := fs.String("to", time.Now().UTC().Format(time.RFC3339), "the window's end, RFC 3339")
	var idents multi
	fs.Var(&idents, "identity", "replay only the person owning this alias (repeatable; default every person)")
	r := remoteFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if *file == "" || *from == "" {
		fmt.Fprintln(stderr, "jds backtest: --rules and --from are required")
		return errUsage
	}
	data, err := os.ReadFile(*file)
	if err != nil {
		return err
	}
	f, err := rules.ParseFile(*file, data)
	if err != nil {
		return err
	}
	var a *rules.Action
	for _, x := range f.Actions {
		if *name == "" || strings.EqualFold(x.Name, *name) {
			if a != nil {
				return fmt.Errorf("%s holds more than one action: choose one with --action", *file)
			}
			a = x
		}
	}
	if a == nil {
		return fmt.Errorf("%s: no action %q", *file, *name)
	}
	action := *a
	action.Source, action.Template = "", ""
	// The file's template when it holds the action's; else the server's, by name.
	body := map[string]any{"action": action, "from": *from, "to": *to, "templateId": a.Template}
	for _, t := range f.Templates {
		if t.Name == a.Template {
			tpl := *t
			tpl.Source = ""
			delete(body, "templateId")
			body["template"] = tpl
		}
	}
	if len(idents) > 0 {
		body["identities"] = []string(idents)
	}
	return r.do(ctx, http.MethodPost, "/admin/v1/api/journey-actions/backtest/workspace-id/"+url.PathEscape(*r.workspace), nil, body, stdout)
}

// flowsCommand runs a flow's dry run on a running jds: jds flows run NAME.
func flowsCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "run" {
		fmt.Fprintln(stderr, "usage: jds flows run NAME [--at TIME] [--ani NUMBER] [--field NAME=VALUE]... [--trace=false] [--url URL --token TOKEN --workspace WS]")
		if len(args) > 0 && isHelp(args[0]) {
			return flag.ErrHelp
		}
		return errUsage
	}
	args = args[1:]
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(stderr, "jds flows run: the flow's name comes first")
		return errUsage
	}
	name, args := args[0], args[1:]
	fs := flags("flows run", "NAME [--at TIME] [--ani NUMBER] [--field NAME=VALUE]... [--url URL --token TOKEN --workspace WS]", stderr)
	at := fs.String("at", "", "the instant to evaluate at, RFC 3339 (default now)")
	ani := fs.String("ani", "", "the caller's number (the request field ani)")
	trace := fs.Bool("trace", true, "show the bindings and the rules tried")
	var fields multi
	fs.Var(&fields, "field", "another request field, NAME=VALUE (repeatable)")
	r := remoteFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	body := map[string]any{}
	if *ani != "" {
		body["ani"] = *ani
	}
	for _, f := range fields {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			fmt.Fprintf(stderr, "jds flows run: --field %q: want NAME=VALUE\n", f)
			return errUsage
		}
		body[k] = v
	}
	q := url.Values{"dryRun": {"true"}, "workspaceId": {*r.workspace}}
	if *at != "" {
		q.Set("at", *at)
	}
	if *trace {
		q.Set("trace", "true")
	}
	return r.do(ctx, http.MethodPost, "/v1/flows/"+url.PathEscape(name), q, body, stdout)
}

// multi is a repeatable string flag.
type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }
