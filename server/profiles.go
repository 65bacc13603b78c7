package server

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/identity"
	"github.com/openjds/jds/internal/profiles"
	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/rules"
	"github.com/openjds/jds/rules/ruledir"
)

// templateView is a template as the API shows it: the JDS shape plus where it comes
// from, whether it may be changed here, and its backfill progress (ext).
type templateView struct {
	*rules.Template
	OrganizationID string             `json:"organizationId"`
	WorkspaceID    string             `json:"workspaceId"`
	ReadOnly       bool               `json:"readOnly"`
	Backfill       *profiles.Backfill `json:"backfill,omitempty"`
}

func (s *Server) viewTemplate(ws store.Workspace, c *rules.Compiled) templateView {
	return templateView{Template: c.Template, OrganizationID: ws.Org, WorkspaceID: ws.Name,
		ReadOnly: c.Template.Source != "api", Backfill: s.profiles.BackfillOf(c.Template.ID)}
}

// stamp records on a template or action written through the API when, and with which
// key (the token's sk), it was changed; a replacement keeps old's creation.
func (s *Server) stamp(c *fiber.Ctx, a, old *rules.Audit) {
	by := ""
	if acc, _ := c.Locals(localToken).(*access); acc != nil {
		by = strings.Clone(acc.token.KeyName)
	}
	now := s.now().UTC().Format(event.TimeLayout)
	a.CreatedAt, a.CreatedBy = now, by
	if old != nil {
		a.CreatedAt, a.CreatedBy = old.CreatedAt, old.CreatedBy
	}
	a.UpdatedAt, a.UpdatedBy = now, by
}

func (s *Server) profileRoutes() {
	const tpl = "/admin/v1/api/profile-view-template/workspace-id/:ws"
	r, w := s.auth("profile", false), s.auth("profile", true)
	a := s.app
	a.Get(tpl, r, s.listTemplates)
	a.Post(tpl, w, s.createTemplate)
	a.Get(tpl+"/template-id/:tid", r, s.getTemplate)
	a.Put(tpl+"/template-id/:tid", w, s.replaceTemplate)
	a.Delete(tpl+"/template-id/:tid", w, s.deleteTemplate)
	a.Get(tpl+"/template-name/:name", r, s.getTemplate)

	const view = "/v1/api/progressive-profile-view"
	for _, who := range []string{"identity/:identity", "person-id/:pid"} {
		for _, which := range []string{"template-name/:name", "template-id/:tid"} {
			a.Get(view+"/workspace-id/:ws/"+who+"/"+which, r, s.profileView)
		}
	}
	for _, which := range []string{"template-name/:name", "template-id/:tid"} {
		a.Get(view+"/stream/workspace-id/:ws/identity/:identity/"+which, s.auth("profile", false), s.profileStream)
	}
	// The rule files serve every organization: reloading them, and their status, are
	// the instance's (scope.go).
	a.Post("/admin/v1/api/rules/reload", s.instanceAdmin(true), s.reloadRules)
	a.Get("/admin/v1/api/rules", s.instanceAdmin(false), s.rulesStatus)
}

func (s *Server) listTemplates(c *fiber.Ctx) error {
	ws, err := s.workspace(c)
	if err != nil {
		return err
	}
	page, size, err := paging(c)
	if err != nil {
		return err
	}
	all := s.profiles.Templates(ws)
	out := []templateView{}
	for _, t := range pageOf(all, page, size) {
		out = append(out, s.viewTemplate(ws, t))
	}
	m := meta(ws)
	m["page"], m["pageSize"], m["resultCount"], m["total"] = page, size, len(out), len(all)
	return c.JSON(envelope{Meta: m, Data: out})
}

// templateRef is the template a path names, by id or by name.
func templateRef(c *fiber.Ctx) string {
	if id := c.Params("tid"); id != "" {
		return strings.Clone(id)
	}
	return strings.Clone(c.Params("name"))
}

