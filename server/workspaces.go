package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/openjds/jds/connectors/inbound"
	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/sas"
	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/internal/workspaces"
)

// The admin routes of issue 20: workspaces and their WxCC subscriptions (G3 "Admin"),
// the Day-0 person upload and the whole-workspace export. They need admin tokens
// (ss=admin; sp with w to write), except the upload, which is an identity write (idmt w)
// like every person route.
func (s *Server) adminRoutes() {
	const ws, sub = "/admin/v1/api/workspace", "/admin/v1/api/wxcc-subscription/workspace-id/:ws"
	r, w := s.adminAuth(false), s.adminAuth(true)
	a := s.app
	a.Get(ws, r, s.listWorkspaces)
	a.Post(ws, w, s.createWorkspace)
	a.Get(ws+"/workspace-id/:ws", r, s.getWorkspace)
	a.Put(ws+"/workspace-id/:ws", w, s.putWorkspace)
	a.Delete(ws+"/workspace-id/:ws", w, s.deleteWorkspace)
	a.Get(sub, r, s.listSubscriptions)
	a.Post(sub, w, s.createSubscription)
	a.Delete(sub, w, s.deleteSubscriptions)
	a.Post("/admin/v1/api/person/bulk/workspace-id/:ws", s.auth("idmt", true), s.bulkPersons)
	a.Get("/admin/v1/api/export/workspace-id/:ws", r, s.exportWorkspace)
}

// adminAuth is auth for the admin service. An admin token grants both permissions
// within its workspace (sas.Token.Allow), but one minted with sp=r (a dashboard's)
// asked not to write: its sp is honoured, once the workspace is checked (adminWorkspace,
// adminOrganization).
func (s *Server) adminAuth(write bool) fiber.Handler { return s.auth(sas.ServiceAdmin, write) }

// adminWorkspace is workspace() for the admin routes, honouring sp.
func (s *Server) adminWorkspace(c *fiber.Ctx) (store.Workspace, error) {
	ws, err := s.workspace(c)
	if err != nil {
		return ws, err
	}
	return ws, checkWritePerm(c)
}

// adminCall opens an admin handler on one workspace: the checked workspace and the
// handler's own deadline. Call cancel, also on error.
func (s *Server) adminCall(c *fiber.Ctx) (store.Workspace, context.Context, context.CancelFunc, error) {
	w, err := s.adminWorkspace(c)
	if err != nil {
		return w, nil, func() {}, err
	}
	ctx, cancel := s.requestContext()
	return w, ctx, cancel, nil
}

func checkWritePerm(c *fiber.Ctx) error {
	a, _ := c.Locals(localToken).(*access)
	if a != nil && a.write && !strings.Contains(a.token.Perm, sas.PermWrite) {
		return newError(http.StatusForbidden, "the token grants read only (sp=r): this needs sp=w or sp=rw", "sp: must include w")
	}
	return nil
}

// adminOrganization checks the token of a route that addresses the organization, not
// one workspace (the workspace list, creating a workspace): an admin token of that
// organization. It returns the organization and, for a token of one workspace, that
// workspace: the only one it may see. Writing needs a token for every workspace.
func (s *Server) adminOrganization(c *fiber.Ctx) (org, only string, err error) {
	a, _ := c.Locals(localToken).(*access)
	if a == nil {
		return "", "", errors.New("route without auth")
	}
	org = strings.Clone(a.token.Org)
	if o := c.Query("organizationId"); o != "" && o != org {
		return "", "", newError(http.StatusForbidden, fmt.Sprintf("token is for organization %q, not %q", org, o))
	}
	if a.token.Service != sas.ServiceAdmin {
		return "", "", newError(http.StatusForbidden, fmt.Sprintf("token is for service %q, this needs %q", a.token.Service, sas.ServiceAdmin), "ss: must be admin")
	}
	if a.token.Workspace != sas.WildcardWorkspace {
		if a.write {
			return "", "", newError(http.StatusForbidden, fmt.Sprintf("token is for workspace %q, creating a workspace needs every workspace (sn=*)", a.token.Workspace), "sn: must be *")
		}
		only = strings.Clone(a.token.Workspace)
	}
	return org, only, checkWritePerm(c)
}

