package jira

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

// apiPrefix is Jira's REST API v2, served by Cloud, Server and Data Center alike. v2 takes
// descriptions and comments as plain (wiki) text, where v3 wants Atlassian Document Format.
const apiPrefix = "/rest/api/2"

// Sentinels of this package.
var (
	// errNotJSON marks a 2xx answer that is not JSON: a login page or a proxy's page, which
	// means apiUrl does not point at Jira's API.
	errNotJSON = errors.New("the answer is not JSON; check that apiUrl is the Jira site URL")
	// errBadSecrets marks secrets matching none of the accepted shapes.
	errBadSecrets = errors.New("secrets need email and apiToken (Jira Cloud), or personalAccessToken (Jira Server/Data Center)")
	// errBadParam marks an invalid step parameter.
	errBadParam = errors.New("invalid parameter")
)

// client calls one Jira site with one connector's credentials.
type client struct {
	http       *httpclient.Client
	site       string // apiUrl without a trailing slash
	projectKey string
	auth       string
}

// newClient reads the connector's config and secrets.
func newClient(call *connector.Call) (*client, error) {
	site, project, err := readConfig(call.Connector.Config)
	if err != nil {
		return nil, err
	}
	auth, err := authorization(call.Connector.Secrets)
	if err != nil {
		return nil, err
	}
	return &client{http: call.HTTP, site: site, projectKey: project, auth: auth}, nil
}

// readConfig checks apiUrl and projectKey.
func readConfig(config map[string]any) (site, projectKey string, err error) {
	raw, _ := config["apiUrl"].(string)
	u, perr := url.Parse(strings.TrimSpace(raw))
	if perr != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", "", fmt.Errorf("config.apiUrl %q is not an absolute http or https URL (https://your-site.atlassian.net)", raw)
	}
	projectKey, _ = config["projectKey"].(string)
	if strings.TrimSpace(projectKey) == "" {
		return "", "", errors.New("config.projectKey is required (the key of the project issues go to, e.g. ENG)")
	}
	return strings.TrimRight(u.String(), "/"), strings.TrimSpace(projectKey), nil
}

// authorization builds the Authorization header: Basic email:apiToken for Jira Cloud, Bearer
// for a Server/Data Center personal access token (given as personalAccessToken, or as an
// apiToken without an email).
func authorization(secrets map[string]any) (string, error) {
	email, _ := secrets["email"].(string)
	token, _ := secrets["apiToken"].(string)
	pat, _ := secrets["personalAccessToken"].(string)
	switch {
	case pat != "":
		return "Bearer " + pat, nil
	case email != "" && token != "":
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(email+":"+token)), nil
	case token != "" && email == "":
		return "Bearer " + token, nil
	}
	return "", errBadSecrets
}

// do sends a JSON request to the API (path relative to /rest/api/2) and decodes a JSON
// answer into out (when out is not nil and the answer has a body).
func (c *client) do(ctx context.Context, method, path string, body, out any) error {
	req := &httpclient.Request{Method: method, URL: c.site + apiPrefix + path, Header: http.Header{
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
	if out == nil || len(bytes.TrimSpace(resp.Body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(resp.Body, out); err != nil {
		return fmt.Errorf("reading the answer of %s %s: %w", method, path, errNotJSON)
	}
	return nil
}

// browseURL is the page.
func (c *client) browseURL(key string) string { return c.site + "/browse/" + url.PathEscape(key) }

// isoTime turns Jira's timestamp ("2026-03-01T12:00:00.000+0100") into RFC 3339 UTC with
// milliseconds; an unreadable value is returned as it is.
func isoTime(s string) string {
	for _, layout := range []string{"2006-01-02T15:04:05.000-0700", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC().Format("2006-01-02T15:04:05.000Z07:00")
		}
	}
	return s
}

// nowISO is the pushed date when Jira gives none.
func nowISO() string { return time.Now().UTC().Format("2006-01-02T15:04:05.000Z07:00") }

// failure turns an error into a Result: HTTP errors keep Jira's message and retry hints;
// parameter errors are user errors.
func failure(summary string, err error) connector.Result {
	if errors.Is(err, errBadParam) || errors.Is(err, errBadSecrets) {
		return connector.UserError(summary + ": " + err.Error())
	}
	return connector.FromHTTPError(summary, err)
}
