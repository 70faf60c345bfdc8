package slackapi

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/errand-dev/errand/internal/connector"
)

const subActionParamsSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "properties": {
    "subAction": {"enum": ["postMessage", "postBlockkit", "getChannels", "validChannelId"]},
    "subActionParams": {"type": "object"}
  },
  "required": ["subAction"],
  "additionalProperties": false
}`

// subActionAction serves the bare `slack_api` step in Kibana's params form
// {subAction, subActionParams}, dispatching to the named action.
func subActionAction(actions map[string]*connector.Action) *connector.Action {
	return &connector.Action{
		Name:         "",
		ParamsSchema: json.RawMessage(subActionParamsSchema),
		Run: func(ctx context.Context, call *connector.Call) connector.Result {
			name, _ := call.Params["subAction"].(string)
			action, ok := actions[name]
			if !ok || name == "" {
				names := make([]string, 0, len(actions))
				for n := range actions {
					if n != "" {
						names = append(names, n)
					}
				}
				sort.Strings(names)
				return connector.UserError(fmt.Sprintf("subAction %q is not one of %s", name, strings.Join(names, ", ")))
			}
			params, _ := call.Params["subActionParams"].(map[string]any)
			sub := *call
			sub.Params = params
			return action.Run(ctx, &sub)
		},
	}
}
