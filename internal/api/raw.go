package api

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
)

//go:embed docs.html
var docsPage []byte

// registerRaw adds the routes served without huma's request decoding: health, the docs
// page, webhooks (they need the raw request) and the event stream. The webhook and stream
// operations are described in the OpenAPI document too.
func (s *server) registerRaw(api huma.API, mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", s.ready)
	mux.HandleFunc("GET /api/docs", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'")
		_, _ = w.Write(docsPage)
	})
	mux.HandleFunc("GET /api/workflows/workflow/{id}/execute", s.webhook)
	mux.HandleFunc("POST /api/workflows/workflow/{id}/execute", s.webhook)
	mux.HandleFunc("GET /api/workflows/executions/{executionId}/events", s.stream)
	oapi := api.OpenAPI()
	for _, m := range []string{http.MethodGet, http.MethodPost} {
		oapi.AddOperation(&huma.Operation{OperationID: "executeWebhook" + m, Method: m,
			Path: "/api/workflows/workflow/{id}/execute", Summary: "Invoke a workflow's webhook trigger (the trigger's own auth; no API key)",
			Security: []map[string][]string{}, Responses: map[string]*huma.Response{"200": {Description: "{workflowExecutionId, duplicate}"}}})
	}
	oapi.AddOperation(&huma.Operation{OperationID: "streamExecutionEvents", Method: http.MethodGet,
		Path:    "/api/workflows/executions/{executionId}/events",
		Summary: "Server-sent events of an execution: status, step_started, step_finished, log",
		Responses: map[string]*huma.Response{"200": {Description: "text/event-stream",
			Content: map[string]*huma.MediaType{"text/event-stream": {}}}}})
}

// ready answers 200 when Deps.Ready passes, 503 with the reason otherwise.
func (s *server) ready(w http.ResponseWriter, r *http.Request) {
	if s.Ready != nil {
		if err := s.Ready(r.Context()); err != nil {
			s.log.Warn("not ready", "error", err)
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": err.Error()})
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// webhookBodyLimit bounds a webhook request body.
const webhookBodyLimit = 8 << 20

// webhook invokes a workflow's webhook trigger. The trigger authenticates the request
// itself (none, apiKey, basic or hmac), so no API key is asked for here.
func (s *server) webhook(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if s.Webhooks == nil {
		writeProblem(w, r, fmt.Errorf("invoking the webhook of workflow %q: %w: webhooks are not enabled on this server", id, errUnavailable))
		return
	}
	wf, err := s.workflow(r.Context(), id)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, webhookBodyLimit))
	if err != nil {
		writeProblem(w, r, fmt.Errorf("%w: reading the webhook body: %w", errBadRequest, err))
		return
	}
	exID, dup, err := s.Webhooks.Invoke(r.Context(), wf, r, body)
	if err != nil {
		writeProblem(w, r, fmt.Errorf("invoking the webhook of workflow %q: %w", id, err))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"workflowExecutionId": exID, "duplicate": dup})
}

// writeJSON answers v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