func (s *Server) getTemplate(c *fiber.Ctx) error {
	ws, err := s.workspace(c)
	if err != nil {
		return err
	}
	t, err := s.profiles.Template(ws, templateRef(c))
	if err != nil {
		return err
	}
	return c.JSON(envelope{Meta: meta(ws), Data: s.viewTemplate(ws, t)})
}

// parseTemplate reads a template body; its errors name the JSON field.
func parseTemplate(c *fiber.Ctx) (*rules.Template, error) {
	t, err := rules.ParseTemplateJSON(bytes.Clone(c.Body()))
	if err != nil {
		return nil, badRequest("the template is invalid", rules.Problems(err)...)
	}
	if err := checkTemplateSize(t); err != nil {
		return nil, err
	}
	return t, nil
}

func (s *Server) createTemplate(c *fiber.Ctx) error {
	ws, err := s.workspace(c)
	if err != nil {
		return err
	}
	t, err := parseTemplate(c)
	if err != nil {
		return err
	}
	s.stamp(c, &t.Audit, nil)
	ctx, cancel := s.requestContext()
	defer cancel()
	compiled, err := s.profiles.Create(ctx, ws, t)
	if err != nil {
		return templateError(err)
	}
	return c.Status(http.StatusCreated).JSON(envelope{Meta: meta(ws), Data: s.viewTemplate(ws, compiled)})
}

func (s *Server) replaceTemplate(c *fiber.Ctx) error {
	ws, err := s.workspace(c)
	if err != nil {
		return err
	}
	t, err := parseTemplate(c)
	if err != nil {
		return err
	}
	old, err := s.profiles.Template(ws, templateRef(c))
	if err != nil {
		return err
	}
	s.stamp(c, &t.Audit, &old.Template.Audit)
	ctx, cancel := s.requestContext()
	defer cancel()
	compiled, err := s.profiles.Replace(ctx, ws, templateRef(c), t)
	if err != nil {
		return templateError(err)
	}
	return c.JSON(envelope{Meta: meta(ws), Data: s.viewTemplate(ws, compiled)})
}

func (s *Server) deleteTemplate(c *fiber.Ctx) error {
	ws, err := s.workspace(c)
	if err != nil {
		return err
	}
	ctx, cancel := s.requestContext()
	defer cancel()
	t, err := s.profiles.Template(ws, templateRef(c))
	if err != nil {
		return err
	}
	if err := s.profiles.Delete(ctx, ws, t.Template.ID); err != nil {
		return templateError(err)
	}
	return c.JSON(envelope{Meta: meta(ws), Data: s.viewTemplate(ws, t)})
}

// templateError maps the engine's refusals; compile errors name the field.
func templateError(err error) error {
	switch {
	case errors.Is(err, profiles.ErrInUse):
		var problems []string // each action's problem; the message says the rest
		for _, p := range rules.Problems(err) {
			if p != profiles.ErrInUse.Error() {
				problems = append(problems, p)
			}
		}
		return newError(http.StatusConflict, profiles.ErrInUse.Error(), problems...)
	case errors.Is(err, profiles.ErrReadOnly), errors.Is(err, profiles.ErrExists), errors.Is(err, profiles.ErrTooMany):
		return newError(http.StatusConflict, err.Error())
	case errors.Is(err, profiles.ErrNotFound), errors.Is(err, store.ErrNotFound):
		return newError(http.StatusNotFound, err.Error())
	}
	var ae *apiError
	if errors.As(err, &ae) || errors.Is(err, store.ErrClosed) {
		return err
	}
	if errors.Is(err, rules.ErrInvalid) {
		return badRequest("the template does not compile", rules.Problems(err)...)
	}
	return err
}

// profileTarget resolves the person and template a profile path names.
func (s *Server) profileTarget(c *fiber.Ctx) (store.Workspace, *identity.Person, *rules.Compiled, error) {
	ws, err := s.workspace(c)
	if err != nil {
		return ws, nil, nil, err
	}
	t, err := s.profiles.Template(ws, templateRef(c))
	if err != nil {
		return ws, nil, nil, err
	}
	ctx, cancel := s.requestContext()
	defer cancel()
	if id := c.Params("pid"); id != "" {
		p, err := s.store.Person(ctx, ws, strings.Clone(id))
		return ws, p, t, err
	}
	p, err := s.store.Resolve(ctx, ws, strings.Clone(c.Params("identity")))
	if errors.Is(err, store.ErrNotFound) {
		// A caller nobody knows yet has an empty profile (counts of 0), which is what an
		// IVR flow asking about a first-time caller needs.
		return ws, &identity.Person{}, t, nil
	}
	return ws, p, t, err
}

