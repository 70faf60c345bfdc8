package httpclient

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
)

// proxyFunc returns the transport's proxy chooser: Options.ProxyURL (minus
// Options.ProxyBypassHosts) when set, else Options.Proxy.
func proxyFunc(opts Options) (func(*http.Request) (*url.URL, error), error) {
	if opts.ProxyURL == "" {
		return opts.Proxy, nil
	}
	u, err := url.Parse(opts.ProxyURL)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %w", errProxyURL, opts.ProxyURL, err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "socks5" && u.Scheme != "socks5h":
		return nil, fmt.Errorf("%w %q: the scheme must be http, https, socks5 or socks5h", errProxyURL, u.Redacted())
	case u.Host == "":
		return nil, fmt.Errorf("%w %q: no host", errProxyURL, u.Redacted())
	}
	bypass := hostPolicy(opts.ProxyBypassHosts)
	return func(r *http.Request) (*url.URL, error) {
		if len(bypass) > 0 && bypass.allows(r.URL.Hostname()) {
			return nil, nil
		}
		return u, nil
	}, nil
}

// viaProxy prepares a request that goes through a proxy, which resolves the target itself:
// the target's addresses are vetted here, before sending, and ctx is marked so that the
// dialer lets the connection to the proxy through. It returns ctx unchanged when no proxy
// applies.
//
// The limit: the proxy resolves the name again and may get another answer (DNS rebinding
// between this check and the proxy's lookup is possible); an IP-literal target is exact. When
// the name cannot be resolved here (only the proxy can), the request goes on unless
// DenyPrivate is set, which needs a positive answer.
func (c *Client) viaProxy(ctx context.Context, hreq *http.Request) (context.Context, error) {
	proxy, err := c.proxy(hreq)
	if err != nil || proxy == nil {
		return ctx, nil //nolint:nilerr // the transport calls the same function and reports the error.
	}
	if _, err := c.dialer.allowedAddrs(ctx, hreq.URL.Hostname()); err != nil {
		var denied *AddressDeniedError
		if errors.As(err, &denied) {
			return nil, err
		}
		if c.opts.DenyPrivate {
			return nil, fmt.Errorf("vetting the proxied target (%s needs it resolved here): %w",
				c.opts.SettingNames.DenyPrivate, err)
		}
	}
	return context.WithValue(ctx, proxyDialKey{}, proxyAddr(proxy)), nil
}

// proxyAddr returns the proxy's host:port as the transport dials it.
func proxyAddr(u *url.URL) string {
	if port := u.Port(); port != "" {
		return net.JoinHostPort(u.Hostname(), port)
	}
	port := map[string]string{"http": "80", "https": "443", "socks5": "1080", "socks5h": "1080"}[u.Scheme]
	return net.JoinHostPort(u.Hostname(), port)
}
