package server

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/filter"
	"github.com/openjds/jds/internal/identity"
	"github.com/openjds/jds/internal/store"
)

const (
	defaultPageSize = 50
	maxPageSize     = 1000
)

// historyRequest is what the history paths ask for.
type historyRequest struct {
	identity       string
	match          event.Matcher
	page, pageSize int
	offset         int // events skipped: page × pageSize, or $skip
}

// queryOptions are the OData system query options that G2 clients send ($filter, $top,
// $skip). Any other $-prefixed parameter is refused, not ignored: a flow that asks for
// $orderby and silently gets another order routes wrongly.
var queryOptions = []string{"$filter", "$top", "$skip"}

// maxSkip bounds what one page request skips: $skip, and page × pageSize.
const maxSkip = 1_000_000

// skipTooFar is the problem of a page past maxSkip.
func skipTooFar(page, size int) string {
	return fmt.Sprintf("page: page %d of %d skips %d items, at most %d; narrow the request (a filter, a time range)", page, size, page*size, maxSkip)
}

// parseHistory reads a history request. identityRequired is false for the workspace's
// tape (GET /v1/journey/events), which reads every person's events.
func (s *Server) parseHistory(c *fiber.Ctx, identityRequired bool) (historyRequest, error) {
	var r historyRequest
	r.identity = strings.Clone(c.Params("identity"))
	if r.identity == "" {
		r.identity = strings.Clone(c.Query("identity"))
	}
	if identityRequired && strings.TrimSpace(r.identity) == "" {
		return r, badRequest("identity is required", "identity: required")
	}
	var errs []string
	c.Request().URI().QueryArgs().VisitAll(func(k, _ []byte) {
		if name := string(k); strings.HasPrefix(name, "$") && !slices.Contains(queryOptions, name) {
			errs = append(errs, fmt.Sprintf("%.64s: unknown query option; supported: %s", name, strings.Join(queryOptions, ", ")))
		}
	})
	var matchErrs []string
	r.match, matchErrs = compileMatcher(c)
	errs = append(errs, matchErrs...)
	r.pageSize = defaultPageSize
	for _, name := range []string{"top", "pageSize", "$top"} {
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
	r.offset = r.page * r.pageSize
	if r.offset > maxSkip {
		errs = append(errs, skipTooFar(r.page, r.pageSize))
	}
	if v := c.Query("$skip"); v != "" {
		n, err := strconv.Atoi(v)
		switch {
		case err != nil || n < 0 || n > maxSkip:
			errs = append(errs, fmt.Sprintf("$skip: must be an integer from 0 to %d, got %q", maxSkip, v))
		case c.Query("page") != "":
			errs = append(errs, "$skip: given with page; use one")
		}
		r.offset = n
	}
	if len(errs) > 0 {
		return r, badRequest(strings.Join(errs, "; "), errs...)
	}
	return r, nil
}

// compileMatcher compiles the event filters of a history or stream request: filter (or
// G2's $filter) over the attributes, data over the data object. Its problems name the
// parameter and position.
func compileMatcher(c *fiber.Ctx) (event.Matcher, []string) {
	var m event.Matcher
	var errs []string
	attr := c.Query("filter")
	if v := c.Query("$filter"); v != "" {
		if attr != "" {
			errs = append(errs, "$filter: given with filter; use one")
		}
		attr = v
	}
	var err error
	if m.Attr, err = compileFilter(firstGiven(c, "$filter", "filter"), attr); err != nil {
		errs = append(errs, err.Error())
	}
	if m.Data, err = compileFilter("data", c.Query("data")); err != nil {
		errs = append(errs, err.Error())
	}
	return m, errs
}

// firstGiven returns the first of the query parameters the request gives, else the last
// name: the one an error about that parameter should name.
func firstGiven(c *fiber.Ctx, names ...string) string {
	for _, n := range names {
		if c.Query(n) != "" {
			return n
		}
	}
	return names[len(names)-1]
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

// historyShape says how a history path reads its identity and writes its answer.
type historyShape struct {
	// btoa: the G2 paths, where old widgets sent {person} as btoa(person); an identity
	// nobody owns that is the base64 of an alias somebody owns resolves to that alias.
	btoa bool
	// g2: the answer is {meta, events, data} (G2 clients read events, G3 ones data);
	// without an identity it is the workspace's tape.
	g2 bool
}

// history serves the history paths: the person owning the identity, every event of it
// and of persons merged into it, newest first, filtered and paged.
func (s *Server) history(shape historyShape) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ws, err := s.workspace(c)
		if err != nil {
			return err
		}
		r, err := s.parseHistory(c, !shape.g2)
		if err != nil {
			return err
		}
		ctx, cancel := s.requestContext()
		defer cancel()
		keys := []string{"data"}
		if shape.g2 {
			keys = []string{"events", "data"}
		}
		m := meta(ws)
		m["page"] = r.page
		m["pageSize"] = r.pageSize
		q := store.Query{Offset: r.offset, Limit: r.pageSize, Match: r.match.Func(), Types: r.match.Types()}
		if strings.TrimSpace(r.identity) == "" {
			evs, err := s.workspaceTape(ctx, ws, q)
			if err != nil {
				return err
			}
			m["resultCount"] = len(evs)
			return sendEnvelope(c, m, evs, keys...)
		}
		m["identity"] = r.identity
		p, ident, err := s.resolve(ctx, ws, r.identity, shape.btoa)
		if errors.Is(err, store.ErrNotFound) {
			m["resultCount"] = 0
			m["personId"] = nil
			return sendEnvelope(c, m, nil, keys...)
		}
		if err != nil {
			return err
		}
		m["identity"] = ident
		evs, err := s.store.History(ctx, ws, p, q)
		if err != nil {
			return err
		}
		m["resultCount"] = len(evs)
		m["personId"] = p.ID
		return sendEnvelope(c, m, evs, keys...)
	}
}

