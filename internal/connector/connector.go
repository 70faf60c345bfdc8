// Package connector is Errand's connector SDK: a connector type declares its config, secrets
// and action params as JSON Schemas, the step types it serves and how it runs each action; a
// Registry holds the shipped types. Per-system packages (internal/connector/<type>) import
// only this package and httpclient; the Service (stored and preconfigured connectors,
// encryption, resolution by id or name) wires them to the store and the key ring.
package connector

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/errand-dev/errand/internal/httpclient"
)

// Connector is one configured connector with its secrets decrypted. It lives in memory only
// while a call runs; Secrets never reach a log, an API response or a record.
type Connector struct {
	ID               string         `json:"id"`
	Name             string         `json:"name"`
	TypeID           string         `json:"connector_type_id"` // ".slack", ".jira" ...
	Config           map[string]any `json:"config"`
	Secrets          map[string]any `json:"-"`
	IsPreconfigured  bool           `json:"is_preconfigured"`
	IsDeprecated     bool           `json:"is_deprecated"`
	IsMissingSecrets bool           `json:"is_missing_secrets"`
	IsSystemAction   bool           `json:"is_system_action"`
	CreatedAt        time.Time      `json:"created_at,omitzero"`
	UpdatedAt        time.Time      `json:"updated_at,omitzero"`

	// version is the fingerprint of TypeID, Config and Secrets when Resolve computed it
	// once for the record's version (nil: compute it). Resolve's result is not to be changed.
	version *[sha256.Size]byte
}

// Type is one connector type, e.g. ".slack". Register it in a Registry.
type Type struct {
	// ID is the dotted type id (".slack", ".slack_api", ".jira", ".http").
	ID string
	// Name is the display name ("Slack", "Jira").
	Name string
	// ConfigSchema and SecretsSchema are JSON Schemas (draft 2020-12) of Config and Secrets.
	// Every property of SecretsSchema is secret: it is encrypted at rest, never returned and
	// redacted from everything a run records.
	ConfigSchema  json.RawMessage
	SecretsSchema json.RawMessage
	// Actions are the type's calls by sub-action name. The action named "" serves the bare
	// step type (`type: slack`); "postMessage" serves `slack_api.postMessage`.
	Actions map[string]*Action
	// StepPrefix is the step type prefix, the ID without its dot by default ("slack_api").
	StepPrefix string
	// ValidateConfig, when set, checks what a schema cannot (URL hosts, one-of rules). It
	// returns a user-facing error naming the field and the fix.
	ValidateConfig func(config, secrets map[string]any) error
	// Test, when set, checks that the connector can reach its service ("test connection").
	Test func(ctx context.Context, call *Call) error
}

// Action is one call a connector type makes.
type Action struct {
	// Name is the sub-action name ("" for the type's single action).
	Name string
	// ParamsSchema is the JSON Schema of the step's `with` (the sub-action params).
	ParamsSchema json.RawMessage
	// Run performs the call. It must not panic and must not put secret values into the
	// Result (the framework also redacts them, as a second line of defence).
	Run func(ctx context.Context, call *Call) Result
}

// Call is everything an action needs for one invocation.
type Call struct {
	Connector *Connector
	// Params are the step's rendered `with` (for a sub-action: the subActionParams).
	Params map[string]any
	// HTTP is a client for this connector: egress policy, its TLS settings and a redactor
	// that knows its secret values.
	HTTP *httpclient.Client
	// Log is the execution's logger for this step (lines are redacted by the framework).
	Log *slog.Logger
	// Timeout is the step's timeout, already applied to ctx (0: none).
	Timeout time.Duration
}

// StepType returns the step type an action of t serves: "slack", "slack_api.postMessage".
func (t *Type) StepType(action string) string {
	prefix := t.StepPrefix
	if prefix == "" && len(t.ID) > 0 {
		prefix = t.ID[1:]
	}
	if action == "" {
		return prefix
	}
	return prefix + "." + action
}
