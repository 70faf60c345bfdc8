package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/errand-dev/errand/internal/connector"
	"github.com/errand-dev/errand/internal/httpclient"
)

// summaryPost is the Result message of a failed post (Kibana's wording).
const summaryPost = "error posting slack message"

const postParamsSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "properties": {
    "message": {"type": "string", "minLength": 1, "description": "The message text (Slack mrkdwn)."},
    "channel": {"type": "string", "description": "Overrides the webhook's channel, for legacy webhooks that allow it."},
    "username": {"type": "string", "description": "Overrides the poster's name, for legacy webhooks that allow it."},
    "icon_emoji": {"type": "string", "description": "Overrides the poster's icon with an emoji (:robot_face:)."},
    "icon_url": {"type": "string", "description": "Overrides the poster's icon with an image URL."}
  },
  "required": ["message"],
  "additionalProperties": false
}`

// payload is the JSON an incoming webhook receives; empty overrides are left out so that the
// seed's step sends exactly {"text": ...}.
type payload struct {
	Text      string `json:"text"`
	Channel   string `json:"channel,omitempty"`
	Username  string `json:"username,omitempty"`
	IconEmoji string `json:"icon_emoji,omitempty"`
	IconURL   string `json:"icon_url,omitempty"`
}

// postMessageAction serves the `slack` step.
func postMessageAction() *connector.Action {
	return &connector.Action{
		Name:         "",
		ParamsSchema: json.RawMessage(postParamsSchema),
		Run:          postMessage,
	}
}

// postMessage posts the step's message to the webhook. Output: {ok: true, text?}.
func postMessage(ctx context.Context, call *connector.Call) connector.Result {
	webhookURL, _ := call.Connector.Secrets["webhookUrl"].(string)
	if webhookURL == "" {
		return connector.UserError("the Slack webhook URL is missing: set the connector's webhookUrl secret")
	}
	p := payload{
		Text:      stringParam(call.Params, "message"),
		Channel:   stringParam(call.Params, "channel"),
		Username:  stringParam(call.Params, "username"),
		IconEmoji: stringParam(call.Params, "icon_emoji"),
		IconURL:   stringParam(call.Params, "icon_url"),
	}
	if strings.TrimSpace(p.Text) == "" {
		return connector.UserError("message is required: the text to post to Slack")
	}
	body, err := marshal(p)
	if err != nil {
		return connector.UserError("encoding the Slack message: " + err.Error())
	}
	resp, err := call.HTTP.Do(ctx, &httpclient.Request{
		Method: http.MethodPost,
		URL:    webhookURL,
		Header: http.Header{"Content-Type": {"application/json"}},
		Body:   body,
	})
	if err != nil {
		return failure(call.HTTP, summaryPost, err)
	}
	return webhookResult(resp.Body)
}

// webhookResult reads a 2xx answer. Incoming webhooks answer the text `ok`; Workflow
// webhooks answer JSON such as {"ok":true}. A JSON {"ok":false,"error":...} is a failure;
// any other 2xx body is a success, because Slack accepted the request and retrying would
// post twice.
func webhookResult(body []byte) connector.Result {
	text := strings.TrimSpace(string(body))
	var doc map[string]any
	if json.Unmarshal(body, &doc) == nil {
		if ok, present := doc["ok"].(bool); present && !ok {
			r := connector.UserError(summaryPost)
			r.ServiceMessage, _ = doc["error"].(string)
			return r
		}
		return connector.OK(map[string]any{"ok": true})
	}
	out := map[string]any{"ok": true}
	if text != "" {
		out["text"] = text
	}
	return connector.OK(out)
}

// marshal encodes v as JSON without HTML escaping: Slack's own markup uses <, > and &.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// stringParam returns params[key] when it is a string, else "".
func stringParam(params map[string]any, key string) string {
	s, _ := params[key].(string)
	return s
}