// resolve returns the person owning ident and the alias that found it. With btoa, an
// ident nobody owns that is valid base64 of an alias somebody owns (old widgets sent
// btoa(person)) resolves to that alias.
func (s *Server) resolve(ctx context.Context, ws store.Workspace, ident string, btoa bool) (*identity.Person, string, error) {
	p, err := s.store.Resolve(ctx, ws, ident)
	if !btoa || !errors.Is(err, store.ErrNotFound) {
		return p, ident, err
	}
	decoded, ok := fromBtoa(ident)
	if !ok {
		return nil, ident, err
	}
	q, qerr := s.store.Resolve(ctx, ws, decoded)
	if errors.Is(qerr, store.ErrNotFound) {
		return nil, ident, err
	}
	return q, decoded, qerr
}

// fromBtoa decodes what a browser's btoa() made of an alias: padded standard base64 of
// printable UTF-8 text.
func fromBtoa(s string) (string, bool) {
	if len(s) < 4 || len(s)%4 != 0 {
		return "", false
	}
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil || len(b) == 0 || len(b) > identity.MaxAliasLen || !utf8.Valid(b) {
		return "", false
	}
	if strings.ContainsFunc(string(b), func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "", false
	}
	return string(b), true
}

// sendEnvelope writes {"meta":…,"data":[…]} with the events' stored JSON copied as is;
// keys, when given, name the members that hold the events (each a copy of the list).
func sendEnvelope(c *fiber.Ctx, m fiber.Map, events [][]byte, keys ...string) error {
	if len(keys) == 0 {
		keys = []string{"data"}
	}
	mj, err := c.App().Config().JSONEncoder(m)
	if err != nil {
		return err
	}
	n := len(mj) + 32
	for _, e := range events {
		n += len(e) + 1
	}
	b := make([]byte, 0, n*len(keys))
	b = append(b, `{"meta":`...)
	b = append(b, mj...)
	for _, k := range keys {
		b = append(b, `,"`...)
		b = append(b, k...)
		b = append(b, `":[`...)
		for i, e := range events {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, e...)
		}
		b = append(b, ']')
	}
	b = append(b, '}')
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(b)
}
