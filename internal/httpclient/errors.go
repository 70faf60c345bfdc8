package httpclient

import (
	"errors"
	"fmt"
	"time"
)

// Sentinel errors classify a failed request; every *Error matches exactly one of them with
// errors.Is, so callers never inspect messages.
var (
	// ErrStatus marks a response whose status is not 2xx.
	ErrStatus = errors.New("unsuccessful HTTP status")
	// ErrConnectionRefused marks a request the remote host refused to connect.
	ErrConnectionRefused = errors.New("connection refused")
	// ErrTimeout marks a request that ran out of time (its own timeout or ctx's deadline).
	ErrTimeout = errors.New("request timed out")
	// ErrCancelled marks a request whose ctx was cancelled.
	ErrCancelled = errors.New("request cancelled")
	// ErrBodyTooLarge marks a response body larger than the request's cap.
	ErrBodyTooLarge = errors.New("response body too large")
	// ErrTooManyRedirects marks a redirect chain longer than the request allows.
	ErrTooManyRedirects = errors.New("too many redirects")
	// ErrHostNotAllowed marks a request (or a redirect) to a host outside Options.AllowedHosts.
	ErrHostNotAllowed = errors.New("host not allowed")
	// ErrInvalidRequest marks a request that could not be built (bad URL, bad method).
	ErrInvalidRequest = errors.New("invalid request")
	// ErrNetwork marks any other transport failure (DNS, reset connection, TLS handshake).
	ErrNetwork = errors.New("network error")

	errUnsupportedScheme = errors.New("only http and https URLs are supported")
	errMissingHost       = errors.New("the URL has no host")
)

// Error is the one error type Client.Do returns. Its message is redacted and names the
// method and URL; Retryable and RetryAfter tell a retry policy what to do.
type Error struct {
	// Kind is one of the sentinels above; errors.Is(err, Kind) holds.
	Kind error
	// Method and URL identify the request (URL redacted, the first hop's URL).
	Method string
	URL    string
	// Status and StatusText are set for ErrStatus (and for ErrBodyTooLarge when known).
	Status     int
	StatusText string
	// RemoteMessage is the remote's own explanation, extracted from the body and truncated.
	RemoteMessage string
	// Retryable is true for 5xx, 408, 429, timeouts and network failures.
	Retryable bool
	// RetryAfter is the remote's Retry-After (seconds or HTTP date), 0 when absent.
	RetryAfter time.Duration
	// Response is the response received, for ErrStatus (body included).
	Response *Response
	// Err is the underlying cause, if any (a net.OpError, context.Canceled ...).
	Err error

	msg string
}

// Error returns the redacted message.
func (e *Error) Error() string { return e.msg }

// Unwrap returns the cause so that errors.Is finds context.Canceled, syscall errors etc.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is the error's Kind.
func (e *Error) Is(target error) bool { return target == e.Kind }

// newError builds an Error whose message is "<detail> (<METHOD> <url>)" style, redacted.
func (c *Client) newError(kind error, req *Request, cause error, format string, args ...any) *Error {
	return &Error{
		Kind:   kind,
		Method: req.method(),
		URL:    c.redact(req.URL),
		Err:    cause,
		msg:    c.redact(fmt.Sprintf(format, args...)),
	}
}

// statusError builds the ErrStatus error for a non-2xx response.
func (c *Client) statusError(req *Request, resp *Response, now time.Time) *Error {
	remote := c.redact(RemoteMessage(resp.Headers.Get("Content-Type"), resp.Body))
	msg := fmt.Sprintf("HTTP %d %s from %s %s", resp.Status, resp.StatusText, req.method(), req.URL)
	if remote != "" {
		msg += ": " + remote
	}
	retryAfter, _ := ParseRetryAfter(resp.Headers.Get("Retry-After"), now)
	return &Error{
		Kind:          ErrStatus,
		Method:        req.method(),
		URL:           c.redact(req.URL),
		Status:        resp.Status,
		StatusText:    resp.StatusText,
		RemoteMessage: remote,
		Retryable:     RetryableStatus(resp.Status),
		RetryAfter:    retryAfter,
		Response:      resp,
		msg:           c.redact(msg),
	}
}

// RetryableStatus reports whether a request that got status may succeed when repeated:
// 408 (Request Timeout), 429 (Too Many Requests) and every 5xx. Other statuses, the 4xx
// above all, are permanent: the same request will get the same answer.
func RetryableStatus(status int) bool {
	return status == 408 || status == 429 || (status >= 500 && status <= 599)
}