// workspaceView is a workspace as the API shows it, in the live service's spelling.
type workspaceView struct {
	ID                  string              `json:"id"`
	Name                string              `json:"name"`
	Description         string              `json:"description"`
	WxccSubscriptionIDs []string            `json:"wxccSubscriptionIds"`
	OrganizationID      string              `json:"organizationId"`
	Settings            workspaces.Settings `json:"settings"`
	CreatedAt           *string             `json:"createdAt"`
	UpdatedAt           *string             `json:"updatedAt"`
	CreatedBy           string              `json:"createdBy,omitempty"`
	UpdatedBy           string              `json:"updatedBy,omitempty"`
	// Implicit (ext): the workspace exists because it holds data; nobody created or
	// described it through the API.
	Implicit bool `json:"implicit"`
}

func timeOrNil(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	v := t.UTC().Format(event.TimeLayout)
	return &v
}

// describe returns the view of w, and whether w exists: it has a record or
// subscriptions, or holds persons (every event belongs to one).
func (s *Server) describe(ctx context.Context, w store.Workspace, subs []workspaces.Subscription) (workspaceView, bool, error) {
	v := workspaceView{ID: w.Name, Name: w.Name, OrganizationID: w.Org, WxccSubscriptionIDs: []string{}, Implicit: true}
	for _, sub := range subs {
		v.WxccSubscriptionIDs = append(v.WxccSubscriptionIDs, sub.ID)
	}
	rec, err := workspaces.Get(ctx, s.store, w)
	switch {
	case errors.Is(err, store.ErrNotFound):
		if len(subs) > 0 {
			return v, true, nil
		}
		held, err := s.holdsData(ctx, w)
		return v, held, err
	case err != nil:
		return v, false, err
	}
	v.Name, v.Description, v.Settings, v.Implicit = rec.Name, rec.Description, rec.Settings, false
	v.CreatedAt, v.UpdatedAt, v.CreatedBy, v.UpdatedBy = timeOrNil(rec.CreatedAt), timeOrNil(rec.UpdatedAt), rec.CreatedBy, rec.UpdatedBy
	return v, true, nil
}

func (s *Server) holdsData(ctx context.Context, w store.Workspace) (bool, error) {
	ps, err := s.store.Persons(ctx, w, 0, 1)
	return len(ps) > 0, err
}

func (s *Server) listWorkspaces(c *fiber.Ctx) error {
	org, only, err := s.adminOrganization(c)
	if err != nil {
		return err
	}
	page, size, err := paging(c)
	if err != nil {
		return err
	}
	ctx, cancel := s.requestContext()
	defer cancel()
	all, err := s.store.Workspaces(ctx)
	if err != nil {
		return err
	}
	views := []workspaceView{}
	for _, w := range all {
		if w.Org != org || only != "" && w.Name != only {
			continue
		}
		subs, err := workspaces.Subscriptions(ctx, s.store, w)
		if err != nil {
			return err
		}
		v, ok, err := s.describe(ctx, w, subs)
		if err != nil {
			return err
		}
		if ok {
			views = append(views, v)
		}
	}
	slices.SortFunc(views, func(a, b workspaceView) int { return strings.Compare(a.ID, b.ID) })
	out := pageOf(views, page, size)
	return c.JSON(envelope{Meta: fiber.Map{"organizationId": org, "page": page, "pageSize": size, "resultCount": len(out), "total": len(views)}, Data: out})
}

