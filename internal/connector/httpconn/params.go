package httpconn

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// methods are the methods the http step accepts (HEAD and OPTIONS are not, as in Kibana).
var methods = []string{"GET", "POST", "PUT", "PATCH", "DELETE"}

// headerNameRe is an RFC 9110 token, the syntax of a header field name.
var headerNameRe = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")

// Sentinels of parameter validation.
var (
	errWantString  = errors.New("want a string")
	errWantMap     = errors.New("want an object of names to values")
	errWantBool    = errors.New("want true or false")
	errWantInteger = errors.New("want a whole number")
)

// params is the validated `with` of an http step run through a connector.
type params struct {
	method  string
	url     string // optional: an absolute URL on the connector's origin
	path    string
	query   url.Values
	header  http.Header
	body    []byte
	timeout time.Duration
	fetcher fetcher
}

// fetcher is `with.fetcher`: transport options, as for the plain http step.
type fetcher struct {
	skipSSLVerification bool
	followRedirects     bool
	maxRedirects        int // -1: the client's default
	maxContentLength    int64
	keepAlive           bool
}

// paramParsers reads each accepted `with` key; unknown keys are errors so that a typo
// (`header:`) fails loudly instead of being ignored.
var paramParsers = map[string]func(p *params, v any) error{
	"url":     (*params).parseURL,
	"path":    (*params).parsePath,
	"query":   (*params).parseQuery,
	"method":  (*params).parseMethod,
	"headers": (*params).parseHeaders,
	"body":    (*params).parseBody,
	"timeout": (*params).parseTimeout,
	"fetcher": (*params).parseFetcher,
}

// parseParams validates the rendered `with` of the step.
func parseParams(with map[string]any) (*params, error) {
	p := &params{method: http.MethodGet, header: http.Header{},
		fetcher: fetcher{followRedirects: true, keepAlive: true, maxRedirects: -1}}
	keys := make([]string, 0, len(with))
	for k := range with {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		parse, ok := paramParsers[k]
		if !ok {
			return nil, fmt.Errorf("with.%s is not a parameter of the http step", k)
		}
		if err := parse(p, with[k]); err != nil {
			return nil, fmt.Errorf("with.%s: %w", k, err)
		}
	}
	if p.body != nil && p.header.Get("Content-Type") == "" {
		p.header.Set("Content-Type", sniffContentType(with["body"], p.body))
	}
	return p, nil
}

func (p *params) parseURL(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("%w, got %s", errWantString, describe(v))
	}
	p.url = strings.TrimSpace(s)
	return nil
}

// parsePath keeps the path as written; joinURL appends it to the base URL.
func (p *params) parsePath(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("%w, got %s", errWantString, describe(v))
	}
	s = strings.TrimSpace(s)
	if u, err := url.Parse(s); err == nil && u.Scheme != "" {
		return fmt.Errorf("%q is a URL, not a path: give the part after the connector's URL (\"/v1/items\")", s)
	}
	p.path = s
	return nil
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
	m, ok := v.(map[string]any)
	if !ok && v != nil {
		return fmt.Errorf("%w, got %s", errWantMap, describe(v))
	}
	for name, raw := range m {
		if raw == nil {
			continue
		}
		if err := setHeader(p.header, name, stringify(raw)); err != nil {
			return err
		}
	}
	return nil
}

// setHeader sets one header after checking its name and value.
func setHeader(h http.Header, name, value string) error {
	if !headerNameRe.MatchString(name) {
		return fmt.Errorf("%q is not a valid header name", name)
	}
	if strings.ContainsAny(value, "\r\n\x00") {
		return fmt.Errorf("the value of %q contains a line break", name)
	}
	h.Set(name, value)
	return nil
}

// parseQuery turns `with.query` into URL values; arrays repeat the key, nil is skipped.
func (p *params) parseQuery(v any) error {
	m, ok := v.(map[string]any)
	if !ok && v != nil {
		return fmt.Errorf("%w, got %s", errWantMap, describe(v))
	}
	p.query = url.Values{}
	for k, item := range m {
		items, isList := item.([]any)
		if !isList {
			items = []any{item}
		}
		for _, it := range items {
			if it != nil {
				p.query.Add(k, stringify(it))
			}
		}
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

// sniffContentType picks the Content-Type of a body given without one: JSON for encoded
// values and for strings holding a JSON object or array, plain text otherwise.
func sniffContentType(raw any, body []byte) string {
	if _, isString := raw.(string); !isString || looksLikeJSON(body) {
		return "application/json"
	}
	return "text/plain; charset=utf-8"
}

// parseTimeout reads a duration ("30s") or a number of milliseconds (Kibana's .http param).
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

// parseFetcher reads `with.fetcher`.
func (p *params) parseFetcher(v any) error {
	m, ok := v.(map[string]any)
	if !ok && v != nil {
		return fmt.Errorf("%w, got %s", errWantMap, describe(v))
	}
	var err error
	for k, val := range m {
		f := &p.fetcher
		switch k {
		case "skip_ssl_verification":
			f.skipSSLVerification, err = toBool(val)
		case "follow_redirects":
			f.followRedirects, err = toBool(val)
		case "keep_alive":
			f.keepAlive, err = toBool(val)
		case "max_redirects":
			var n int64
			if n, err = toInt(val); err == nil && (n < 0 || n > 1000) {
				err = fmt.Errorf("%d is out of range (0 to 1000)", n)
			}
			f.maxRedirects = int(n)
		case "max_content_length":
			if f.maxContentLength, err = toInt(val); err == nil && f.maxContentLength <= 0 {
				err = fmt.Errorf("%d is not a positive number of bytes", f.maxContentLength)
			}
		default:
			err = errors.New("unknown option (use skip_ssl_verification, follow_redirects, max_redirects, max_content_length or keep_alive)")
		}
		if err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
	}
	return nil
}

// toBool accepts booleans and the strings "true" and "false" (what `{{ }}` renders).
func toBool(v any) (bool, error) {
	switch b := v.(type) {
	case bool:
		return b, nil
	case string:
		if parsed, err := strconv.ParseBool(strings.TrimSpace(b)); err == nil {
			return parsed, nil
		}
	}
	return false, fmt.Errorf("%w, got %s", errWantBool, describe(v))
}

// toInt accepts integral numbers of any Go numeric type and numeric strings.
func toInt(v any) (int64, error) {
	switch n := v.(type) {
	case int:
		return int64(n), nil
	case int64:
		return n, nil
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<62 {
			return int64(n), nil
		}
	case json.Number:
		return toInt(string(n))
	case string:
		if parsed, err := strconv.ParseInt(strings.TrimSpace(n), 10, 64); err == nil {
			return parsed, nil
		}
	}
	return 0, fmt.Errorf("%w, got %s", errWantInteger, describe(v))
}

// stringify renders a scalar the way a template would: numbers without a trailing ".0",
// strings as they are, objects and arrays as JSON.
func stringify(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool, int, int64, json.Number:
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
	case float64, int, int64, json.Number:
		return "a number"
	}
	return fmt.Sprintf("a %T", v)
}
