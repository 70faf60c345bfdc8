// Package email is the `.email` connector: it sends the `email` step's message over SMTP,
// with TLS from the start (secure) or STARTTLS whenever the server offers it, and AUTH PLAIN
// or LOGIN (never over an unencrypted connection to another host). It speaks SMTP through
// net/smtp, whose client covers EHLO, STARTTLS, AUTH, MAIL and RCPT; the DATA exchange is
// driven on its textproto connection to return the server's final answer. Mail does not go
// through httpclient, so the egress host policy does not apply to it.
package email

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/errand-dev/errand/internal/connector"
)

// TypeID is the connector type id.
const TypeID = ".email"

// Type returns the .email connector type.
func Type() *connector.Type {
	return &connector.Type{
		ID:            TypeID,
		Name:          "Email",
		ConfigSchema:  configSchema,
		SecretsSchema: secretsSchema,
		Actions: map[string]*connector.Action{
			"": {Name: "", ParamsSchema: paramsSchema, Run: runSend},
		},
		ValidateConfig: func(config, secrets map[string]any) error {
			_, err := parseConfig(config, secrets)
			return err
		},
		Test: testConnection,
	}
}

// testConnection connects, upgrades to TLS, authenticates and quits, sending no mail.
func testConnection(ctx context.Context, call *connector.Call) error {
	cfg, err := parseConfig(call.Connector.Config, call.Connector.Secrets)
	if err != nil {
		return fmt.Errorf("testing the email connector: %w", err)
	}
	s, err := dial(ctx, cfg, call.HTTP)
	if err != nil {
		return fmt.Errorf("testing the email connector: %w", err)
	}
	if err := s.quit(); err != nil {
		return fmt.Errorf("testing the email connector: %w", err)
	}
	return nil
}

var configSchema = json.RawMessage(`{
  "type": "object",
  "required": ["from"],
  "properties": {
    "from": {"type": "string", "description": "The sender, \"alerts@example.com\" or \"Alerts <alerts@example.com>\"."},
    "service": {"type": "string", "enum": ["other", "gmail", "outlook365"], "description": "A well-known service sets host and port; default other."},
    "host": {"type": "string", "description": "SMTP server host (required with service other)."},
    "port": {"type": "integer", "minimum": 1, "maximum": 65535, "description": "Default 465 when secure, else 587."},
    "secure": {"type": "boolean", "description": "TLS from the start (port 465); otherwise STARTTLS when offered."},
    "hasAuth": {"type": "boolean", "description": "Authenticate with secrets.user and secrets.password; default true."},
    "tls": {"type": "object", "properties": {
      "insecureSkipVerify": {"type": "boolean", "description": "Accept any certificate (tests only)."},
      "ca": {"type": "string", "description": "PEM certificate(s) of the CA the server's certificate chains to."}},
      "additionalProperties": false}
  },
  "additionalProperties": false
}`)

var secretsSchema = json.RawMessage(`{
  "type": "object",
  "properties": {
    "user": {"type": ["string", "null"]},
    "password": {"type": ["string", "null"]}
  },
  "additionalProperties": false
}`)

var paramsSchema = json.RawMessage(`{
  "type": "object",
  "required": ["to", "subject", "message"],
  "properties": {
    "to": {"type": ["array", "string"], "items": {"type": "string"}, "minItems": 1, "maxItems": 100},
    "cc": {"type": ["array", "null"], "items": {"type": "string"}, "maxItems": 100},
    "bcc": {"type": ["array", "null"], "items": {"type": "string"}, "maxItems": 100},
    "replyTo": {"type": ["array", "null"], "items": {"type": "string"}, "maxItems": 10},
    "subject": {"type": "string", "minLength": 1},
    "message": {"type": "string", "minLength": 1, "description": "The plain-text body."},
    "messageHTML": {"type": ["string", "null"], "description": "An HTML alternative to message."}
  },
  "additionalProperties": false
}`)
