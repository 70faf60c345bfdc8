// Package pagerduty is the `.pagerduty` connector type: PagerDuty Events API v2. It serves
// the `pagerduty` step, which triggers, acknowledges or resolves an alert; the integration's
// routing key is the secret.
package pagerduty

import (
	"encoding/json"
	"errors"
	"net/url"
	"strings"

	"github.com/errand-dev/errand/internal/connector"
)

// TypeID is the connector type id.
const TypeID = ".pagerduty"

// DefaultAPIURL is the Events API v2 endpoint used when the config names none.
const DefaultAPIURL = "https://events.pagerduty.com/v2/enqueue"

const configSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "properties": {
    "apiUrl": {"type": ["string", "null"], "format": "uri",
      "description": "The Events API v2 endpoint. Default https://events.pagerduty.com/v2/enqueue."}
  },
  "additionalProperties": false
}`

const secretsSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "properties": {
    "routingKey": {"type": "string", "minLength": 1,
      "description": "The integration key (routing key) of an Events API v2 integration on a PagerDuty service."}
  },
  "required": ["routingKey"],
  "additionalProperties": false
}`

// Type returns the `.pagerduty` connector type.
func Type() *connector.Type {
	return &connector.Type{
		ID:             TypeID,
		Name:           "PagerDuty",
		ConfigSchema:   json.RawMessage(configSchema),
		SecretsSchema:  json.RawMessage(secretsSchema),
		Actions:        map[string]*connector.Action{"": enqueueAction()},
		ValidateConfig: validateConfig,
	}
}

// validateConfig checks that apiUrl, when set, is an absolute http(s) URL and that the
// routing key is present.
func validateConfig(config, secrets map[string]any) error {
	if raw, _ := config["apiUrl"].(string); raw != "" {
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			return errors.New("apiUrl must be an absolute http(s) URL such as " + DefaultAPIURL)
		}
	}
	if key, _ := secrets["routingKey"].(string); strings.TrimSpace(key) == "" {
		return errors.New("routingKey is required: the integration key of an Events API v2 integration")
	}
	return nil
}

// apiURL returns the configured endpoint or the default.
func apiURL(config map[string]any) string {
	if raw, _ := config["apiUrl"].(string); raw != "" {
		return raw
	}
	return DefaultAPIURL
}
