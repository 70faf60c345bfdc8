package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/errand-dev/errand/internal/store"
)

// registerExecutions adds the execution routes (§8 rows 6-12, 28, 30).
func (s *server) registerExecutions(api huma.API) {
	huma.Register(api, op("listExecutions", http.MethodGet, "/api/workflows/workflow/{workflowId}/executions", "List a workflow's executions"), s.listExecutions)
	huma.Register(api, op("cancelAllExecutions", http.MethodPost, "/api/workflows/workflow/{workflowId}/executions/cancel", "Cancel every active execution of a workflow"), s.cancelAll)
	huma.Register(api, op("getExecution", http.MethodGet, "/api/workflows/executions/{executionId}", "Get an execution with its step executions"), s.getExecution)
	huma.Register(api, op("listStepExecutions", http.MethodGet, "/api/workflows/executions/{executionId}/steps", "List an execution's step executions"), s.listSteps)
	huma.Register(api, op("getStepExecution", http.MethodGet, "/api/workflows/executions/{executionId}/step/{stepExecutionId}", "Get one step execution"), s.getStep)
	huma.Register(api, op("getExecutionLogs", http.MethodGet, "/api/workflows/executions/{executionId}/logs", "Get an execution's logs"), s.getLogs)
	huma.Register(api, op("cancelExecution", http.MethodPost, "/api/workflows/executions/{executionId}/cancel", "Cancel an execution"), s.cancelExecution)
	huma.Register(api, op("resumeExecution", http.MethodPost, "/api/workflows/executions/{executionId}/resume", "Give input to an execution waiting for it"), s.resumeExecution)
	huma.Register(api, op("getChildExecutions", http.MethodGet, "/api/workflows/executions/{executionId}/children", "List child executions"), s.getChildren)
}

type listExecutionsInput struct {
	WorkflowID     string   `path:"workflowId"`
	Statuses       []string `query:"statuses,explode"`
	ExecutionTypes []string `query:"executionTypes,explode" doc:"test | production"`
	ExecutedBy     []string `query:"executedBy,explode"`
	Page           int      `query:"page" minimum:"0"`
	Size           int      `query:"size" minimum:"0" maximum:"10000"`
}

type listExecutionsOutput struct {
	Body struct {
		Results []ExecutionSummary `json:"results"`
		Page    int                `json:"page"`
		Size    int                `json:"size"`
		Total   int                `json:"total"`
	}
}

// listExecutions lists a workflow's executions, newest first. Statuses and filters may be
// repeated or comma-separated.
func (s *server) listExecutions(ctx context.Context, in *listExecutionsInput) (*listExecutionsOutput, error) {
	size, page := pageOf(in.Size, in.Page, 100)
	p := store.ExecutionListParams{WorkflowID: in.WorkflowID, Statuses: splitAll(in.Statuses)}
	types, by := splitAll(in.ExecutionTypes), splitAll(in.ExecutedBy)
	var rows []*store.Execution
	total := 0
	if len(types) == 0 && len(by) == 0 {
		p.Limit, p.Offset = size, (page-1)*size
		var err error
		if rows, total, err = s.Store.ExecutionList(ctx, p); err != nil {
			return nil, fmt.Errorf("listing executions of workflow %q: %w", in.WorkflowID, err)
		}
	} else {
		all, err := s.allExecutions(ctx, p)
		if err != nil {
			return nil, err
		}
		all = slices.DeleteFunc(all, func(ex *store.Execution) bool {
			kind := map[bool]string{true: "test", false: "production"}[ex.IsTestRun]
			return len(types) > 0 && !slices.Contains(types, kind) || len(by) > 0 && !slices.Contains(by, ex.ExecutedBy)
		})
		rows, total = window(all, size, page), len(all)
	}
	out := &listExecutionsOutput{}
	out.Body.Page, out.Body.Size, out.Body.Total = page, size, total
	out.Body.Results = []ExecutionSummary{}
	for _, ex := range rows {
		out.Body.Results = append(out.Body.Results, summarize(ex))
	}
	return out, nil
}

// allExecutions reads every execution matching p, page by page.
func (s *server) allExecutions(ctx context.Context, p store.ExecutionListParams) ([]*store.Execution, error) {
	var out []*store.Execution
	for p.Limit, p.Offset = 500, 0; ; p.Offset += p.Limit {
		rows, total, err := s.Store.ExecutionList(ctx, p)
		if err != nil {
			return nil, fmt.Errorf("listing executions of workflow %q: %w", p.WorkflowID, err)
		}
		out = append(out, rows...)
		if len(rows) < p.Limit || len(out) >= total {
			return out, nil
		}
	}
}

