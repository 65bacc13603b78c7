package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/openjds/jds/internal/identity"
	"github.com/openjds/jds/internal/store"
)

// MaxBulkLines is how many persons one Day-0 upload request may carry.
const MaxBulkLines = 10_000

// bulkWorkers is how many lines are identified at once: the store commits concurrent
// writes in one group, so a large upload is not one disk sync per line.
const bulkWorkers = 16

// bulkTimeout is the least time a bulk upload is given, whatever the request timeout.
const bulkTimeout = 2 * time.Minute

// bulkLine is what a Day-0 upload answers for one line.
type bulkLine struct {
	Line     int      `json:"line"`   // 1-based, as an editor counts
	Result   string   `json:"result"` // created, merged or failed
	PersonID string   `json:"personId,omitempty"`
	Errors   []string `json:"errors,omitempty"` // why it failed, "field: reason"
}

// bulkPersons is the Day-0 upload: NDJSON, one person per line as the person POST takes
// it, each created or merged by its aliases (merge-identities without override), so a
// line sent again changes nothing. A bad line is reported and the others land: 207 with
// a result per line.
func (s *Server) bulkPersons(c *fiber.Ctx) error {
	ws, err := s.workspace(c)
	if err != nil {
		return err
	}
	if mt, _, _ := mime.ParseMediaType(c.Get(fiber.HeaderContentType)); mt != "application/x-ndjson" && mt != "application/jsonl" {
		return newError(http.StatusUnsupportedMediaType, fmt.Sprintf("the body must be NDJSON (Content-Type: application/x-ndjson), got %.64q", c.Get(fiber.HeaderContentType)),
			"Content-Type: must be application/x-ndjson")
	}
	type todo struct {
		line    int
		req     identity.IdentifyRequest
		aliases []string
	}
	var lines []bulkLine
	var work []todo
	n := 0
	for raw := range bytes.SplitSeq(c.Body(), []byte("\n")) {
		n++
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 {
			continue
		}
		if len(lines) == MaxBulkLines {
			return badRequest(fmt.Sprintf("the body holds more than %d persons: send at most %d lines a request", MaxBulkLines, MaxBulkLines),
				fmt.Sprintf("body: more than %d lines", MaxBulkLines))
		}
		req, errs := s.bulkRequest(raw)
		lines = append(lines, bulkLine{Line: n, Errors: errs, Result: "failed"})
		if len(errs) == 0 {
			t := todo{line: len(lines) - 1, req: req}
			for _, a := range req.Aliases {
				t.aliases = append(t.aliases, a.Value)
			}
			work = append(work, t)
		}
	}
	if len(lines) == 0 {
		return badRequest("the body holds no person: one JSON object per line", "body: empty")
	}

	// Lines sharing an alias (directly or through others) are one group, identified in
	// file order; groups run concurrently.
	parent := make([]int, len(work))
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	owner := map[string]int{}
	for i, t := range work {
		parent[i] = i
		for _, a := range t.aliases {
			if j, ok := owner[a]; ok {
				parent[find(i)] = find(j)
			} else {
				owner[a] = i
			}
		}
	}
	groups := map[int][]int{}
	var order []int
	for i := range work {
		g := find(i)
		if _, ok := groups[g]; !ok {
			order = append(order, g)
		}
		groups[g] = append(groups[g], i)
	}

	ctx, cancel := context.WithTimeout(s.ctx, max(time.Duration(s.cfg.HTTP.RequestTimeout), bulkTimeout))
	defer cancel()
	next := make(chan []int)
	var wg sync.WaitGroup
	for range min(bulkWorkers, len(order)) {
		wg.Go(func() {
			for g := range next {
				for _, i := range g {
					l := &lines[work[i].line]
					if ctx.Err() != nil {
						l.Errors = []string{"not processed: the request took too long; send the line again (lines are idempotent)"}
						continue
					}
					p, created, err := s.store.Identify(ctx, ws, work[i].req)
					switch {
					case err != nil:
						l.Errors = []string{lineError(err)}
					case created:
						l.Result, l.PersonID = "created", p.ID
					default:
						l.Result, l.PersonID = "merged", p.ID
					}
				}
			}
		})
	}
	for _, g := range order {
		next <- groups[g]
	}
	close(next)
	wg.Wait()

	m := meta(ws)
	counts := map[string]int{"created": 0, "merged": 0, "failed": 0}
	for _, l := range lines {
		counts[l.Result]++
	}
	m["lines"], m["created"], m["merged"], m["failed"] = len(lines), counts["created"], counts["merged"], counts["failed"]
	return c.Status(http.StatusMultiStatus).JSON(envelope{Meta: m, Data: lines})
}

