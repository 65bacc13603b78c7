package server

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/filter"
	"github.com/openjds/jds/internal/store"
)

const (
	defaultPageSize = 50
	maxPageSize     = 1000
)

// historyRequest is what both history paths ask for.
type historyRequest struct {
	identity       string
	match          event.Matcher
	page, pageSize int
}

func (s *Server) parseHistory(c *fiber.Ctx) (historyRequest, error) {
	var r historyRequest
	r.identity = strings.Clone(c.Params("identity"))
	if r.identity == "" {
		r.identity = strings.Clone(c.Query("identity"))
	}
	if strings.TrimSpace(r.identity) == "" {
		return r, badRequest("identity is required", "identity: required")
	}
	var errs []string
	var err error
	if r.match.Attr, err = compileFilter("filter", c.Query("filter")); err != nil {
		errs = append(errs, err.Error())
	}
	if r.match.Data, err = compileFilter("data", c.Query("data")); err != nil {
		errs = append(errs, err.Error())
	}
	r.pageSize = defaultPageSize
	for _, name := range []string{"top", "pageSize"} {
		if v := c.Query(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > maxPageSize {
				errs = append(errs, fmt.Sprintf("%s: must be an integer from 1 to %d, got %q", name, maxPageSize, v))
				continue
			}
			r.pageSize = n
		}
	}
	if v := c.Query("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 1_000_000 {
			errs = append(errs, fmt.Sprintf("page: must be an integer from 0, got %q", v))
		}
		r.page = n
	}
	if len(errs) > 0 {
		return r, badRequest(strings.Join(errs, "; "), errs...)
	}
	return r, nil
}

// compileFilter compiles one query parameter; its error names the parameter and position.
// The source is copied first: the compiled filter keeps pieces of it, and a live stream's
// filter outlives the request buffer that fasthttp reuses.
func compileFilter(param, src string) (*filter.Filter, error) {
	f, err := filter.Compile(strings.Clone(src))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", param, err)
	}
	return f, nil
}

// history serves both history paths: the person owning the identity, every event of it
// and of persons merged into it, newest first, filtered and paged.
func (s *Server) history(c *fiber.Ctx) error {
	ws, err := s.workspace(c)
	if err != nil {
		return err
	}
	r, err := s.parseHistory(c)
	if err != nil {
		return err
	}
	ctx, cancel := s.requestContext()
	defer cancel()
	m := meta(ws)
	m["identity"] = r.identity
	m["page"] = r.page
	m["pageSize"] = r.pageSize
	p, err := s.store.Resolve(ctx, ws, r.identity)
	if errors.Is(err, store.ErrNotFound) {
		m["resultCount"] = 0
		m["personId"] = nil
		return c.JSON(envelope{Meta: m, Data: []any{}})
	}
	if err != nil {
		return err
	}
	evs, err := s.store.History(ctx, ws, p, store.Query{
		Offset: r.page * r.pageSize,
		Limit:  r.pageSize,
		Match:  r.match.Func(),
	})
	if err != nil {
		return err
	}
	m["resultCount"] = len(evs)
	m["personId"] = p.ID
	return sendEnvelope(c, m, evs)
}

// sendEnvelope writes {"meta":…,"data":[…]} with the events' stored JSON copied as is.
func sendEnvelope(c *fiber.Ctx, m fiber.Map, events [][]byte) error {
	mj, err := c.App().Config().JSONEncoder(m)
	if err != nil {
		return err
	}
	n := len(mj) + 32
	for _, e := range events {
		n += len(e) + 1
	}
	b := make([]byte, 0, n)
	b = append(b, `{"meta":`...)
	b = append(b, mj...)
	b = append(b, `,"data":[`...)
	for i, e := range events {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, e...)
	}
	b = append(b, "]}"...)
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(b)
}
