package server

import (
	"fmt"
	"maps"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/openjds/jds/flows"
)

// dryRunParams are the query parameters of a flow's dry run; they are not request
// fields of a dry run.
var dryRunParams = []string{"dryRun", "at", "trace"}

// dryRunOf reads ?dryRun=true&at=<RFC 3339>&trace=true. at and trace are read only with
// dryRun=true: without it they are request fields like any other, as before.
func dryRunOf(c *fiber.Ctx) (flows.Request, error) {
	var r flows.Request
	var err error
	if r.DryRun, err = flagParam(c, "dryRun"); err != nil || !r.DryRun {
		return r, err
	}
	if r.Trace, err = flagParam(c, "trace"); err != nil {
		return r, err
	}
	if at := c.Query("at"); at != "" {
		if r.At, err = time.Parse(time.RFC3339Nano, at); err != nil {
			return r, badRequest("at must be an RFC 3339 time", fmt.Sprintf("at: must be an RFC 3339 time, got %q", at))
		}
	}
	return r, nil
}

// traced is a traced dry run's answer: the flow's flat answer with the trace beside
// it, under "trace".
func traced(d flows.Decision) map[string]any {
	out := maps.Clone(d.Answer)
	if out == nil {
		out = map[string]any{}
	}
	out["trace"] = d.Trace
	return out
}
