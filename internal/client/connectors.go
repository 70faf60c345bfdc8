package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
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

// ConnectorCreate is the body of a connector creation (POST /api/actions/connector). ID,
// when set, is the new connector's id (POST /api/actions/connector/{id}).
type ConnectorCreate struct {
	ID              string         `json:"-"`
	Name            string         `json:"name"`
	ConnectorTypeID string         `json:"connector_type_id"`
	Config          map[string]any `json:"config,omitempty"`
	Secrets         map[string]any `json:"secrets,omitempty"`
}

// ConnectorUpdate is the body of PUT /api/actions/connector/{id}. Name is required by the
// API (send the current one to keep it). Secrets change key by key: a key left out keeps
// its value and a key set to nil (JSON null) is cleared; a nil map keeps them all.
type ConnectorUpdate struct {
	Name    string         `json:"name"`
	Config  map[string]any `json:"config,omitempty"`
	Secrets map[string]any `json:"secrets,omitempty"`
}

// GetConnector returns one connector by id (an error matching ErrNotFound when missing).
func (c *Client) GetConnector(ctx context.Context, id string) (*Connector, error) {
	var out Connector
	if err := c.do(ctx, "GET", "/api/actions/connector/"+url.PathEscape(id), nil, nil, &out); err != nil {
		return nil, fmt.Errorf("getting connector %q: %w", id, err)
	}
	return &out, nil
}

// CreateConnector stores a new connector and returns it (without its secrets).
func (c *Client) CreateConnector(ctx context.Context, p ConnectorCreate) (*Connector, error) {
	path := "/api/actions/connector"
	if p.ID != "" {
		path += "/" + url.PathEscape(p.ID)
	}
	var out Connector
	if err := c.do(ctx, "POST", path, nil, p, &out); err != nil {
		return nil, fmt.Errorf("creating connector %q: %w", p.Name, err)
	}
	return &out, nil
}

// UpdateConnector changes a connector's name, config and secrets (see ConnectorUpdate).
func (c *Client) UpdateConnector(ctx context.Context, id string, p ConnectorUpdate) (*Connector, error) {
	var out Connector
	if err := c.do(ctx, "PUT", "/api/actions/connector/"+url.PathEscape(id), nil, p, &out); err != nil {
		return nil, fmt.Errorf("updating connector %q: %w", id, err)
	}
	return &out, nil
}

// DeleteConnector deletes a stored connector.
func (c *Client) DeleteConnector(ctx context.Context, id string) error {
	if err := c.do(ctx, "DELETE", "/api/actions/connector/"+url.PathEscape(id), nil, nil, nil); err != nil {
		return fmt.Errorf("deleting connector %q: %w", id, err)
	}
	return nil
}

// ConnectorTestResult is the answer of a connection test: Kibana's result envelope.
type ConnectorTestResult struct {
	ConnectorID    string `json:"connector_id"`
	Status         string `json:"status"`
	Message        string `json:"message,omitempty"`
	ServiceMessage string `json:"service_message,omitempty"`
}

// TestConnector runs a connector's connection test on the server
// (`POST /api/actions/connector/{id}/_test`, an Errand extension).
func (c *Client) TestConnector(ctx context.Context, id string) (*ConnectorTestResult, error) {
	var out ConnectorTestResult
	if err := c.do(ctx, "POST", "/api/actions/connector/"+url.PathEscape(id)+"/_test", nil, nil, &out); err != nil {
		return nil, fmt.Errorf("testing connector %q: %w", id, err)
	}
	return &out, nil
}
