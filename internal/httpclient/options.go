package httpclient

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
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
	// Kibana's default `allowedHosts: ["*"]`. An IP literal listed here ("10.0.0.5") is also
	// an allowed address (see AllowedAddresses).
	AllowedHosts []string
	// DenyPrivate refuses connections to non-public addresses: loopback, private (RFC 1918,
	// IPv6 ULA fc00::/7), link-local, unspecified, CGNAT 100.64.0.0/10, multicast, the
	// documentation and benchmarking ranges, and every IPv6 address outside 2000::/3. The
	// check applies to the addresses a host name resolves to, at connection time, so it
	// holds at every redirect hop and against DNS rebinding. Default false (like Kibana).
	DenyPrivate bool
	// AllowedAddresses are exempt from DenyPrivate and from the cloud metadata denial
	// (169.254.169.254, fd00:ec2::254 and the others of metadataPrefixes, which is always
	// on), e.g. 10.0.0.0/8 for an internal API.
	AllowedAddresses []netip.Prefix
	// LookupIP resolves a host name to the addresses that are vetted and dialed. Default:
	// the system resolver. Tests make names resolve to chosen addresses with it.
	LookupIP func(ctx context.Context, host string) ([]netip.Addr, error)
	// DialControl, when set, is called for every connection, after the address policy, with
	// the address being dialed; an error refuses the connection.
	DialControl func(network, address string, c syscall.RawConn) error
	// TLS is the connector's TLS settings (CA, client certificate, verification mode). Nil:
	// full verification against the system roots. A Request's InsecureSkipVerify still
	// turns verification off for that request.
	TLS *TLSOptions
	// ProxyURL sends every request through this http, https or socks5 proxy
	// ("http://user:pass@proxy:3128"), except those to ProxyBypassHosts; it takes precedence
	// over Proxy. The target is vetted by the address policy before the request is sent,
	// but the proxy resolves the name itself (see Client.viaProxy for the limit).
	ProxyURL string
	// ProxyBypassHosts are reached directly although ProxyURL is set (exact names and
	// "*.domain", like AllowedHosts).
	ProxyBypassHosts []string
	// Proxy chooses a proxy per request when ProxyURL is empty. Default
	// http.ProxyFromEnvironment.
	Proxy func(*http.Request) (*url.URL, error)
	// SettingNames names, in error messages, the settings a user changes to allow what was
	// refused, so the message quotes the keys of their own configuration.
	SettingNames SettingNames
	// Redact is applied to URLs, remote messages and log lines. Default: identity.
	Redact Redactor
	// Logger receives one debug line per request (redacted). Default: discard.
	Logger *slog.Logger
	// Now is the clock used to turn a Retry-After date into a delay. Default time.Now.
	Now func() time.Time
}

// SettingNames are the configuration keys quoted by error messages. Zero fields take the
// defaults documented on them.
type SettingNames struct {
	// AllowedHosts default "allowed_hosts".
	AllowedHosts string
	// DenyPrivate default "deny_private_addresses".
	DenyPrivate string
	// AllowedAddresses default "allowed_addresses".
	AllowedAddresses string
	// TLSVerification is what accepts an unverifiable certificate; default
	// "fetcher.skip_ssl_verification" (the http step's option).
	TLSVerification string
}

// withDefaults returns n with every empty name set to its default.
func (n SettingNames) withDefaults() SettingNames {
	if n.AllowedHosts == "" {
		n.AllowedHosts = "allowed_hosts"
	}
	if n.DenyPrivate == "" {
		n.DenyPrivate = "deny_private_addresses"
	}
	if n.AllowedAddresses == "" {
		n.AllowedAddresses = "allowed_addresses"
	}
	if n.TLSVerification == "" {
		n.TLSVerification = "fetcher.skip_ssl_verification"
	}
	return n
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
	if o.LookupIP == nil {
		o.LookupIP = lookupNetIP
	}
	o.SettingNames = o.SettingNames.withDefaults()
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
