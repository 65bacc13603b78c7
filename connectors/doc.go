// Package connectors sends journey-action deliveries to partners: a generic
// webhook, a Webex Connect inbound webhook, Twilio Programmable Messaging, or
// the process log. It owns the [Sender] contract, the registry of connector
// kinds (each registers itself from an init function with a config spec and
// documentation, as Redpanda Connect's components do), the strict validation
// of the instances configured by name in the config file ([Build]), and the
// one rule that turns an HTTP attempt into an [Outcome] (success, retryable
// failure with an optional Retry-After, or permanent failure).
//
// It does not own the schedule. An action firing writes a [Delivery] to the
// durable outbox in the same commit as the event; the delivery worker takes it
// from there, calls Send once per attempt, and decides from the Outcome when
// to try again (exponential backoff with jitter, never sooner than
// Outcome.RetryAfter) and when to give up (the dead-letter list). A Sender
// never retries, sleeps or backs off by itself. Rendering `${expr}` templates
// is the action's job too: a Delivery arrives with its fields final.
//
// # Configuration
//
// Instances are a list in the config file; name and kind are common, every
// other key belongs to the kind's spec:
//
//	connectors:
//	  - name: sms
//	    kind: twilio
//	    accountSid: AC0123456789abcdef0123456789abcdef
//	    authToken: ${TWILIO_TOKEN}
//	    from: "+15550100"
//
// A string value written whole as ${NAME} is read from the environment
// variable NAME, so the file can be committed without its secrets; an unset
// or empty variable is an error. [Build] checks every instance against its
// kind's spec (unknown keys, wrong types, missing required fields, bad
// values) and reports every problem at once, each naming the instance and the
// field. Docs for every kind are generated from the specs ([Markdown]) into
// docs/connectors.md.
//
// # Targets
//
// Any http or https URL is allowed by default, loopback and private addresses
// included: jds is self-hosted middleware and the partner is often next to
// it. A webhook instance may restrict the hosts its deliveries reach with
// allowHosts. Redirects are never followed (a 3xx is a permanent failure), so
// a partner cannot move a delivery to a host the configuration did not name.
package connectors
