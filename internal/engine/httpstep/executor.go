// Package httpstep is the `http` step: it calls any HTTP API with a full URL, through the
// product's one outbound client (internal/httpclient), and returns
// {status, statusText, headers, data}. Requests through a connector (`connector-id`) arrive
// with the connectors.
package httpstep

import (
	"context"
	"errors"
	"fmt"

	"github.com/errand-dev/errand/internal/engine"
	"github.com/errand-dev/errand/internal/httpclient"
)

// StepType is the step type this executor serves.
const StepType = "http"

// Executor runs http steps. It is safe for concurrent use.
type Executor struct {
	client *httpclient.Client
}

// New returns the http step executor sending through c.
func New(c *httpclient.Client) engine.StepExecutor {
	return &Executor{client: c}
}

// Run validates the step's `with`, sends the request and returns the response as the
// step's output; a non-2xx answer or a transport failure fails the step.
func (e *Executor) Run(ctx context.Context, in engine.StepInput) (any, error) {
	if in.Step != nil && in.Step.ConnectorID != "" {
		return nil, &engine.StepError{
			Type: "ConnectorError",
			Message: fmt.Sprintf("connector-id %q: connectors are not available yet; "+
				"remove connector-id and give the full url in with.url", in.Step.ConnectorID),
			Permanent: true,
		}
	}
	p, serr := parseParams(in.With)
	if serr != nil {
		return nil, serr
	}
	req := p.request(in)
	if in.Log != nil {
		in.Log.Log("info", fmt.Sprintf("Making HTTP %s request to %s", p.method, e.client.Redact(p.url)),
			map[string]any{"method": p.method, "url": e.client.Redact(p.url)})
	}
	resp, err := e.client.Do(ctx, req)
	if err != nil {
		return nil, stepError(err)
	}
	return output(resp), nil
}

// request builds the client request: the body cap is the smaller of max-step-size and
// fetcher.max_content_length, and the timeout is with.timeout, else the step's own timeout
// (already on ctx), else the client's default.
func (p *params) request(in engine.StepInput) *httpclient.Request {
	req := &httpclient.Request{
		Method:             p.method,
		URL:                p.url,
		Header:             p.header,
		Body:               p.body,
		Timeout:            p.timeout,
		MaxBodyBytes:       in.MaxOutputBytes,
		NoRedirects:        !p.fetcher.followRedirects || p.fetcher.maxRedirects == 0,
		MaxRedirects:       max(p.fetcher.maxRedirects, 0),
		InsecureSkipVerify: p.fetcher.skipSSLVerification,
		DisableKeepAlive:   !p.fetcher.keepAlive,
	}
	if req.Timeout == 0 && in.Timeout > 0 {
		req.Timeout = -1 // the step's deadline on ctx governs
	}
	if n := p.fetcher.maxContentLength; n > 0 && (req.MaxBodyBytes <= 0 || n < req.MaxBodyBytes) {
		req.MaxBodyBytes = n
		req.BodyLimitHint = "fetcher.max_content_length"
	}
	return req
}

// stepError turns a client error into the step failure Kibana's http step reports.
func stepError(err error) *engine.StepError {
	var herr *httpclient.Error
	if !errors.As(err, &herr) {
		return &engine.StepError{Type: "HttpRequestError", Message: err.Error()}
	}
	se := &engine.StepError{Type: "HttpRequestError", Message: herr.Error(), Permanent: !herr.Retryable}
	switch {
	case errors.Is(err, httpclient.ErrStatus):
		se.RetryAfter = herr.RetryAfter
		se.Details = output(herr.Response)
	case errors.Is(err, httpclient.ErrConnectionRefused):
		se.Type = "ConnectionRefused"
	case errors.Is(err, httpclient.ErrCancelled):
		se.Type = "HttpRequestCancelledError"
	case errors.Is(err, httpclient.ErrTimeout):
		se.Type = "TimeoutError"
	case errors.Is(err, httpclient.ErrBodyTooLarge):
		se.Type = "HttpResponseTooLargeError"
	case errors.Is(err, httpclient.ErrHostNotAllowed):
		se.Type = "HostNotAllowedError"
	}
	return se
}
