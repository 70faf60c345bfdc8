package slackapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/errand-dev/errand/internal/connector"
	"github.com/errand-dev/errand/internal/httpclient"
)

// client calls Web API methods for one connector invocation.
type client struct {
	http    *httpclient.Client
	baseURL string
	token   string
}

// newClient returns a client for call, or an error when the token is missing.
func newClient(call *connector.Call) (*client, error) {
	token, _ := call.Connector.Secrets["token"].(string)
	if token == "" {
		return nil, errors.New("the Slack token is missing: set the connector's token secret")
	}
	base, _ := call.Connector.Config["apiUrl"].(string)
	if base == "" {
		base = DefaultAPIURL
	}
	return &client{http: call.HTTP, baseURL: strings.TrimRight(base, "/"), token: token}, nil
}

// get calls a read method with query parameters.
func (c *client) get(ctx context.Context, method string, query url.Values) (map[string]any, error) {
	target := c.baseURL + "/" + method
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	return c.do(ctx, &httpclient.Request{Method: http.MethodGet, URL: target, Header: c.header()})
}

// post calls a write method with a JSON body.
func (c *client) post(ctx context.Context, method string, body any) (map[string]any, error) {
	raw, err := marshal(body)
	if err != nil {
		return nil, err
	}
	h := c.header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	return c.do(ctx, &httpclient.Request{Method: http.MethodPost, URL: c.baseURL + "/" + method, Header: h, Body: raw})
}

func (c *client) header() http.Header {
	return http.Header{"Authorization": {"Bearer " + c.token}, "Accept": {"application/json"}}
}

// do sends req and decodes Slack's answer. Slack reports API errors as 200
// {"ok":false,"error":...}: those become an *apiError.
func (c *client) do(ctx context.Context, req *httpclient.Request) (map[string]any, error) {
	resp, err := c.http.Do(ctx, req)
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal(resp.Body, &doc); err != nil {
		return nil, &apiError{Code: "invalid_response", Status: resp.Status, retryable: true}
	}
	if ok, _ := doc["ok"].(bool); !ok {
		e := newAPIError(doc, resp.Status)
		e.RetryAfter, _ = httpclient.ParseRetryAfter(resp.Headers.Get("Retry-After"), time.Now())
		return nil, e
	}
	return doc, nil
}

// failure turns a client error into a Result whose Message is summary.
func failure(summary string, err error) connector.Result {
	var ae *apiError
	if errors.As(err, &ae) {
		r := connector.Result{Status: connector.StatusError, Message: summary, ServiceMessage: ae.Error(),
			Retry: ae.retryable, RetryAfter: ae.RetryAfter, ErrorSource: connector.SourceUser, HTTPStatus: ae.Status}
		if ae.retryable {
			r.ErrorSource = connector.SourceFramework
		}
		return r
	}
	return connector.FromHTTPError(summary, err)
}

// marshal encodes v as JSON without HTML escaping: Slack's own markup uses <, > and &.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