// workspaceBody is what POST and PUT take: the live service's {name, description} and
// settings; what a GET answered besides may come back, and is ignored.
type workspaceBody struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Settings    struct {
		General struct {
			DataRetentionDays *int `json:"dataRetentionDays"`
		} `json:"general"`
	} `json:"settings"`

	OrganizationID      any  `json:"organizationId"`
	WxccSubscriptionIDs any  `json:"wxccSubscriptionIds"`
	CreatedAt           any  `json:"createdAt"`
	UpdatedAt           any  `json:"updatedAt"`
	CreatedBy           any  `json:"createdBy"`
	UpdatedBy           any  `json:"updatedBy"`
	Implicit            bool `json:"implicit"`
}

// workspaceIDPattern is what a workspace created through the API may be called: it
// becomes the sn of tokens, so it holds nothing a token string could not carry.
var workspaceIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

const (
	maxWorkspaceName        = 256
	maxWorkspaceDescription = 4096
)

// readWorkspaceBody decodes and checks the body of POST and PUT, naming every problem.
func readWorkspaceBody(c *fiber.Ctx) (*workspaceBody, error) {
	b := new(workspaceBody)
	if err := decodeBody(c, b); err != nil {
		return nil, err
	}
	errs := checkLabels(b.Name, b.Description)
	if strings.TrimSpace(b.Name) == "" {
		errs = append(errs, "name: required")
	}
	if d := b.Settings.General.DataRetentionDays; d != nil && (*d < 0 || *d > workspaces.MaxRetentionDays) {
		errs = append(errs, fmt.Sprintf("settings.general.dataRetentionDays: must be from 0 (keep forever) to %d days, got %d", workspaces.MaxRetentionDays, *d))
	}
	if len(errs) > 0 {
		return nil, badRequest("the workspace is not valid: "+strings.Join(errs, "; "), errs...)
	}
	return b, nil
}

// checkLabels checks the lengths of a name and a description.
func checkLabels(name, description string) []string {
	var errs []string
	if len(name) > maxWorkspaceName {
		errs = append(errs, fmt.Sprintf("name: at most %d bytes", maxWorkspaceName))
	}
	if len(description) > maxWorkspaceDescription {
		errs = append(errs, fmt.Sprintf("description: at most %d bytes", maxWorkspaceDescription))
	}
	return errs
}

func (s *Server) createWorkspace(c *fiber.Ctx) error {
	org, _, err := s.adminOrganization(c)
	if err != nil {
		return err
	}
	body, err := readWorkspaceBody(c)
	if err != nil {
		return err
	}
	id := body.ID
	if id == "" {
		id = body.Name
	}
	if !workspaceIDPattern.MatchString(id) {
		field := "id"
		if body.ID == "" {
			field = "name"
		}
		return badRequest(fmt.Sprintf("%q cannot be a workspace id: give an id of letters, digits, '.', '_' and '-' (at most 128, starting with a letter or digit)", id),
			fmt.Sprintf("%s: not a valid workspace id%s", field, map[bool]string{true: "; give id", false: ""}[field == "name"]))
	}
	w := store.Workspace{Org: org, Name: id}
	ctx, cancel := s.requestContext()
	defer cancel()
	if _, exists, err := s.describe(ctx, w, nil); err != nil {
		return err
	} else if exists {
		return newError(http.StatusConflict, fmt.Sprintf("workspace %q exists: PUT /admin/v1/api/workspace/workspace-id/%s to describe it", id, id), "id: exists")
	}
	return s.saveWorkspace(c, ctx, w, body, nil, http.StatusCreated)
}

