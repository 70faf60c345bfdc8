package httpclient

import (
	"errors"
	"fmt"
	"net/netip"
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
	// ErrAddressDenied marks a request (or a redirect) whose host resolves only to addresses
	// the egress policy refuses: cloud metadata endpoints always, non-public addresses with
	// Options.DenyPrivate. It is permanent: the same request will be refused again.
	ErrAddressDenied = errors.New("address denied")
	// ErrInvalidOptions marks a request made with a Client whose Options are invalid (a bad
	// PEM, proxy URL or verification mode); NewChecked reports the same problem up front.
	ErrInvalidOptions = errors.New("invalid client options")
	// ErrInvalidRequest marks a request that could not be built (bad URL, bad method).
	ErrInvalidRequest = errors.New("invalid request")
	// ErrNetwork marks any other transport failure (DNS, reset connection, TLS handshake).
	ErrNetwork = errors.New("network error")

	errUnsupportedScheme = errors.New("only http and https URLs are supported")
	errMissingHost       = errors.New("the URL has no host")
	errNoAddresses       = errors.New("no addresses found")
	errNoPEMCertificate  = errors.New("no PEM certificate found")
	errVerificationMode  = errors.New("unknown TLS verification mode")
	errProxyURL          = errors.New("invalid proxy URL")
	errAllowedAddress    = errors.New("invalid allowed address")
)

// AddressDeniedError is the cause (Error.Err) of an ErrAddressDenied failure: which host,
// which of its addresses, and why.
type AddressDeniedError struct {
	// Host is the host name (or IP literal) of the URL.
	Host string
	// Address is the first address of Host the policy refused.
	Address netip.Addr
	// Resolved is how many addresses Host resolved to; all of them were refused.
	Resolved int
	// Reason is the kind of address: "a loopback address", "a cloud metadata address" ...
	Reason string
	// Metadata is true when Address is a cloud metadata endpoint (denied whatever
	// Options.DenyPrivate says).
	Metadata bool
}

// Error describes the denial without the settings (the *Error wrapping it names them).
func (e *AddressDeniedError) Error() string {
	return fmt.Sprintf("host %q resolves to %s, %s, which is denied", e.Host, e.Address, e.Reason)
}

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

// addressDenied builds the permanent ErrAddressDenied error, naming the host, the address,
// the setting that denies it and the one that would allow it.
func (c *Client) addressDenied(req *Request, d *AddressDeniedError) *Error {
	names := c.opts.SettingNames
	rule := "denied always"
	if !d.Metadata {
		rule = "denied by " + names.DenyPrivate
	}
	resolved := ""
	if d.Resolved > 1 {
		resolved = fmt.Sprintf(" (as are all %d addresses it resolves to)", d.Resolved)
	}
	return c.newError(ErrAddressDenied, req, d,
		"%s %s: host %q resolves to %s%s, %s, %s; add %s to %s to allow it",
		req.method(), req.URL, d.Host, d.Address, resolved, d.Reason, rule, d.Address, names.AllowedAddresses)
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
