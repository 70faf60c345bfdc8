package api

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/errand-dev/errand/internal/connector"
)

// registerConnectors adds Kibana's Actions API (connectors, snake_case fields).
func (s *server) registerConnectors(api huma.API) {
	huma.Register(api, op("createConnector", http.MethodPost, "/api/actions/connector", "Create a connector"), s.createConnector)
	huma.Register(api, op("createConnectorWithID", http.MethodPost, "/api/actions/connector/{id}", "Create a connector with an id"), s.createConnectorWithID)
	huma.Register(api, op("getConnector", http.MethodGet, "/api/actions/connector/{id}", "Get a connector"), s.getConnector)
	huma.Register(api, op("updateConnector", http.MethodPut, "/api/actions/connector/{id}", "Update a connector"), s.updateConnector)
	del := op("deleteConnector", http.MethodDelete, "/api/actions/connector/{id}", "Delete a connector")
	del.DefaultStatus = http.StatusNoContent
	huma.Register(api, del, s.deleteConnector)
	huma.Register(api, op("listConnectors", http.MethodGet, "/api/actions/connectors", "List connectors"), s.listConnectors)
	huma.Register(api, op("listConnectorTypes", http.MethodGet, "/api/actions/connector_types", "List connector types"), s.listConnectorTypes)
	huma.Register(api, op("executeConnector", http.MethodPost, "/api/actions/connector/{id}/_execute", "Run a connector action"), s.executeConnector)
}

// ConnectorDTO is Kibana's connector object. Secrets are never part of it.
type ConnectorDTO struct {
	ID                        string         `json:"id"`
	Name                      string         `json:"name"`
	ConnectorTypeID           string         `json:"connector_type_id"`
	Config                    map[string]any `json:"config"`
	IsPreconfigured           bool           `json:"is_preconfigured"`
	IsDeprecated              bool           `json:"is_deprecated"`
	IsMissingSecrets          bool           `json:"is_missing_secrets"`
	IsSystemAction            bool           `json:"is_system_action"`
	IsConnectorTypeDeprecated bool           `json:"is_connector_type_deprecated"`
	ReferencedByCount         *int           `json:"referenced_by_count,omitempty"`
}

// connectorDTO renders a connector (from the service, already without secrets).
func connectorDTO(c *connector.Connector) ConnectorDTO {
	cfg := c.Config
	if cfg == nil {
		cfg = map[string]any{}
	}
	return ConnectorDTO{ID: c.ID, Name: c.Name, ConnectorTypeID: c.TypeID, Config: cfg, IsPreconfigured: c.IsPreconfigured,
		IsDeprecated: c.IsDeprecated, IsMissingSecrets: c.IsMissingSecrets, IsSystemAction: c.IsSystemAction}
}

type connectorOutput struct{ Body ConnectorDTO }

type createConnectorBody struct {
	Name            string         `json:"name" minLength:"1"`
	ConnectorTypeID string         `json:"connector_type_id" minLength:"1"`
	Config          map[string]any `json:"config,omitempty"`
	Secrets         map[string]any `json:"secrets,omitempty"`
}

// createConnector creates a connector with a generated id.
func (s *server) createConnector(ctx context.Context, in *struct{ Body createConnectorBody }) (*connectorOutput, error) {
	return s.create(ctx, "", in.Body)
}

// createConnectorWithID creates a connector with the id of the path (409 when taken).
func (s *server) createConnectorWithID(ctx context.Context, in *struct {
	ID   string `path:"id"`
	Body createConnectorBody
}) (*connectorOutput, error) {
	return s.create(ctx, in.ID, in.Body)
}

func (s *server) create(ctx context.Context, id string, b createConnectorBody) (*connectorOutput, error) {
	setResource(ctx, id)
	c, err := s.Connectors.Create(ctx, connector.CreateParams{ID: id, Name: b.Name, TypeID: b.ConnectorTypeID,
		Config: b.Config, Secrets: b.Secrets})
	if err != nil {
		return nil, fmt.Errorf("creating connector %q: %w", b.Name, err)
	}
	setResource(ctx, c.ID)
	return &connectorOutput{Body: connectorDTO(c)}, nil
}

// getConnector returns one connector.
func (s *server) getConnector(ctx context.Context, in *idInput) (*connectorOutput, error) {
	c, err := s.Connectors.Get(ctx, in.ID)
	if err != nil {
		return nil, fmt.Errorf("getting connector %q: %w", in.ID, err)
	}
	return &connectorOutput{Body: connectorDTO(c)}, nil
}

type updateConnectorInput struct {
	ID   string `path:"id"`
	Body struct {
		Name    string         `json:"name" minLength:"1"`
		Config  map[string]any `json:"config,omitempty"`
		Secrets map[string]any `json:"secrets,omitempty"`
	}
}

// updateConnector renames a connector and replaces its config. Secrets change key by key:
// unlike Kibana (which replaces them wholesale), a secret left out keeps its value and a
// secret set to null is cleared, so a client that never saw the secrets can still edit.
func (s *server) updateConnector(ctx context.Context, in *updateConnectorInput) (*connectorOutput, error) {
	setResource(ctx, in.ID)
	name := in.Body.Name
	c, err := s.Connectors.Update(ctx, in.ID, connector.UpdateParams{Name: &name, Config: in.Body.Config, Secrets: in.Body.Secrets})
	if err != nil {
		return nil, fmt.Errorf("updating connector %q: %w", in.ID, err)
	}
	return &connectorOutput{Body: connectorDTO(c)}, nil
}

