package slackapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/errand-dev/errand/internal/connector"
)

// summaryPost is the Result message of a failed post (Kibana's wording).
const summaryPost = "error posting slack message"

// channelProperties are the ways a step names its channel, in Kibana's shapes.
const channelProperties = `
    "channelIds": {"type": ["array", "string"], "items": {"type": "string"}, "maxItems": 1, "description": "The channel id (C0123456789)."},
    "channelNames": {"type": ["array", "string"], "items": {"type": "string", "pattern": "^#"}, "maxItems": 1, "description": "The channel name, starting with #."},
    "channels": {"type": ["array", "string"], "items": {"type": "string"}, "maxItems": 1, "description": "The channel, as an id or a #name (legacy)."},
    "channel": {"type": "string", "description": "The channel, as an id or a #name."},`

const postMessageParamsSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "properties": {` + channelProperties + `
    "text": {"type": "string", "description": "The message (Slack mrkdwn); the notification text when blocks are given."},
    "blocks": {"type": ["array", "string"], "description": "Block Kit blocks, or JSON text holding them."},
    "attachments": {"type": ["array", "string"], "description": "Legacy attachments, or JSON text holding them."},
    "thread_ts": {"type": ["string", "number"], "description": "Reply in the thread of this message timestamp."},
    "unfurl_links": {"type": ["boolean", "string"]},
    "unfurl_media": {"type": ["boolean", "string"]}
  },
  "anyOf": [{"required": ["text"]}, {"required": ["blocks"]}, {"required": ["attachments"]}],
  "additionalProperties": false
}`

const postBlockkitParamsSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "properties": {` + channelProperties + `
    "text": {"type": "string", "minLength": 1, "description": "JSON text holding {\"blocks\": [...]}, as Block Kit Builder exports it."}
  },
  "required": ["text"],
  "additionalProperties": false
}`

// postMessageAction serves `slack_api.postMessage`.
func postMessageAction() *connector.Action {
	return &connector.Action{Name: "postMessage", ParamsSchema: json.RawMessage(postMessageParamsSchema), Run: postMessage}
}

// postBlockkitAction serves `slack_api.postBlockkit` (Kibana's form: text holds the blocks).
func postBlockkitAction() *connector.Action {
	return &connector.Action{Name: "postBlockkit", ParamsSchema: json.RawMessage(postBlockkitParamsSchema), Run: postBlockkit}
}

// postMessage calls chat.postMessage. Output: Slack's answer {ok, channel, ts, message}.
func postMessage(ctx context.Context, call *connector.Call) connector.Result {
	msg, err := buildMessage(call.Params)
	if err != nil {
		return connector.UserError(err.Error())
	}
	return post(ctx, call, msg)
}

// postBlockkit posts the blocks held by the JSON text param.
func postBlockkit(ctx context.Context, call *connector.Call) connector.Result {
	text, _ := call.Params["text"].(string)
	blocks, err := jsonList("blocks", text)
	if err != nil || len(blocks) == 0 {
		return connector.UserError(`text must be JSON holding {"blocks": [...]}, as Block Kit Builder exports it`)
	}
	return post(ctx, call, &message{Blocks: blocks})
}

// post resolves the channel and sends msg.
func post(ctx context.Context, call *connector.Call, msg *message) connector.Result {
	c, err := newClient(call)
	if err != nil {
		return connector.UserError(err.Error())
	}
	t, err := pickTarget(call.Params)
	if err != nil {
		return connector.UserError(err.Error())
	}
	allowed, err := allowedChannels(call.Connector.Config)
	if err != nil {
		return connector.UserError(err.Error())
	}
	if msg.Channel, err = resolve(ctx, c, allowed, t); err != nil {
		var na *notAllowedError
		if errors.As(err, &na) {
			return connector.Result{Status: connector.StatusError, Message: summaryPost, ServiceMessage: na.Error(), ErrorSource: connector.SourceUser}
		}
		return failure(summaryPost, err)
	}
	doc, err := c.post(ctx, "chat.postMessage", msg)
	if err != nil {
		return failure(summaryPost, err)
	}
	return connector.OK(doc)
}

// pickTarget returns the channel the params name, in Kibana's priority: channelNames, then
// channelIds, then channels (then channel).
func pickTarget(p map[string]any) (target, error) {
	for _, key := range []string{"channelNames", "channelIds", "channels", "channel"} {
		values, err := stringList(key, p[key])
		if err != nil {
			return target{}, err
		}
		if len(values) == 0 || values[0] == "" {
			continue
		}
		if len(values) > 1 {
			return target{}, fmt.Errorf("%s names %d channels; a message goes to one channel (use a foreach step for several)", key, len(values))
		}
		switch key {
		case "channelNames":
			name, ok := strings.CutPrefix(values[0], "#")
			if !ok {
				return target{}, fmt.Errorf("channelNames entries start with #: write %q", "#"+values[0])
			}
			return target{Name: name}, nil
		case "channelIds":
			return target{ID: values[0]}, nil
		}
		return classify(values[0]), nil
	}
	return target{}, errors.New("a channel is required: set channelIds, channelNames (#name) or channels")
}
