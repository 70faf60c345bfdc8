package connector

import (
	"errors"
	"time"

	"github.com/errand-dev/errand/internal/httpclient"
)

// Result statuses.
const (
	StatusOK    = "ok"
	StatusError = "error"
)

// Error sources: who must act on a failure.
const (
	SourceUser      = "user"      // bad params, bad credentials, 4xx: the user must fix something
	SourceFramework = "framework" // network, 5xx, Errand itself
)

// Result is a connector call's outcome, Kibana's ActionTypeExecutorResult:
// {status, data, message, serviceMessage, retry}. On success Data is the step output.
type Result struct {
	Status string `json:"status"`
	Data   any    `json:"data,omitempty"`
	// Message is Errand's summary ("error posting slack message").
	Message string `json:"message,omitempty"`
	// ServiceMessage is the remote's own explanation, extracted and truncated.
	ServiceMessage string `json:"serviceMessage,omitempty"`
	// Retry says whether trying again may succeed (5xx, 429, network).
	Retry bool `json:"retry"`
	// RetryAfter is how long the remote asked to wait (Retry-After), 0 when it did not.
	RetryAfter time.Duration `json:"-"`
	// ErrorSource is SourceUser or SourceFramework for errors.
	ErrorSource string `json:"errorSource,omitempty"`
	// HTTPStatus is the remote's status code when there was one.
	HTTPStatus int `json:"-"`
}

// OK returns a successful Result carrying data.
func OK(data any) Result { return Result{Status: StatusOK, Data: data} }

// UserError returns a permanent failure the user must fix (bad params or config).
func UserError(message string) Result {
	return Result{Status: StatusError, Message: message, ErrorSource: SourceUser}
}

// FromHTTPError turns an httpclient failure into a Result: 429/5xx/network are retryable
// (with the remote's Retry-After), other 4xx are permanent user errors; the remote's own
// message becomes ServiceMessage. summary is the Message ("error posting slack message").
func FromHTTPError(summary string, err error) Result {
	r := Result{Status: StatusError, Message: summary, ServiceMessage: err.Error(), ErrorSource: SourceFramework}
	var he *httpclient.Error
	if !errors.As(err, &he) {
		r.Retry = true
		return r
	}
	r.Retry = he.Retryable
	r.RetryAfter = he.RetryAfter
	r.HTTPStatus = he.Status
	if he.RemoteMessage != "" {
		r.ServiceMessage = he.RemoteMessage
		if he.Status != 0 {
			r.ServiceMessage = "[" + itoa(he.Status) + "] " + he.RemoteMessage
		}
	}
	if he.Status >= 400 && he.Status < 500 && !he.Retryable {
		r.ErrorSource = SourceUser
	}
	return r
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