// saveWorkspace writes the record of w from body (keeping the creation of old) and
// answers with its view.
func (s *Server) saveWorkspace(c *fiber.Ctx, ctx context.Context, w store.Workspace, body *workspaceBody, old *workspaces.Record, status int) error {
	now, by := s.now().UTC(), keyName(c)
	rec := &workspaces.Record{Name: body.Name, Description: body.Description, CreatedAt: now, CreatedBy: by, UpdatedAt: now, UpdatedBy: by}
	rec.Settings.General.DataRetentionDays = body.Settings.General.DataRetentionDays
	if old != nil {
		rec.CreatedAt, rec.CreatedBy = old.CreatedAt, old.CreatedBy
	}
	if err := workspaces.Put(ctx, s.store, w, rec); err != nil {
		return err
	}
	subs, err := workspaces.Subscriptions(ctx, s.store, w)
	if err != nil {
		return err
	}
	v, _, err := s.describe(ctx, w, subs)
	if err != nil {
		return err
	}
	return c.Status(status).JSON(envelope{Meta: meta(w), Data: v})
}

// keyName is the signing key of the request's token: who wrote, as templates record it.
func keyName(c *fiber.Ctx) string {
	if a, _ := c.Locals(localToken).(*access); a != nil {
		return strings.Clone(a.token.KeyName)
	}
	return ""
}

// existing reads the view of the addressed workspace; 404 when it does not exist.
func (s *Server) existing(ctx context.Context, w store.Workspace) (workspaceView, []workspaces.Subscription, error) {
	subs, err := workspaces.Subscriptions(ctx, s.store, w)
	if err != nil {
		return workspaceView{}, nil, err
	}
	v, ok, err := s.describe(ctx, w, subs)
	if err == nil && !ok {
		err = newError(http.StatusNotFound, fmt.Sprintf("no workspace %q: it holds no data and was not created (POST /admin/v1/api/workspace)", w.Name), "workspaceId: not found")
	}
	return v, subs, err
}

func (s *Server) getWorkspace(c *fiber.Ctx) error {
	w, ctx, cancel, err := s.adminCall(c)
	defer cancel()
	if err != nil {
		return err
	}
	v, _, err := s.existing(ctx, w)
	if err != nil {
		return err
	}
	return c.JSON(envelope{Meta: meta(w), Data: v})
}

// putWorkspace describes an existing workspace, created here or implicit.
func (s *Server) putWorkspace(c *fiber.Ctx) error {
	w, err := s.adminWorkspace(c)
	if err != nil {
		return err
	}
	body, err := readWorkspaceBody(c)
	if err != nil {
		return err
	}
	if body.ID != "" && body.ID != w.Name {
		return badRequest(fmt.Sprintf("id %q is not the workspace of the path, %q: a workspace cannot be renamed", body.ID, w.Name), "id: not the path's workspace")
	}
	ctx, cancel := s.requestContext()
	defer cancel()
	if _, _, err := s.existing(ctx, w); err != nil {
		return err
	}
	old, err := workspaces.Get(ctx, s.store, w)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return s.saveWorkspace(c, ctx, w, body, old, http.StatusOK)
}

// deleteWorkspace removes a workspace's record and subscriptions. A workspace that
// holds persons (and so events) is refused unless ?purge=true, which erases them first,
// as erasing each person does. Templates and journey actions stay.
func (s *Server) deleteWorkspace(c *fiber.Ctx) error {
	w, ctx, cancel, err := s.adminCall(c)
	defer cancel()
	if err != nil {
		return err
	}
	purge := false
	switch v := c.Query("purge"); v {
	case "", "false":
	case "true":
		purge = true
	default:
		return badRequest(fmt.Sprintf("purge must be true or false, got %.64q", v), "purge: must be true or false")
	}
	v, subs, err := s.existing(ctx, w)
	if err != nil {
		return err
	}
	var persons, events int
	for {
		ps, err := s.store.Persons(ctx, w, 0, 100)
		if err != nil {
			return s.purgeStopped(persons, events, err)
		}
		if len(ps) == 0 {
			break
		}
		if !purge {
			return newError(http.StatusConflict, fmt.Sprintf("workspace %q holds persons and their events: nothing was deleted; add ?purge=true to erase them with it", w.Name),
				"purge: required while the workspace holds data")
		}
		for _, p := range ps {
			out, err := s.store.Erase(ctx, w, p.ID)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return s.purgeStopped(persons, events, err)
			}
			persons, events = persons+out.Persons, events+out.Events
		}
	}
	if err := workspaces.Delete(ctx, s.store, w); err != nil {
		return err
	}
	m := meta(w)
	m["removed"] = fiber.Map{"persons": persons, "events": events, "wxccSubscriptions": len(subs)}
	return c.JSON(envelope{Meta: m, Data: v})
}

