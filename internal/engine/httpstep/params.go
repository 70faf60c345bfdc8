package httpstep

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/errand-dev/errand/internal/engine"
)

// methods are the methods the http step accepts (HEAD and OPTIONS are not allowed, as in
// Kibana).
var methods = []string{"GET", "POST", "PUT", "PATCH", "DELETE"}

// headerNameRe is an RFC 9110 token, the syntax of a header field name.
var headerNameRe = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")

// params is a validated `with` of an http step.
type params struct {
	method  string
	url     string
	header  http.Header
	body    []byte
	timeout time.Duration
	fetcher fetcher
}

// fetcher is `with.fetcher`: transport options.
type fetcher struct {
	skipSSLVerification bool
	followRedirects     bool
	// maxRedirects is -1 when unset (the client's default); 0 follows none.
	maxRedirects     int
	maxContentLength int64
	keepAlive        bool
}

// withParsers reads each accepted `with` key into p; unknown keys are errors so that a typo
// (`header:`) fails loudly instead of being ignored.
var withParsers = map[string]func(p *params, v any) error{
	"url":     func(p *params, v any) error { return nil }, // read first, by parseParams
	"query":   func(p *params, v any) error { return nil }, // merged into url, by parseParams
	"method":  (*params).parseMethod,
	"headers": (*params).parseHeaders,
	"body":    (*params).parseBody,
	"timeout": (*params).parseTimeout,
	"fetcher": (*params).parseFetcher,
}

// parseParams validates the rendered `with` of an http step.
func parseParams(with map[string]any) (*params, *engine.StepError) {
	p := &params{method: http.MethodGet, header: http.Header{}, fetcher: fetcher{followRedirects: true, keepAlive: true, maxRedirects: -1}}
	keys := make([]string, 0, len(with))
	for k := range with {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		parse, ok := withParsers[k]
		if !ok {
			return nil, unknownKeyError("with", k)
		}
		if err := parse(p, with[k]); err != nil {
			return nil, invalidInput("with."+k, err)
		}
	}
	u, err := buildURL(with["url"], with["query"])
	if err != nil {
		return nil, invalidInput("with.url", err)
	}
	p.url = u
	if p.body != nil && p.header.Get("Content-Type") == "" {
		p.header.Set("Content-Type", sniffContentType(with["body"], p.body))
	}
	return p, nil
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

func (p *params) parseMethod(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("%w, got %s", errWantString, describe(v))
	}
	m := strings.ToUpper(strings.TrimSpace(s))
	if !slices.Contains(methods, m) {
		return fmt.Errorf("%q is not supported; use one of %s", s, strings.Join(methods, ", "))
	}
	p.method = m
	return nil
}

func (p *params) parseHeaders(v any) error {
	if v == nil {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("%w, got %s", errWantMap, describe(v))
	}
	for name, raw := range m {
		if !headerNameRe.MatchString(name) {
			return fmt.Errorf("%q is not a valid header name", name)
		}
		if raw == nil {
			continue
		}
		value := stringify(raw)
		if strings.ContainsAny(value, "\r\n\x00") {
			return fmt.Errorf("the value of %q contains a line break", name)
		}
		p.header.Set(name, value)
	}
	return nil
}

// parseBody encodes the body: objects, arrays, numbers and booleans as JSON, strings as is.
func (p *params) parseBody(v any) error {
	switch b := v.(type) {
	case nil:
		return nil
	case string:
		p.body = []byte(b)
		return nil
	}
	encoded, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encoding the body as JSON: %w", err)
	}
	p.body = encoded
	return nil
}

// sniffContentType picks the Content-Type of a body the step was not given one for: JSON for
// encoded values and for strings holding a JSON object or array, plain text otherwise.
func sniffContentType(raw any, body []byte) string {
	if _, isString := raw.(string); !isString || looksLikeJSON(body) {
		return "application/json"
	}
	return "text/plain; charset=utf-8"
}

// parseTimeout reads the 9.3-era `with.timeout`: a duration ("30s", "1m30s", "500ms") or a
// number of milliseconds.
func (p *params) parseTimeout(v any) error {
	if s, ok := v.(string); ok {
		d, err := time.ParseDuration(strings.TrimSpace(s))
		if err != nil || d <= 0 {
			return fmt.Errorf("%q is not a positive duration like \"30s\" or \"1m30s\"", s)
		}
		p.timeout = d
		return nil
	}
	ms, err := toInt(v)
	if err != nil || ms <= 0 {
		return fmt.Errorf("want a duration like \"30s\" or a number of milliseconds, got %s", describe(v))
	}
	p.timeout = time.Duration(ms) * time.Millisecond
	return nil
}

// buildURL checks the url and appends `query` to its query string. The URL's own query is
// kept byte for byte; `query` values are added after it (repeated for arrays), as axios does.
func buildURL(rawURL, query any) (string, error) {
	s, ok := rawURL.(string)
	if !ok || strings.TrimSpace(s) == "" {
		if rawURL == nil {
			return "", errMissingURL
		}
		return "", fmt.Errorf("%w, got %s", errWantString, describe(rawURL))
	}
	s = strings.TrimSpace(s)
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("parsing %q: %w", s, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%q is not an absolute http or https URL", s)
	}
	values, err := queryValues(query)
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

// queryValues turns `with.query` into URL values; arrays repeat the key, nil is skipped.
func queryValues(query any) (url.Values, error) {
	if query == nil {
		return nil, nil
	}
	m, ok := query.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w, got %s", errWantMap, describe(query))
	}
	values := url.Values{}
	for k, v := range m {
		items, isList := v.([]any)
		if !isList {
			items = []any{v}
		}
		for _, item := range items {
			if item != nil {
				values.Add(k, stringify(item))
			}
		}
	}
	return values, nil
}

// stringify renders a scalar the way a template would: numbers without a trailing ".0",
// strings as they are, objects and arrays as JSON.
func stringify(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'f', -1, 32)
	case bool, int, int64, int32, uint, uint64, uint32, json.Number:
		return fmt.Sprint(x)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// describe names a value's JSON type for error messages.
func describe(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case float64, float32, int, int64, int32, uint, uint64, uint32, json.Number:
		return "a number"
	}
	return fmt.Sprintf("a %T", v)
}
