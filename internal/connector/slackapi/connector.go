// Package slackapi is the `.slack_api` connector type: the Slack Web API with a bot token
// (xoxb-). It serves `slack_api.postMessage` (to a channel id or `#name`, with blocks,
// attachments and threads), `slack_api.postBlockkit`, `slack_api.getChannels` and
// `slack_api.validChannelId`, plus the bare `slack_api` step in Kibana's
// {subAction, subActionParams} form. When the connector lists allowed channels, messages
// go to those channels only.
package slackapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/errand-dev/errand/internal/connector"
)

// TypeID is the connector type id.
const TypeID = ".slack_api"

// DefaultAPIURL is the Web API base URL used when the config names none.
const DefaultAPIURL = "https://slack.com/api"

// maxAllowedChannels bounds config.allowedChannels (Kibana's limit).
const maxAllowedChannels = 500

const configSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "properties": {
    "allowedChannels": {"type": "array", "maxItems": 500, "items": {"type": "object",
      "properties": {"id": {"type": "string", "minLength": 1}, "name": {"type": "string", "minLength": 1}},
      "required": ["id", "name"], "additionalProperties": false},
      "description": "When set, messages may go to these channels only."},
    "apiUrl": {"type": "string", "format": "uri", "description": "The Web API base URL. Default https://slack.com/api."}
  },
  "additionalProperties": false
}`

const secretsSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "properties": {
    "token": {"type": "string", "minLength": 1, "description": "The app's bot token (xoxb-...), with the chat:write and channels:read scopes."}
  },
  "required": ["token"],
  "additionalProperties": false
}`

// Type returns the `.slack_api` connector type.
func Type() *connector.Type {
	actions := map[string]*connector.Action{
		"postMessage":    postMessageAction(),
		"postBlockkit":   postBlockkitAction(),
		"getChannels":    getChannelsAction(),
		"validChannelId": validChannelIDAction(),
	}
	actions[""] = subActionAction(actions)
	return &connector.Type{
		ID:             TypeID,
		Name:           "Slack API",
		ConfigSchema:   json.RawMessage(configSchema),
		SecretsSchema:  json.RawMessage(secretsSchema),
		Actions:        actions,
		ValidateConfig: validateConfig,
		Test:           test,
	}
}

// test checks the token with auth.test.
func test(ctx context.Context, call *connector.Call) error {
	c, err := newClient(call)
	if err != nil {
		return err
	}
	if _, err := c.post(ctx, "auth.test", struct{}{}); err != nil {
		return fmt.Errorf("testing the Slack token: %w", err)
	}
	return nil
}

// validateConfig checks the API URL, the token's form and the allowed channels.
func validateConfig(config, secrets map[string]any) error {
	if raw, _ := config["apiUrl"].(string); raw != "" {
		if connector.CheckSecureURL("apiUrl", raw, "") != nil {
			return errors.New("apiUrl must be an absolute https URL such as " + DefaultAPIURL)
		}
	}
	if token, _ := secrets["token"].(string); !strings.HasPrefix(token, "xox") {
		return errors.New("token must be a Slack token: the app's bot token starts with xoxb-")
	}
	channels, err := allowedChannels(config)
	if err != nil {
		return err
	}
	if len(channels) > maxAllowedChannels {
		return fmt.Errorf("allowedChannels has %d channels; at most %d are allowed", len(channels), maxAllowedChannels)
	}
	return nil
}
