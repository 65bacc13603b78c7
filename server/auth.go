package server

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/openjds/jds/internal/sas"
	"github.com/openjds/jds/internal/store"
)

const localToken = "jds.token"

// access is what auth grants a request: its token, what the route needs, and the
// workspace it may touch once workspace() has checked it.
type access struct {
	token   sas.Token
	service string
	write   bool
}

// auth authenticates the request's SAS token (401 when missing, garbled, unknown,
// badly signed or expired) and remembers what the route needs; the workspace is checked
// by workspace(), once the handler knows which one is addressed (403 when not covered).
func (s *Server) auth(service string, write bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		tok, err := s.authenticate(c)
		if err != nil {
			return err
		}
		c.Locals(localToken, &access{token: tok, service: service, write: write})
		return c.Next()
	}
}

// authenticate reads and checks the request's SAS token, in any transport form.
func (s *Server) authenticate(c *fiber.Ctx) (sas.Token, error) {
	raw, ok := sas.FromRequest(c.Get(fiber.HeaderAuthorization), string(c.Request().URI().QueryString()))
	if !ok {
		return sas.Token{}, newError(http.StatusUnauthorized, "missing token: send Authorization: SharedAccessSignature <token>")
	}
	tok, err := s.keys.Authenticate(raw, s.now())
	if err != nil {
		return sas.Token{}, newError(http.StatusUnauthorized, err.Error())
	}
	return tok, nil
}

// workspace returns the workspace a request addresses and checks that its token covers
// it. G3 paths name the workspace (path parameter ws or query workspaceId); the older
// paths take it from the token's sn. An organizationId query parameter must match.
func (s *Server) workspace(c *fiber.Ctx) (store.Workspace, error) {
	a, _ := c.Locals(localToken).(*access)
	if a == nil {
		return store.Workspace{}, errors.New("route without auth")
	}
	name := c.Params("ws")
	if name == "" {
		name = c.Query("workspaceId")
	}
	if name == "" {
		name = a.token.Workspace
		if name == sas.WildcardWorkspace {
			return store.Workspace{}, badRequest("workspaceId is required: the token covers every workspace", "workspaceId: required")
		}
	}
	if len(name) > 128 || strings.ContainsRune(name, 0) {
		return store.Workspace{}, badRequest("workspace id is too long or holds a NUL byte", "workspaceId: invalid")
	}
	name = strings.Clone(name)
	org := strings.Clone(a.token.Org)
	if o := c.Query("organizationId"); o != "" && o != org {
		return store.Workspace{}, newError(http.StatusForbidden, fmt.Sprintf("token is for organization %q, not %q", org, o))
	}
	if err := a.token.Allow(a.service, a.write, org, name); err != nil {
		return store.Workspace{}, newError(http.StatusForbidden, err.Error())
	}
	return store.Workspace{Org: org, Name: name}, nil
}

// envelope is the success shape of every response: {"meta": …, "data": …}.
type envelope struct {
	Meta fiber.Map `json:"meta"`
	Data any       `json:"data"`
}

// meta is the success envelope's meta object.
func meta(ws store.Workspace) fiber.Map {
	return fiber.Map{"organizationId": ws.Org, "workspaceId": ws.Name}
}
