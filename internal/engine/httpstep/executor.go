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
	"github.com/errand-dev/errand/internal/httpclient/httpcall"
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
	// The body cap is the smaller of max-step-size and fetcher.max_content_length.
	req := p.Request(p.url, in.MaxOutputBytes, in.Timeout)
	if in.Log != nil {
		in.Log.Log("info", fmt.Sprintf("Making HTTP %s request to %s", p.Method, e.client.Redact(p.url)),
			map[string]any{"method": p.Method, "url": e.client.Redact(p.url)})
	}
	resp, err := e.client.Do(ctx, req)
	if err != nil {
		return nil, stepError(err)
	}
	return httpcall.Output(resp), nil
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
		se.Details = httpcall.Output(herr.Response)
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
