package connectors

import (
	"crypto/hmac"
	"strings"
)

// The Standard Webhooks scheme (https://www.standardwebhooks.com/), shared
// by the webhook kind, which signs what it sends, and inbound webhooks,
// which verify what they receive.

// DecodeStandardWebhooksSecret reads a Standard Webhooks symmetric secret,
// "whsec_" and the base64 of at least 24 bytes, into the HMAC key.
func DecodeStandardWebhooksSecret(secret string) ([]byte, error) {
	return decodeSigningSecret(secret)
}

// StandardWebhooksSignature is the webhook-signature header value for one
// message: "v1," and the base64 HMAC-SHA256 of "<id>.<timestamp>.<body>".
func StandardWebhooksSignature(key []byte, id, timestamp string, body []byte) string {
	return sign(key, id, timestamp, string(body))
}

// VerifyStandardWebhooks reports whether the webhook-signature header value
// (space-separated "v1,<base64>" signatures; other versions are skipped)
// holds a valid signature of the message. It compares in constant time.
func VerifyStandardWebhooks(key []byte, id, timestamp string, body []byte, header string) bool {
	want := []byte(StandardWebhooksSignature(key, id, timestamp, body))
	ok := false
	for _, sig := range strings.Fields(header) {
		if strings.HasPrefix(sig, "v1,") && hmac.Equal([]byte(sig), want) {
			ok = true
		}
	}
	return ok
}
