package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"
)

// target is what every HTTP subcommand needs: where, as whom, and how hard.
type target struct {
	base      *url.URL
	token     string
	workspace string
	clients   int
	duration  time.Duration
	timeout   time.Duration
	maxErrors int64
	progress  time.Duration
}

// addTargetFlags registers the flags shared by the HTTP subcommands.
func addTargetFlags(fs *flag.FlagSet, clients int) (finish func() (*target, error)) {
	return targetFlags(fs, clients, true)
}

// addAnonymousTargetFlags is addTargetFlags without --token and --workspace, for requests
// that need neither (GET /livez).
func addAnonymousTargetFlags(fs *flag.FlagSet, clients int) (finish func() (*target, error)) {
	return targetFlags(fs, clients, false)
}

func targetFlags(fs *flag.FlagSet, clients int, withToken bool) (finish func() (*target, error)) {
	rawURL := fs.String("url", "http://127.0.0.1:8080", "base URL of jds; the host must be loopback")
	token, ws := new(string), new(string)
	if withToken { // an anonymous request names no workspace either
		fs.StringVar(token, "token", "", "SAS token (default $JDS_TOKEN), with or without the \"SharedAccessSignature \" prefix")
		fs.StringVar(ws, "workspace", "default", "workspace id")
	}
	n := fs.Int("clients", clients, "concurrent clients (connections)")
	dur := fs.Duration("duration", 60*time.Second, "stop issuing requests after this long")
	timeout := fs.Duration("timeout", 30*time.Second, "timeout of one request")
	maxErr := fs.Int64("max-errors", 1000, "stop early after this many failed requests (0: never)")
	progress := fs.Duration("progress", 10*time.Second, "print progress to stderr this often (0: never)")
	return func() (*target, error) {
		if withToken && *token == "" {
			*token = os.Getenv("JDS_TOKEN")
		}
		u, err := checkURL(*rawURL)
		if err != nil {
			return nil, err
		}
		switch {
		case withToken && *token == "":
			return nil, errors.New("--token (or $JDS_TOKEN) is required")
		case withToken && *ws == "":
			return nil, errors.New("--workspace is required")
		case *n < 1 || *n > 4096:
			return nil, fmt.Errorf("--clients must be from 1 to 4096, got %d", *n)
		case *dur <= 0:
			return nil, errors.New("--duration must be positive")
		case *timeout <= 0:
			return nil, errors.New("--timeout must be positive")
		}
		return &target{base: u, token: *token, workspace: *ws, clients: *n, duration: *dur,
			timeout: *timeout, maxErrors: *maxErr, progress: *progress}, nil
	}
}

// checkURL parses the base URL and refuses any host that is not loopback: load is only
// ever aimed at the machine it runs on.
func checkURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("--url: %v", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("--url: scheme must be http or https, got %q", u.Scheme)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, errors.New("--url: give only scheme://host:port[/prefix]")
	}
	if !isLoopback(u.Hostname()) {
		return nil, fmt.Errorf("--url: refusing host %q: only loopback targets (127.0.0.0/8, ::1, localhost) are allowed", u.Hostname())
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	return u, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// endpoint is the base URL plus a path, its escaped form (which may differ when a segment
// holds a '/'; "" when it does not) and a query.
func (t *target) endpoint(path, escaped string, q url.Values) string {
	u := *t.base
	u.Path = t.base.Path + path
	u.RawPath = ""
	if escaped != "" {
		u.RawPath = t.base.EscapedPath() + escaped
	}
	u.RawQuery = q.Encode()
	return u.String()
}

func (t *target) authorization() string {
	if strings.HasPrefix(t.token, "SharedAccessSignature ") || strings.HasPrefix(t.token, "Bearer ") {
		return t.token
	}
	return "Bearer " + t.token
}

// httpClient is tuned for many requests to one host: one kept-alive connection per
// client, no compression, no redirects (they could lead off the machine).
func (t *target) httpClient() *http.Client {
	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        t.clients,
		MaxIdleConnsPerHost: t.clients,
		MaxConnsPerHost:     t.clients,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
		ForceAttemptHTTP2:   false,
		WriteBufferSize:     64 << 10,
		ReadBufferSize:      64 << 10,
	}
	return &http.Client{
		Transport: tr,
		Timeout:   t.timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// deadlines returns the context requests run under (it ends on a signal, or a request
// timeout after the run's duration, so that the run always ends) and the time after
// which no new request starts.
func (t *target) deadlines(ctx context.Context) (context.Context, context.CancelFunc, time.Time) {
	stopIssuing := time.Now().Add(t.duration)
	hard, cancel := context.WithDeadline(ctx, stopIssuing.Add(t.timeout+time.Second))
	return hard, cancel, stopIssuing
}

// failures keeps the first few failed responses for the report.
type failures struct {
	mu      sync.Mutex
	samples []string
}

const maxSamples = 5

func (f *failures) add(format string, a ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.samples) < maxSamples {
		f.samples = append(f.samples, fmt.Sprintf(format, a...))
	}
}

func (f *failures) print(w io.Writer, errs int64) {
	if errs == 0 {
		return
	}
	fmt.Fprintf(w, "  %d failed requests; the first %d:\n", errs, len(f.samples))
	for _, s := range f.samples {
		fmt.Fprintf(w, "    - %s\n", s)
	}
}

// snippet shortens a response body for the error samples.
func snippet(b []byte) string {
	const limit = 400
	s := strings.TrimSpace(string(b))
	if len(s) > limit {
		s = s[:limit] + "…"
	}
	return s
}
