// Package slack is the `.slack` connector type: a Slack incoming webhook. The webhook URL is
// the credential (whoever knows it can post), so it is a secret and never appears in a
// message. It serves the `slack` step. Slack Workflow webhooks
// (hooks.slack.com/triggers/...) answer JSON instead of `ok`; both count as success, which
// fixes Kibana's duplicate posts (kibana#217581).
package slack

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/errand-dev/errand/internal/connector"
)

// TypeID is the connector type id.
const TypeID = ".slack"

const secretsSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "properties": {
    "webhookUrl": {"type": "string", "minLength": 1, "format": "uri",
      "description": "The incoming webhook URL (https://hooks.slack.com/services/...) or a Slack Workflow webhook URL (https://hooks.slack.com/triggers/...)."}
  },
  "required": ["webhookUrl"],
  "additionalProperties": false
}`

const configSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "additionalProperties": false
}`

// Type returns the `.slack` connector type.
func Type() *connector.Type {
	return &connector.Type{
		ID:             TypeID,
		Name:           "Slack",
		ConfigSchema:   json.RawMessage(configSchema),
		SecretsSchema:  json.RawMessage(secretsSchema),
		Actions:        map[string]*connector.Action{"": postMessageAction()},
		ValidateConfig: validateConfig,
	}
}

// validateConfig checks the webhook URL: an absolute https URL (plain http only for a
// loopback host, for local fakes). Any host is accepted, since the egress policy decides
// which hosts are reachable; the URL itself never appears in the error.
func validateConfig(_, secrets map[string]any) error {
	raw, _ := secrets["webhookUrl"].(string)
	if strings.TrimSpace(raw) == "" {
		return errors.New("webhookUrl is required: the Slack webhook URL from the app's Incoming Webhooks page")
	}
	return connector.CheckSecureURL("webhookUrl", raw, "expected an https://hooks.slack.com/services/ URL")
}
