package webhook

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/errand-dev/errand/internal/connector"
	"github.com/errand-dev/errand/internal/httpclient"
)

// buildRequest builds the call: the connector's URL and method; Basic auth, then config
// headers, then secret headers, then the step's headers, each overriding the one before; and
// the body for POST, PUT and PATCH.
func buildRequest(conn *connector.Connector, params map[string]any) (*httpclient.Request, error) {
	target, _ := conn.Config["url"].(string)
	if target == "" {
		return nil, errors.New("the webhook URL is missing: set the connector's url")
	}
	method := strings.ToUpper(str(conn.Config["method"]))
	if method == "" {
		method = http.MethodPost
	}
	header, err := buildHeader(conn, params)
	if err != nil {
		return nil, err
	}
	req := &httpclient.Request{Method: method, URL: target, Header: header}
	if method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch {
		if req.Body, err = body(params["body"]); err != nil {
			return nil, err
		}
		if len(req.Body) > 0 && header.Get("Content-Type") == "" {
			header.Set("Content-Type", contentType(req.Body))
		}
	}
	return req, nil
}

// buildHeader merges the auth header and the three header maps in precedence order.
func buildHeader(conn *connector.Connector, params map[string]any) (http.Header, error) {
	header := http.Header{}
	if user, password, ok := basicAuth(conn); ok {
		header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(user+":"+password)))
	}
	sources := []struct {
		name  string
		value any
	}{{"headers", conn.Config["headers"]}, {"secretHeaders", conn.Secrets["secretHeaders"]}, {"step headers", params["headers"]}}
	for _, src := range sources {
		m, err := headerMap(src.name, src.value)
		if err != nil {
			return nil, err
		}
		for name, value := range m {
			header.Set(name, value)
		}
	}
	return header, nil
}

// basicAuth returns the Basic credentials when hasAuth is not false, authType is Basic or
// unset and a user is set.
func basicAuth(conn *connector.Connector) (user, password string, ok bool) {
	if hasAuth, set := conn.Config["hasAuth"].(bool); set && !hasAuth {
		return "", "", false
	}
	if authType := str(conn.Config["authType"]); authType != "" && authType != authBasic {
		return "", "", false
	}
	user, password = str(conn.Secrets["user"]), str(conn.Secrets["password"])
	return user, password, user != ""
}

// headerMap reads a {name: value} map; null is empty. name is for the error.
func headerMap(name string, v any) (map[string]string, error) {
	if v == nil {
		return nil, nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		if typed, ok := v.(map[string]string); ok {
			return typed, nil
		}
		return nil, fmt.Errorf("%s must be an object of header names to values", name)
	}
	out := make(map[string]string, len(obj))
	for k, val := range obj {
		s, ok := val.(string)
		if !ok {
			return nil, fmt.Errorf("%s: the value of header %q must be a string", name, k)
		}
		out[k] = s
	}
	return out, nil
}

// body returns the request body: a string as written, an object or a list as JSON.
func body(v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case string:
		return []byte(v), nil
	case map[string]any, []any:
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("encoding body as JSON: %w", err)
		}
		return b, nil
	}
	return nil, fmt.Errorf("body must be a string or an object, not %T", v)
}

// contentType guesses the body's type when no header names it: JSON when it parses.
func contentType(b []byte) string {
	if json.Valid(b) {
		return "application/json"
	}
	return "text/plain; charset=utf-8"
}

// str returns v when it is a string.
func str(v any) string {
	s, _ := v.(string)
	return s
}
