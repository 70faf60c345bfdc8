// Package client is a Go client for Errand's REST API, which follows Kibana's Workflows API
// (paths, bodies and headers of ../shared/reference/kibana-workflows-spec.md §8), so the
// same client also speaks to Kibana. The CLI's --server mode and the load tool use it.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// APIVersion is the elastic-api-version header value sent with every call.
const APIVersion = "2023-10-31"

// Client calls one Errand (or Kibana) server. It is safe for concurrent use.
type Client struct {
	base      *url.URL
	apiKey    string
	http      *http.Client
	userAgent string
	retryWait time.Duration
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient sets the http.Client used for every call (default: one without a timeout,
// since event streams stay open; give calls a deadline through their ctx).
func WithHTTPClient(hc *http.Client) Option { return func(c *Client) { c.http = hc } }

// WithUserAgent sets the User-Agent header (default "errand-client").
func WithUserAgent(ua string) Option { return func(c *Client) { c.userAgent = ua } }

// WithReconnectWait sets how long Follow waits before reconnecting a dropped event stream
// when the server did not say (default 500 ms).
func WithReconnectWait(d time.Duration) Option { return func(c *Client) { c.retryWait = d } }

// New returns a Client for the server at baseURL (for example "http://localhost:5601" or
// "https://kibana.example/s/ops" for a space). apiKey is the encoded key, sent as
// "Authorization: ApiKey <apiKey>"; empty sends no Authorization header.
func New(baseURL, apiKey string, opts ...Option) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil {
		return nil, fmt.Errorf("parsing server URL %q: %w", baseURL, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("parsing server URL %q: %w", baseURL, ErrBadServerURL)
	}
	c := &Client{base: u, apiKey: apiKey, http: &http.Client{}, userAgent: "errand-client",
		retryWait: 500 * time.Millisecond}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// BaseURL returns the server URL the client calls.
func (c *Client) BaseURL() string { return c.base.String() }

// endpoint joins the base URL, path and query.
func (c *Client) endpoint(path string, q url.Values) string {
	u := *c.base
	u.Path = strings.TrimRight(u.Path, "/") + path
	u.RawQuery = q.Encode()
	return u.String()
}

// newRequest builds a request with the auth and Kibana headers; mutating methods carry
// kbn-xsrf as Kibana requires.
func (c *Client) newRequest(ctx context.Context, method, path string, q url.Values, body any) (*http.Request, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("encoding body of %s %s: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.endpoint(path, q), rd)
	if err != nil {
		return nil, fmt.Errorf("building request %s %s: %w", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("elastic-api-version", APIVersion)
	if method != http.MethodGet && method != http.MethodHead {
		req.Header.Set("kbn-xsrf", "true")
	}
	if c.apiKey != "" {
		req.Header.Set("Authorization", "ApiKey "+c.apiKey)
	}
	return req, nil
}

// do sends one JSON call and decodes a 2xx answer into out (when not nil); any other answer
// becomes an *APIError.
func (c *Client) do(ctx context.Context, method, path string, q url.Values, body, out any) error {
	req, err := c.newRequest(ctx, method, path, q, body)
	if err != nil {
		return err
	}
	return c.send(req, out)
}

// send sends a built request and decodes the answer as do does.
func (c *Client) send(req *http.Request, out any) error {
	method, path := req.Method, req.URL.Path
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("calling %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return decodeError(method, path, resp)
	}
	if out == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("decoding answer of %s %s: %w", method, path, err)
	}
	return nil
}
