package server

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/openjds/jds/internal/sas"
)

// Instance-wide operations — reloading the rule and flow files, reading their status
// (every file of the instance, whichever organizations it serves), and the scheduled
// jobs (retention, expiry and the rest span every organization) — belong to the
// operator, not to a tenant. They need an admin token (ss=admin) for every workspace
// (sn=*) of an organization named in config admins (config.Config.InstanceAdmins;
// with no key configured, the development key's organization). Any other genuine
// token is a 403 that says what it lacks.

// instanceAdmin authenticates the request (401 as auth does) and lets only an instance
// admin's token through (403 otherwise).
func (s *Server) instanceAdmin(write bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		tok, err := s.authenticate(c)
		if err != nil {
			return err
		}
		if err := s.checkInstanceAdmin(tok); err != nil {
			return err
		}
		// An admin token grants both permissions within its workspace (sas.Token.Allow),
		// but an instance admin who minted one with sp=r (a dashboard's) asked for
		// one that cannot reload or run jobs: its sp is honoured here.
		if write && !strings.Contains(tok.Perm, sas.PermWrite) {
			return newError(http.StatusForbidden, "the token grants read only (sp=r): this instance-wide operation needs sp=w or sp=rw", "sp: must include w")
		}
		c.Locals(localToken, &access{token: tok, service: sas.ServiceAdmin, write: write})
		return c.Next()
	}
}

// checkInstanceAdmin says why a genuine token is not an instance admin's, or nil.
func (s *Server) checkInstanceAdmin(tok sas.Token) error {
	const what = "this is an instance-wide operation: it needs an admin token (ss=admin) for every workspace (sn=*) of an instance admin organization (config admins)"
	switch {
	case tok.Service != sas.ServiceAdmin:
		return newError(http.StatusForbidden, fmt.Sprintf("%s; the token is for service %q", what, tok.Service), "ss: must be admin")
	case tok.Workspace != sas.WildcardWorkspace:
		return newError(http.StatusForbidden, fmt.Sprintf("%s; the token is for workspace %q", what, tok.Workspace), "sn: must be *")
	case !slices.Contains(s.admins, tok.Org):
		return newError(http.StatusForbidden, fmt.Sprintf("%s; organization %q is not one", what, tok.Org), "so: not an instance admin organization")
	}
	return nil
}
