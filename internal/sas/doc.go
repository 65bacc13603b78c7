// Package sas owns SharedAccessSignature (SAS) tokens, the credentials every
// JDS endpoint accepts: their syntax (Parse, Sign), where an HTTP request may
// carry one (FromRequest), signature and expiry checks (Token.Verify), the
// authorization decision for one request (Token.Allow), and the in-memory
// Keyring of signing secrets that Keyring.Authenticate checks tokens against.
//
// The format is the one the JDS SDK generators produce:
//
//	SharedAccessSignature so=<org>&sn=<workspace>&ss=<service>&sp=<perm>&se=<expiry>&sk=<keyName>&sig=<sig>
//
// where sig is the URL-encoded, standard base64 HMAC-SHA256 of
// "so=…&sn=…&ss=…&sp=…&se=…&sk=…" keyed with the UTF-8 bytes of the secret.
//
// It does not own HTTP: FromRequest takes plain strings and the caller maps
// the sentinel errors to status codes (ErrMalformed, ErrBadSignature,
// ErrExpired and ErrUnknownKey to 401, ErrForbidden to 403). It does not
// persist keys or read configuration either: whoever owns the key store and
// the config file fills the Keyring with Put and Delete.
package sas
