package inbound

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/openjds/jds/connectors"
	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/ingest"
	"github.com/openjds/jds/internal/quota"
	"github.com/openjds/jds/internal/store"
)

// Request is one inbound webhook request as the HTTP edge received it. The
// edge copies what it hands over: Receive may keep nothing of it, but the
// caller's buffers must stay valid until Receive returns.
type Request struct {
	Header      http.Header // canonical names
	ContentType string
	RawQuery    string // the query string, without "?"
	Body        []byte
}

// Result says what Receive stored.
type Result struct {
	Workspace  store.Workspace
	Accepted   int      // events acknowledged, duplicates included
	Duplicates int      // of those, events the workspace already held
	Skipped    int      // items the mapping's when left out
	IDs        []string // the events' ids, in order
	PersonIDs  []string // the person each was filed under
}

// PayloadError is a payload the mapping cannot turn into valid events: what
// was wrong, and every "field: reason". Nothing of the payload was stored. 400.
type PayloadError struct {
	Msg    string
	Errors []string
}

func (e *PayloadError) Error() string {
	if len(e.Errors) == 0 {
		return e.Msg
	}
	return e.Msg + ": " + strings.Join(e.Errors, "; ")
}

// Webhook is one configured inbound webhook: it verifies the sender, maps
// the payload to events and appends them to its workspace. It is safe for
// concurrent use.
type Webhook struct {
	name    string
	ws      store.Workspace
	scheme  string
	verify  verifier
	mapping *mapping
	ingest  *ingest.Pipeline
	limits  event.Limits
	quota   *quota.Limiter
	now     func() time.Time
}

var webhookSpec = []connectors.Field{orgField, workspaceField, verifySpec, mappingSpec(false)}

func newWebhook(c *connectors.Config, o *Options) (*Webhook, []error) {
	ws, errs := workspaceOf(c)
	v, verrs := newVerifier(c.Object("verify"), o.ReplayCacheSize)
	m, merrs := compileMapping(c, false)
	errs = append(append(errs, verrs...), merrs...)
	return &Webhook{
		name: c.Name(), ws: ws, scheme: c.Object("verify").String("scheme"), verify: v, mapping: m,
		ingest: o.Ingest, limits: o.Limits, quota: o.Quota, now: o.Now,
	}, errs
}

// Name is the instance's name, the {name} of /v1/connectors/{name}/webhook.
func (w *Webhook) Name() string { return w.name }

// Workspace is where the webhook writes.
func (w *Webhook) Workspace() store.Workspace { return w.ws }

// Scheme is the verification scheme. With SchemeSAS the caller authenticates
// the request's token (ds, write, the webhook's workspace) before Receive;
// with SchemeTwilio it answers with TwiML.
func (w *Webhook) Scheme() string { return w.scheme }

// Receive verifies the sender, maps the payload and appends its events,
// returning once they are durable. Errors: ErrUnauthorized (nothing read
// past the signature), ErrReplay, *PayloadError (nothing stored), a
// *quota.Exceeded (nothing stored: the workspace posts too much), and the
// store's errors.
func (w *Webhook) Receive(ctx context.Context, r Request) (Result, error) {
	now := w.now()
	if err := w.verify.verify(&r, now); err != nil {
		return Result{}, err
	}
	// No quota left: refused before the payload is parsed and mapped.
	if err := w.quota.Ready(w.ws, 1); err != nil {
		return Result{}, fmt.Errorf("inbound connector %q: %w", w.name, err)
	}
	body, err := parseBody(r)
	if err != nil {
		w.ingest.Refused(1)
		return Result{}, err
	}
	e := env{Body: body, Headers: lowerHeaders(r.Header), Query: firstValues(r.RawQuery), Received: now}
	out := w.mapping.run(e, w.limits, w.limits.MaxBatch)
	if len(out.problems) > 0 {
		w.ingest.Refused(1)
		return Result{}, &PayloadError{Msg: fmt.Sprintf("the payload does not map to valid events (inbound connector %q)", w.name), Errors: out.problems}
	}
	res := Result{Workspace: w.ws, Skipped: out.skipped}
	if len(out.events) == 0 {
		return res, nil
	}
	if err := w.quota.Take(w.ws, len(out.events)); err != nil {
		return Result{}, fmt.Errorf("inbound connector %q: %w", w.name, err)
	}
	stored, err := w.ingest.Append(ctx, w.ws, out.events)
	if err != nil {
		return Result{}, fmt.Errorf("appending events of inbound connector %q: %w", w.name, err)
	}
	for i, s := range stored {
		res.Accepted++
		if s.Duplicate {
			res.Duplicates++
		}
		res.IDs = append(res.IDs, out.events[i].ID)
		res.PersonIDs = append(res.PersonIDs, s.PersonID)
	}
	return res, nil
}

// parseBody reads a JSON body or a form post (as a map of first values).
func parseBody(r Request) (any, error) {
	if isForm(r.ContentType) {
		q, err := url.ParseQuery(string(r.Body))
		if err != nil {
			return nil, &PayloadError{Msg: "the form body does not parse", Errors: []string{"body: " + err.Error()}}
		}
		m := make(map[string]any, len(q))
		for k, v := range q {
			m[k] = v[0]
		}
		return m, nil
	}
	if len(bytes.TrimSpace(r.Body)) == 0 {
		return nil, &PayloadError{Msg: "the request has no body", Errors: []string{"body: required"}}
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	if err := dec.Decode(&v); err != nil {
		return nil, &PayloadError{Msg: "the body is neither JSON nor a form post", Errors: []string{"body: " + jsonProblem(err)}}
	}
	if dec.More() {
		return nil, &PayloadError{Msg: "the body holds more than one JSON value", Errors: []string{"body: trailing data"}}
	}
	return v, nil
}

func jsonProblem(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("invalid JSON at byte %d: %v", se.Offset, se)
	}
	return "invalid JSON: " + err.Error()
}

func lowerHeaders(h http.Header) map[string]string {
	m := make(map[string]string, len(h))
	for k, v := range h {
		if len(v) > 0 {
			m[strings.ToLower(k)] = v[0]
		}
	}
	return m
}

func firstValues(rawQuery string) map[string]string {
	q, _ := url.ParseQuery(rawQuery)
	m := make(map[string]string, len(q))
	for k, v := range q {
		m[k] = v[0]
	}
	return m
}
