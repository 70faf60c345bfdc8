// Package clienttest serves a fake of Errand's REST API for client and CLI tests. It answers
// as ../shared/reference/kibana-workflows-spec.md §8 describes Kibana's API: the same paths,
// bodies, status codes and headers (ApiKey auth, kbn-xsrf on mutating calls), problem+json
// errors carrying the workflow diagnostics with their line and column. Workflows are parsed
// and validated by the real workflow package; "running" one plays each top-level step as
// started then finished (completed, or failed when its name starts with "fail"), console
// steps logging their message, so a client sees a real-looking event stream.
package clienttest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/errand-dev/errand/internal/workflow"
)

// Fake is the fake server. Its fields may be set before the first request.
type Fake struct {
	URL    string
	APIKey string
	// SendIDs makes the event stream carry ids and honour Last-Event-ID.
	SendIDs bool
	// StoreInvalid makes create and update store invalid YAML as Kibana does (valid: false,
	// validationErrors as "line:col message" strings) instead of answering 400.
	StoreInvalid bool
	// DropAfter closes the first event stream of each execution after that many events
	// (0: never), to test reconnection.
	DropAfter int

	mu         sync.Mutex
	workflows  map[string]*storedWorkflow
	order      []string
	executions map[string]*execution
	seq        int
	requests   []Request
}

// Request is what the fake recorded of one call.
type Request struct {
	Method, Path string
	Header       http.Header
}

type storedWorkflow struct {
	ID, Name, YAML string
	Enabled, Valid bool
	Errors         []string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

type execution struct {
	ID, WorkflowID, WorkflowName, Status, TriggeredBy string
	seq                                               int
	IsTestRun                                         bool
	Inputs                                            map[string]any
	StartedAt, FinishedAt                             time.Time
	Error                                             map[string]any
	events                                            []sseEvent
	streams                                           int
}

type sseEvent struct {
	name string
	data map[string]any
}

// New starts the fake on loopback; it is closed when the test ends.
func New(t testing.TB, apiKey string) *Fake {
	f := &Fake{APIKey: apiKey, workflows: map[string]*storedWorkflow{}, executions: map[string]*execution{}}
	srv := httptest.NewServer(f.handler())
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

// Requests returns the calls received so far.
func (f *Fake) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Request(nil), f.requests...)
}

// WorkflowYAML returns the stored YAML of the workflow named name, and whether it exists.
func (f *Fake) WorkflowYAML(name string) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, w := range f.workflows {
		if w.Name == name {
			return w.YAML, true
		}
	}
	return "", false
}

func (f *Fake) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/workflows", f.listWorkflows)
	mux.HandleFunc("POST /api/workflows/workflow", f.createWorkflow)
	mux.HandleFunc("GET /api/workflows/workflow/{id}", f.getWorkflow)
	mux.HandleFunc("PUT /api/workflows/workflow/{id}", f.updateWorkflow)
	mux.HandleFunc("POST /api/workflows/workflow/{id}/run", f.runWorkflow)
	mux.HandleFunc("POST /api/workflows/workflow/{id}/execute", f.runWorkflow)
	mux.HandleFunc("POST /api/workflows/test", f.testWorkflow)
	mux.HandleFunc("GET /api/workflows/executions/{id}", f.getExecution)
	mux.HandleFunc("GET /api/workflows/executions/{id}/events", f.events)
	mux.HandleFunc("GET /api/workflows/executions/{id}/logs", f.logs)
	mux.HandleFunc("GET /api/workflows/workflow/{id}/executions", f.listExecutions)
	mux.HandleFunc("GET /api/actions/connectors", f.listConnectors)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.requests = append(f.requests, Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone()})
		f.mu.Unlock()
		webhook := strings.HasSuffix(r.URL.Path, "/execute")
		if !webhook && r.Header.Get("Authorization") != "ApiKey "+f.APIKey {
			problem(w, http.StatusUnauthorized, "Unauthorized", "missing or invalid API key", nil)
			return
		}
		if !webhook && r.Method != http.MethodGet && r.Header.Get("kbn-xsrf") == "" {
			writeJSON(w, http.StatusBadRequest, map[string]any{"statusCode": 400, "error": "Bad Request",
				"message": "Request must contain a kbn-xsrf header."})
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// problem writes an RFC 9457 problem+json answer.
func problem(w http.ResponseWriter, status int, title, detail string, diags []workflow.Diagnostic) {
	errs := make([]map[string]any, 0, len(diags))
	for _, d := range diags {
		errs = append(errs, map[string]any{"message": d.Message, "location": "body.yaml", "ruleId": d.Rule,
			"severity": d.Severity, "path": d.Path, "line": d.Line, "col": d.Col})
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"title": title, "status": status, "detail": detail, "errors": errs})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		problem(w, http.StatusBadRequest, "Bad Request", "decoding body: "+err.Error(), nil)
		return false
	}
	return true
}

// check validates YAML, answering 400 with the diagnostics when it has errors.
func check(w http.ResponseWriter, src string) (*workflow.Workflow, bool) {
	wf, diags := workflow.Check([]byte(src), workflow.ValidateOptions{})
	if wf == nil || workflow.HasErrors(diags) {
		var errs []workflow.Diagnostic
		for _, d := range diags {
			if d.Severity == "error" {
				errs = append(errs, d)
			}
		}
		problem(w, http.StatusBadRequest, "Bad Request", "workflow YAML is invalid", errs)
		return nil, false
	}
	return wf, true
}

func (f *Fake) nextID(prefix string) string {
	f.seq++
	return prefix + "-" + strconv.Itoa(f.seq)
}

func (w *storedWorkflow) dto(withYAML bool) map[string]any {
	m := map[string]any{"id": w.ID, "name": w.Name, "enabled": w.Enabled, "valid": w.Valid,
		"createdAt": w.CreatedAt, "createdBy": "fake", "lastUpdatedAt": w.UpdatedAt, "lastUpdatedBy": "fake",
		"definition": map[string]any{"name": w.Name}}
	if withYAML {
		m["yaml"] = w.YAML
	}
	if len(w.Errors) > 0 {
		m["validationErrors"] = w.Errors
	}
	return m
}
