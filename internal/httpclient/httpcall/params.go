// Package httpcall is the part of an HTTP call that the plain `http` step
// (internal/engine/httpstep) and the `.http` connector (internal/connector/httpconn) share:
// reading the request parameters of a step's `with` (method, headers, query, body and its
// Content-Type, timeout, fetcher options) into an httpclient.Request, and shaping the answer
// into the step output {status, statusText, headers, data}. It lives under httpclient, not in
// the engine or the connector SDK, because connector packages import only `connector` and
// `httpclient` (DESIGN.md §2); what differs between the two users (the plain step's required
// url, the connector's base URL, same-origin rule and auth) stays with them.
package httpcall

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
)

// methods are the methods the http step accepts (HEAD and OPTIONS are not allowed, as in
// Kibana).
var methods = []string{"GET", "POST", "PUT", "PATCH", "DELETE"}

// headerNameRe is an RFC 9110 token, the syntax of a header field name.
var headerNameRe = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")

// Params is the validated request part of an http step's `with`.
type Params struct {
	Method string
	Header http.Header
	// Query is `with.query`, when the caller leaves that key to Parse.
	Query   url.Values
	Body    []byte
	Timeout time.Duration
	Fetcher Fetcher
}

// NewParams returns the parameters of an empty `with`: GET, no headers, the fetcher's
// defaults.
func NewParams() *Params {
	return &Params{Method: http.MethodGet, Header: http.Header{}, Fetcher: Fetcher{FollowRedirects: true, KeepAlive: true, MaxRedirects: -1}}
}

// parsers read each `with` key this package knows into p.
var parsers = map[string]func(p *Params, v any) error{
	"method":  (*Params).parseMethod,
	"headers": (*Params).parseHeaders,
	"query":   (*Params).parseQuery,
	"body":    (*Params).parseBody,
	"timeout": (*Params).parseTimeout,
	"fetcher": (*Params).parseFetcher,
}

// Parse validates the rendered `with` of an http step. Keys are read in sorted order, so the
// first error is always the same one; a key in own is read by own (the caller's url, path or
// query), any other key by this package, and a key neither knows is an error wrapping
// ErrUnknownParam, so that a typo (`header:`) fails loudly instead of being ignored. Errors
// are *ParamError. A body given without a Content-Type header gets one (see sniffContentType).
func Parse(with map[string]any, own map[string]func(v any) error) (*Params, error) {
	p := NewParams()
	keys := make([]string, 0, len(with))
	for k := range with {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		var err error
		if parse, ok := own[k]; ok {
			err = parse(with[k])
		} else if parse, ok := parsers[k]; ok {
			err = parse(p, with[k])
		} else {
			err = ErrUnknownParam
		}
		if err != nil {
			return nil, &ParamError{Key: k, Err: err}
		}
	}
	if p.Body != nil && p.Header.Get("Content-Type") == "" {
		p.Header.Set("Content-Type", sniffContentType(with["body"], p.Body))
	}
	return p, nil
}

func (p *Params) parseMethod(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("%w, got %s", ErrWantString, Describe(v))
	}
	m := strings.ToUpper(strings.TrimSpace(s))
	if !slices.Contains(methods, m) {
		return fmt.Errorf("%q is not supported; use one of %s", s, strings.Join(methods, ", "))
	}
	p.Method = m
	return nil
}

// parseHeaders sets each header; a null value sends no header.
func (p *Params) parseHeaders(v any) error {
	m, ok := v.(map[string]any)
	if !ok && v != nil {
		return fmt.Errorf("%w, got %s", ErrWantMap, Describe(v))
	}
	for name, raw := range m {
		if raw == nil {
			continue
		}
		if err := SetHeader(p.Header, name, Stringify(raw)); err != nil {
			return err
		}
	}
	return nil
}

// SetHeader sets one header after checking its name (an RFC 9110 token) and its value (no
// line breaks, which would inject headers).
func SetHeader(h http.Header, name, value string) error {
	if !headerNameRe.MatchString(name) {
		return fmt.Errorf("%q is not a valid header name", name)
	}
	if strings.ContainsAny(value, "\r\n\x00") {
		return fmt.Errorf("the value of %q contains a line break", name)
	}
	h.Set(name, value)
	return nil
}

func (p *Params) parseQuery(v any) error {
	values, err := QueryValues(v)
	if err != nil {
		return err
	}
	p.Query = values
	return nil
}

// QueryValues turns `with.query` into URL values; arrays repeat the key, nil is skipped.
func QueryValues(query any) (url.Values, error) {
	m, ok := query.(map[string]any)
	if !ok && query != nil {
		return nil, fmt.Errorf("%w, got %s", ErrWantMap, Describe(query))
	}
	values := url.Values{}
	for k, v := range m {
		items, isList := v.([]any)
		if !isList {
			items = []any{v}
		}
		for _, item := range items {
			if item != nil {
				values.Add(k, Stringify(item))
			}
		}
	}
	return values, nil
}

// parseBody encodes the body: objects, arrays, numbers and booleans as JSON, strings as is.
func (p *Params) parseBody(v any) error {
	switch b := v.(type) {
	case nil:
		return nil
	case string:
		p.Body = []byte(b)
		return nil
	}
	encoded, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encoding the body as JSON: %w", err)
	}
	p.Body = encoded
	return nil
}

// sniffContentType picks the Content-Type of a body given without one: JSON for encoded
// values and for strings holding a JSON object or array, plain text otherwise.
func sniffContentType(raw any, body []byte) string {
	if _, isString := raw.(string); !isString || looksLikeJSON(body) {
		return "application/json"
	}
	return "text/plain; charset=utf-8"
}

// parseTimeout reads the 9.3-era `with.timeout` (also Kibana's .http param): a duration
// ("30s", "1m30s", "500ms") or a number of milliseconds.
func (p *Params) parseTimeout(v any) error {
	if s, ok := v.(string); ok {
		d, err := time.ParseDuration(strings.TrimSpace(s))
		if err != nil || d <= 0 {
			return fmt.Errorf("%q is not a positive duration like \"30s\" or \"1m30s\"", s)
		}
		p.Timeout = d
		return nil
	}
	ms, err := toInt(v)
	if err != nil || ms <= 0 {
		return fmt.Errorf("want a duration like \"30s\" or a number of milliseconds, got %s", Describe(v))
	}
	p.Timeout = time.Duration(ms) * time.Millisecond
	return nil
}
