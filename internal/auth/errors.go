// Package auth authenticates API callers with API keys (stored hashed, with roles), limits
// failed attempts and writes the audit log of mutating calls.
package auth

import "errors"

var (
	// ErrUnauthenticated means no credentials or wrong ones (HTTP 401).
	ErrUnauthenticated = errors.New("unauthenticated")
	// ErrForbidden means the caller's role does not allow the call (HTTP 403).
	ErrForbidden = errors.New("forbidden")
	// ErrRateLimited means too many failed attempts from this client (HTTP 429).
	ErrRateLimited = errors.New("too many failed authentication attempts")
)

// Principal is an authenticated caller.
type Principal struct {
	KeyID string `json:"keyId"`
	Name  string `json:"name"`
	Role  string `json:"role"` // store.RoleViewer | RoleEditor | RoleAdmin
}
