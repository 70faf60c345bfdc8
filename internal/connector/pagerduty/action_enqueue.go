package pagerduty

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/errand-dev/errand/internal/connector"
	"github.com/errand-dev/errand/internal/httpclient"
)

// summaryEnqueue is the Result message of a failed event.
const summaryEnqueue = "error posting pagerduty event"

const enqueueParamsSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "properties": {
    "eventAction": {"enum": ["trigger", "acknowledge", "resolve"], "default": "trigger"},
    "dedupKey": {"type": "string", "maxLength": 255, "description": "Deduplication key; required to acknowledge or resolve."},
    "summary": {"type": "string", "maxLength": 1024, "description": "The alert's summary; required to trigger."},
    "source": {"type": "string", "description": "The affected system. Default \"Errand\"."},
    "severity": {"enum": ["critical", "error", "warning", "info"], "default": "info"},
    "timestamp": {"type": "string", "description": "When the event happened, ISO 8601."},
    "component": {"type": "string"},
    "group": {"type": "string"},
    "class": {"type": "string"},
    "customDetails": {"type": ["object", "string"], "description": "Free-form details shown on the alert."},
    "links": {"type": ["array", "string"], "items": {"type": "object",
      "properties": {"href": {"type": "string"}, "text": {"type": "string"}}, "required": ["href"]}},
    "images": {"type": ["array", "string"], "items": {"type": "object",
      "properties": {"src": {"type": "string"}, "href": {"type": "string"}, "alt": {"type": "string"}}, "required": ["src"]}}
  },
  "additionalProperties": false
}`

// enqueueAction serves the `pagerduty` step.
func enqueueAction() *connector.Action {
	return &connector.Action{Name: "", ParamsSchema: json.RawMessage(enqueueParamsSchema), Run: enqueue}
}

// enqueue sends one event to the Events API v2. Output: {status, message, dedup_key}.
func enqueue(ctx context.Context, call *connector.Call) connector.Result {
	routingKey, _ := call.Connector.Secrets["routingKey"].(string)
	if routingKey == "" {
		return connector.UserError("the PagerDuty routing key is missing: set the connector's routingKey secret")
	}
	ev, err := buildEvent(routingKey, call.Params)
	if err != nil {
		return connector.UserError(err.Error())
	}
	body, err := marshal(ev)
	if err != nil {
		return connector.UserError("encoding the PagerDuty event: " + err.Error())
	}
	resp, err := call.HTTP.Do(ctx, &httpclient.Request{
		Method: http.MethodPost,
		URL:    apiURL(call.Connector.Config),
		Header: http.Header{"Content-Type": {"application/json"}, "Accept": {"application/json"}},
		Body:   body,
	})
	if err != nil {
		return failure(call.HTTP, err)
	}
	var out struct {
		Status   string `json:"status"`
		Message  string `json:"message"`
		DedupKey string `json:"dedup_key"`
	}
	if err := json.Unmarshal(resp.Body, &out); err != nil {
		return connector.Result{Status: connector.StatusError, Message: summaryEnqueue,
			ServiceMessage: "PagerDuty answered " + strconv.Itoa(resp.Status) + " with a body that is not JSON",
			ErrorSource:    connector.SourceFramework, HTTPStatus: resp.Status}
	}
	return connector.OK(map[string]any{"status": out.Status, "message": out.Message, "dedup_key": out.DedupKey})
}

// failure maps an Events API error. A 400 reads {"status":"invalid event","message":"Event
// object is invalid","errors":[...]}: the ServiceMessage joins the message and the errors.
func failure(client *httpclient.Client, err error) connector.Result {
	r := connector.FromHTTPError(summaryEnqueue, err)
	var he *httpclient.Error
	if !errors.As(err, &he) || he.Response == nil {
		return r
	}
	var body struct {
		Message string   `json:"message"`
		Errors  []string `json:"errors"`
	}
	if json.Unmarshal(he.Response.Body, &body) != nil || (body.Message == "" && len(body.Errors) == 0) {
		return r
	}
	msg := body.Message
	if len(body.Errors) > 0 {
		msg = strings.TrimPrefix(msg+": "+strings.Join(body.Errors, "; "), ": ")
	}
	if runes := []rune(msg); len(runes) > httpclient.MaxRemoteMessage {
		msg = string(runes[:httpclient.MaxRemoteMessage]) + "…"
	}
	r.ServiceMessage = "[" + strconv.Itoa(he.Status) + "] " + client.Redact(msg)
	return r
}

// marshal encodes v as JSON without HTML escaping.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
