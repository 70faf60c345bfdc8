package slackapi

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"

	"github.com/errand-dev/errand/internal/connector"
)

const validChannelIDParamsSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "properties": {
    "channelId": {"type": "string", "minLength": 1, "description": "The channel id to check (C0123456789)."}
  },
  "required": ["channelId"],
  "additionalProperties": false
}`

// validChannelIDAction serves `slack_api.validChannelId`.
func validChannelIDAction() *connector.Action {
	return &connector.Action{Name: "validChannelId", ParamsSchema: json.RawMessage(validChannelIDParamsSchema), Run: validChannelID}
}

// validChannelID checks a channel id with conversations.info. Output: Slack's answer
// {ok, channel: {id, name, ...}}; an unknown id is a channel_not_found error.
func validChannelID(ctx context.Context, call *connector.Call) connector.Result {
	c, err := newClient(call)
	if err != nil {
		return connector.UserError(err.Error())
	}
	id, _ := call.Params["channelId"].(string)
	if id = strings.TrimSpace(id); id == "" {
		return connector.UserError("channelId is required: the channel id to check")
	}
	doc, err := c.get(ctx, "conversations.info", url.Values{"channel": {id}})
	if err != nil {
		return failure("error validating slack channel id", err)
	}
	return connector.OK(doc)
}
