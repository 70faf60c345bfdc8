// Package httpclient is Errand's one outbound HTTP client: the http step and every connector
// reach external systems through it, so limits, egress policy and redaction live in one place.
//
// It wraps net/http rather than a retrying client library because retries belong to the
// engine (on-failure.retry, durable between attempts); this package only classifies failures
// (Error.Retryable, Error.RetryAfter) and follows redirects itself so that it can apply RFC 9110
// method rewriting, strip credentials when a redirect leaves the origin (scheme, host and port,
// stricter than net/http's domain check) and vet every hop against the egress policy.
//
// The egress policy has two layers. Host names are matched against Options.AllowedHosts before
// each hop is sent. Addresses are vetted by the dialer after DNS resolution: it resolves the
// name itself (Options.LookupIP), refuses cloud metadata endpoints always and non-public
// addresses with Options.DenyPrivate, and connects only to an address it vetted, so DNS
// rebinding cannot slip a private address past the check (Kibana has neither layer beyond
// the host allowlist). The classification of non-public addresses is code.dny.dev/ssrf's
// (IANA special-purpose registries); the metadata list and the exemptions are ours.
package httpclient

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// errOwnTimeout is the cancellation cause of a request's own timeout, which tells it apart
// from a deadline the caller put on ctx.
var errOwnTimeout = errors.New("request timeout")

// Client sends requests with pooled keep-alive connections. It is safe for concurrent use;
// share one per process (or one per connector, for connector TLS settings).
type Client struct {
	opts   Options
	hosts  hostPolicy
	dialer *guardedDialer
	proxy  func(*http.Request) (*url.URL, error)
	tls    *tls.Config
	// optsErr is New's verdict on invalid Options; every Do returns it.
	optsErr error

	mu      sync.Mutex
	clients map[transportKey]*http.Client
}

// transportKey selects a connection pool; requests that differ in TLS settings cannot share
// connections.
type transportKey struct {
	insecure  bool
	keepAlive bool
}

// NewChecked returns a Client configured by opts (zero fields take their defaults), or an
// error wrapping ErrInvalidOptions when opts cannot work: an unreadable CA or client
// certificate PEM, an unknown verification mode, a bad proxy URL or allowed address.
func NewChecked(opts Options) (*Client, error) {
	c, err := newClient(opts)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidOptions, err)
	}
	return c, nil
}

// New returns a Client configured by opts (zero fields take their defaults). Invalid Options
// (see NewChecked) are not ignored: every Do of the Client fails with ErrInvalidOptions and
// the reason, so a TLS or proxy setting is never silently dropped.
func New(opts Options) *Client {
	c, err := newClient(opts)
	if err != nil {
		return &Client{opts: opts.withDefaults(), optsErr: err}
	}
	return c
}

// newClient builds a Client, validating the settings that New cannot apply blindly.
func newClient(opts Options) (*Client, error) {
	opts = opts.withDefaults()
	for _, p := range opts.AllowedAddresses {
		if !p.IsValid() {
			return nil, fmt.Errorf("%w %v", errAllowedAddress, p)
		}
	}
	tlsConfig, err := opts.TLS.tlsConfig()
	if err != nil {
		return nil, err
	}
	proxy, err := proxyFunc(opts)
	if err != nil {
		return nil, err
	}
	dialer := &guardedDialer{
		dialer: &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, Control: opts.DialControl},
		policy: newAddressPolicy(opts),
		lookup: opts.LookupIP,
	}
	return &Client{
		opts:    opts,
		hosts:   hostPolicy(opts.AllowedHosts),
		dialer:  dialer,
		proxy:   proxy,
		tls:     tlsConfig,
		clients: map[transportKey]*http.Client{},
	}, nil
}

// Redact applies the client's Redactor, for callers that log next to the client.
func (c *Client) Redact(s string) string { return c.redact(s) }

func (c *Client) redact(s string) string { return c.opts.Redact(s) }

// CloseIdleConnections closes every idle pooled connection (on shutdown).
func (c *Client) CloseIdleConnections() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, hc := range c.clients {
		hc.CloseIdleConnections()
	}
}

