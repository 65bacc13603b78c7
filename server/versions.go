package server

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/openjds/jds/internal/profiles"
	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/rules"
)

// versionRoutes serve the versions of templates and journey actions made through the
// API (ext): list, read one, diff two, roll back to one. Reads need the definitions'
// read scope, a rollback their write scope.
func (s *Server) versionRoutes() {
	const (
		tpl = "/admin/v1/api/profile-view-template/workspace-id/:ws/template-id/:tid/versions"
		act = "/admin/v1/api/journey-actions/workspace-id/:ws/template-id/:tid/action-id/:aid/versions"
	)
	a := s.app
	for _, p := range []struct{ path, service string }{{tpl, "profile"}, {act, "action"}} {
		r, w := s.auth(p.service, false), s.auth(p.service, true)
		a.Get(p.path, r, s.listVersions)
		a.Get(p.path+"/:n", r, s.getVersion)
		a.Get(p.path+"/:a/diff/:b", r, s.diffVersions)
		a.Post(p.path+"/:n/rollback", w, s.rollback)
	}
}

// versionRef is the definition a versions path names.
func versionRef(c *fiber.Ctx) profiles.Ref {
	return profiles.Ref{Template: strings.Clone(c.Params("tid")), Action: strings.Clone(c.Params("aid"))}
}

// versionParam reads a version number from the path.
func versionParam(c *fiber.Ctx, name string) (int, error) {
	n, err := strconv.Atoi(c.Params(name))
	if err != nil || n < 1 {
		return 0, badRequest("a version is a number from 1", name+": must be a number from 1, got "+strconv.Quote(c.Params(name)))
	}
	return n, nil
}

// versionAt reads the workspace and the version {n} of a path.
func (s *Server) versionAt(c *fiber.Ctx) (store.Workspace, int, error) {
	ws, err := s.workspace(c)
	if err != nil {
		return ws, 0, err
	}
	n, err := versionParam(c, "n")
	return ws, n, err
}

func (s *Server) listVersions(c *fiber.Ctx) error {
	ws, err := s.workspace(c)
	if err != nil {
		return err
	}
	ctx, cancel := s.requestContext()
	defer cancel()
	vs, err := s.profiles.Versions(ctx, ws, versionRef(c))
	if err != nil {
		return templateError(err)
	}
	m := meta(ws)
	m["resultCount"], m["kept"] = len(vs), profiles.KeepVersions
	return c.JSON(envelope{Meta: m, Data: vs})
}

func (s *Server) getVersion(c *fiber.Ctx) error {
	ws, n, err := s.versionAt(c)
	if err != nil {
		return err
	}
	ctx, cancel := s.requestContext()
	defer cancel()
	v, err := s.profiles.Version(ctx, ws, versionRef(c), n)
	if err != nil {
		return templateError(err)
	}
	return c.JSON(envelope{Meta: meta(ws), Data: v})
}

// diffVersions lists the fields that differ from version a to version b.
func (s *Server) diffVersions(c *fiber.Ctx) error {
	ws, err := s.workspace(c)
	if err != nil {
		return err
	}
	var vs [2]*profiles.Version
	ctx, cancel := s.requestContext()
	defer cancel()
	for i, name := range []string{"a", "b"} {
		n, err := versionParam(c, name)
		if err != nil {
			return err
		}
		if vs[i], err = s.profiles.Version(ctx, ws, versionRef(c), n); err != nil {
			return templateError(err)
		}
	}
	changes, err := profiles.Diff(vs[0], vs[1])
	if err != nil {
		return err
	}
	return c.JSON(envelope{Meta: meta(ws), Data: fiber.Map{"from": vs[0].Version, "to": vs[1].Version, "changes": changes}})
}

// rollback makes a version the current one, as a new version.
func (s *Server) rollback(c *fiber.Ctx) error {
	ws, n, err := s.versionAt(c)
	if err != nil {
		return err
	}
	ref := versionRef(c)
	stamp := func(a, old *rules.Audit) { s.stamp(c, a, old) }
	ctx, cancel := s.requestContext()
	defer cancel()
	var view any
	if ref.Action == "" {
		t, err := s.profiles.RollbackTemplate(ctx, ws, ref.Template, n, stamp)
		if err != nil {
			return templateError(err)
		}
		view = s.viewTemplate(ws, t)
	} else {
		a, err := s.profiles.RollbackAction(ctx, ws, ref, n, stamp)
		if err != nil {
			return templateError(err)
		}
		view = viewAction(ws, a)
	}
	m := meta(ws)
	m["rolledBackTo"] = n
	return c.JSON(envelope{Meta: m, Data: view})
}
