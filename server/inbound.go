package server

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/openjds/jds/connectors/inbound"
	"github.com/openjds/jds/internal/quota"
)

// inboundRoutes serves the inbound webhooks of the config file's inbound list at
// /v1/connectors/{name}/webhook. HEAD answers 200 without a token for a configured
// name (Webex Connect checks a URL that way before saving it); POST is verified by
// the instance's own scheme, not by a jds token (except with scheme sas).
func (s *Server) inboundRoutes() {
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "jds_inbound_webhook_requests_total",
		Help: "Inbound webhook requests by connector and result: accepted, unauthorized, replay, invalid, throttled (the workspace's ingest quota), error.",
	}, []string{"connector", "result"})
	s.metrics.reg.MustRegister(requests)
	if s.inbound != nil {
		for name := range s.inbound.Webhooks {
			for _, r := range []string{"accepted", "unauthorized", "replay", "invalid", "throttled", "error"} {
				requests.WithLabelValues(name, r)
			}
		}
	}

	s.app.Head("/v1/connectors/:name/webhook", func(c *fiber.Ctx) error {
		if _, ok := s.inbound.Webhook(c.Params("name")); !ok {
			return c.SendStatus(http.StatusNotFound)
		}
		return c.SendStatus(http.StatusOK)
	})
	s.app.Post("/v1/connectors/:name/webhook", func(c *fiber.Ctx) error {
		name := c.Params("name")
		w, ok := s.inbound.Webhook(name)
		if !ok {
			return newError(http.StatusNotFound, fmt.Sprintf("no inbound webhook %q is configured", name))
		}
		count := func(result string) { requests.WithLabelValues(w.Name(), result).Inc() }
		if w.Scheme() == inbound.SchemeSAS {
			if err := s.inboundToken(c, w); err != nil {
				count("unauthorized")
				return err
			}
		}
		req := inbound.Request{
			Header:      http.Header{},
			ContentType: strings.Clone(c.Get(fiber.HeaderContentType)),
			RawQuery:    string(c.Request().URI().QueryString()),
			Body:        c.Body(), // read only while the handler runs
		}
		c.Request().Header.VisitAll(func(k, v []byte) { req.Header.Add(string(k), string(v)) })
		ctx, cancel := s.requestContext()
		defer cancel()
		res, err := w.Receive(ctx, req)
		var pe *inbound.PayloadError
		switch {
		case errors.Is(err, inbound.ErrUnauthorized):
			count("unauthorized")
			return newError(http.StatusUnauthorized, err.Error())
		case errors.Is(err, inbound.ErrReplay):
			count("replay")
			return newError(http.StatusConflict, err.Error())
		case errors.As(err, &pe):
			count("invalid") // the events are counted by the webhook (inbound.Options.Counted)
			return badRequest(pe.Msg, pe.Errors...)
		case errors.Is(err, quota.ErrThrottled):
			count("throttled") // handleError answers 429 (or 400 above the burst)
			return err
		case err != nil:
			count("error")
			return err
		}
		count("accepted")
		if w.Scheme() == inbound.SchemeTwilio {
			// Twilio reads the answer as TwiML: an empty Response sends no reply.
			c.Set(fiber.HeaderContentType, "text/xml; charset=utf-8")
			return c.Status(http.StatusOK).SendString(`<?xml version="1.0" encoding="UTF-8"?><Response></Response>`)
		}
		ids, persons := res.IDs, res.PersonIDs
		if ids == nil {
			ids, persons = []string{}, []string{}
		}
		return c.Status(http.StatusAccepted).JSON(envelope{Meta: meta(res.Workspace), Data: fiber.Map{
			"accepted": res.Accepted, "duplicates": res.Duplicates, "skipped": res.Skipped,
			"ids": ids, "personIds": persons,
		}})
	})
}

// inboundToken authenticates a webhook of scheme sas: a jds token with ds write
// permission on the webhook's workspace.
func (s *Server) inboundToken(c *fiber.Ctx, w *inbound.Webhook) error {
	tok, err := s.authenticate(c)
	if err != nil {
		return err
	}
	ws := w.Workspace()
	if err := tok.Allow("ds", true, ws.Org, ws.Name); err != nil {
		return newError(http.StatusForbidden, err.Error())
	}
	return nil
}