// purgeStopped says how far a purge went before err; calling again goes on.
func (s *Server) purgeStopped(persons, events int, err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return newError(http.StatusServiceUnavailable, fmt.Sprintf("the purge took too long: %d persons and %d events were erased, the workspace stays; delete again to go on", persons, events))
	}
	return fmt.Errorf("purging after %d persons: %w", persons, err)
}

// subscriptionView is a subscription as the API shows it.
type subscriptionView struct {
	workspaces.Subscription
	CreatedAt      string `json:"createdAt"`
	OrganizationID string `json:"organizationId"`
	WorkspaceID    string `json:"workspaceId"`
}

func viewSubscriptions(w store.Workspace, subs []workspaces.Subscription) []subscriptionView {
	out := make([]subscriptionView, len(subs))
	for i, sub := range subs {
		out[i] = subscriptionView{Subscription: sub, CreatedAt: sub.CreatedAt.UTC().Format(event.TimeLayout), OrganizationID: w.Org, WorkspaceID: w.Name}
	}
	return out
}

func (s *Server) listSubscriptions(c *fiber.Ctx) error {
	w, ctx, cancel, err := s.adminCall(c)
	defer cancel()
	if err != nil {
		return err
	}
	subs, err := workspaces.Subscriptions(ctx, s.store, w)
	if err != nil {
		return err
	}
	return c.JSON(envelope{Meta: meta(w), Data: viewSubscriptions(w, subs)})
}

// defaultEventTypes are what a subscription asks WxCC for unless told otherwise.
var defaultEventTypes = []string{"task:*", "agent:*"}

// eventTypePattern is a WxCC event type or a resource's wildcard: task:new, agent:*.
var eventTypePattern = regexp.MustCompile(`^[a-z][a-z-]{0,31}:(\*|[a-z][a-z_-]{0,63})$`)

const maxEventTypes = 20

// createSubscription records a WxCC subscription whose destination is the workspace's
// inbound webexcc webhook, at the host the request was sent to. jds does not call WxCC:
// the answer's destinationUrl is what to register there, with the webhook's secret.
func (s *Server) createSubscription(c *fiber.Ctx) error {
	w, err := s.adminWorkspace(c)
	if err != nil {
		return err
	}
	var body struct {
		Name        string   `json:"name"`
		Description string   `json:"description"`
		EventTypes  []string `json:"eventTypes"`
		Connector   string   `json:"connector"`
	}
	if len(strings.TrimSpace(string(c.Body()))) > 0 {
		if err := decodeBody(c, &body); err != nil {
			return err
		}
	}
	errs := checkLabels(body.Name, body.Description)
	if len(body.EventTypes) > maxEventTypes {
		errs = append(errs, fmt.Sprintf("eventTypes: %d given, at most %d", len(body.EventTypes), maxEventTypes))
	}
	for i, t := range body.EventTypes {
		if !eventTypePattern.MatchString(t) {
			errs = append(errs, fmt.Sprintf("eventTypes[%d]: %.64q is not a WxCC event type (task:*, task:new, agent:*, task-message:appended)", i, t))
		}
	}
	if len(errs) > 0 {
		return badRequest("the subscription is not valid: "+strings.Join(errs, "; "), errs...)
	}
	hook, err := s.webexccWebhook(w, body.Connector)
	if err != nil {
		return err
	}
	ctx, cancel := s.requestContext()
	defer cancel()
	existing, err := workspaces.Subscriptions(ctx, s.store, w)
	if err != nil {
		return err
	}
	if n := len(existing); n >= workspaces.MaxSubscriptions {
		return newError(http.StatusConflict, fmt.Sprintf("workspace limit reached: workspace %s has %d WxCC subscriptions, at most %d; delete one first", w, n, workspaces.MaxSubscriptions),
			fmt.Sprintf("subscriptions: %d, at most %d", n, workspaces.MaxSubscriptions))
	}
	sub := workspaces.Subscription{
		ID: uuid.NewString(), Name: body.Name, Description: body.Description, EventTypes: body.EventTypes,
		DestinationURL: c.BaseURL() + "/v1/connectors/" + url.PathEscape(hook) + "/webhook",
		Status:         "active", Connector: hook, CreatedAt: s.now().UTC(), CreatedBy: keyName(c),
	}
	if sub.Name == "" {
		sub.Name = "jds-" + w.Name
	}
	if len(sub.EventTypes) == 0 {
		sub.EventTypes = slices.Clone(defaultEventTypes)
	}
	if err := workspaces.PutSubscription(ctx, s.store, w, sub); err != nil {
		return err
	}
	return c.Status(http.StatusCreated).JSON(envelope{Meta: meta(w), Data: viewSubscriptions(w, []workspaces.Subscription{sub})[0]})
}

