// Package httpconn is the `.http` connector: a base URL, an auth mode (none, basic, bearer,
// API-key header or OAuth2 client credentials) and secret headers, stored once and used by
// the `http` step with `connector-id`. The connector's base URL is authoritative: the step's
// `path` is appended to it, and a `url` on another origin is refused, so the connector's
// credentials only ever reach its own origin (DESIGN.md §4). Redirects to another origin
// are followed without any credential header.
package httpconn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/errand-dev/errand/internal/connector"
	"github.com/errand-dev/errand/internal/httpclient"
	"github.com/errand-dev/errand/internal/httpclient/httpcall"
)

// TypeID is the connector type id.
const TypeID = ".http"

// errCredentialsRefused marks a connection test the remote answered with 401 or 403.
var errCredentialsRefused = errors.New("the remote refused the connector's credentials")

// Type returns the .http connector type. Each call returns a type with its own OAuth2
// token cache; register one per process.
func Type() *connector.Type { return newType(time.Now) }

// newType builds the type with a clock, so tests can move time past a token's expiry.
func newType(now func() time.Time) *connector.Type {
	tokens := newTokenCache(now)
	return &connector.Type{
		ID:            TypeID,
		Name:          "HTTP",
		StepPrefix:    "http",
		ConfigSchema:  configSchema,
		SecretsSchema: secretsSchema,
		Actions: map[string]*connector.Action{
			"": {Name: "", ParamsSchema: paramsSchema, Run: func(ctx context.Context, call *connector.Call) connector.Result {
				return runRequest(ctx, call, tokens)
			}},
		},
		ValidateConfig: func(config, secrets map[string]any) error {
			_, _, err := parseConfig(config, secrets)
			return err
		},
		Test: func(ctx context.Context, call *connector.Call) error { return testConnection(ctx, call, tokens) },
	}
}

// testConnection sends GET to the base URL with the connector's auth: any answer but 401
// and 403 shows the host is reachable and the credentials are not refused (an OAuth2 token
// has been obtained on the way).
func testConnection(ctx context.Context, call *connector.Call, tokens *TokenCache) error {
	cfg, sec, err := parseConfig(call.Connector.Config, call.Connector.Secrets)
	if err != nil {
		return fmt.Errorf("testing the http connector: %w", err)
	}
	r := &requester{call: call, tokens: tokens, cfg: cfg, sec: sec}
	p := &params{Params: httpcall.NewParams()}
	resp, err := r.send(ctx, r.request(p, cfg.base.String()), p)
	if resp != nil && (resp.Status == http.StatusUnauthorized || resp.Status == http.StatusForbidden) {
		return fmt.Errorf("testing the http connector: %w: %w", errCredentialsRefused, err)
	}
	if err != nil && !errors.Is(err, httpclient.ErrStatus) {
		return fmt.Errorf("testing the http connector: %w", err)
	}
	return nil
}

var configSchema = json.RawMessage(`{
  "type": "object",
  "required": ["url"],
  "properties": {
    "url": {"type": "string", "format": "uri", "description": "Base URL; a step's path is appended to it."},
    "hasAuth": {"type": "boolean", "description": "false sends no credentials (Kibana compatibility)."},
    "authType": {"type": ["string", "null"], "enum": ["none", "basic", "bearer", "apiKey", "oauth2",
      "webhook-authentication-basic", "webhook-oauth2-client-credentials", null],
      "description": "How requests authenticate; default basic when secrets.user is set, else none."},
    "apiKeyHeader": {"type": "string", "description": "Header carrying secrets.apiKey; default X-API-Key."},
    "accessTokenUrl": {"type": "string", "format": "uri", "description": "OAuth2 token endpoint."},
    "clientId": {"type": "string", "description": "OAuth2 client id."},
    "scope": {"type": "string", "description": "OAuth2 scope, space-separated."},
    "additionalFields": {"type": ["string", "null"], "description": "JSON object of extra token request fields."},
    "headers": {"type": ["object", "null"], "additionalProperties": {"type": "string"},
      "description": "Headers sent with every request; secret headers and step headers override them."},
    "verificationMode": {"type": "string", "enum": ["full", "certificate", "none"], "description": "TLS verification: full (chain and host name, default), certificate (chain only) or none."},
    "ca": {"type": "string", "description": "Certificate authority to trust for this connector: PEM, or base64 of PEM."}
  },
  "additionalProperties": false
}`)

var secretsSchema = json.RawMessage(`{
  "type": "object",
  "properties": {
    "user": {"type": "string"},
    "password": {"type": "string"},
    "token": {"type": "string", "description": "Bearer token."},
    "apiKey": {"type": "string"},
    "clientSecret": {"type": "string", "description": "OAuth2 client secret."},
    "secretHeaders": {"type": "object", "additionalProperties": {"type": "string"},
      "description": "Encrypted headers; they override config.headers."},
    "crt": {"type": "string", "description": "TLS client certificate: PEM, or base64 of PEM."},
    "key": {"type": "string", "description": "Private key of the client certificate: PEM, or base64 of PEM."}
  },
  "additionalProperties": false
}`)

var paramsSchema = json.RawMessage(`{
  "type": "object",
  "properties": {
    "path": {"type": "string", "description": "Appended to the connector's URL."},
    "url": {"type": "string", "description": "A full URL on the connector's own origin."},
    "method": {"type": "string", "enum": ["GET", "POST", "PUT", "PATCH", "DELETE", "get", "post", "put", "patch", "delete"]},
    "headers": {"type": "object", "description": "Override the connector's headers."},
    "query": {"type": "object"},
    "body": {},
    "timeout": {"type": ["string", "number"]},
    "fetcher": {"type": "object", "properties": {
      "skip_ssl_verification": {"type": "boolean"}, "follow_redirects": {"type": "boolean"},
      "max_redirects": {"type": "integer", "minimum": 0}, "max_content_length": {"type": "integer", "minimum": 1},
      "keep_alive": {"type": "boolean"}}, "additionalProperties": false}
  },
  "additionalProperties": false
}`)
