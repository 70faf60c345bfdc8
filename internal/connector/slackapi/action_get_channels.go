package slackapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"

	"github.com/errand-dev/errand/internal/connector"
)

// Page sizes of conversations.list.
const (
	defaultChannelLimit = 200
	maxChannelLimit     = 1000
)

const getChannelsParamsSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "properties": {
    "types": {"type": "string", "description": "Comma-separated conversation types. Default public_channel."},
    "exclude_archived": {"type": ["boolean", "string"], "default": true},
    "limit": {"type": ["integer", "string"], "minimum": 1, "maximum": 1000, "default": 200},
    "cursor": {"type": "string", "description": "The next_cursor of the previous page."}
  },
  "additionalProperties": false
}`

// getChannelsAction serves `slack_api.getChannels`.
func getChannelsAction() *connector.Action {
	return &connector.Action{Name: "getChannels", ParamsSchema: json.RawMessage(getChannelsParamsSchema), Run: getChannels}
}

// getChannels returns one page of conversations.list: {ok, channels, response_metadata}.
// With allowed channels configured, only those are listed.
func getChannels(ctx context.Context, call *connector.Call) connector.Result {
	c, err := newClient(call)
	if err != nil {
		return connector.UserError(err.Error())
	}
	q, err := channelsQuery(call.Params)
	if err != nil {
		return connector.UserError(err.Error())
	}
	allowed, err := allowedChannels(call.Connector.Config)
	if err != nil {
		return connector.UserError(err.Error())
	}
	doc, err := c.get(ctx, "conversations.list", q)
	if err != nil {
		return failure("error listing slack channels", err)
	}
	if len(allowed) > 0 {
		doc["channels"] = onlyAllowed(doc["channels"], allowed)
	}
	return connector.OK(doc)
}

// channelsQuery builds the conversations.list query from the params.
func channelsQuery(p map[string]any) (url.Values, error) {
	q := url.Values{"types": {"public_channel"}, "exclude_archived": {"true"}, "limit": {strconv.Itoa(defaultChannelLimit)}}
	if types, _ := p["types"].(string); types != "" {
		q.Set("types", types)
	}
	excl, err := boolParam("exclude_archived", p["exclude_archived"])
	if err != nil {
		return nil, err
	}
	if excl != nil {
		q.Set("exclude_archived", strconv.FormatBool(*excl))
	}
	if limit, ok := intParam(p["limit"]); ok {
		if limit < 1 || limit > maxChannelLimit {
			return nil, fmt.Errorf("limit must be between 1 and %d", maxChannelLimit)
		}
		q.Set("limit", strconv.Itoa(limit))
	} else if p["limit"] != nil {
		return nil, fmt.Errorf("limit must be a number")
	}
	if cursor, _ := p["cursor"].(string); cursor != "" {
		q.Set("cursor", cursor)
	}
	return q, nil
}

// intParam reads an integer, also written as a string.
func intParam(v any) (int, bool) {
	switch v := v.(type) {
	case float64:
		return int(v), v == float64(int(v))
	case int:
		return v, true
	case string:
		n, err := strconv.Atoi(v)
		return n, err == nil
	}
	return 0, false
}

// onlyAllowed keeps the listed channels whose id is allowed.
func onlyAllowed(channels any, allowed []allowedChannel) []any {
	list, _ := channels.([]any)
	out := make([]any, 0, len(list))
	for _, item := range list {
		ch, _ := item.(map[string]any)
		id, _ := ch["id"].(string)
		for _, a := range allowed {
			if a.ID == id {
				out = append(out, item)
				break
			}
		}
	}
	return out
}
