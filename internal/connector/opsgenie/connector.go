// Package opsgenie is the `.opsgenie` connector type: the Opsgenie Alert API v2 with an API
// integration's key. It serves `opsgenie.createAlert` and `opsgenie.closeAlert`; Opsgenie
// processes both asynchronously and answers 202 {result, took, requestId}.
package opsgenie

import (
	"encoding/json"
	"errors"
	"net/url"
	"strings"

	"github.com/errand-dev/errand/internal/connector"
)

// TypeID is the connector type id.
const TypeID = ".opsgenie"

// DefaultAPIURL is the Opsgenie API used when the config names none (EU accounts use
// https://api.eu.opsgenie.com).
const DefaultAPIURL = "https://api.opsgenie.com"

const configSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "properties": {
    "apiUrl": {"type": "string", "format": "uri",
      "description": "The Opsgenie API base URL. Default https://api.opsgenie.com; EU accounts use https://api.eu.opsgenie.com."}
  },
  "additionalProperties": false
}`

const secretsSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "properties": {
    "apiKey": {"type": "string", "minLength": 1, "description": "The key of an Opsgenie API integration."}
  },
  "required": ["apiKey"],
  "additionalProperties": false
}`

// Type returns the `.opsgenie` connector type.
func Type() *connector.Type {
	return &connector.Type{
		ID:            TypeID,
		Name:          "Opsgenie",
		ConfigSchema:  json.RawMessage(configSchema),
		SecretsSchema: json.RawMessage(secretsSchema),
		Actions: map[string]*connector.Action{
			"createAlert": createAlertAction(),
			"closeAlert":  closeAlertAction(),
		},
		ValidateConfig: validateConfig,
	}
}

// validateConfig checks that apiUrl, when set, is an absolute http(s) URL and that the API
// key is present.
func validateConfig(config, secrets map[string]any) error {
	if raw, _ := config["apiUrl"].(string); raw != "" {
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			return errors.New("apiUrl must be an absolute http(s) URL such as " + DefaultAPIURL)
		}
	}
	if key, _ := secrets["apiKey"].(string); strings.TrimSpace(key) == "" {
		return errors.New("apiKey is required: the key of an Opsgenie API integration")
	}
	return nil
}
