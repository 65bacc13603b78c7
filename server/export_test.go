package server

import "github.com/gofiber/fiber/v2"

// RoutesOf lists the routes a server built from o registers (middleware excluded),
// for the route audit.
func RoutesOf(o Options) []fiber.Route { return New(o).app.GetRoutes(true) }

// HoldIngestTurns makes every ingest request call hold once it holds its turn at the
// gate, before it decodes, until restore is called: a test holds turns by blocking in
// hold.
func HoldIngestTurns(hold func()) (restore func()) {
	admittedHook.Store(&hold)
	return func() { admittedHook.Store(nil) }
}
