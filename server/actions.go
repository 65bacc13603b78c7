package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/openjds/jds/connectors"
	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/rules"
)

// actionView is a journey action as the API shows it: the JDS shape plus where it
// comes from and whether it may be changed here (ext).
type actionView struct {
	*rules.Action
	OrganizationID string `json:"organizationId"`
	WorkspaceID    string `json:"workspaceId"`
	ReadOnly       bool   `json:"readOnly"`
}

func viewAction(ws store.Workspace, a *rules.CompiledAction) actionView {
	return actionView{Action: a.Action, OrganizationID: ws.Org, WorkspaceID: ws.Name, ReadOnly: a.Action.Source != "api"}
}

func (s *Server) actionRoutes() {
	const base = "/admin/v1/api/journey-actions/workspace-id/:ws"
	r, w := s.auth("action", false), s.auth("action", true)
	a := s.app
	a.Get(base, r, s.listActions)
	a.Get(base+"/history", r, s.listDeliveries(""))
	a.Get(base+"/dead-letters", r, s.listDeliveries(store.Dead))
	a.Get(base+"/shadow", r, s.listDeliveries(store.Shadow))
	a.Post(base+"/dead-letters/:did/retry", w, s.retryDeadLetter)
	a.Delete(base+"/dead-letters/:did", w, s.discardDeadLetter)
	a.Get(base+"/template-id/:tid", r, s.listActions)
	a.Post(base+"/template-id/:tid", w, s.saveAction)
	a.Get(base+"/template-id/:tid/action-name/:name", r, s.getAction)
	a.Get(base+"/template-id/:tid/action-id/:aid", r, s.getAction)
	a.Put(base+"/template-id/:tid/action-id/:aid", w, s.saveAction)
	a.Delete(base+"/template-id/:tid/action-id/:aid", w, s.deleteAction)
}

// listActions pages the actions of a workspace, or of one template.
func (s *Server) listActions(c *fiber.Ctx) error {
	ws, err := s.workspace(c)
	if err != nil {
		return err
	}
	page, size, err := paging(c)
	if err != nil {
		return err
	}
	var tid string
	if ref := c.Params("tid"); ref != "" {
		t, err := s.profiles.Template(ws, strings.Clone(ref))
		if err != nil {
			return err
		}
		tid = t.Template.ID
	}
	var all []actionView
	for _, a := range s.profiles.Actions(ws) {
		if tid == "" || a.Template.Template.ID == tid {
			all = append(all, viewAction(ws, a))
		}
	}
	out := pageOf(all, page, size)
	m := meta(ws)
	m["page"], m["pageSize"], m["resultCount"], m["total"] = page, size, len(out), len(all)
	return c.JSON(envelope{Meta: m, Data: out})
}

func (s *Server) getAction(c *fiber.Ctx) error {
	ws, err := s.workspace(c)
	if err != nil {
		return err
	}
	t, err := s.profiles.Template(ws, strings.Clone(c.Params("tid")))
	if err != nil {
		return err
	}
	ref := c.Params("aid")
	if ref == "" {
		ref = c.Params("name")
	}
	a, err := s.profiles.Action(ws, t.Template.ID, strings.Clone(ref))
	if err != nil {
		return err
	}
	return c.JSON(envelope{Meta: meta(ws), Data: viewAction(ws, a)})
}

// saveAction creates (POST) or replaces (PUT) an action of a template.
func (s *Server) saveAction(c *fiber.Ctx) error {
	ws, err := s.workspace(c)
	if err != nil {
		return err
	}
	t, err := s.profiles.Template(ws, strings.Clone(c.Params("tid")))
	if err != nil {
		return err
	}
	a, err := rules.ParseActionJSON(bytes.Clone(c.Body()))
	if err != nil {
		return badRequest("the journey action is invalid", rules.Problems(err)...)
	}
	if err := checkActionSize(a); err != nil {
		return err
	}
	status := http.StatusCreated
	if id := c.Params("aid"); id != "" {
		old, err := s.profiles.Action(ws, t.Template.ID, strings.Clone(id))
		if err != nil {
			return err
		}
		a.ID, status = old.Action.ID, http.StatusOK
		s.stamp(c, &a.Audit, &old.Action.Audit)
	} else {
		a.ID = ""
		s.stamp(c, &a.Audit, nil)
	}
	ctx, cancel := s.requestContext()
	defer cancel()
	saved, err := s.profiles.SaveAction(ctx, ws, t, a)
	if err != nil {
		return templateError(err)
	}
	return c.Status(status).JSON(envelope{Meta: meta(ws), Data: viewAction(ws, saved)})
}

func (s *Server) deleteAction(c *fiber.Ctx) error {
	ws, a, err := s.actionAt(c)
	if err != nil {
		return err
	}
	ctx, cancel := s.requestContext()
	defer cancel()
	if err := s.profiles.DeleteAction(ctx, ws, a); err != nil {
		return templateError(err)
	}
	return c.JSON(envelope{Meta: meta(ws), Data: viewAction(ws, a)})
}

