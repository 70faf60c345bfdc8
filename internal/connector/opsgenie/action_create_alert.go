package opsgenie

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/errand-dev/errand/internal/connector"
)

// summaryCreate is the Result message of a failed createAlert.
const summaryCreate = "error creating opsgenie alert"

// Alert API limits (https://docs.opsgenie.com/docs/alert-api#create-alert).
const (
	maxMessage     = 130
	maxDescription = 15000
	maxEntity      = 512
	maxSource      = 100
	maxUser        = 100
	maxNote        = 25000
	maxResponders  = 50
	maxActions     = 10
	maxTags        = 20
)

const createAlertParamsSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "properties": {
    "message": {"type": "string", "minLength": 1, "description": "The alert's message; longer than 130 characters is cut."},
    "alias": {"type": "string", "description": "Deduplication key; longer than 512 characters is replaced by sha-<sha256>."},
    "description": {"type": "string", "maxLength": 15000},
    "responders": {"type": "array", "maxItems": 50, "items": {"$ref": "#/$defs/recipient"}},
    "visibleTo": {"type": "array", "maxItems": 50, "items": {"$ref": "#/$defs/recipient"}},
    "actions": {"type": "array", "maxItems": 10, "items": {"type": "string"}},
    "tags": {"type": "array", "maxItems": 20, "items": {"type": "string"}},
    "details": {"type": "object", "additionalProperties": {"type": ["string", "number", "boolean"]}},
    "entity": {"type": "string", "maxLength": 512},
    "source": {"type": "string", "maxLength": 100},
    "priority": {"enum": ["P1", "P2", "P3", "P4", "P5"]},
    "user": {"type": "string", "maxLength": 100},
    "note": {"type": "string", "maxLength": 25000}
  },
  "required": ["message"],
  "additionalProperties": false,
  "$defs": {
    "recipient": {"type": "object", "properties": {
      "type": {"enum": ["team", "user", "escalation", "schedule"]},
      "id": {"type": "string"}, "name": {"type": "string"}, "username": {"type": "string"}},
      "required": ["type"]}
  }
}`

// alert is the create-alert request body.
type alert struct {
	Message     string            `json:"message"`
	Alias       string            `json:"alias,omitempty"`
	Description string            `json:"description,omitempty"`
	Responders  []map[string]any  `json:"responders,omitempty"`
	VisibleTo   []map[string]any  `json:"visibleTo,omitempty"`
	Actions     []string          `json:"actions,omitempty"`
	Tags        []string          `json:"tags,omitempty"`
	Details     map[string]string `json:"details,omitempty"`
	Entity      string            `json:"entity,omitempty"`
	Source      string            `json:"source,omitempty"`
	Priority    string            `json:"priority,omitempty"`
	User        string            `json:"user,omitempty"`
	Note        string            `json:"note,omitempty"`
}

// createAlertAction serves `opsgenie.createAlert`.
func createAlertAction() *connector.Action {
	return &connector.Action{Name: "createAlert", ParamsSchema: json.RawMessage(createAlertParamsSchema), Run: createAlert}
}

// createAlert sends POST /v2/alerts. Output: {result, took, requestId}.
func createAlert(ctx context.Context, call *connector.Call) connector.Result {
	c, err := newClient(call)
	if err != nil {
		return connector.UserError(err.Error())
	}
	a, err := buildAlert(call.Params)
	if err != nil {
		return connector.UserError(err.Error())
	}
	return c.post(ctx, summaryCreate, "/v2/alerts", a)
}

// buildAlert reads and checks the createAlert params.
func buildAlert(p map[string]any) (*alert, error) {
	a := &alert{
		Message: truncate(str(p, "message"), maxMessage), Alias: alias(str(p, "alias")),
		Description: str(p, "description"), Entity: str(p, "entity"), Source: str(p, "source"),
		Priority: str(p, "priority"), User: str(p, "user"), Note: str(p, "note"),
	}
	if a.Message == "" {
		return nil, fmt.Errorf("message is required: the alert's text")
	}
	if a.Priority != "" && !slices.Contains([]string{"P1", "P2", "P3", "P4", "P5"}, a.Priority) {
		return nil, fmt.Errorf("priority %q is not one of P1, P2, P3, P4, P5", a.Priority)
	}
	for _, f := range []struct {
		name, value string
		max         int
	}{{"description", a.Description, maxDescription}, {"entity", a.Entity, maxEntity},
		{"source", a.Source, maxSource}, {"user", a.User, maxUser}, {"note", a.Note, maxNote}} {
		if n := len([]rune(f.value)); n > f.max {
			return nil, fmt.Errorf("%s is %d characters long; Opsgenie allows %d", f.name, n, f.max)
		}
	}
	var err error
	if a.Responders, err = recipients("responders", p["responders"]); err != nil {
		return nil, err
	}
	if a.VisibleTo, err = recipients("visibleTo", p["visibleTo"]); err != nil {
		return nil, err
	}
	if a.Actions, err = stringList("actions", p["actions"], maxActions); err != nil {
		return nil, err
	}
	if a.Tags, err = stringList("tags", p["tags"], maxTags); err != nil {
		return nil, err
	}
	a.Details, err = details(p["details"])
	return a, err
}
