package client

import (
	"context"
	"encoding/json"
	"fmt"
)

// Connector is a connector of the Actions API (GET /api/actions/connectors); secrets are
// never returned.
type Connector struct {
	ID                string          `json:"id"`
	Name              string          `json:"name"`
	ConnectorTypeID   string          `json:"connector_type_id"`
	Config            json.RawMessage `json:"config,omitempty"`
	IsPreconfigured   bool            `json:"is_preconfigured"`
	IsDeprecated      bool            `json:"is_deprecated"`
	IsMissingSecrets  bool            `json:"is_missing_secrets"`
	ReferencedByCount int             `json:"referenced_by_count"`
}

// ListConnectors returns every connector the caller may see.
func (c *Client) ListConnectors(ctx context.Context) ([]Connector, error) {
	var out []Connector
	if err := c.do(ctx, "GET", "/api/actions/connectors", nil, nil, &out); err != nil {
		return nil, fmt.Errorf("listing connectors: %w", err)
	}
	return out, nil
}
