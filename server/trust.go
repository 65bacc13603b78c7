package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/openjds/jds/internal/identity"
	"github.com/openjds/jds/internal/profiles"
	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/rules"
)

// Trust (issue 21): what an admin checks before and after trusting a rule — a backtest
// of an action over history, a journey action explained for one person. (Profile views
// take ?explain=true, flows ?dryRun=true: profiles.go and flows.go.)

const (
	// backtestStreamTimeout bounds a streamed backtest (?stream=true); an unstreamed one
	// has the request timeout. Past it the answer is truncated.
	backtestStreamTimeout = 2 * time.Minute
	// maxBacktestIdentities bounds the identities a backtest names.
	maxBacktestIdentities = 100
)

func (s *Server) trustRoutes() {
	const base = "/admin/v1/api/journey-actions"
	s.app.Post(base+"/backtest/workspace-id/:ws", s.auth("action", true), s.backtest)
	s.app.Get(base+"/workspace-id/:ws/template-id/:tid/action-id/:aid/explain", s.auth("action", false), s.explainAction)
}

// backtestBody is what POST …/backtest takes.
type backtestBody struct {
	TemplateID string          `json:"templateId"`
	Template   json.RawMessage `json:"template"`
	ActionID   string          `json:"actionId"`
	Action     json.RawMessage `json:"action"`
	From       string          `json:"from"`
	To         string          `json:"to"`
	Identities []string        `json:"identities"`
}

// backtestAnswer is the backtest's data: the result, and the identities no person owns.
type backtestAnswer struct {
	*profiles.BacktestResult
	Unresolved []string `json:"unresolved,omitempty"`
}

// backtestRequest checks the body and resolves what it names.
func (s *Server) backtestRequest(ctx context.Context, ws store.Workspace, raw []byte) (profiles.Backtest, []string, error) {
	var b profiles.Backtest
	var body backtestBody
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		return b, nil, badRequest("the backtest request is invalid", "body: "+err.Error())
	}
	var problems []string
	var err error
	if b.From, err = time.Parse(time.RFC3339Nano, body.From); err != nil {
		problems = append(problems, fmt.Sprintf("from: must be an RFC 3339 time, got %q", body.From))
	}
	if b.To, err = time.Parse(time.RFC3339Nano, body.To); err != nil {
		problems = append(problems, fmt.Sprintf("to: must be an RFC 3339 time, got %q", body.To))
	}
	if len(problems) == 0 {
		switch {
		case !b.From.Before(b.To):
			problems = append(problems, "from: must be before to")
		case b.To.Sub(b.From) > profiles.BacktestMaxWindow:
			problems = append(problems, fmt.Sprintf("to: the window from–to is %s, at most %d days", b.To.Sub(b.From), profiles.BacktestMaxWindow/(24*time.Hour)))
		}
	}
	if len(body.Identities) > maxBacktestIdentities {
		problems = append(problems, fmt.Sprintf("identities: %d given, at most %d", len(body.Identities), maxBacktestIdentities))
	}
	var t *rules.Compiled
	switch {
	case body.TemplateID != "" && len(body.Template) > 0:
		problems = append(problems, "template: give templateId or template, not both")
	case body.TemplateID != "":
		if t, err = s.profiles.Template(ws, body.TemplateID); err != nil {
			return b, nil, newError(http.StatusNotFound, "the backtest names an unknown template", "templateId: "+err.Error())
		}
	case len(body.Template) > 0:
		tpl, err := rules.ParseTemplateJSON(body.Template)
		if err == nil {
			err = checkTemplateSize(tpl)
		}
		if err == nil {
			t, err = rules.Compile(tpl)
		}
		if err != nil {
			problems = append(problems, prefixAll("template.", problemsOf(err))...)
		}
	default:
		problems = append(problems, "templateId: required (or template, a template as the create API takes it)")
	}
	if len(problems) > 0 {
		return b, nil, badRequest("the backtest request is invalid", problems...)
	}
	switch {
	case body.ActionID != "" && len(body.Action) > 0:
		return b, nil, badRequest("the backtest request is invalid", "action: give actionId or action, not both")
	case body.ActionID != "":
		if b.Action, err = s.profiles.Action(ws, t.Template.ID, body.ActionID); err != nil {
			return b, nil, newError(http.StatusNotFound, "the backtest names an unknown action", "actionId: "+err.Error())
		}
	case len(body.Action) > 0:
		a, err := rules.ParseActionJSON(body.Action)
		if err == nil {
			err = checkActionSize(a)
		}
		if err == nil {
			b.Action, err = s.profiles.CompileAction(ws, t, a)
		}
		if err != nil {
			return b, nil, badRequest("the backtest's action is invalid", prefixAll("action.", problemsOf(err))...)
		}
	default:
		return b, nil, badRequest("the backtest request is invalid", "action: required (or actionId, a saved action of the template)")
	}
	var unresolved []string
	if body.Identities != nil {
		b.Persons = []*identity.Person{}
		seen := map[string]bool{}
		for _, ident := range body.Identities {
			p, err := s.store.Resolve(ctx, ws, ident)
			if errors.Is(err, store.ErrNotFound) {
				unresolved = append(unresolved, ident)
				continue
			}
			if err != nil {
				return b, nil, err
			}
			if !seen[p.ID] {
				seen[p.ID] = true
				b.Persons = append(b.Persons, p)
			}
		}
	}
	return b, unresolved, nil
}

