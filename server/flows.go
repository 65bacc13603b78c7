package server

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/openjds/jds/flows"
	"github.com/openjds/jds/internal/event"
)

// flowRoutes serves the IVR flows: POST (JSON body or form) and GET (query string) at
// /v1/flows/{name}, with a flow token; HEAD answers 200 without one, as Webex Connect
// checks a webhook that way before saving it. The flow answers flat JSON, not the API
// envelope: flow builders map its top-level fields to variables.
func (s *Server) flowRoutes() {
	const path = "/v1/flows/:name"
	s.app.Head(path, func(c *fiber.Ctx) error { return c.SendStatus(http.StatusOK) })
	s.app.Post(path, s.auth("flow", false), s.flow)
	s.app.Get(path, s.auth("flow", false), s.flow)
	// The flows directory's status and its reload are the instance's (scope.go); a
	// workspace lists the flows it may call.
	s.app.Get("/admin/v1/api/flows", s.instanceAdmin(false), s.flowsStatus)
	s.app.Get("/admin/v1/api/flows/workspace-id/:ws", s.auth("flow", false), s.listFlows)
	s.app.Post("/admin/v1/api/flows/reload", s.instanceAdmin(true), s.reloadFlows)
}

func (s *Server) flow(c *fiber.Ctx) error {
	ws, err := s.workspace(c)
	if err != nil {
		return err
	}
	name := c.Params("name")
	f := s.flows.Get(name)
	if f == nil {
		return newError(http.StatusNotFound, fmt.Sprintf("no flow named %q in the flows directory", name))
	}
	dry, err := dryRunOf(c)
	if err != nil {
		return err
	}
	if f.Writes() && !dry.DryRun { // it writes events or identifies callers: the token must allow w
		c.Locals(localToken).(*access).write = true
		if _, err := s.workspace(c); err != nil {
			return err
		}
	}
	payload := c.Body()
	if c.Method() == http.MethodGet {
		payload = c.Request().URI().QueryString()
	}
	if err := f.Verify(func(h string) string { return c.Get(h) }, payload, s.now()); err != nil {
		return newError(http.StatusUnauthorized, err.Error())
	}
	if dry.DryRun { // its parameters are no request fields (a body's may be)
		for _, k := range dryRunParams {
			c.Request().URI().QueryArgs().Del(k)
		}
	}
	values, err := requestValues(c)
	if err != nil {
		return err
	}
	ctx, cancel := s.requestContext()
	defer cancel()
	req := dry
	req.Workspace, req.Values = ws, values
	if req.DryRun {
		c.Set("X-JDS-Dry-Run", "true")
	}
	d := f.Run(ctx, s.flowRuntime, req)
	if d.PersonID != "" {
		c.Set("X-JDS-Person-ID", d.PersonID)
	}
	if d.Withheld {
		c.Set("X-JDS-Caller", "unknown: the identity is withheld or not an alias; no event was written")
	}
	if d.Err != nil {
		s.metrics.flowDecision(f.Name, "fallback")
		reason := strings.SplitN(d.Err.Error(), "\n", 2)[0]
		c.Set("X-JDS-Fallback", truncate(reason, 300))
		level := s.log.Warn
		if errors.Is(d.Err, flows.ErrNoRule) {
			level = s.log.Info
		}
		level("flow answered with its fallback", "flow", f.Name, "workspace", ws.String(), "person", d.PersonID,
			"err", d.Err, "request_id", c.GetRespHeader(headerRequestID))
	} else {
		s.metrics.flowDecision(f.Name, "rule")
		c.Set("X-JDS-Flow-Rule", d.Rule)
	}
	if d.Trace != nil {
		return c.JSON(traced(d))
	}
	return c.JSON(d.Answer)
}

// requestValues gathers a flow call's fields: the query string's, then the form's or
// the JSON body's (a later source wins on the same name).
func requestValues(c *fiber.Ctx) (map[string]any, error) {
	values := map[string]any{}
	c.Request().URI().QueryArgs().VisitAll(func(k, v []byte) { values[string(k)] = string(v) })
	body := bytes.TrimSpace(c.Body())
	if c.Method() != http.MethodPost || len(body) == 0 {
		return values, nil
	}
	ct := strings.ToLower(c.Get(fiber.HeaderContentType))
	if strings.HasPrefix(ct, fiber.MIMEApplicationForm) || strings.HasPrefix(ct, fiber.MIMEMultipartForm) {
		c.Request().PostArgs().VisitAll(func(k, v []byte) { values[string(k)] = string(v) })
		return values, nil
	}
	// Numbers read as in events' data: int64 when whole, float64 otherwise.
	v, err := event.DecodeJSON(body)
	obj, ok := v.(map[string]any)
	if err != nil || !ok {
		return nil, badRequest("the body must be a JSON object (or a form)", "body: expected a JSON object")
	}
	maps.Copy(values, obj)
	return values, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// flowView is a flow as the API lists it. Flow files serve every workspace.
type flowView struct {
	Name        string `json:"name"`
	URL         string `json:"url"` // where IVRs call it
	Description string `json:"description,omitempty"`
	File        string `json:"file"`
	Source      string `json:"source"`   // "file": flows come from the flows directory
	ReadOnly    bool   `json:"readOnly"` // always: change the file, not the API
	Writes      bool   `json:"writes"`   // it writes events or identifies: a token with w
	Signed      bool   `json:"signed"`   // it requires signed requests
}

func (s *Server) listFlows(c *fiber.Ctx) error {
	ws, err := s.workspace(c)
	if err != nil {
		return err
	}
	out := []flowView{}
	for _, f := range s.flows.Flows() {
		out = append(out, flowView{Name: f.Name, URL: "/v1/flows/" + f.Name, Description: f.Description, File: f.File,
			Source: "file", ReadOnly: true, Writes: f.Writes(), Signed: f.Signed()})
	}
	return c.JSON(envelope{Meta: meta(ws), Data: out})
}

func (s *Server) flowsStatus(c *fiber.Ctx) error {
	return s.dirStatus(c, s.flowDir, ReloadFlows)
}

func (s *Server) reloadFlows(c *fiber.Ctx) error {
	return s.reload(c, s.flowDir, ReloadFlows, "the flow files have errors; the previous flows stay in force")
}
