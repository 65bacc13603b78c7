package server

import (
	"bytes"
	"errors"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/rules"
)

// Contact policies (ext): GET lists those in force in a workspace (rule files' first,
// read-only, then the workspace's own); PUT replaces the workspace's own with the list
// posted ([] removes them). Journey actions' rights read and write them.
func (s *Server) policyRoutes() {
	const base = "/admin/v1/api/policies/workspace-id/:ws"
	s.app.Get(base, s.auth("action", false), s.listPolicies)
	s.app.Put(base, s.auth("action", true), s.savePolicies)
}

// policyView is a policy as the API shows it.
type policyView struct {
	*rules.Policy
	ReadOnly bool `json:"readOnly"`
}

func viewPolicies(ps []*rules.CompiledPolicy) []policyView {
	out := make([]policyView, len(ps))
	for i, p := range ps {
		out[i] = policyView{Policy: p.Policy, ReadOnly: p.Policy.Source != "api"}
	}
	return out
}

func (s *Server) listPolicies(c *fiber.Ctx) error {
	ws, err := s.workspace(c)
	if err != nil {
		return err
	}
	ps := s.profiles.Policies(ws)
	m := meta(ws)
	m["resultCount"] = len(ps)
	return c.JSON(envelope{Meta: m, Data: viewPolicies(ps)})
}

func (s *Server) savePolicies(c *fiber.Ctx) error {
	ws, err := s.workspace(c)
	if err != nil {
		return err
	}
	ctx, cancel := s.requestContext()
	defer cancel()
	ps, err := s.profiles.SavePolicies(ctx, ws, bytes.Clone(c.Body()))
	if err != nil {
		if errors.Is(err, rules.ErrInvalid) {
			return badRequest("the contact policies are invalid", rules.Problems(err)...)
		}
		return err
	}
	m := meta(ws)
	m["resultCount"] = len(ps)
	return c.Status(http.StatusOK).JSON(envelope{Meta: m, Data: viewPolicies(ps)})
}

// policyHoldView is what a contact policy did to a delivery, as the history shows it.
type policyHoldView struct {
	Name         string     `json:"name"`
	Outcome      string     `json:"outcome"`
	Reason       string     `json:"reason"`
	DeferredFrom *time.Time `json:"deferredFrom,omitempty"`
}

func viewHold(h *store.PolicyHold) *policyHoldView {
	if h == nil {
		return nil
	}
	v := &policyHoldView{Name: h.Name, Outcome: h.Outcome, Reason: h.Reason}
	if !h.DeferredFrom.IsZero() {
		v.DeferredFrom = &h.DeferredFrom
	}
	return v
}
