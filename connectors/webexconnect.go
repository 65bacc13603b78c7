package connectors

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
)

var webexConnectKind = Kind{
	Name: "webexconnect",
	Doc: md(`Starts a Webex Connect flow by POSTing JSON to the flow's Inbound Webhook
(the URL Webex Connect gives the webhook, e.g. ~https://hooks.us.webexconnect.io/events/ABCD1234~);
the flow then sends the SMS, books the callback, or whatever it was built to do.
An Inbound Webhook accepts any JSON object and makes its fields, parsed by
JSON path, available to the flow as variables.

The body is a JSON object: the delivery's body when it has one (it must then
be a JSON object), the delivery's attributes as string fields, and a ~jds~
object with the delivery's metadata (~deliveryId~, ~eventId~, ~personId~,
~actionId~, ~action~), so a flow can key on ~$.jds.deliveryId~ to
drop a repeated attempt. The request carries ~Idempotency-Key~ too.

Authentication is optional on an Inbound Webhook. When it is enabled, give the
Webex Connect service's service key (sent as the ~key~ header), or
set the header the webhook expects with ~headers~ (a JWT, for
instance). A 2xx means Webex Connect accepted the event; what the flow does
next is recorded in Webex Connect, not here.`),
	Spec: []Field{
		{Name: "url", Type: TypeString, Required: true, Secret: true, Doc: "The Inbound Webhook's URL. Anyone holding it can start the flow, so keep it out of the file."},
		{Name: "serviceKey", Type: TypeString, Secret: true, Doc: "Service key of the Webex Connect service that owns the flow, sent as the `key` header."},
		{Name: "headers", Type: TypeMap, Doc: "Further headers for every request (e.g. `Authorization: Bearer ${CONNECT_JWT}`)."},
		timeoutField,
	},
	New: newWebexConnect,
}

func init() { Register(webexConnectKind) }

// WebexConnect is the webexconnect kind's Sender.
type WebexConnect struct {
	http    *httpClient
	url     string
	headers http.Header
}

var (
	_ Sender    = (*WebexConnect)(nil)
	_ io.Closer = (*WebexConnect)(nil)
)

func newWebexConnect(c *Config) (Sender, error) {
	w := &WebexConnect{http: newHTTPClient(c, c.Duration("timeout")), headers: http.Header{}}
	var errs []error
	if u, err := parseTarget(c.String("url")); err != nil {
		errs = append(errs, c.Errorf("url", "%v", err))
	} else {
		w.url = u.String()
	}
	for name, v := range c.Map("headers") {
		if err := checkHeader(name, v); err != nil {
			errs = append(errs, c.Errorf("headers."+name, "%v", err))
			continue
		}
		w.headers.Set(name, v)
	}
	if k := c.String("serviceKey"); k != "" {
		if w.headers.Get("key") != "" {
			errs = append(errs, c.Errorf("headers.key", "set by serviceKey already"))
		}
		if checkHeader("key", k) != nil {
			errs = append(errs, c.Errorf("serviceKey", "contains a control character"))
		}
		w.headers.Set("key", k)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return w, nil
}

// Send makes one attempt; see Sender.
func (w *WebexConnect) Send(ctx context.Context, d Delivery) Outcome {
	if d.ID == "" {
		return invalid("no id")
	}
	body, err := webexConnectBody(d)
	if err != nil {
		return invalid("%v", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(body))
	if err != nil {
		return invalid("%v", err)
	}
	req.Header = w.headers.Clone()
	req.Header.Set("Content-Type", "application/json")
	setCommonHeaders(req, d)
	// do's errors name the host only, never the URL, which is the credential.
	out, _ := w.http.do(ctx, req)
	return out
}

// webexConnectBody builds the JSON object the flow receives.
func webexConnectBody(d Delivery) ([]byte, error) {
	obj := map[string]any{}
	if strings.TrimSpace(d.Body) != "" {
		dec := json.NewDecoder(strings.NewReader(d.Body))
		dec.UseNumber() // keep numbers exactly as the action wrote them
		if err := dec.Decode(&obj); err != nil {
			return nil, errors.New("the body is not a JSON object")
		}
		if dec.More() {
			return nil, errors.New("the body holds more than one JSON value")
		}
	}
	for k, v := range d.Attributes {
		obj[k] = v
	}
	meta := map[string]any{"deliveryId": d.ID}
	for k, v := range map[string]string{"eventId": d.EventID, "personId": d.PersonID, "actionId": d.ActionID, "action": d.Action} {
		if v != "" {
			meta[k] = v
		}
	}
	if len(d.Aliases) > 0 {
		meta["aliases"] = d.Aliases
	}
	if len(d.Profile) > 0 {
		meta["profile"] = d.Profile
	}
	obj["jds"] = meta
	return json.Marshal(obj)
}

// Close releases idle connections.
func (w *WebexConnect) Close() error { return w.http.Close() }
