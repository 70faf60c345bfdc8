package webhook

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/errand-dev/errand/internal/connector"
	"github.com/errand-dev/errand/internal/httpclient"
)

// summarySend is the Result message of a failed call (Kibana's wording).
const summarySend = "error calling webhook"

const sendParamsSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "properties": {
    "body": {"type": ["string", "object", "array"], "description": "The request body, sent as written (objects are sent as JSON). Ignored for GET and DELETE."},
    "headers": {"type": "object", "additionalProperties": {"type": "string"}, "description": "Headers for this call; they override the connector's."}
  },
  "additionalProperties": false
}`

// sendAction serves the `webhook` step.
func sendAction() *connector.Action {
	return &connector.Action{Name: "", ParamsSchema: json.RawMessage(sendParamsSchema), Run: send}
}

// send calls the webhook. Output: {status, statusText, data, headers}.
func send(ctx context.Context, call *connector.Call) connector.Result {
	req, err := buildRequest(call.Connector, call.Params)
	if err != nil {
		return connector.UserError(err.Error())
	}
	resp, err := call.HTTP.Do(ctx, req)
	if err != nil {
		return connector.FromHTTPError(summarySend, err)
	}
	return connector.OK(map[string]any{
		"status":     resp.Status,
		"statusText": resp.StatusText,
		"data":       responseData(resp),
		"headers":    responseHeaders(resp.Headers),
	})
}

// responseData decodes a JSON answer; any other answer is returned as text.
func responseData(resp *httpclient.Response) any {
	if len(resp.Body) == 0 {
		return ""
	}
	if strings.Contains(strings.ToLower(resp.Headers.Get("Content-Type")), "json") {
		var v any
		if json.Unmarshal(resp.Body, &v) == nil {
			return v
		}
	}
	return string(resp.Body)
}

// responseHeaders returns the headers with lower-case names, repeated values joined by ", ".
func responseHeaders(h http.Header) map[string]any {
	out := make(map[string]any, len(h))
	for name, values := range h {
		out[strings.ToLower(name)] = strings.Join(values, ", ")
	}
	return out
}
