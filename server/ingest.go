package server

import (
	"context"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/store"
)

// ingestMode says what an ingest path accepts.
type ingestMode int

const (
	ingestSingle  ingestMode = iota // one event; a JSON array is taken as a batch too
	ingestBatch                     // a batch; one object is taken as a batch of one
	ingestJourney                   // whichever the body is, G2 bodies too (POST /v1/journey/events)
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
		ct := c.Get(fiber.HeaderContentType)
		mt := ""
		if ct != "" {
			mt, _, err = mime.ParseMediaType(ct)
			mt = strings.ToLower(mt)
			if err != nil || !slices.Contains(acceptedTypes, mt) {
				return newError(http.StatusUnsupportedMediaType,
					fmt.Sprintf("content type %q is not accepted; send one of %s", ct, strings.Join(acceptedTypes, ", ")),
					"Content-Type: unsupported")
			}
		}
		lim := s.limits
		lim.G2 = mode == ingestJourney
		attrs := binaryAttributes(c)
		binary := attrs != nil && !strings.HasPrefix(mt, "application/cloudevents")
		// Past the workspace's quota a request is refused before it is decoded, by its
		// number of items; the valid ones are taken from the quota once known.
		if s.quota.Active() {
			n := 1
			if !binary && event.IsBatch(c.Body()) {
				n = batchLen(c.Body())
			}
			if err := s.quota.Ready(ws, n); err != nil {
				return err
			}
		}
		ctx, cancel := s.requestContext()
		defer cancel()
		// Decoding and preparing is the CPU-heavy part: it waits for a turn at the gate,
		// and frees it before the commit is awaited.
		release, err := s.gate.enter(ctx)
		if err != nil {
			return err
		}
		defer release()
		admitted()
		// Binary content mode: the attributes are ce- headers and the body is data. A
		// cloudevents media type means structured mode whatever the headers say.
		if binary {
			ev, bad := event.DecodeBinary(attrs, ct, c.Body(), s.now(), lim)
			if mode == ingestBatch {
				var rejected map[int]*event.Invalid
				var evs []*event.Event
				if bad != nil {
					rejected = map[int]*event.Invalid{0: bad}
				} else {
					evs = []*event.Event{ev}
				}
				return s.appendBatch(ctx, c, ws, evs, rejected, release)
			}
			return s.appendOne(ctx, c, ws, ev, bad, release)
		}
		body := c.Body()
		if len(body) == 0 {
			return badRequest("the request has no body; send a CloudEvent or a JSON array of them", "body: required")
		}
		if event.IsBatch(body) || mode == ingestBatch {
			if !event.IsBatch(body) {
				body = append(append([]byte{'['}, body...), ']')
			}
			evs, _, rejected, err := event.DecodeBatch(body, s.now(), lim)
			if err != nil {
				field, reason, _ := strings.Cut(err.Error(), ": ")
				return badRequest(reason, field+": "+reason)
			}
			return s.appendBatch(ctx, c, ws, evs, rejected, release)
		}
		ev, bad := event.Decode(body, s.now(), lim)
		return s.appendOne(ctx, c, ws, ev, bad, release)
	}
}

// batchLen counts the items of a JSON array without decoding them (0 when there are
// none): commas outside strings at the array's own depth, plus one. Malformed JSON gives
// some count; the decoder says what is wrong with it.
func batchLen(body []byte) int {
	depth, commas, items := 0, 0, false
	inString, escaped := false, false
	for _, c := range body {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			continue
		}
		if depth == 1 && c != ']' && c != ',' {
			items = true
		}
		switch c {
		case '"':
			inString = true
		case '[', '{':
			depth++
		case ']', '}':
			depth--
		case ',':
			if depth == 1 {
				commas++
			}
		}
	}
	if !items {
		return 0
	}
	return commas + 1
}

// binaryAttributes returns the ce- headers of a binary-mode request by attribute name
// (lower case, values as received), or nil when the request has no ce-specversion.
func binaryAttributes(c *fiber.Ctx) map[string]string {
	if len(c.Request().Header.Peek("ce-specversion")) == 0 {
		return nil
	}
	attrs := map[string]string{}
	c.Request().Header.VisitAll(func(k, v []byte) {
		if len(k) > len(event.BinaryHeaderPrefix) && strings.EqualFold(string(k[:len(event.BinaryHeaderPrefix)]), event.BinaryHeaderPrefix) {
			attrs[strings.ToLower(string(k[len(event.BinaryHeaderPrefix):]))] = string(v)
		}
	})
	return attrs
}

// appendOne stores one decoded event, or answers why it was refused. prepared is called
// once the event is prepared, before its commit is awaited: it frees the gate's turn.
func (s *Server) appendOne(ctx context.Context, c *fiber.Ctx, ws store.Workspace, ev *event.Event, bad *event.Invalid, prepared func()) error {
	if bad != nil {
		s.pipeline.Refused(1)
		return badRequest("the event is invalid", bad.Errors...)
	}
	if err := s.quota.Take(ws, 1); err != nil {
		return err
	}
	evs := []*event.Event{ev}
	s.pipeline.Prepare(ws, evs)
	prepared()
	res, err := s.pipeline.Commit(ctx, ws, evs)
	if err != nil {
		return err
	}
	m := meta(ws)
	m["personId"] = res[0].PersonID
	return c.Status(http.StatusAccepted).JSON(envelope{Meta: m, Data: singleResult{
		Message: "Accepted for processing", ID: ev.ID, Duplicate: res[0].Duplicate,
	}})
}

// appendBatch stores the valid events of a batch and answers with a result per event;
// rejected holds the refused ones by index. Past the workspace's ingest quota the whole
// batch is refused, never a part of it. prepared is called once the events are
// prepared, before their commit is awaited: it frees the gate's turn.
func (s *Server) appendBatch(ctx context.Context, c *fiber.Ctx, ws store.Workspace, evs []*event.Event, rejected map[int]*event.Invalid, prepared func()) error {
	if err := s.quota.Take(ws, len(evs)); err != nil {
		return err
	}
	out := batchResult{Rejected: make([]rejectedItem, 0, len(rejected))}
	for i := 0; len(out.Rejected) < len(rejected); i++ {
		if bad, ok := rejected[i]; ok {
			out.Rejected = append(out.Rejected, rejectedItem{Index: i, ID: bad.ID, Errors: bad.Errors})
		}
	}
	s.pipeline.Refused(len(rejected))
	s.pipeline.Prepare(ws, evs)
	prepared()
	res, err := s.pipeline.Commit(ctx, ws, evs)
	if err != nil {
		return err
	}
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
