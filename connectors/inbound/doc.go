// Package inbound turns what partners send or serve into journey events:
// inbound webhooks (POST /v1/connectors/{name}/webhook) that verify their
// sender and map the payload to events, and pollers that GET a partner's
// API on a schedule with a durable cursor. Both write through the ledger
// exactly like ingest: the same validation (package event), the same group
// commit, acknowledged only once durable, and event ids derived from the
// payload so that a retried delivery is a duplicate, not a second event.
//
// Instances are configured by name in the config file's inbound list, in
// the shape of the connectors list (name, kind, the kind's keys, ${ENV}
// secrets), and checked with the connectors package's spec machinery; Build
// reports every problem at once, naming the instance and the key. Mappings
// are expr expressions compiled once by Build; two are built in: Webex
// Contact Center task events (webexcc) and Twilio's incoming SMS (twiliosms).
//
// It does not own HTTP (package server translates requests into Receive
// calls), the schedule (the service runs each Poller's Poll from its cron),
// nor outbound deliveries (package connectors).
package inbound
