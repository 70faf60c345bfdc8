// Package jira is the `.jira` connector (Jira Cloud, Server and Data Center, REST API v2).
// It serves the seed's `jira` step — projectKey, issueType, summary, description create an
// issue — and Kibana's `jira.<subAction>` steps: pushToService, getIncident, issue, issues,
// issueTypes, getFields and fieldsByIssueType. Cloud authenticates with an email and an API
// token (Basic), Server and Data Center with a personal access token (Bearer).
package jira

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/errand-dev/errand/internal/connector"
)

// TypeID is the connector type id.
const TypeID = ".jira"

// Type returns the .jira connector type.
func Type() *connector.Type {
	actions := map[string]*connector.Action{}
	add := func(name string, schema string, run func(context.Context, *connector.Call) connector.Result) {
		actions[name] = &connector.Action{Name: name, ParamsSchema: json.RawMessage(schema), Run: run}
	}
	add("", createSchema, runCreate)
	add("pushToService", pushSchema, runPush)
	add("getIncident", `{"type":"object","properties":{"externalId":{"type":"string"},"id":{"type":"string"}},
		"anyOf":[{"required":["externalId"]},{"required":["id"]}],"additionalProperties":false}`, runGetIncident)
	add("issue", idSchema, runIssue)
	add("issues", `{"type":"object","required":["title"],"properties":{"title":{"type":"string","minLength":1}},"additionalProperties":false}`, runIssues)
	add("issueTypes", emptySchema, runIssueTypes)
	add("getFields", emptySchema, runGetFields)
	add("fieldsByIssueType", idSchema, runFieldsByIssueType)
	return &connector.Type{
		ID:             TypeID,
		Name:           "Jira",
		ConfigSchema:   configSchema,
		SecretsSchema:  secretsSchema,
		Actions:        actions,
		ValidateConfig: validateConfig,
		Test:           testConnection,
	}
}

// validateConfig checks apiUrl, projectKey and the shape of the secrets.
func validateConfig(config, secrets map[string]any) error {
	if _, _, err := readConfig(config); err != nil {
		return err
	}
	_, err := authorization(secrets)
	return err
}

// testConnection reads the connector's own user (GET /rest/api/2/myself), which checks the
// URL and the credentials together.
func testConnection(ctx context.Context, call *connector.Call) error {
	c, err := newClient(call)
	if err != nil {
		return fmt.Errorf("testing the jira connector: %w", err)
	}
	var me map[string]any
	if err := c.do(ctx, http.MethodGet, "/myself", nil, &me); err != nil {
		return fmt.Errorf("testing the jira connector: %w", err)
	}
	return nil
}

var configSchema = json.RawMessage(`{
  "type": "object",
  "required": ["apiUrl", "projectKey"],
  "properties": {
    "apiUrl": {"type": "string", "format": "uri", "description": "The Jira site, e.g. https://acme.atlassian.net."},
    "projectKey": {"type": "string", "minLength": 1, "description": "The default project's key, e.g. ENG."}
  },
  "additionalProperties": false
}`)

var secretsSchema = json.RawMessage(`{
  "type": "object",
  "properties": {
    "email": {"type": "string", "description": "Jira Cloud: the account's email (with apiToken)."},
    "apiToken": {"type": "string", "description": "Jira Cloud API token; alone, a Server/Data Center token sent as Bearer."},
    "personalAccessToken": {"type": "string", "description": "Jira Server/Data Center personal access token."}
  },
  "additionalProperties": false
}`)

const emptySchema = `{"type":"object","additionalProperties":false}`

const idSchema = `{"type":"object","required":["id"],"properties":{"id":{"type":["string","number"]}},"additionalProperties":false}`

// issueProperties are the issue fields shared by the seed form and pushToService.
const issueProperties = `
    "summary": {"type": "string", "minLength": 1},
    "description": {"type": ["string", "null"]},
    "issueType": {"type": ["string", "number", "null"], "description": "A name (Task) or an id (10002)."},
    "priority": {"type": ["string", "null"], "description": "A priority name (High)."},
    "labels": {"type": ["array", "null"], "items": {"type": "string", "pattern": "^\\S+$"}},
    "parent": {"type": ["string", "null"], "description": "The parent issue's key."},
    "otherFields": {"type": ["object", "null"], "description": "Further fields by id, e.g. customfield_10010."}`

var createSchema = `{
  "type": "object",
  "required": ["summary"],
  "properties": {
    "projectKey": {"type": "string", "description": "Default: the connector's projectKey."},` + issueProperties + `
  },
  "additionalProperties": false
}`

var pushSchema = `{
  "type": "object",
  "required": ["incident"],
  "properties": {
    "incident": {
      "type": "object",
      "required": ["summary"],
      "properties": {
        "externalId": {"type": ["string", "null"], "description": "Set: update this issue (id or key)."},` + issueProperties + `
      },
      "additionalProperties": false
    },
    "comments": {"type": ["array", "null"], "items": {"type": "object", "required": ["comment"],
      "properties": {"comment": {"type": "string"}, "commentId": {"type": "string"}}, "additionalProperties": false}}
  },
  "additionalProperties": false
}`
