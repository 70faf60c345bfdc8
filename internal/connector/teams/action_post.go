package teams

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/errand-dev/errand/internal/connector"
	"github.com/errand-dev/errand/internal/httpclient"
)

// summaryPost is the Result message of a failed post (Kibana's wording).
const summaryPost = "error posting to Microsoft Teams"

// throttled is the marker Teams puts in a 200 body when it throttled the webhook.
const throttled = "ApplicationThrottled"

const postParamsSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "properties": {
    "message": {"type": "string", "minLength": 1, "description": "The message text (Markdown)."}
  },
  "required": ["message"],
  "additionalProperties": false
}`

// postMessageAction serves the `teams` step.
func postMessageAction() *connector.Action {
	return &connector.Action{
		Name:         "",
		ParamsSchema: json.RawMessage(postParamsSchema),
		Run:          postMessage,
	}
}

// postMessage posts {"text": message} to the webhook. Output: {ok: true, status, text?}.
func postMessage(ctx context.Context, call *connector.Call) connector.Result {
	webhookURL, _ := call.Connector.Secrets["webhookUrl"].(string)
	if webhookURL == "" {
		return connector.UserError("the Teams webhook URL is missing: set the connector's webhookUrl secret")
	}
	message, _ := call.Params["message"].(string)
	if strings.TrimSpace(message) == "" {
		return connector.UserError("message is required: the text to post to Microsoft Teams")
	}
	body, err := marshal(map[string]string{"text": message})
	if err != nil {
		return connector.UserError("encoding the Teams message: " + err.Error())
	}
	resp, err := call.HTTP.Do(ctx, &httpclient.Request{
		Method: http.MethodPost,
		URL:    webhookURL,
		Header: http.Header{"Content-Type": {"application/json"}},
		Body:   body,
	})
	if err != nil {
		return failure(summaryPost, err)
	}
	return webhookResult(resp, time.Now())
}

// webhookResult reads a 2xx answer. Teams reports throttling as 200 with
// `ErrorCode:ApplicationThrottled` in the body: that is a retryable failure, honouring a
// Retry-After if Teams sent one.
func webhookResult(resp *httpclient.Response, now time.Time) connector.Result {
	text := strings.TrimSpace(string(resp.Body))
	if strings.Contains(text, throttled) {
		r := connector.Result{Status: connector.StatusError, Message: summaryPost, Retry: true,
			ServiceMessage: "Microsoft Teams throttled the webhook (" + throttled + ")",
			ErrorSource:    connector.SourceFramework, HTTPStatus: resp.Status}
		r.RetryAfter, _ = httpclient.ParseRetryAfter(resp.Headers.Get("Retry-After"), now)
		return r
	}
	out := map[string]any{"ok": true, "status": resp.Status}
	if text != "" {
		out["text"] = text
	}
	return connector.OK(out)
}

// marshal encodes v as JSON without HTML escaping, so that markup reaches Teams as written.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
