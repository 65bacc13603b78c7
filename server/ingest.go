package server

import (
	"context"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/openjds/jds/event"
	"github.com/openjds/jds/ledger"
)

// ingestMode says what an ingest path accepts.
type ingestMode int

const (
	ingestSingle ingestMode = iota // one event; a JSON array is taken as a batch too
	ingestBatch                    // a batch; one object is taken as a batch of one
	ingestEither                   // whichever the body is
)

type singleResult struct {
	Message   string `json:"message"`
	ID        string `json:"id"`
	Duplicate bool   `json:"duplicate"`
}

// rejectedItem is one refused event of a batch.
type rejectedItem struct {
	Index  int      `json:"index"`
	ID     string   `json:"id,omitempty"`
	Errors []string `json:"errors"`
}

// batchResult is the data of a batch response. Accepted counts every event acknowledged,
// duplicates included; Duplicates says how many of those were already stored.
type batchResult struct {
	Accepted   int            `json:"accepted"`
	Duplicates int            `json:"duplicates"`
	Rejected   []rejectedItem `json:"rejected"`
}

var acceptedTypes = []string{"application/json", "application/cloudevents+json", "application/cloudevents-batch+json"}

func (s *Server) ingest(mode ingestMode) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ws, err := s.workspace(c)
		if err != nil {
			return err
		}
		if ct := c.Get(fiber.HeaderContentType); ct != "" {
			mt, _, err := mime.ParseMediaType(ct)
			if err != nil || !slices.Contains(acceptedTypes, strings.ToLower(mt)) {
				return newError(http.StatusUnsupportedMediaType,
					fmt.Sprintf("content type %q is not accepted; send one of %s", ct, strings.Join(acceptedTypes, ", ")),
					"Content-Type: unsupported")
			}
		}
		body := c.Body()
		if len(body) == 0 {
			return badRequest("the request has no body; send a CloudEvent or a JSON array of them", "body: required")
		}
		ctx, cancel := s.requestContext()
		defer cancel()
		if event.IsBatch(body) || mode == ingestBatch {
			if !event.IsBatch(body) {
				body = append(append([]byte{'['}, body...), ']')
			}
			return s.ingestBatch(ctx, c, ws, body)
		}
		return s.ingestOne(ctx, c, ws, body)
	}
}

func (s *Server) ingestOne(ctx context.Context, c *fiber.Ctx, ws ledger.Workspace, body []byte) error {
	ev, bad := event.Decode(body, s.now(), s.limits)
	if bad != nil {
		s.metrics.events.WithLabelValues("rejected").Inc()
		return badRequest("the event is invalid", bad.Errors...)
	}
	res, err := s.store.Append(ctx, ws, []*event.Event{ev})
	if err != nil {
		return err
	}
	s.countAccepted(res)
	m := meta(ws)
	m["personId"] = res[0].PersonID
	return c.Status(http.StatusAccepted).JSON(envelope{Meta: m, Data: singleResult{
		Message: "Accepted for processing", ID: ev.ID, Duplicate: res[0].Duplicate,
	}})
}

func (s *Server) ingestBatch(ctx context.Context, c *fiber.Ctx, ws ledger.Workspace, body []byte) error {
	evs, _, rejected, err := event.DecodeBatch(body, s.now(), s.limits)
	if err != nil {
		field, reason, _ := strings.Cut(err.Error(), ": ")
		return badRequest(reason, field+": "+reason)
	}
	out := batchResult{Rejected: make([]rejectedItem, 0, len(rejected))}
	for i := 0; len(out.Rejected) < len(rejected); i++ {
		if bad, ok := rejected[i]; ok {
			out.Rejected = append(out.Rejected, rejectedItem{Index: i, ID: bad.ID, Errors: bad.Errors})
		}
	}
	s.metrics.events.WithLabelValues("rejected").Add(float64(len(rejected)))
	res, err := s.store.Append(ctx, ws, evs)
	if err != nil {
		return err
	}
	s.countAccepted(res)
	out.Accepted = len(res)
	for _, r := range res {
		if r.Duplicate {
			out.Duplicates++
		}
	}
	switch {
	case len(evs) == 0:
		// Nothing landed: the error envelope, with the per-event results beside it.
		var errs []string
		for _, r := range out.Rejected {
			for _, e := range r.Errors {
				errs = append(errs, fmt.Sprintf("[%d] %s", r.Index, e))
			}
		}
		s.logRejection(c, http.StatusBadRequest, "no event of the batch is valid")
		return c.Status(http.StatusBadRequest).JSON(struct {
			errorBody
			envelope
		}{s.errorBody(c, http.StatusBadRequest, "no event of the batch is valid", errs), envelope{Meta: meta(ws), Data: out}})
	case len(rejected) > 0:
		return c.Status(http.StatusMultiStatus).JSON(envelope{Meta: meta(ws), Data: out})
	}
	return c.Status(http.StatusAccepted).JSON(envelope{Meta: meta(ws), Data: out})
}

func (s *Server) countAccepted(res []ledger.AppendResult) {
	dups := 0
	for _, r := range res {
		if r.Duplicate {
			dups++
		}
	}
	s.metrics.events.WithLabelValues("accepted").Add(float64(len(res) - dups))
	s.metrics.events.WithLabelValues("duplicate").Add(float64(dups))
}