// webexccWebhook picks the inbound webhook of w verified with scheme webexcc: the one
// named, or the only one. 409 when none is configured, saying what to add.
func (s *Server) webexccWebhook(w store.Workspace, named string) (string, error) {
	var names []string
	if s.inbound != nil {
		for name, h := range s.inbound.Webhooks {
			if h.Workspace() == w && h.Scheme() == inbound.SchemeWebexCC {
				names = append(names, name)
			}
		}
	}
	slices.Sort(names)
	switch {
	case len(names) == 0:
		return "", newError(http.StatusConflict,
			fmt.Sprintf("no inbound webhook receives WxCC events for workspace %q: add one to the config file's inbound list "+
				"({name: wxcc, kind: webhook, organization: %s, workspace: %s, verify: {scheme: webexcc, secret: ${WXCC_SUBSCRIPTION_SECRET}}, mapping: {builtin: webexcc}}) and restart jds",
				w.Name, w.Org, w.Name),
			"inbound: no webhook with verify.scheme webexcc for this workspace")
	case named != "" && !slices.Contains(names, named):
		return "", badRequest(fmt.Sprintf("no webexcc inbound webhook %.64q writes to workspace %q; configured: %s", named, w.Name, strings.Join(names, ", ")),
			"connector: not a webexcc inbound webhook of this workspace")
	case named != "":
		return named, nil
	case len(names) > 1:
		return "", badRequest(fmt.Sprintf("several webexcc inbound webhooks write to workspace %q: name one in connector (%s)", w.Name, strings.Join(names, ", ")),
			"connector: required, several are configured")
	}
	return names[0], nil
}

// deleteSubscriptions removes the workspace's subscriptions, or the one
// ?subscriptionId= names, and answers with what it removed.
func (s *Server) deleteSubscriptions(c *fiber.Ctx) error {
	w, ctx, cancel, err := s.adminCall(c)
	defer cancel()
	if err != nil {
		return err
	}
	id := c.Query("subscriptionId")
	subs, err := workspaces.Subscriptions(ctx, s.store, w)
	if err != nil {
		return err
	}
	if id != "" {
		subs = slices.DeleteFunc(subs, func(sub workspaces.Subscription) bool { return sub.ID != id })
		if len(subs) == 0 {
			return newError(http.StatusNotFound, fmt.Sprintf("workspace %q has no subscription %.64q", w.Name, id), "subscriptionId: not found")
		}
	}
	for _, sub := range subs {
		if err := workspaces.DeleteSubscription(ctx, s.store, w, sub.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	return c.JSON(envelope{Meta: meta(w), Data: viewSubscriptions(w, subs)})
}
