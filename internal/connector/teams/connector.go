// Package teams is the `.teams` connector type: a Microsoft Teams incoming webhook, either an
// Office 365 connector URL (answers 200 `1`) or a Workflows (Power Automate) URL (answers
// 202). The URL is the credential, so it is a secret and never appears in a message. It
// serves the `teams` step.
package teams

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/errand-dev/errand/internal/connector"
)

// TypeID is the connector type id.
const TypeID = ".teams"

const secretsSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "properties": {
    "webhookUrl": {"type": "string", "minLength": 1, "format": "uri",
      "description": "The channel's incoming webhook URL, or the HTTP trigger URL of a Teams Workflows (Power Automate) flow."}
  },
  "required": ["webhookUrl"],
  "additionalProperties": false
}`

const configSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "additionalProperties": false
}`

// Type returns the `.teams` connector type.
func Type() *connector.Type {
	return &connector.Type{
		ID:             TypeID,
		Name:           "Microsoft Teams",
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
		return errors.New("webhookUrl is required: the Teams channel's incoming webhook URL")
	}
	return connector.CheckSecureURL("webhookUrl", raw, "")
}
