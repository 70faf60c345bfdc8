package servicenow

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/errand-dev/errand/internal/connector"
	"github.com/errand-dev/errand/internal/httpclient"
)

// tablePath is the Table API path of the incident table. Errand always uses the Table API,
// which every instance has; Kibana's alternative, the import set API of Elastic's ServiceNow
// app (usesTableApi false), is not used.
const tablePath = "/api/now/v2/table/incident"

// Sentinels of this package.
var (
	// errNoResult marks a 2xx answer without `result`, which ServiceNow gives when the
	// instance is hibernating or a proxy answers instead of it.
	errNoResult = errors.New("the answer has no result: check apiUrl and that the instance is awake")
	// errBadParam marks an invalid step parameter.
	errBadParam = errors.New("invalid parameter")
	// errConfig marks an unusable config or secrets.
	errConfig = errors.New("invalid servicenow connector")
)

// client calls one ServiceNow instance with basic auth.
type client struct {
	http *httpclient.Client
	site string // apiUrl without a trailing slash
	auth string
}

// newClient reads the connector's config and secrets.
func newClient(call *connector.Call) (*client, error) {
	site, err := readConfig(call.Connector.Config)
	if err != nil {
		return nil, err
	}
	user, _ := call.Connector.Secrets["username"].(string)
	password, _ := call.Connector.Secrets["password"].(string)
	if user == "" || password == "" {
		return nil, fmt.Errorf("%w: secrets.username and secrets.password are required", errConfig)
	}
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
	return &client{http: call.HTTP, site: site, auth: auth}, nil
}

// readConfig checks apiUrl and refuses OAuth, which Errand does not implement yet.
func readConfig(config map[string]any) (string, error) {
	raw, _ := config["apiUrl"].(string)
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%w: config.apiUrl %q is not an absolute http or https URL (https://acme.service-now.com)", errConfig, raw)
	}
	if oauth, _ := config["isOAuth"].(bool); oauth {
		return "", fmt.Errorf("%w: config.isOAuth: OAuth (JWT bearer) is not supported yet; use basic auth with username and password", errConfig)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// do sends a JSON request and decodes the answer's `result` into out.
func (c *client) do(ctx context.Context, method, path string, body, out any) error {
	req := &httpclient.Request{Method: method, URL: c.site + path, Header: http.Header{
		"Authorization": {c.auth},
		"Accept":        {"application/json"},
	}}
	if body != nil {
		encoded, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("encoding the request to %s: %w", path, err)
		}
		req.Body = encoded
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(ctx, req)
	if err != nil {
		return err
	}
	var envelope struct {
		Result json.RawMessage `json:"result"`
	}
	if json.Unmarshal(resp.Body, &envelope) != nil || len(envelope.Result) == 0 || bytes.Equal(envelope.Result, []byte("null")) {
		return fmt.Errorf("reading the answer of %s %s: %w", method, path, errNoResult)
	}
	if err := json.Unmarshal(envelope.Result, out); err != nil {
		return fmt.Errorf("reading the answer of %s %s: %w", method, path, err)
	}
	return nil
}

// record is the part of an incident record the actions read.
type record struct {
	SysID        string `json:"sys_id"`
	Number       string `json:"number"`
	State        string `json:"state"`
	SysUpdatedOn string `json:"sys_updated_on"`
}

// pushed is Kibana's push output for r.
func (c *client) pushed(r record) map[string]any {
	return map[string]any{"id": r.SysID, "title": r.Number, "pushedDate": isoTime(r.SysUpdatedOn),
		"url": c.site + "/nav_to.do?uri=incident.do?sys_id=" + url.QueryEscape(r.SysID)}
}

// isoTime turns ServiceNow's "2026-03-01 12:00:00" (UTC through the API) into RFC 3339.
func isoTime(s string) string {
	t, err := time.Parse(time.DateTime, s)
	if err != nil {
		return s
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z07:00")
}

// failure turns an error into a Result. ServiceNow's error body
// {"error":{"message","detail"},"status":"failure"} becomes the service message.
func failure(summary string, err error) connector.Result {
	if errors.Is(err, errBadParam) || errors.Is(err, errConfig) {
		return connector.UserError(summary + ": " + err.Error())
	}
	r := connector.FromHTTPError(summary, err)
	var he *httpclient.Error
	if errors.As(err, &he) && he.Response != nil {
		if msg := serviceNowMessage(he.Response.Body); msg != "" {
			r.ServiceMessage = fmt.Sprintf("[%d] %s", he.Status, msg)
		}
	}
	return r
}

// serviceNowMessage joins error.message and error.detail.
func serviceNowMessage(body []byte) string {
	var doc struct {
		Error struct {
			Message string `json:"message"`
			Detail  string `json:"detail"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &doc) != nil || doc.Error.Message == "" {
		return ""
	}
	if doc.Error.Detail == "" || doc.Error.Detail == doc.Error.Message {
		return doc.Error.Message
	}
	return doc.Error.Message + ": " + doc.Error.Detail
}
