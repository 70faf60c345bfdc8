package api

import (
	"context"
	"fmt"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/errand-dev/errand/internal/store"
)

// registerWorkflowSteps adds `GET /api/workflows/workflow/{workflowId}/executions/steps`:
// step executions across a workflow's runs, newest first (§8 row 29).
func (s *server) registerWorkflowSteps(api huma.API) {
	huma.Register(api, op("listWorkflowStepExecutions", http.MethodGet,
		"/api/workflows/workflow/{workflowId}/executions/steps", "List step executions across a workflow's runs"),
		s.listWorkflowSteps)
}

type listWorkflowStepsInput struct {
	WorkflowID string `path:"workflowId"`
	Page       int    `query:"page" minimum:"0"`
	Size       int    `query:"size" minimum:"0" maximum:"5000"`
}

// listWorkflowSteps pages the step executions of every run of a workflow, without their
// inputs and outputs.
func (s *server) listWorkflowSteps(ctx context.Context, in *listWorkflowStepsInput) (*listStepsOutput, error) {
	wf, err := s.workflow(ctx, in.WorkflowID)
	if err != nil {
		return nil, err
	}
	size, page := pageOf(in.Size, in.Page, 1000)
	steps, total, err := s.Store.StepExecutionListByWorkflow(ctx, wf.ID, size, (page-1)*size)
	if err != nil {
		return nil, fmt.Errorf("listing step executions of workflow %q: %w", wf.ID, err)
	}
	out := &listStepsOutput{}
	out.Body.Page, out.Body.Size, out.Body.Total, out.Body.Results = page, size, total, []StepDTO{}
	ex := &store.Execution{WorkflowID: wf.ID}
	for _, st := range steps {
		out.Body.Results = append(out.Body.Results, stepDTO(ex, st, false, false))
	}
	return out, nil
}
