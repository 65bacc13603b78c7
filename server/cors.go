package server

import (
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/cors"

	"github.com/openjds/jds/config"
)

// Cross-origin access (config cors.allowOrigins): the widget and the console embedded in
// another origin's page (Agent Desktop, a CRM) load /widget/customer-journey.js as a
// module script, call the API with fetch and follow live streams with EventSource, all
// in CORS mode. An allowed origin gets Access-Control-Allow-Origin on every response,
// errors included, so that the page can read the error envelope; any other origin gets
// no grant, and its preflights a 403.
//
// Credentials are never granted: tokens travel in the Authorization header or, for
// EventSource, in the query string, not in cookies.
const (
	corsMethods = "GET,POST,PUT,PATCH,DELETE,HEAD"
	// corsHeaders are the request headers the widget, the console and API clients send
	// that are not CORS-safelisted. Last-Event-ID is what an EventSource resumes with.
	corsHeaders = "Authorization,Content-Type,Accept,Last-Event-ID,X-Request-ID,If-None-Match"
	// corsExpose lets the page read the request id that error envelopes call trackingId.
	corsExpose = "X-Request-ID"
	// corsMaxAge is how long a browser may reuse a preflight's answer, in seconds.
	corsMaxAge = 600
)

// corsHandlers returns the middleware that answers preflights and grants cross-origin
// reads to the origins c allows. They run before routing: a preflight (OPTIONS) matches
// no route.
func (s *Server) corsHandlers(c config.CORS) []fiber.Handler {
	allowed := originMatcher(c.AllowOrigins)
	refuse := func(ctx *fiber.Ctx) error {
		origin := ctx.Get(fiber.HeaderOrigin)
		if ctx.Method() != fiber.MethodOptions || origin == "" || ctx.Get(fiber.HeaderAccessControlRequestMethod) == "" || allowed(origin) {
			return ctx.Next()
		}
		ctx.Vary(fiber.HeaderOrigin)
		return newError(fiber.StatusForbidden,
			fmt.Sprintf("origin %s may not call jds from a browser: it is not in cors.allowOrigins", origin),
			"Origin: not allowed")
	}
	if len(c.AllowOrigins) == 0 {
		return []fiber.Handler{refuse}
	}
	cfg := cors.Config{
		AllowMethods:  corsMethods,
		AllowHeaders:  corsHeaders,
		ExposeHeaders: corsExpose,
		MaxAge:        corsMaxAge,
	}
	if len(c.AllowOrigins) == 1 && c.AllowOrigins[0] == "*" {
		cfg.AllowOrigins = "*"
	} else {
		// A function rather than Fiber's own list, which panics on an entry it cannot
		// parse: config.Validate has already said what is wrong with those.
		cfg.AllowOriginsFunc = allowed
	}
	return []fiber.Handler{refuse, cors.New(cfg)}
}

// originMatcher reports whether a request's Origin header is one of origins, or any
// origin when origins is ["*"]. Origins compare case-insensitively, as browsers send
// scheme and host in lower case.
func originMatcher(origins []string) func(string) bool {
	set := make(map[string]bool, len(origins))
	for _, o := range origins {
		if o == "*" {
			return func(string) bool { return true }
		}
		set[strings.ToLower(o)] = true
	}
	return func(origin string) bool { return set[strings.ToLower(origin)] }
}
