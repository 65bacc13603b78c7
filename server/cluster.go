package server

import (
	"context"
	"encoding/json"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/rules/ruledir"
)

// Nodes sharing a store (store.Nodes, PostgreSQL): a reload asked of one node's API is
// broadcast to the others, which reload too, and a directory's status lists what every
// node loaded. On a store one process owns, both are this process alone.

// The topics of the broadcasts asking every node to reload a directory, and the names
// their loads are recorded under.
const (
	ReloadRules = "reload rules"
	ReloadFlows = "reload flows"
)

// Loads names the record of what each node loaded from a directory, by its reload topic.
var Loads = map[string]string{ReloadRules: "rules", ReloadFlows: "flows"}

// broadcast asks the other nodes sharing the store to act on topic; logged on failure.
func (s *Server) broadcast(ctx context.Context, topic string) {
	if n, ok := s.store.(store.Nodes); ok {
		if err := n.Broadcast(ctx, topic); err != nil {
			s.log.Warn("asking the other nodes to "+topic, "err", err)
		}
	}
}

// dirStatus answers a directory's status: this node's, and with several nodes sharing
// the store, what each of them loaded ("nodes", by node name; "node", this one).
func (s *Server) dirStatus(c *fiber.Ctx, m *ruledir.Manager, topic string) error {
	st := m.Status()
	n, ok := s.store.(store.Nodes)
	if !ok {
		return c.JSON(envelope{Meta: fiber.Map{}, Data: st})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	nodes, err := n.Loaded(ctx, Loads[topic])
	if err != nil {
		return err
	}
	raw, err := json.Marshal(st)
	if err != nil {
		return err
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		return err
	}
	if nodes == nil {
		nodes = []store.NodeLoad{}
	}
	out["node"], out["nodes"] = n.Node(), nodes
	return c.JSON(envelope{Meta: fiber.Map{}, Data: out})
}
