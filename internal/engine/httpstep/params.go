package httpstep

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/errand-dev/errand/internal/engine"
	"github.com/errand-dev/errand/internal/httpclient/httpcall"
)

// params is a validated `with` of an http step: the request parameters shared with the
// .http connector, and the full URL this step requires.
type params struct {
	*httpcall.Params
	url string
}

// ownKeys are the `with` keys the step reads itself, after httpcall.Parse: url is required
// and query is merged into it, by buildURL.
var ownKeys = map[string]func(v any) error{
	"url":   func(any) error { return nil },
	"query": func(any) error { return nil },
}

// parseParams validates the rendered `with` of an http step.
func parseParams(with map[string]any) (*params, *engine.StepError) {
	shared, err := httpcall.Parse(with, ownKeys)
	if err != nil {
		var perr *httpcall.ParamError
		if errors.As(err, &perr) && errors.Is(err, httpcall.ErrUnknownParam) {
			return nil, unknownKeyError("with", perr.Key)
		}
		return nil, &engine.StepError{Type: "ValidationError", Message: err.Error(), Permanent: true}
	}
	u, err := buildURL(with["url"], with["query"])
	if err != nil {
		return nil, invalidInput("with.url", err)
	}
	return &params{Params: shared, url: u}, nil
}

// unknownKeyError names an unsupported key, with a hint for the known Kibana ones.
func unknownKeyError(prefix, key string) *engine.StepError {
	msg := fmt.Sprintf("%s.%s is not a parameter of the http step", prefix, key)
	switch key {
	case "path":
		msg = "with.path needs connector-id (it is appended to the connector's URL); give the full url instead"
	case "form_data":
		msg = "with.form_data is not supported; send the fields as a body object or a url-encoded string"
	}
	return &engine.StepError{Type: "ValidationError", Message: msg, Permanent: true}
}

// invalidInput is the permanent error for a bad parameter.
func invalidInput(field string, err error) *engine.StepError {
	return &engine.StepError{Type: "ValidationError", Message: field + ": " + err.Error(), Permanent: true}
}

// buildURL checks the url and appends `query` to its query string. The URL's own query is
// kept byte for byte; `query` values are added after it (repeated for arrays), as axios does.
func buildURL(rawURL, query any) (string, error) {
	s, ok := rawURL.(string)
	if !ok || strings.TrimSpace(s) == "" {
		if rawURL == nil {
			return "", errMissingURL
		}
		return "", fmt.Errorf("%w, got %s", httpcall.ErrWantString, httpcall.Describe(rawURL))
	}
	s = strings.TrimSpace(s)
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("parsing %q: %w", s, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%q is not an absolute http or https URL", s)
	}
	values, err := httpcall.QueryValues(query)
	if err != nil {
		return "", fmt.Errorf("merging with.query: %w", err)
	}
	if len(values) == 0 {
		return s, nil
	}
	if u.RawQuery != "" {
		u.RawQuery += "&"
	}
	u.RawQuery += values.Encode()
	return u.String(), nil
}