// deleteConnector deletes a stored connector (204).
func (s *server) deleteConnector(ctx context.Context, in *idInput) (*struct{}, error) {
	setResource(ctx, in.ID)
	if err := s.Connectors.Delete(ctx, in.ID); err != nil {
		return nil, fmt.Errorf("deleting connector %q: %w", in.ID, err)
	}
	return nil, nil
}

type listConnectorsOutput struct{ Body []ConnectorDTO }

// listConnectors lists every connector, stored and preconfigured.
func (s *server) listConnectors(ctx context.Context, _ *struct{}) (*listConnectorsOutput, error) {
	conns, err := s.Connectors.List(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing connectors: %w", err)
	}
	out := &listConnectorsOutput{Body: []ConnectorDTO{}}
	for _, c := range conns {
		dto := connectorDTO(c)
		zero := 0
		dto.ReferencedByCount = &zero
		out.Body = append(out.Body, dto)
	}
	return out, nil
}

// ConnectorTypeInfo is one connector type of /api/actions/connector_types.
type ConnectorTypeInfo struct {
	ID                     string   `json:"id"`
	Name                   string   `json:"name"`
	Enabled                bool     `json:"enabled"`
	EnabledInConfig        bool     `json:"enabled_in_config"`
	EnabledInLicense       bool     `json:"enabled_in_license"`
	MinimumLicenseRequired string   `json:"minimum_license_required"`
	SupportedFeatureIDs    []string `json:"supported_feature_ids"`
	IsSystemActionType     bool     `json:"is_system_action_type"`
	IsDeprecated           bool     `json:"is_deprecated"`
	Source                 string   `json:"source"`
}

type connectorTypesOutput struct{ Body []ConnectorTypeInfo }

// listConnectorTypes lists the connector types of this build (feature_id is accepted:
// every type serves workflows).
func (s *server) listConnectorTypes(ctx context.Context, in *struct {
	FeatureID string `query:"feature_id"`
}) (*connectorTypesOutput, error) {
	out := &connectorTypesOutput{Body: []ConnectorTypeInfo{}}
	if in.FeatureID != "" && in.FeatureID != "workflows" {
		return out, nil
	}
	for _, t := range s.Registry.Types() {
		out.Body = append(out.Body, ConnectorTypeInfo{ID: t.ID, Name: t.Name, Enabled: true, EnabledInConfig: true,
			EnabledInLicense: true, MinimumLicenseRequired: "basic", SupportedFeatureIDs: []string{"workflows"}, Source: "stack"})
	}
	return out, nil
}

type executeConnectorInput struct {
	ID   string `path:"id"`
	Body struct {
		Params map[string]any `json:"params"`
	}
}

// ExecuteResult is the _execute answer (Kibana's result with connector_id and
// service_message). Retry is a boolean, or the ISO time the remote asked to retry at.
type ExecuteResult struct {
	ConnectorID    string `json:"connector_id"`
	Status         string `json:"status"`
	Data           any    `json:"data,omitempty"`
	Message        string `json:"message,omitempty"`
	ServiceMessage string `json:"service_message,omitempty"`
	Retry          any    `json:"retry,omitempty"`
	ErrorSource    string `json:"errorSource,omitempty"`
}

type executeOutput struct{ Body ExecuteResult }

// connectorTimeout bounds an _execute call (Kibana's responseTimeout).
const connectorTimeout = 60 * time.Second

// executeConnector runs a connector action and answers 200 even when it fails. Params of
// the form {subAction, subActionParams} run that sub-action with subActionParams.
func (s *server) executeConnector(ctx context.Context, in *executeConnectorInput) (*executeOutput, error) {
	setResource(ctx, in.ID)
	c, err := s.Connectors.Resolve(ctx, in.ID, "")
	if err != nil {
		return nil, fmt.Errorf("executing connector %q: %w", in.ID, err)
	}
	action, params, err := s.actionOf(c, in.Body.Params)
	var res connector.Result
	if err != nil {
		res = connector.UserError(err.Error())
	} else {
		res = s.Connectors.Execute(ctx, c, action, params, connectorTimeout)
	}
	out := &executeOutput{Body: ExecuteResult{ConnectorID: c.ID, Status: res.Status, Data: res.Data, Message: res.Message,
		ServiceMessage: res.ServiceMessage, ErrorSource: res.ErrorSource}}
	if res.Status == connector.StatusError {
		out.Body.Retry = res.Retry
		if res.RetryAfter > 0 {
			out.Body.Retry = time.Now().Add(res.RetryAfter).UTC().Format(time.RFC3339Nano)
		}
	}
	return out, nil
}

// actionOf picks the action params name: params.subAction selects a sub-action (its
// params are subActionParams); otherwise the type's single action takes params as given.
func (s *server) actionOf(c *connector.Connector, params map[string]any) (*connector.Action, map[string]any, error) {
	t, ok := s.Registry.Type(c.TypeID)
	if !ok {
		return nil, nil, fmt.Errorf("connector type %s is not available in this build", c.TypeID)
	}
	if sub, ok := params["subAction"].(string); ok {
		a, ok := t.Actions[sub]
		if !ok && t.Actions[""] != nil {
			return t.Actions[""], params, nil // the type reads subAction itself
		}
		if !ok {
			return nil, nil, fmt.Errorf("error validating action params: [subAction]: %q is not a sub-action of %s", sub, t.ID)
		}
		sp, _ := params["subActionParams"].(map[string]any)
		return a, sp, nil
	}
	if a, ok := t.Actions[""]; ok {
		return a, params, nil
	}
	return nil, nil, fmt.Errorf("error validating action params: [subAction]: %s needs params.subAction", t.ID)
}
