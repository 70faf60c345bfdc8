package opsgenie

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/errand-dev/errand/internal/connector"
	"github.com/errand-dev/errand/internal/httpclient"
)

// client calls the Alert API for one connector invocation.
type client struct {
	http    *httpclient.Client
	baseURL string
	apiKey  string
}

// newClient returns a client for call, or a user-facing error when the key is missing.
func newClient(call *connector.Call) (*client, error) {
	key, _ := call.Connector.Secrets["apiKey"].(string)
	if key == "" {
		return nil, errors.New("the Opsgenie API key is missing: set the connector's apiKey secret")
	}
	base, _ := call.Connector.Config["apiUrl"].(string)
	if base == "" {
		base = DefaultAPIURL
	}
	return &client{http: call.HTTP, baseURL: strings.TrimRight(base, "/"), apiKey: key}, nil
}

// post sends body to path (which may carry a query) and returns Opsgenie's
// {result, took, requestId}, or a failed Result whose Message is summary.
func (c *client) post(ctx context.Context, summary, path string, body any) connector.Result {
	raw, err := marshal(body)
	if err != nil {
		return connector.UserError("encoding the Opsgenie request: " + err.Error())
	}
	resp, err := c.http.Do(ctx, &httpclient.Request{
		Method: http.MethodPost,
		URL:    c.baseURL + path,
		Header: http.Header{
			"Authorization": {"GenieKey " + c.apiKey},
			"Content-Type":  {"application/json"},
			"Accept":        {"application/json"},
		},
		Body: raw,
	})
	if err != nil {
		return c.failure(summary, err)
	}
	var out struct {
		Result    string  `json:"result"`
		Took      float64 `json:"took"`
		RequestID string  `json:"requestId"`
	}
	if err := json.Unmarshal(resp.Body, &out); err != nil {
		return connector.Result{Status: connector.StatusError, Message: summary, ErrorSource: connector.SourceFramework,
			ServiceMessage: "Opsgenie answered " + strconv.Itoa(resp.Status) + " with a body that is not JSON", HTTPStatus: resp.Status}
	}
	return connector.OK(map[string]any{"result": out.Result, "took": out.Took, "requestId": out.RequestID})
}

// failure maps an Alert API error. Opsgenie answers {"message": ..., "errors": {field:
// message}, "took", "requestId"}; the ServiceMessage is "[422] <message> (<field>: <error>)".
func (c *client) failure(summary string, err error) connector.Result {
	r := connector.FromHTTPError(summary, err)
	var he *httpclient.Error
	if !errors.As(err, &he) || he.Response == nil {
		return r
	}
	var body struct {
		Message string         `json:"message"`
		Errors  map[string]any `json:"errors"`
	}
	if json.Unmarshal(he.Response.Body, &body) != nil || body.Message == "" {
		return r
	}
	msg := body.Message
	if details := fieldErrors(body.Errors); details != "" {
		msg += " (" + details + ")"
	}
	if runes := []rune(msg); len(runes) > httpclient.MaxRemoteMessage {
		msg = string(runes[:httpclient.MaxRemoteMessage]) + "…"
	}
	r.ServiceMessage = "[" + strconv.Itoa(he.Status) + "] " + c.http.Redact(msg)
	return r
}

// fieldErrors formats Opsgenie's field errors sorted by field: "alias: ...; message: ...".
func fieldErrors(errs map[string]any) string {
	keys := make([]string, 0, len(errs))
	for k := range errs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		if s, ok := errs[k].(string); ok {
			parts = append(parts, k+": "+s)
		}
	}
	return strings.Join(parts, "; ")
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
