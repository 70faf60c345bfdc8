package httpclient

import (
	"log/slog"
	"net/http"
	"net/url"
	"syscall"
	"time"
)

// Defaults applied by New when an Options field is zero.
const (
	// DefaultTimeout bounds one request, redirects and body included (the Kibana http step's
	// default of 30s).
	DefaultTimeout = 30 * time.Second
	// DefaultMaxBodyBytes caps a response body (10 MiB).
	DefaultMaxBodyBytes int64 = 10 << 20
	// DefaultMaxRedirects bounds a redirect chain (axios, which Kibana uses, allows 21).
	DefaultMaxRedirects = 21
	// DefaultMaxIdleConnsPerHost keeps enough idle keep-alive connections for many
	// concurrent workflow steps hitting one API.
	DefaultMaxIdleConnsPerHost = 256
	// DefaultUserAgent identifies Errand to remote systems.
	DefaultUserAgent = "Errand"
)

// Redactor rewrites text before the client logs it or puts it in an error, removing secret
// values (the secret package provides one). It must be safe for concurrent use.
type Redactor func(string) string

// Options configures a Client. The zero value is usable: every zero field takes the default
// documented on it. The egress policy lives here so that every outbound request of the
// product, steps and connectors alike, obeys it.
type Options struct {
	// Timeout bounds one request including redirects and reading the body; a Request's own
	// Timeout overrides it. Default DefaultTimeout; negative means none (ctx only).
	Timeout time.Duration
	// MaxBodyBytes caps a response body; a Request's own cap overrides it. Default
	// DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// MaxRedirects bounds redirect chains for requests that do not set their own. Default
	// DefaultMaxRedirects.
	MaxRedirects int
	// MaxIdleConnsPerHost is the keep-alive pool size per host. Default
	// DefaultMaxIdleConnsPerHost.
	MaxIdleConnsPerHost int
	// UserAgent is sent when a request sets no User-Agent. Default DefaultUserAgent.
	UserAgent string
	// AllowedHosts restricts requests and every redirect hop to these host names
	// ("api.example.com", "*.example.com", or "*" for any). Empty allows any host, like
	// Kibana's default `allowedHosts: ["*"]`.
	AllowedHosts []string
	// DialControl, when set, vets every connection's resolved address before it is made
	// (the SSRF guard: code.dny.dev/ssrf's Guard.Safe has this signature). An error refuses
	// the connection.
	DialControl func(network, address string, c syscall.RawConn) error
	// Proxy chooses a proxy per request. Default http.ProxyFromEnvironment.
	Proxy func(*http.Request) (*url.URL, error)
	// Redact is applied to URLs, remote messages and log lines. Default: identity.
	Redact Redactor
	// Logger receives one debug line per request (redacted). Default: discard.
	Logger *slog.Logger
	// Now is the clock used to turn a Retry-After date into a delay. Default time.Now.
	Now func() time.Time
}

// withDefaults returns o with every zero field set to its default.
func (o Options) withDefaults() Options {
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.MaxRedirects <= 0 {
		o.MaxRedirects = DefaultMaxRedirects
	}
	if o.MaxIdleConnsPerHost <= 0 {
		o.MaxIdleConnsPerHost = DefaultMaxIdleConnsPerHost
	}
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent
	}
	if o.Proxy == nil {
		o.Proxy = http.ProxyFromEnvironment
	}
	if o.Redact == nil {
		o.Redact = func(s string) string { return s }
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}