// Do sends req, following redirects, and reads the whole response body within the cap. A
// non-2xx response returns both the Response and an *Error of kind ErrStatus; every other
// failure returns a nil Response and an *Error.
func (c *Client) Do(ctx context.Context, req *Request) (*Response, error) {
	if c.optsErr != nil {
		return nil, c.newError(ErrInvalidOptions, req, c.optsErr,
			"%s %s: the HTTP client's settings are invalid: %v", req.method(), req.URL, c.optsErr)
	}
	if timeout := c.timeout(req); timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, timeout, errOwnTimeout)
		defer cancel()
	}
	start := time.Now()
	resp, err := c.follow(ctx, req)
	c.logRequest(ctx, req, resp, err, time.Since(start))
	if err != nil {
		return nil, err
	}
	if resp.Status < 200 || resp.Status > 299 {
		return resp, c.statusError(req, resp, c.opts.Now())
	}
	return resp, nil
}

// timeout returns the request's effective timeout; 0 means none.
func (c *Client) timeout(req *Request) time.Duration {
	t := c.opts.Timeout
	if req.Timeout != 0 {
		t = req.Timeout
	}
	return max(t, 0)
}

// httpClient returns the pooled client for the request's TLS and keep-alive settings.
func (c *Client) httpClient(req *Request) *http.Client {
	key := transportKey{insecure: req.InsecureSkipVerify, keepAlive: !req.DisableKeepAlive}
	c.mu.Lock()
	defer c.mu.Unlock()
	if hc, ok := c.clients[key]; ok {
		return hc
	}
	hc := &http.Client{
		Transport: c.newTransport(key),
		// Redirects are followed by follow, hop by hop.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	c.clients[key] = hc
	return hc
}

// newTransport builds a transport tuned for many concurrent requests to few hosts, dialing
// through the address policy.
func (c *Client) newTransport(key transportKey) *http.Transport {
	tlsConfig := c.tls.Clone()
	if key.insecure {
		//nolint:gosec // skip_ssl_verification is the user's explicit, per-request choice.
		tlsConfig.InsecureSkipVerify, tlsConfig.VerifyConnection = true, nil
	}
	return &http.Transport{
		Proxy:                 c.proxy,
		DialContext:           c.dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          4 * c.opts.MaxIdleConnsPerHost,
		MaxIdleConnsPerHost:   c.opts.MaxIdleConnsPerHost,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		DisableKeepAlives:     !key.keepAlive,
		TLSClientConfig:       tlsConfig,
	}
}

// send performs one hop.
func (c *Client) send(ctx context.Context, req *Request, h *hop) (*http.Response, error) {
	var body io.Reader = http.NoBody
	if h.body != nil {
		body = bytes.NewReader(h.body)
	}
	hreq, err := http.NewRequestWithContext(ctx, h.method, h.url.String(), body)
	if err != nil {
		return nil, c.newError(ErrInvalidRequest, req, err, "building request %s %s: %v", h.method, h.url, err)
	}
	hreq.Header = h.header
	if host := h.header.Get("Host"); host != "" {
		hreq.Host = host
	}
	if hreq.Header.Get("User-Agent") == "" {
		hreq.Header.Set("User-Agent", c.opts.UserAgent)
	}
	proxyCtx, err := c.viaProxy(ctx, hreq)
	if err != nil {
		return nil, c.transportError(ctx, req, err)
	}
	resp, err := c.httpClient(req).Do(hreq.WithContext(proxyCtx))
	if err != nil {
		return nil, c.transportError(ctx, req, err)
	}
	return resp, nil
}

// statusText returns the reason phrase the server sent, or the standard one (HTTP/2 has none).
func statusText(resp *http.Response) string {
	if text, ok := strings.CutPrefix(resp.Status, strconv.Itoa(resp.StatusCode)+" "); ok && text != "" {
		return text
	}
	return http.StatusText(resp.StatusCode)
}

// logRequest writes one redacted debug line per request.
func (c *Client) logRequest(ctx context.Context, req *Request, resp *Response, err error, took time.Duration) {
	attrs := []slog.Attr{
		slog.String("method", req.method()),
		slog.String("url", c.redact(req.URL)),
		slog.Duration("duration", took),
	}
	if resp != nil {
		attrs = append(attrs, slog.Int("status", resp.Status), slog.Int("redirects", resp.Redirects))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	c.opts.Logger.LogAttrs(ctx, slog.LevelDebug, "outbound http request", attrs...)
}
