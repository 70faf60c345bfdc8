package httpclient

import (
	"net/http"
	"time"
)

// Request is one outbound HTTP request. Zero fields take the Client's defaults.
type Request struct {
	// Method defaults to GET.
	Method string
	// URL is absolute (http or https).
	URL    string
	Header http.Header
	// Body is sent as is; nil sends none. It is replayed on 307/308 redirects.
	Body []byte
	// Timeout overrides Options.Timeout for this request; negative means none (ctx only).
	Timeout time.Duration
	// MaxBodyBytes overrides Options.MaxBodyBytes for this request.
	MaxBodyBytes int64
	// BodyLimitHint names the setting that raises MaxBodyBytes, for the error message.
	// Default "max-step-size".
	BodyLimitHint string
	// NoRedirects returns 3xx responses as they are (`follow_redirects: false`).
	NoRedirects bool
	// MaxRedirects overrides Options.MaxRedirects for this request.
	MaxRedirects int
	// InsecureSkipVerify disables TLS certificate verification (`skip_ssl_verification`).
	InsecureSkipVerify bool
	// DisableKeepAlive closes the connection after this request (`keep_alive: false`).
	DisableKeepAlive bool
}

// method returns the request's method, GET when empty.
func (r *Request) method() string {
	if r.Method == "" {
		return http.MethodGet
	}
	return r.Method
}

// Response is a complete response: the body has been read (within the cap) and closed.
type Response struct {
	Status     int
	StatusText string
	Headers    http.Header
	Body       []byte
	// URL is the URL that answered, after redirects.
	URL string
	// Redirects is the number of redirects followed.
	Redirects int
}
