package httpclient

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// hop is one request of a redirect chain: what is sent to which URL.
type hop struct {
	method string
	url    *url.URL
	header http.Header
	body   []byte
}

// follow sends req and follows redirects up to the request's limit, vetting every hop
// against the host policy, and returns the final response with its body read.
func (c *Client) follow(ctx context.Context, req *Request) (*Response, error) {
	h, err := c.firstHop(req)
	if err != nil {
		return nil, err
	}
	maxRedirects := c.opts.MaxRedirects
	if req.MaxRedirects > 0 {
		maxRedirects = req.MaxRedirects
	}
	for redirects := 0; ; redirects++ {
		if !c.hosts.allows(h.url.Hostname()) {
			return nil, c.newError(ErrHostNotAllowed, req, nil,
				"%s %s: host %q is not in the allowed hosts; add it to %s to allow it",
				h.method, h.url, h.url.Hostname(), c.opts.SettingNames.AllowedHosts)
		}
		resp, err := c.send(ctx, req, h)
		if err != nil {
			return nil, err
		}
		next, err := c.nextHop(req, h, resp)
		if err != nil || next == nil || req.NoRedirects {
			if err != nil {
				closeBody(resp)
				return nil, err
			}
			return c.readResponse(ctx, req, h, resp, redirects)
		}
		closeBody(resp)
		if redirects >= maxRedirects {
			return nil, c.newError(ErrTooManyRedirects, req, nil,
				"%s %s: stopped after %d redirects (the limit; raise fetcher.max_redirects)",
				req.method(), req.URL, maxRedirects)
		}
		h = next
	}
}

// firstHop validates the request's URL and method and builds the first hop.
func (c *Client) firstHop(req *Request) (*hop, error) {
	u, err := url.Parse(req.URL)
	if err != nil {
		return nil, c.newError(ErrInvalidRequest, req, err, "parsing URL %q: %v", req.URL, err)
	}
	if err := checkTarget(u); err != nil {
		return nil, c.newError(ErrInvalidRequest, req, err, "invalid URL %q: %v", req.URL, err)
	}
	header := req.Header.Clone()
	if header == nil {
		header = http.Header{}
	}
	return &hop{method: req.method(), url: u, header: header, body: req.Body}, nil
}

// checkTarget accepts absolute http and https URLs only.
func checkTarget(u *url.URL) error {
	if u.Scheme != "http" && u.Scheme != "https" {
		return errUnsupportedScheme
	}
	if u.Host == "" {
		return errMissingHost
	}
	return nil
}

// nextHop returns the hop a redirect response asks for, or nil when resp is final. Per RFC
// 9110 §15.4: 303 turns any method but HEAD into a body-less GET; 301 and 302 do so for POST
// only (what every browser does); 307 and 308 keep the method and the body. Authorization,
// Proxy-Authorization and Cookie are dropped when the target's origin differs.
func (c *Client) nextHop(req *Request, cur *hop, resp *http.Response) (*hop, error) {
	switch resp.StatusCode {
	case 301, 302, 303, 307, 308:
	default:
		return nil, nil
	}
	loc := resp.Header.Get("Location")
	if loc == "" {
		return nil, nil
	}
	target, err := cur.url.Parse(loc)
	if err == nil {
		err = checkTarget(target)
	}
	if err != nil {
		return nil, c.newError(ErrInvalidRequest, req, err,
			"%s %s: following redirect to %q: %v", cur.method, cur.url, loc, err)
	}
	next := &hop{method: cur.method, url: target, header: cur.header.Clone(), body: cur.body}
	rewrite := (resp.StatusCode == 303 && cur.method != http.MethodHead) ||
		((resp.StatusCode == 301 || resp.StatusCode == 302) && cur.method == http.MethodPost)
	if rewrite {
		next.method, next.body = http.MethodGet, nil
		for _, k := range []string{"Content-Type", "Content-Length", "Content-Encoding", "Content-Language", "Content-Location"} {
			next.header.Del(k)
		}
	}
	if origin(target) != origin(cur.url) {
		for _, k := range []string{"Authorization", "Proxy-Authorization", "Cookie"} {
			next.header.Del(k)
		}
	}
	return next, nil
}

// origin returns scheme://host:port with the default port made explicit.
func origin(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	return u.Scheme + "://" + strings.ToLower(u.Hostname()) + ":" + port
}

// closeBody drains a little of the body so the connection can be reused, then closes it.
func closeBody(resp *http.Response) {
	_, _ = io.CopyN(io.Discard, resp.Body, 64<<10)
	_ = resp.Body.Close()
}
