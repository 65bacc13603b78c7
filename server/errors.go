package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/identity"
	"github.com/openjds/jds/internal/live"
	"github.com/openjds/jds/internal/profiles"
	"github.com/openjds/jds/internal/quota"
	"github.com/openjds/jds/internal/store"
)

// streamRetryAfter is the Retry-After of a live stream refused for the subscriber
// limits: nobody knows when a slot frees, and a client's reconnecting loop should not
// hammer the instance.
const streamRetryAfter = 5

// noSpaceRetryAfter is the Retry-After, in seconds, of a write refused for want of free
// space: room comes back when an operator makes it, not in a second.
const noSpaceRetryAfter = 30

// apiError is an error a handler returns to choose the response: its status, a message
// saying what was wrong, and the list of "field: reason" problems.
type apiError struct {
	status int
	msg    string
	errs   []string
}

func (e *apiError) Error() string { return e.msg }

func newError(status int, msg string, errs ...string) error {
	return &apiError{status: status, msg: msg, errs: errs}
}

func badRequest(msg string, errs ...string) error {
	return newError(http.StatusBadRequest, msg, errs...)
}

// errorBody is the error envelope of the contract.
type errorBody struct {
	Status     string   `json:"status"`
	Message    string   `json:"message"`
	Errors     []string `json:"errors"`
	Timestamp  string   `json:"timestamp"`
	TrackingID string   `json:"trackingId"`
}

// statusLine renders 400 as "400 BAD_REQUEST".
func statusLine(code int) string {
	text := http.StatusText(code)
	if text == "" {
		text = "Unknown"
	}
	return fmt.Sprintf("%d %s", code, strings.ToUpper(strings.ReplaceAll(text, " ", "_")))
}

// handleError is the one place that turns a handler's error into a response, and the one
// place that logs the cause of a 5xx.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	status, msg, errs := http.StatusInternalServerError, "internal error", []string(nil)
	var ae *apiError
	var fe *fiber.Error
	var le *live.LimitError
	var qe *quota.Exceeded
	switch {
	case errors.As(err, &ae):
		status, msg, errs = ae.status, ae.msg, ae.errs
	case errors.As(err, &fe):
		status, msg = fe.Code, fe.Message
		if status == http.StatusRequestEntityTooLarge {
			msg = fmt.Sprintf("request body larger than %d bytes", s.cfg.Ingest.MaxBodyBytes)
			errs = []string{"body: too large"}
		}
	case errors.Is(err, store.ErrNotFound), errors.Is(err, profiles.ErrNotFound):
		status, msg = http.StatusNotFound, err.Error()
	case errors.Is(err, store.ErrConflict):
		// The status says "409 CONFLICT" already: the message says only what conflicts.
		status, msg = http.StatusConflict, withoutSentinel(err.Error(), store.ErrConflict)
	case errors.Is(err, identity.ErrTooManyAliases), errors.Is(err, identity.ErrBlockedAlias):
		status, msg = http.StatusBadRequest, err.Error()
	case errors.As(err, &le):
		status, msg = http.StatusTooManyRequests, le.Error()+"; retry later or close another stream"
		errs = []string{"stream: " + le.Error()}
		c.Set(fiber.HeaderRetryAfter, fmt.Sprint(streamRetryAfter))
	case errors.As(err, &qe):
		// A request larger than the burst never passes: 400, not a 429 to retry forever.
		status, msg, errs = http.StatusBadRequest, qe.Error(), []string{"events: more than limits.burst"}
		if !qe.Never() {
			status, errs = http.StatusTooManyRequests, []string{"events: over limits.eventsPerSecond"}
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(qe.RetryAfterSeconds()))
		}
	case errors.Is(err, store.ErrNoSpace):
		// Nothing was written, and the same request succeeds once there is room: the
		// ledger logged the shortage once; the message tells the client how big it is.
		status, msg = http.StatusInsufficientStorage, "no space left in the data directory"
		var se *store.SpaceError
		if errors.As(err, &se) {
			msg = se.Error()
		}
		msg += "; nothing was stored, retry later"
		errs = []string{"store: no space left"}
		c.Set(fiber.HeaderRetryAfter, fmt.Sprint(noSpaceRetryAfter))
	case errors.Is(err, errIngestBusy):
		// Nothing was decoded or stored; the same request succeeds once the queue drains.
		status, msg, errs = http.StatusServiceUnavailable, err.Error()+"; nothing was stored, retry later", []string{"ingest: busy"}
		c.Set(fiber.HeaderRetryAfter, fmt.Sprint(ingestBusyRetryAfter))
	case errors.Is(err, store.ErrClosed):
		status, msg = http.StatusServiceUnavailable, "shutting down"
	case errors.Is(err, context.DeadlineExceeded):
		status, msg = http.StatusServiceUnavailable, "request took too long; it may still complete, retry with the same event ids"
	}
	if status >= 500 && !errors.Is(err, store.ErrNoSpace) {
		s.log.Error("request failed", "method", c.Method(), "path", c.Path(), "status", status, "request_id", requestID(c), "err", err)
	} else {
		s.logRejection(c, status, msg)
	}
	return c.Status(status).JSON(s.errorBody(c, status, msg, errs))
}

// withoutSentinel removes the text of sentinel from an error message that wraps it, at
// its start ("conflict: alias …") or its end ("… not dead: conflict").
func withoutSentinel(msg string, sentinel error) string {
	word := sentinel.Error()
	if m, ok := strings.CutPrefix(msg, word+": "); ok {
		return m
	}
	if m, ok := strings.CutSuffix(msg, ": "+word); ok {
		return m
	}
	return strings.Replace(msg, word+": ", "", 1)
}

func (s *Server) logRejection(c *fiber.Ctx, status int, msg string) {
	s.log.Info("request rejected", "method", c.Method(), "path", c.Path(), "status", status, "request_id", requestID(c), "message", msg)
}

func (s *Server) errorBody(c *fiber.Ctx, status int, msg string, errs []string) errorBody {
	if errs == nil {
		errs = []string{}
	}
	return errorBody{
		Status:     statusLine(status),
		Message:    msg,
		Errors:     errs,
		Timestamp:  s.now().UTC().Format(event.TimeLayout),
		TrackingID: requestID(c),
	}
}