// actionAt finds the action a path names: …/template-id/{tid}/action-id/{aid}.
func (s *Server) actionAt(c *fiber.Ctx) (store.Workspace, *rules.CompiledAction, error) {
	ws, err := s.workspace(c)
	if err != nil {
		return ws, nil, err
	}
	t, err := s.profiles.Template(ws, strings.Clone(c.Params("tid")))
	if err != nil {
		return ws, nil, err
	}
	a, err := s.profiles.Action(ws, t.Template.ID, strings.Clone(c.Params("aid")))
	return ws, a, err
}

// deliveriesOf lists deliveries for the history and dead-letter paths: a person's
// (personId), or the newest of the whole workspace's, at most pageSize (default and
// most 1,000): more reports that there were more.
func (s *Server) deliveriesOf(c *fiber.Ctx, state string) (ws store.Workspace, ds []*store.Delivery, more bool, err error) {
	ws, err = s.workspace(c)
	if err != nil {
		return ws, nil, false, err
	}
	person := strings.Clone(c.Query("personId"))
	action := strings.Clone(c.Query("actionId"))
	ofAction := func(d *store.Delivery) bool {
		var p connectors.Delivery
		return action == "" || json.Unmarshal(d.Payload, &p) == nil && p.ActionID == action
	}
	ctx, cancel := s.requestContext()
	defer cancel()
	if person == "" {
		limit := maxPageSize
		if v := c.Query("pageSize"); v != "" {
			if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > maxPageSize {
				return ws, nil, false, badRequest(fmt.Sprintf("pageSize must be an integer from 1 to %d", maxPageSize),
					fmt.Sprintf("pageSize: must be an integer from 1 to %d, got %q", maxPageSize, v))
			}
		}
		ds, more, err = s.store.RecentDeliveries(ctx, ws, state, limit, ofAction)
		return ws, ds, more, err
	}
	if ds, err = s.store.Deliveries(ctx, ws, person, state); err != nil {
		return ws, nil, false, err
	}
	kept := ds[:0]
	for _, d := range ds {
		if ofAction(d) {
			kept = append(kept, d)
		}
	}
	return ws, kept, false, nil
}

// listDeliveries serves the history (state "": every delivery, newest first, with its
// state), the dead-letter list (state dead) and what actions in shadow mode would have
// sent (state shadow) (ext). A workspace's list without a person says "truncated" when
// it holds only the newest.
func (s *Server) listDeliveries(state string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ws, ds, more, err := s.deliveriesOf(c, state)
		if err != nil {
			return err
		}
		m := meta(ws)
		m["resultCount"] = len(ds)
		if more {
			m["truncated"] = true
		}
		return c.JSON(envelope{Meta: m, Data: viewDeliveries(ds)})
	}
}

// retryDeadLetter queues a dead delivery again (personId in the query).
func (s *Server) retryDeadLetter(c *fiber.Ctx) error {
	return s.settleDeadLetter(c, http.StatusAccepted, store.Pending, s.store.Requeue)
}

// discardDeadLetter removes a dead delivery for good (personId in the query).
func (s *Server) discardDeadLetter(c *fiber.Ctx) error {
	return s.settleDeadLetter(c, http.StatusOK, "discarded", s.store.Discard)
}

func (s *Server) settleDeadLetter(c *fiber.Ctx, status int, state string,
	do func(ctx context.Context, w store.Workspace, personID, id string) error) error {
	ws, err := s.workspace(c)
	if err != nil {
		return err
	}
	person := strings.Clone(c.Query("personId"))
	if person == "" {
		return badRequest("personId is required", "personId: required")
	}
	id := strings.Clone(c.Params("did"))
	ctx, cancel := s.requestContext()
	defer cancel()
	if err := do(ctx, ws, person, id); err != nil {
		return err
	}
	return c.Status(status).JSON(envelope{Meta: meta(ws), Data: fiber.Map{"id": id, "state": state}})
}

// deliveryView is a delivery as the history and the dead-letter list show it: the
// ledger's record under the API's names, the workspace spelled as in meta. The record
// itself is not marshalled: store.Workspace has no JSON names of its own, and the
// API's shape must not follow the storage format.
type deliveryView struct {
	ID             string          `json:"id"`
	OrganizationID string          `json:"organizationId"`
	WorkspaceID    string          `json:"workspaceId"`
	PersonID       string          `json:"personId"`
	Payload        json.RawMessage `json:"payload"`
	State          string          `json:"state"`
	Attempts       int             `json:"attempts"`
	Due            time.Time       `json:"due"`
	CreatedAt      time.Time       `json:"createdAt"`
	UpdatedAt      time.Time       `json:"updatedAt"`
	LastError      string          `json:"lastError,omitempty"`
	Response       string          `json:"response,omitempty"`
	// Policy is the contact policy that suppressed or deferred the delivery.
	Policy *policyHoldView `json:"policy,omitempty"`
}

func viewDeliveries(ds []*store.Delivery) []deliveryView {
	out := make([]deliveryView, len(ds))
	for i, d := range ds {
		out[i] = deliveryView{ID: d.ID, OrganizationID: d.Workspace.Org, WorkspaceID: d.Workspace.Name, PersonID: d.PersonID,
			Payload: d.Payload, State: d.State, Attempts: d.Attempts, Due: d.Due, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt,
			LastError: d.LastError, Response: d.Response, Policy: viewHold(d.Policy)}
	}
	return out
}
