// Package webhook is the `.webhook` connector type: one fixed URL and method, optional Basic
// auth and secret headers. It serves the `webhook` step, whose `body` is sent as written.
// Unlike Kibana's, the step's output carries the remote's answer ({status, statusText, data,
// headers}), not the request body.
package webhook

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/errand-dev/errand/internal/connector"
)

// TypeID is the connector type id.
const TypeID = ".webhook"

// Auth types of Kibana's shared auth schema; only Basic is supported here.
const (
	authBasic  = "webhook-authentication-basic"
	authSSL    = "webhook-authentication-ssl"
	authOAuth2 = "webhook-oauth2-client-credentials"
)

// methods are the HTTP methods a webhook may use, lower case as Kibana stores them.
var methods = []string{"post", "put", "patch", "get", "delete"}

const configSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "properties": {
    "url": {"type": "string", "minLength": 1, "format": "uri", "description": "The URL every call goes to."},
    "method": {"enum": ["post", "put", "patch", "get", "delete", "POST", "PUT", "PATCH", "GET", "DELETE"], "default": "post"},
    "headers": {"type": ["object", "null"], "additionalProperties": {"type": "string"},
      "description": "Headers sent with every call; secretHeaders of the same name win."},
    "hasAuth": {"type": "boolean", "default": true, "description": "Whether to send Basic auth from the user and password secrets."},
    "authType": {"enum": ["webhook-authentication-basic", null]}
  },
  "required": ["url"],
  "additionalProperties": false
}`

const secretsSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "properties": {
    "user": {"type": ["string", "null"], "description": "Basic auth user name."},
    "password": {"type": ["string", "null"], "description": "Basic auth password."},
    "secretHeaders": {"type": ["object", "null"], "additionalProperties": {"type": "string"},
      "description": "Headers with credentials (API keys, tokens); they override config headers of the same name."}
  },
  "additionalProperties": false
}`

// Type returns the `.webhook` connector type.
func Type() *connector.Type {
	return &connector.Type{
		ID:             TypeID,
		Name:           "Webhook",
		ConfigSchema:   json.RawMessage(configSchema),
		SecretsSchema:  json.RawMessage(secretsSchema),
		Actions:        map[string]*connector.Action{"": sendAction()},
		ValidateConfig: validateConfig,
	}
}

// validateConfig checks the URL, the method, the headers and the auth settings.
func validateConfig(config, secrets map[string]any) error {
	raw, _ := config["url"].(string)
	u, err := url.Parse(raw)
	if raw == "" || err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return errors.New("url must be an absolute http(s) URL")
	}
	if u.User != nil {
		return errors.New("url must not contain credentials: set the user and password secrets")
	}
	if m, ok := config["method"].(string); ok && !slices.Contains(methods, strings.ToLower(m)) {
		return fmt.Errorf("method %q is not one of post, put, patch, get, delete", m)
	}
	if _, err := headerMap("headers", config["headers"]); err != nil {
		return err
	}
	if _, err := headerMap("secretHeaders", secrets["secretHeaders"]); err != nil {
		return err
	}
	return validateAuth(config, secrets)
}

// validateAuth checks hasAuth, authType and the Basic credentials.
func validateAuth(config, secrets map[string]any) error {
	authType, _ := config["authType"].(string)
	switch authType {
	case "", authBasic:
	case authSSL, authOAuth2:
		return fmt.Errorf("authType %q is not supported by .webhook yet: use an .http connector", authType)
	default:
		return fmt.Errorf("authType %q is unknown: use %q", authType, authBasic)
	}
	if hasAuth, ok := config["hasAuth"].(bool); ok && !hasAuth && authType != "" {
		return errors.New("authType must be empty when hasAuth is false")
	}
	user, _ := secrets["user"].(string)
	password, _ := secrets["password"].(string)
	if (user == "") != (password == "") {
		return errors.New("basic authentication needs both user and password")
	}
	return nil
}
