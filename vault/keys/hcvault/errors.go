package hcvault

import (
	"errors"
	"fmt"
)

// Sentinel errors. The errors returned by this package match them with
// errors.Is; their messages carry the detail (address, path, key name) and a
// hint, never the token or an input message.
var (
	// ErrUnreachable means no HTTP answer came from Vault (connection refused,
	// DNS failure, TLS failure, timeout).
	ErrUnreachable = errors.New("vault is unreachable")
	// ErrSealed means Vault answered that it is sealed.
	ErrSealed = errors.New("vault is sealed")
	// ErrNoToken means neither VAULT_TOKEN nor the token helper file gave a token.
	ErrNoToken = errors.New("no vault token")
	// ErrMountMissing means nothing is mounted at the configured Transit mount.
	ErrMountMissing = errors.New("transit mount not found")
	// ErrKeyMissing means the Transit key does not exist.
	ErrKeyMissing = errors.New("transit key not found")
	// ErrKeyVersion means the pinned key version cannot be used: it is below the
	// key's min_encryption_version, above its latest version, or not set.
	ErrKeyVersion = errors.New("transit key version not usable")
	// ErrConfig means the Config is invalid (bad mount or key name).
	ErrConfig = errors.New("invalid transit configuration")
	// ErrResponse means Vault's answer did not have the expected shape.
	ErrResponse = errors.New("unexpected answer from vault")
)

// vaultError is a one-line error that matches a sentinel and wraps a cause.
type vaultError struct {
	kind  error  // one of the sentinels above
	msg   string // one line, lowercase, no protected data
	hint  string // what to do; may be empty
	cause error  // the underlying error, may be nil; never printed
}

func (e *vaultError) Error() string {
	if e.hint == "" {
		return e.msg
	}
	return e.msg + " (hint: " + e.hint + ")"
}

// Unwrap exposes both the sentinel and the underlying cause.
func (e *vaultError) Unwrap() []error {
	if e.cause == nil {
		return []error{e.kind}
	}
	return []error{e.kind, e.cause}
}

func newError(kind error, cause error, hint string, format string, args ...any) error {
	return &vaultError{kind: kind, msg: fmt.Sprintf(format, args...), hint: hint, cause: cause}
}

// PermissionError reports that Vault refused a request (HTTP 403): the token
// lacks Capability on Path.
type PermissionError struct {
	Path       string // the Vault API path, without the leading /v1/, e.g. "transit/hmac/study/sha2-256"
	Capability string // the capability the request needs, e.g. "update" or "read"
	cause      error
}

func (e *PermissionError) Error() string {
	return fmt.Sprintf("vault denied permission: the token lacks the %q capability on path %q (hint: attach the policy printed by \"fieldvault transit policy\" to the token, or log in again if it expired)", e.Capability, e.Path)
}

// Unwrap returns the underlying *api.ResponseError.
func (e *PermissionError) Unwrap() error { return e.cause }

// BatchItemError reports that Vault answered a batch request but failed one of
// its items. Index is the item's position in the caller's msgs slice. Reason is
// Vault's message for the item; Vault's item messages name the problem (for
// example a base64 decoding offset), never the input itself.
type BatchItemError struct {
	Index  int
	Reason string
}

func (e *BatchItemError) Error() string {
	return fmt.Sprintf("vault failed batch item %d: %s (hint: nothing was stored; check the vault server log and retry)", e.Index, e.Reason)
}
