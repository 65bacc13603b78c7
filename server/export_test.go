package server

import "github.com/gofiber/fiber/v2"

// RoutesOf lists the routes a server built from o registers (middleware excluded),
// for the route audit.
func RoutesOf(o Options) []fiber.Route { return New(o).app.GetRoutes(true) }