// splitAll splits comma-separated values and drops empty ones.
func splitAll(vs []string) []string {
	var out []string
	for _, v := range vs {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

type cancelAllOutput struct {
	Body struct {
		Cancelled []string `json:"cancelled"`
	}
}

// cancelAll requests the cancellation of every active execution of a workflow.
func (s *server) cancelAll(ctx context.Context, in *struct {
	WorkflowID string `path:"workflowId"`
}) (*cancelAllOutput, error) {
	setResource(ctx, in.WorkflowID)
	if _, err := s.workflow(ctx, in.WorkflowID); err != nil {
		return nil, err
	}
	active, err := s.allExecutions(ctx, store.ExecutionListParams{WorkflowID: in.WorkflowID, Statuses: activeStatuses})
	if err != nil {
		return nil, err
	}
	out := &cancelAllOutput{}
	out.Body.Cancelled = []string{}
	for _, ex := range active {
		if err := s.Engine.Cancel(ctx, ex.ID); err != nil {
			return nil, fmt.Errorf("cancelling executions of workflow %q: %w", in.WorkflowID, err)
		}
		out.Body.Cancelled = append(out.Body.Cancelled, ex.ID)
	}
	return out, nil
}

type executionInput struct {
	ExecutionID   string `path:"executionId"`
	IncludeInput  bool   `query:"includeInput" default:"true" doc:"Include step inputs"`
	IncludeOutput bool   `query:"includeOutput" default:"true" doc:"Include step outputs"`
}

type executionOutput struct{ Body ExecutionDTO }

// getExecution returns an execution with its step executions.
func (s *server) getExecution(ctx context.Context, in *executionInput) (*executionOutput, error) {
	ex, steps, err := s.executionWithSteps(ctx, in.ExecutionID)
	if err != nil {
		return nil, err
	}
	dto := executionDTO(ex, steps, in.IncludeInput, in.IncludeOutput)
	dto.SpaceID = requestFrom(ctx).space
	return &executionOutput{Body: dto}, nil
}

// execution reads an execution (404 when missing).
func (s *server) execution(ctx context.Context, id string) (*store.Execution, error) {
	ex, err := s.Store.ExecutionGet(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: Workflow execution not found: %s", errNotFound, id)
	}
	if err != nil {
		return nil, fmt.Errorf("getting execution %q: %w", id, err)
	}
	return ex, nil
}

// executionWithSteps reads an execution and its step records.
func (s *server) executionWithSteps(ctx context.Context, id string) (*store.Execution, []*store.StepExecution, error) {
	ex, err := s.execution(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	steps, err := s.Store.StepExecutionList(ctx, id)
	if err != nil {
		return nil, nil, fmt.Errorf("listing steps of execution %q: %w", id, err)
	}
	return ex, steps, nil
}

type listStepsInput struct {
	ExecutionID string `path:"executionId"`
	Page        int    `query:"page" minimum:"0"`
	Size        int    `query:"size" minimum:"0" maximum:"5000"`
}

type listStepsOutput struct {
	Body struct {
		Results []StepDTO `json:"results"`
		Page    int       `json:"page"`
		Size    int       `json:"size"`
		Total   int       `json:"total"`
	}
}

// listSteps lists step executions without their inputs and outputs.
func (s *server) listSteps(ctx context.Context, in *listStepsInput) (*listStepsOutput, error) {
	ex, steps, err := s.executionWithSteps(ctx, in.ExecutionID)
	if err != nil {
		return nil, err
	}
	size, page := pageOf(in.Size, in.Page, 1000)
	out := &listStepsOutput{}
	out.Body.Page, out.Body.Size, out.Body.Total, out.Body.Results = page, size, len(steps), []StepDTO{}
	for _, st := range window(steps, size, page) {
		out.Body.Results = append(out.Body.Results, stepDTO(ex, st, false, false))
	}
	return out, nil
}

type stepOutput struct{ Body StepDTO }

// getStep returns one step execution with its input and output.
func (s *server) getStep(ctx context.Context, in *struct {
	ExecutionID     string `path:"executionId"`
	StepExecutionID string `path:"stepExecutionId"`
}) (*stepOutput, error) {
	ex, err := s.execution(ctx, in.ExecutionID)
	if err != nil {
		return nil, err
	}
	st, err := s.Store.StepExecutionGet(ctx, in.StepExecutionID)
	if errors.Is(err, store.ErrNotFound) || err == nil && st.ExecutionID != ex.ID {
		return nil, fmt.Errorf("%w: Step execution not found: %s", errNotFound, in.StepExecutionID)
	}
	if err != nil {
		return nil, fmt.Errorf("getting step execution %q: %w", in.StepExecutionID, err)
	}
	return &stepOutput{Body: stepDTO(ex, st, true, true)}, nil
}

type executionIDInput struct {
	ExecutionID string `path:"executionId"`
}

type cancelOutput struct {
	Body struct {
		Success bool   `json:"success"`
		Status  string `json:"status"`
	}
}

// cancelExecution requests an execution's cancellation (a no-op for a finished one).
func (s *server) cancelExecution(ctx context.Context, in *executionIDInput) (*cancelOutput, error) {
	setResource(ctx, in.ExecutionID)
	if _, err := s.execution(ctx, in.ExecutionID); err != nil {
		return nil, err
	}
	if err := s.Engine.Cancel(ctx, in.ExecutionID); err != nil {
		return nil, fmt.Errorf("cancelling execution %q: %w", in.ExecutionID, err)
	}
	ex, err := s.execution(ctx, in.ExecutionID)
	if err != nil {
		return nil, err
	}
	out := &cancelOutput{}
	out.Body.Success, out.Body.Status = true, ex.Status
	return out, nil
}

type resumeInput struct {
	ExecutionID string `path:"executionId"`
	Body        struct {
		Input           map[string]any `json:"input"`
		StepExecutionID string         `json:"stepExecutionId,omitempty"`
	}
}

type resumeOutput struct {
	Body struct {
		Success     bool   `json:"success"`
		ExecutionID string `json:"executionId"`
		Message     string `json:"message"`
	}
}

// resumeExecution gives input to an execution waiting in waitForInput (409 when it does
// not wait for input).
func (s *server) resumeExecution(ctx context.Context, in *resumeInput) (*resumeOutput, error) {
	setResource(ctx, in.ExecutionID)
	if _, err := s.execution(ctx, in.ExecutionID); err != nil {
		return nil, err
	}
	if err := s.Engine.Resume(ctx, in.ExecutionID, in.Body.Input); err != nil {
		return nil, fmt.Errorf("resuming execution %q: %w", in.ExecutionID, err)
	}
	out := &resumeOutput{}
	out.Body.Success, out.Body.ExecutionID, out.Body.Message = true, in.ExecutionID, "Workflow resume scheduled"
	return out, nil
}