func (s *Server) profileView(c *fiber.Ctx) error {
	ws, p, t, err := s.profileTarget(c)
	if err != nil {
		return err
	}
	view, err := s.viewFunc(c)
	if err != nil {
		return err
	}
	ctx, cancel := s.requestContext()
	defer cancel()
	v, err := view(ctx, ws, p, t)
	if err != nil {
		return err
	}
	m := meta(ws)
	m["personId"], m["templateId"] = v.PersonID, v.TemplateID
	if v.Backfill != nil {
		m["backfill"] = v.Backfill
	}
	return c.JSON(envelope{Meta: m, Data: []*profiles.View{v}})
}

// profileStream sends the view again, as an SSE message, each time it changes: after
// the person's events and as events age out of windows (checked every second).
func (s *Server) profileStream(c *fiber.Ctx) error {
	ws, err := s.workspace(c)
	if err != nil {
		return err
	}
	t, err := s.profiles.Template(ws, templateRef(c))
	if err != nil {
		return err
	}
	view, err := s.viewFunc(c)
	if err != nil {
		return err
	}
	sub, err := s.hub.Subscribe(ws)
	if err != nil {
		return err
	}
	f := &follower{s: s, ws: ws, ident: strings.Clone(c.Params("identity"))}
	ctx, cancel := s.requestContext()
	f.resolve(ctx)
	cancel()
	sseHeaders(c)
	rid := requestID(c)
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		defer s.hub.Unsubscribe(sub)
		var last []byte
		send := func() error {
			p := f.person
			if p == nil {
				p = &identity.Person{} // nobody yet: the empty profile
			}
			ctx, cancel := s.requestContext()
			defer cancel()
			v, err := view(ctx, ws, p, t)
			if err != nil {
				return err
			}
			v.Timestamp = "" // compare content, not the clock
			body, _ := json.Marshal(v.Attributes)
			if bytes.Equal(body, last) {
				return nil
			}
			last = body
			v.Timestamp = time.Now().UTC().Format(event.TimeLayout)
			full, _ := json.Marshal(v)
			w.WriteString("event: profile\ndata: ")
			w.Write(full)
			w.WriteString("\n\n")
			return w.Flush()
		}
		w.WriteString("retry: 2000\n: connected\n\n")
		if send() != nil || w.Flush() != nil {
			return
		}
		s.sseLoop(w, sub, rid, ws, f, send, func([]*store.Committed) error {
			return send() // the view after the person's events
		})
	})
	return nil
}

func (s *Server) reloadRules(c *fiber.Ctx) error {
	return s.reload(c, s.rules, ReloadRules, "the rule files have errors; the previous set stays in force")
}

// reload reloads a definition directory: 200 with its status, or 422 with every
// problem when the previous set stays in force. The other nodes sharing the store are
// asked to reload it too (topic).
func (s *Server) reload(c *fiber.Ctx, m *ruledir.Manager, topic, msg string) error {
	ctx, cancel := s.requestContext()
	defer cancel()
	err := m.Reload(ctx)
	s.broadcast(ctx, topic)
	st := m.Status()
	if err != nil {
		s.logRejection(c, http.StatusUnprocessableEntity, msg)
		return c.Status(http.StatusUnprocessableEntity).JSON(struct {
			errorBody
			envelope
		}{s.errorBody(c, http.StatusUnprocessableEntity, msg, st.Errors), envelope{Meta: fiber.Map{}, Data: st}})
	}
	return c.JSON(envelope{Meta: fiber.Map{}, Data: st})
}

func (s *Server) rulesStatus(c *fiber.Ctx) error {
	return s.dirStatus(c, s.rules, ReloadRules)
}
