// Package auth authenticates API callers with API keys (stored hashed, with roles), limits
// failed attempts and writes the audit log of mutating calls.
//
// A key has a public id and a secret of 32 random bytes. Clients send
// "Authorization: ApiKey base64(id:secret)" (the form Kibana takes) or
// "Authorization: Bearer base64(id:secret)"; both schemes also take the raw "id:secret". Only
// SHA-256 of the secret is stored and it is compared in constant time: the secret carries 256
// bits of entropy, so a slow password hash (bcrypt, argon2) would add cost on every request
// and no protection.
//
// Failed attempts are limited per client IP by a small token bucket written here rather than
// golang.org/x/time/rate: it needs one bucket per address with eviction of idle ones and the
// injected clock of the tests, which is about as much code as wrapping rate.Limiter would be.
package auth

import (
	"errors"
	"fmt"
	"time"
)

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

// RateLimitError is ErrRateLimited with the time the client should wait before trying again.
// Its RetryAfter method is what the API reads to send the Retry-After header with the 429.
type RateLimitError struct {
	Wait time.Duration
}

// Error says how long to wait, rounded up to whole seconds as Retry-After is.
func (e *RateLimitError) Error() string {
	return fmt.Sprintf("%s: retry in %s", ErrRateLimited, e.RetryAfter())
}

// Unwrap makes errors.Is(err, ErrRateLimited) hold.
func (e *RateLimitError) Unwrap() error { return ErrRateLimited }

// RetryAfter is Wait rounded up to whole seconds, at least one.
func (e *RateLimitError) RetryAfter() time.Duration { return retrySeconds(e.Wait) }

// RetryAfter returns how long the client must wait when err is a rate limit, else zero. The
// value is rounded up to whole seconds, at least one.
func RetryAfter(err error) time.Duration {
	var rl *RateLimitError
	if !errors.As(err, &rl) {
		return 0
	}
	return rl.RetryAfter()
}

// retrySeconds rounds d up to whole seconds, at least one.
func retrySeconds(d time.Duration) time.Duration {
	s := (d + time.Second - 1) / time.Second
	if s < 1 {
		s = 1
	}
	return s * time.Second
}