// problemsOf lists the "field: reason" problems of a refusal: a request limit's, or a
// rules compile error's.
func problemsOf(err error) []string {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.errs
	}
	return rules.Problems(err)
}

func prefixAll(prefix string, l []string) []string {
	out := make([]string, len(l))
	for i, s := range l {
		out[i] = prefix + s
	}
	return out
}

// backtest replays an action over the stored events of a window: what it would have
// fired, without delivering or writing anything. ?stream=true sends progress events
// and then the result as SSE.
func (s *Server) backtest(c *fiber.Ctx) error {
	ws, err := s.workspace(c)
	if err != nil {
		return err
	}
	stream, err := flagParam(c, "stream")
	if err != nil {
		return err
	}
	ctx, cancel := s.requestContext()
	b, unresolved, err := s.backtestRequest(ctx, ws, bytes.Clone(c.Body()))
	if err != nil {
		cancel()
		return err
	}
	if !stream {
		defer cancel()
		res, err := s.profiles.Backtest(ctx, ws, b)
		if err != nil {
			return err
		}
		return c.JSON(envelope{Meta: meta(ws), Data: backtestAnswer{res, unresolved}})
	}
	cancel()
	sseHeaders(c)
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		ctx, cancel := context.WithTimeout(s.ctx, backtestStreamTimeout)
		defer cancel()
		send := func(name string, v any) error {
			body, _ := json.Marshal(v)
			w.WriteString("event: " + name + "\ndata: ")
			w.Write(body)
			w.WriteString("\n\n")
			return w.Flush()
		}
		w.WriteString("retry: 2000\n: connected\n\n")
		if w.Flush() != nil {
			return
		}
		var last time.Time
		b.Progress = func(p profiles.BacktestProgress) {
			if time.Since(last) < 250*time.Millisecond {
				return
			}
			last = time.Now()
			if send("progress", p) != nil {
				cancel() // the client went away
			}
		}
		res, err := s.profiles.Backtest(ctx, ws, b)
		if err != nil {
			send("error", fiber.Map{"message": err.Error()})
			return
		}
		send("result", envelope{Meta: meta(ws), Data: backtestAnswer{res, unresolved}})
	})
	return nil
}

// explainAction says whether an action would fire now for the person an identity
// names, each clause of its condition with its value, and the cooldown.
func (s *Server) explainAction(c *fiber.Ctx) error {
	ws, a, err := s.actionAt(c)
	if err != nil {
		return err
	}
	ident := c.Query("identity")
	if ident == "" {
		return badRequest("explain needs the person", "identity: required (an alias of the person)")
	}
	ctx, cancel := s.requestContext()
	defer cancel()
	p, err := s.store.Resolve(ctx, ws, ident)
	if errors.Is(err, store.ErrNotFound) {
		p, err = &identity.Person{}, nil // nobody yet: the empty profile
	}
	if err != nil {
		return err
	}
	x, err := s.profiles.ExplainAction(ctx, ws, p, a)
	if err != nil {
		return err
	}
	m := meta(ws)
	m["personId"], m["templateId"], m["identity"] = p.ID, a.Template.Template.ID, ident
	return c.JSON(envelope{Meta: m, Data: x})
}

// flagParam reads a boolean query parameter: absent is false; true or false, any case.
func flagParam(c *fiber.Ctx, name string) (bool, error) {
	switch v := strings.ToLower(c.Query(name)); v {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	default:
		return false, badRequest(fmt.Sprintf("%s must be true or false", name), fmt.Sprintf("%s: must be true or false, got %q", name, v))
	}
}

// viewFunc is how a profile route computes its view: with ?explain=true, each
// attribute explained (profiles.Engine.ViewExplained).
func (s *Server) viewFunc(c *fiber.Ctx) (func(context.Context, store.Workspace, *identity.Person, *rules.Compiled) (*profiles.View, error), error) {
	explain, err := flagParam(c, "explain")
	if err != nil || !explain {
		return s.profiles.View, err
	}
	return s.profiles.ViewExplained, nil
}
