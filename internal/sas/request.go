package sas

import (
	"net/url"
	"strings"
)

// FromRequest picks the token a request offers, looking in this order at
//
//   - authorization, the Authorization header: "SharedAccessSignature <t>",
//     or "Bearer <t>" where <t> may itself start with Prefix (schemes are
//     matched case-insensitively; other schemes are passed over);
//   - rawQuery, the query string still URL-encoded, for clients that cannot
//     set headers (browsers' EventSource): bearerToken=<url-encoded token>,
//     or else the token's own parameters (so=…&sn=…&…&sig=…) directly in the
//     query, recognised by the presence of sig.
//
// The result is meant for Parse (or Keyring.Authenticate); FromRequest does
// not check it. ok is false when nothing is offered (→ 401 "missing token").
func FromRequest(authorization, rawQuery string) (tok string, ok bool) {
	if tok, ok := fromHeader(authorization); ok {
		return tok, true
	}
	return fromQuery(rawQuery)
}

func fromHeader(h string) (string, bool) {
	h = strings.TrimSpace(h)
	i := strings.IndexAny(h, " \t")
	if i < 0 {
		return "", false
	}
	kind, rest := h[:i], strings.TrimSpace(h[i+1:])
	if rest == "" {
		return "", false
	}
	switch {
	case strings.EqualFold(kind, scheme):
		return h, true
	case strings.EqualFold(kind, "Bearer"):
		return rest, true
	}
	return "", false
}

func fromQuery(rawQuery string) (string, bool) {
	if rawQuery == "" {
		return "", false
	}
	pairs := strings.Split(rawQuery, "&")
	for _, p := range pairs {
		k, v, _ := strings.Cut(p, "=")
		if k != "bearerToken" {
			continue
		}
		// A form encoder (encodeURIComponent, quote_plus) wrote the whole
		// token as one value, so decode it the form way: '+' is a space,
		// as in "SharedAccessSignature+so=…". A sig inside stays
		// percent-encoded once more, which Parse undoes.
		d, err := url.QueryUnescape(v)
		if err != nil {
			d = v // let Parse report it as malformed rather than "missing"
		}
		if d = strings.TrimSpace(d); d != "" {
			return d, true
		}
	}

	// The token's parameters directly in the query. Only the seven token
	// parameters are kept: the rest of the query belongs to the endpoint.
	var kept []string
	hasSig := false
	for _, p := range pairs {
		k, v, _ := strings.Cut(p, "=")
		if paramIndex(k) < 0 {
			continue
		}
		hasSig = hasSig || k == "sig"
		// PathUnescape rather than QueryUnescape: '+' here is far more
		// likely a literal (a base64 sig, an expiry's "+00:00" offset)
		// than a space, and no token value contains a space.
		if d, err := url.PathUnescape(v); err == nil {
			v = d
		}
		kept = append(kept, k+"="+v)
	}
	if !hasSig {
		return "", false
	}
	return strings.Join(kept, "&"), true
}
