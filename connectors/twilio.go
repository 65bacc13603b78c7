package connectors

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

var twilioKind = Kind{
	Name: "twilio",
	Doc: md(`Sends an SMS (or any channel Twilio Programmable Messaging serves, e.g.
~whatsapp:+1555…~ addresses) with Twilio's Messages resource:
~POST {baseURL}/2010-04-01/Accounts/{accountSid}/Messages.json~ with the form
fields ~To~, ~Body~ and ~MessagingServiceSid~ (when one is set) or ~From~,
authenticated with HTTP Basic ~accountSid:authToken~. Twilio answers 201 with the
message resource; an error answer's JSON ~code~ and ~message~ become the
attempt's error (e.g. 21211, invalid To number, is permanent; 20429, too many
requests, is retried). A 2xx means Twilio queued the message, not that the
phone received it.`),
	Spec: []Field{
		{Name: "accountSid", Type: TypeString, Required: true, Doc: "Account SID, `AC` and 32 hex digits."},
		{Name: "authToken", Type: TypeString, Required: true, Secret: true, Doc: "The account's auth token."},
		{Name: "from", Type: TypeString, Doc: "Sender: a Twilio number in E.164 (quote it in YAML: `\"+15550100\"`), short code or channel address. This or messagingServiceSid is required; a delivery's `from` attribute overrides it."},
		{Name: "messagingServiceSid", Type: TypeString, Doc: "Messaging Service SID (`MG…`); Twilio picks the sender from the service. Wins over from."},
		{Name: "baseURL", Type: TypeString, Default: "https://api.twilio.com", Doc: "API root; change it only for tests or a proxy."},
		timeoutField,
	},
	Attributes: []Field{
		{Name: "to", Type: TypeString, Required: true, Doc: "Recipient, E.164 (`+15550123`) or a channel address."},
		{Name: "body", Type: TypeString, Required: true, Doc: "Message text."},
		{Name: "from", Type: TypeString, Doc: "Sender for this message, overriding the instance's from and messagingServiceSid."},
		{Name: "messagingServiceSid", Type: TypeString, Doc: "Messaging Service for this message, overriding the instance's."},
	},
	New: newTwilio,
}

func init() { Register(twilioKind) }

// Twilio is the twilio kind's Sender.
type Twilio struct {
	http      *httpClient
	endpoint  string // the Messages resource
	sid       string
	token     string
	from      string
	msService string
}

var (
	_ Sender    = (*Twilio)(nil)
	_ io.Closer = (*Twilio)(nil)
)

var (
	accountSID = regexp.MustCompile(`^AC[0-9a-fA-F]{32}$`)
	serviceSID = regexp.MustCompile(`^MG[0-9a-fA-F]{32}$`)
)

func newTwilio(c *Config) (Sender, error) {
	t := &Twilio{
		http:      newHTTPClient(c, c.Duration("timeout")),
		sid:       c.String("accountSid"),
		token:     c.String("authToken"),
		from:      c.String("from"),
		msService: c.String("messagingServiceSid"),
	}
	var errs []error
	if !accountSID.MatchString(t.sid) {
		errs = append(errs, c.Errorf("accountSid", "%q is not an account SID (AC and 32 hex digits)", t.sid))
	}
	if t.msService != "" && !serviceSID.MatchString(t.msService) {
		errs = append(errs, c.Errorf("messagingServiceSid", "%q is not a Messaging Service SID (MG and 32 hex digits)", t.msService))
	}
	if t.from == "" && t.msService == "" {
		errs = append(errs, c.Errorf("from", "%w unless messagingServiceSid is set", ErrRequired))
	}
	base, err := parseTarget(c.String("baseURL"))
	if err != nil {
		errs = append(errs, c.Errorf("baseURL", "%v", err))
	} else {
		t.endpoint = strings.TrimSuffix(base.String(), "/") + "/2010-04-01/Accounts/" + url.PathEscape(t.sid) + "/Messages.json"
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return t, nil
}

// Send makes one attempt; see Sender.
func (t *Twilio) Send(ctx context.Context, d Delivery) Outcome {
	if d.ID == "" {
		return invalid("no id")
	}
	a := d.Attributes
	if a["to"] == "" {
		return invalid("no \"to\" attribute")
	}
	if a["body"] == "" {
		return invalid("no \"body\" attribute")
	}
	form := url.Values{"To": {a["to"]}, "Body": {a["body"]}}
	from, service := t.from, t.msService
	if a["from"] != "" {
		from, service = a["from"], ""
	}
	if a["messagingServiceSid"] != "" {
		service = a["messagingServiceSid"]
	}
	if service != "" {
		form.Set("MessagingServiceSid", service)
	} else {
		form.Set("From", from)
	}
	body := form.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.endpoint, strings.NewReader(body))
	if err != nil {
		return invalid("%v", err)
	}
	req.SetBasicAuth(t.sid, t.token)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	setCommonHeaders(req, d)
	out, raw := t.http.do(ctx, req)
	var se *StatusError
	if errors.As(out.Err, &se) {
		// Twilio's error document: {"code": 21211, "message": "...",
		// "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400}.
		var doc struct {
			Code    json.Number `json:"code"`
			Message string      `json:"message"`
		}
		if json.Unmarshal(raw, &doc) == nil {
			if doc.Code != "" {
				if _, err := strconv.ParseInt(doc.Code.String(), 10, 64); err == nil {
					se.Code = doc.Code.String()
				}
			}
			if doc.Message != "" {
				se.Message = doc.Message
			}
		}
	}
	return out
}

// Close releases idle connections.
func (t *Twilio) Close() error { return t.http.Close() }
