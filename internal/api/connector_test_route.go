package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
)

// registerConnectorTest adds `POST /api/actions/connector/{id}/_test`, an Errand extension
// (Kibana has no such route): it runs the type's connection test — reaching the service with
// the connector's credentials, sending nothing — and answers the Result envelope with 200
// whatever the outcome, like _execute.
func (s *server) registerConnectorTest(api huma.API) {
	huma.Register(api, op("testConnector", http.MethodPost, "/api/actions/connector/{id}/_test",
		"Test a connector's connection (Errand extension)"), s.testConnector)
}

func (s *server) testConnector(ctx context.Context, in *struct {
	ID string `path:"id"`
}) (*executeOutput, error) {
	setResource(ctx, in.ID)
	res := s.Connectors.Test(ctx, in.ID)
	out := &executeOutput{Body: ExecuteResult{ConnectorID: in.ID, Status: res.Status, Data: res.Data,
		Message: res.Message, ServiceMessage: res.ServiceMessage, ErrorSource: res.ErrorSource}}
	if res.Status != "ok" {
		out.Body.Retry = res.Retry
	}
	return out, nil
}
