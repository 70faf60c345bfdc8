// Package servicenow is the `.servicenow` connector (ServiceNow ITSM): it creates, updates,
// reads and closes incidents through the Table API (/api/now/v2/table/incident) with basic
// auth, and serves `servicenow.pushToService`, `servicenow.getIncident` and
// `servicenow.closeIncident`. OAuth (Kibana's JWT bearer grant) and the import set API of
// Elastic's ServiceNow app are not implemented.
package servicenow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/errand-dev/errand/internal/connector"
	"github.com/errand-dev/errand/internal/httpclient"
)

// TypeID is the connector type id.
const TypeID = ".servicenow"

// Type returns the .servicenow connector type.
func Type() *connector.Type {
	return &connector.Type{
		ID:            TypeID,
		Name:          "ServiceNow ITSM",
		ConfigSchema:  configSchema,
		SecretsSchema: secretsSchema,
		Actions: map[string]*connector.Action{
			"pushToService": {Name: "pushToService", ParamsSchema: pushSchema, Run: runPush},
			"getIncident":   {Name: "getIncident", ParamsSchema: getSchema, Run: runGetIncident},
			"closeIncident": {Name: "closeIncident", ParamsSchema: closeSchema, Run: runCloseIncident},
		},
		ValidateConfig: func(config, secrets map[string]any) error {
			_, err := newClient(&connector.Call{Connector: &connector.Connector{Config: config, Secrets: secrets}})
			return err
		},
		Test: testConnection,
	}
}

// testConnection reads one incident id, which checks the URL, the credentials and the
// account's read access to the incident table.
func testConnection(ctx context.Context, call *connector.Call) error {
	c, err := newClient(call)
	if err != nil {
		return fmt.Errorf("testing the servicenow connector: %w", err)
	}
	var recs []record
	if err := c.do(ctx, http.MethodGet, tablePath+"?sysparm_limit=1&sysparm_fields=sys_id", nil, &recs); err != nil {
		return fmt.Errorf("testing the servicenow connector: %w", err)
	}
	return nil
}

// isNotFound reports a 404 answer.
func isNotFound(err error) bool {
	var he *httpclient.Error
	return errors.As(err, &he) && he.Status == http.StatusNotFound
}

var configSchema = json.RawMessage(`{
  "type": "object",
  "required": ["apiUrl"],
  "properties": {
    "apiUrl": {"type": "string", "format": "uri", "description": "The instance, e.g. https://acme.service-now.com."},
    "isOAuth": {"type": "boolean", "const": false, "description": "OAuth is not supported yet; basic auth only."},
    "usesTableApi": {"type": "boolean", "description": "Accepted for Kibana compatibility; the Table API is always used."},
    "userIdentifierValue": {"type": ["string", "null"]},
    "clientId": {"type": ["string", "null"]},
    "jwtKeyId": {"type": ["string", "null"]}
  },
  "additionalProperties": false
}`)

var secretsSchema = json.RawMessage(`{
  "type": "object",
  "required": ["username", "password"],
  "properties": {
    "username": {"type": "string", "minLength": 1},
    "password": {"type": "string", "minLength": 1}
  },
  "additionalProperties": false
}`)

var pushSchema = json.RawMessage(`{
  "type": "object",
  "required": ["incident"],
  "properties": {
    "incident": {
      "type": "object",
      "required": ["short_description"],
      "properties": {
        "short_description": {"type": "string", "minLength": 1},
        "description": {"type": ["string", "null"]},
        "impact": {"type": ["string", "number", "null"]},
        "urgency": {"type": ["string", "number", "null"]},
        "severity": {"type": ["string", "number", "null"]},
        "category": {"type": ["string", "null"]},
        "subcategory": {"type": ["string", "null"]},
        "correlation_id": {"type": ["string", "null"]},
        "correlation_display": {"type": ["string", "null"]},
        "additional_fields": {"type": ["object", "null"]},
        "externalId": {"type": ["string", "null"], "description": "Set: update this incident (sys_id)."}
      },
      "additionalProperties": false
    },
    "incidentId": {"type": ["string", "null"], "description": "Set: update this incident (sys_id)."},
    "comments": {"type": ["array", "null"], "items": {"type": "object", "required": ["comment"],
      "properties": {"comment": {"type": "string"}, "commentId": {"type": "string"}}, "additionalProperties": false}}
  },
  "additionalProperties": false
}`)

var getSchema = json.RawMessage(`{"type":"object","required":["externalId"],
  "properties":{"externalId":{"type":"string","minLength":1}},"additionalProperties":false}`)

var closeSchema = json.RawMessage(`{
  "type": "object",
  "required": ["incident"],
  "properties": {"incident": {"type": "object",
    "properties": {"externalId": {"type": ["string", "null"]}, "correlation_id": {"type": ["string", "null"]}},
    "additionalProperties": false}},
  "additionalProperties": false
}`)