// bulkRequest reads one line of an upload: the person POST's body, with at least one
// alias (without one, sending the line again would make another person).
func (s *Server) bulkRequest(raw []byte) (identity.IdentifyRequest, []string) {
	var body struct {
		FirstName string `json:"firstName"`
		LastName  string `json:"lastName"`
		aliasLists
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		return identity.IdentifyRequest{}, []string{"body: " + err.Error()}
	}
	if _, err := dec.Token(); err != io.EOF {
		return identity.IdentifyRequest{}, []string{"body: one JSON object per line; more follows the object"}
	}
	if err := s.checkAliasCount(body.aliasLists); err != nil {
		return identity.IdentifyRequest{}, err.(*apiError).errs
	}
	aliases, errs := s.normalize(body.aliasLists)
	if len(errs) > 0 {
		return identity.IdentifyRequest{}, errs
	}
	if len(aliases) == 0 {
		return identity.IdentifyRequest{}, []string{"aliases: at least one of phone, email, customerId, socialId, temporaryId"}
	}
	return identity.IdentifyRequest{FirstName: body.FirstName, LastName: body.LastName, Aliases: aliases}, nil
}

// lineError is what a line's failure says: the identity rules' reason as it is, a store
// failure without its internals.
func lineError(err error) string {
	var ae *apiError
	switch {
	case errors.As(err, &ae):
		return ae.msg
	case errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrNotFound),
		errors.Is(err, identity.ErrTooManyAliases), errors.Is(err, identity.ErrBlockedAlias):
		return "aliases: " + withoutSentinel(err.Error(), store.ErrConflict)
	case errors.Is(err, store.ErrNoSpace):
		return "not stored: no space left in the data directory; send the line again later"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return "not processed: the request took too long; send the line again (lines are idempotent)"
	}
	return "not stored: " + err.Error()
}

// exportWorkspace streams every live person of the workspace with its events (and
// those of the persons merged into it), newest first, as NDJSON: one
// {"person": …, "events": […]} per line, written as it is read.
func (s *Server) exportWorkspace(c *fiber.Ctx) error {
	ws, err := s.adminWorkspace(c)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/x-ndjson")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="workspace-%s.ndjson"`, strings.Map(func(r rune) rune {
		if r == '"' || r == '\\' || r < 0x20 {
			return '_'
		}
		return r
	}, ws.Name)))
	rid := requestID(c)
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		n, err := s.streamWorkspace(s.ctx, ws, w)
		if err == nil {
			err = w.Flush()
		}
		if err != nil {
			s.log.Error("workspace export interrupted", "request_id", rid, "workspace", ws.String(), "persons", n, "err", err)
		}
	})
	return nil
}

// exportPage is how many persons the export reads at a time.
const exportPage = 500

// streamWorkspace writes the export of ws to w and returns how many persons it wrote.
// Each line is read from one snapshot; the export as a whole is not one: a person
// created while it runs may be left out.
func (s *Server) streamWorkspace(ctx context.Context, ws store.Workspace, w *bufio.Writer) (int, error) {
	done := 0
	for offset := 0; ; offset += exportPage {
		ps, err := s.store.Persons(ctx, ws, offset, exportPage)
		if err != nil || len(ps) == 0 {
			return done, err
		}
		for _, p := range ps {
			events := 0
			err := s.store.Export(ctx, ws, p.ID,
				func(p *identity.Person) error {
					b, err := json.Marshal(viewPerson(ws, p))
					if err != nil {
						return err
					}
					w.WriteString(`{"person":`)
					w.Write(b)
					_, err = w.WriteString(`,"events":[`)
					return err
				},
				func(raw []byte) error {
					if events > 0 {
						w.WriteByte(',')
					}
					events++
					_, err := w.Write(raw)
					return err
				})
			if errors.Is(err, store.ErrNotFound) {
				continue // erased or merged since the page was read: its data is elsewhere
			}
			if err != nil {
				return done, err
			}
			if _, err := w.WriteString("]}\n"); err != nil {
				return done, err
			}
			done++
		}
	}
}
