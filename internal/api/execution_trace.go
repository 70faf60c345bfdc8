package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/errand-dev/errand/internal/store"
)

// maxTraceDepth bounds the trace: a chain longer than this is cut at its oldest end.
const maxTraceDepth = 100

// TraceEntry is one execution of a trigger event trace. Missing marks an execution the
// chain names but the store no longer holds (deleted by retention); the chain stops there.
type TraceEntry struct {
	ExecutionID  string     `json:"executionId"`
	WorkflowID   string     `json:"workflowId"`
	WorkflowName string     `json:"workflowName,omitempty"`
	TriggeredBy  string     `json:"triggeredBy,omitempty"`
	StartedAt    *time.Time `json:"startedAt"`
	Missing      bool       `json:"missing,omitempty"`
}

type traceOutput struct {
	Body struct {
		ExecutionID string       `json:"executionId"`
		Trace       []TraceEntry `json:"trace"`
	}
}

// registerExecutionTrace adds §8 row 15.
func (s *server) registerExecutionTrace(api huma.API) {
	huma.Register(api, op("getTriggerEventTrace", http.MethodGet, "/api/workflows/executions/{executionId}/trigger_event_trace",
		"The chain of executions that led to this one, root first"), s.getTrace)
}

// getTrace follows an execution's origin: the parent of a child workflow's run, and for a
// run started by an event that a workflow emitted, the emitting execution named by the
// event's execution.id (workflow.id when the execution is gone). The answer lists the
// chain root first and ends with the execution asked for.
func (s *server) getTrace(ctx context.Context, in *executionIDInput) (*traceOutput, error) {
	ex, err := s.execution(ctx, in.ExecutionID)
	if err != nil {
		return nil, err
	}
	trace := []TraceEntry{traceEntry(ex)}
	seen := map[string]bool{ex.ID: true}
	for len(trace) < maxTraceDepth {
		parentID, workflowID := originOf(ex)
		if parentID == "" || seen[parentID] {
			break
		}
		seen[parentID] = true
		parent, err := s.Store.ExecutionGet(ctx, parentID)
		if errors.Is(err, store.ErrNotFound) {
			trace = append(trace, TraceEntry{ExecutionID: parentID, WorkflowID: workflowID, Missing: true})
			break
		}
		if err != nil {
			return nil, fmt.Errorf("tracing execution %q at %q: %w", in.ExecutionID, parentID, err)
		}
		trace = append(trace, traceEntry(parent))
		ex = parent
	}
	slices.Reverse(trace)
	out := &traceOutput{}
	out.Body.ExecutionID, out.Body.Trace = in.ExecutionID, trace
	return out, nil
}

// originOf names the execution that started ex: its parent, else the execution that
// emitted its triggering event (event.execution.id, with event.workflow.id).
func originOf(ex *store.Execution) (executionID, workflowID string) {
	if ex.ParentExecutionID != "" {
		return ex.ParentExecutionID, ""
	}
	var ev struct {
		Workflow struct {
			ID string `json:"id"`
		} `json:"workflow"`
		Execution struct {
			ID string `json:"id"`
		} `json:"execution"`
	}
	if len(ex.Event) == 0 || json.Unmarshal(ex.Event, &ev) != nil {
		return "", ""
	}
	return ev.Execution.ID, ev.Workflow.ID
}

// traceEntry renders one execution of a trace.
func traceEntry(ex *store.Execution) TraceEntry {
	return TraceEntry{ExecutionID: ex.ID, WorkflowID: ex.WorkflowID, WorkflowName: ex.WorkflowName,
		TriggeredBy: ex.TriggeredBy, StartedAt: ex.StartedAt}
}
