package api

import (
	"encoding/json"
	"time"

	"github.com/errand-dev/errand/internal/store"
	"github.com/errand-dev/errand/internal/workflow"
)

// ExecutionSummary is an execution in lists (Kibana's WorkflowExecutionListItemDto).
type ExecutionSummary struct {
	ID          string          `json:"id"`
	SpaceID     string          `json:"spaceId"`
	WorkflowID  string          `json:"workflowId"`
	Status      string          `json:"status"`
	IsTestRun   bool            `json:"isTestRun"`
	StartedAt   *time.Time      `json:"startedAt"`
	FinishedAt  *time.Time      `json:"finishedAt"`
	Duration    *int64          `json:"duration"`
	Error       json.RawMessage `json:"error"`
	ExecutedBy  string          `json:"executedBy"`
	TriggeredBy string          `json:"triggeredBy"`
}

// ExecutionDTO is one execution with its step executions (Kibana's WorkflowExecutionDto).
type ExecutionDTO struct {
	ExecutionSummary
	WorkflowName       string          `json:"workflowName"`
	WorkflowDefinition any             `json:"workflowDefinition"`
	YAML               string          `json:"yaml"`
	Context            map[string]any  `json:"context"`
	Input              json.RawMessage `json:"input,omitempty"`
	Output             json.RawMessage `json:"output,omitempty"`
	Metadata           json.RawMessage `json:"metadata,omitempty"`
	CancelRequested    bool            `json:"cancelRequested"`
	CreatedAt          time.Time       `json:"createdAt"`
	StepExecutions     []StepDTO       `json:"stepExecutions"`
	StepExecutionIDs   []string        `json:"stepExecutionIds"`
}

// StepDTO is one step execution (Kibana's EsWorkflowStepExecution). Path is Errand's
// unique place of the record in the run ("loop[2]/fetch#1").
type StepDTO struct {
	ID                   string          `json:"id"`
	StepID               string          `json:"stepId"`
	StepType             string          `json:"stepType"`
	Path                 string          `json:"path"`
	WorkflowRunID        string          `json:"workflowRunId"`
	WorkflowID           string          `json:"workflowId"`
	Status               string          `json:"status"`
	StartedAt            time.Time       `json:"startedAt"`
	FinishedAt           *time.Time      `json:"finishedAt"`
	ExecutionTimeMs      *int64          `json:"executionTimeMs"`
	GlobalExecutionIndex int             `json:"globalExecutionIndex"`
	StepExecutionIndex   int             `json:"stepExecutionIndex"`
	Input                json.RawMessage `json:"input,omitempty"`
	Output               json.RawMessage `json:"output,omitempty"`
	Error                json.RawMessage `json:"error"`
	State                json.RawMessage `json:"state,omitempty"`
}

// summarize renders an execution for lists.
func summarize(ex *store.Execution) ExecutionSummary {
	s := ExecutionSummary{ID: ex.ID, SpaceID: "default", WorkflowID: ex.WorkflowID, Status: ex.Status,
		IsTestRun: ex.IsTestRun, StartedAt: ex.StartedAt, FinishedAt: ex.FinishedAt, Error: nullable(ex.Error),
		ExecutedBy: ex.ExecutedBy, TriggeredBy: ex.TriggeredBy}
	if ex.StartedAt != nil && ex.FinishedAt != nil {
		d := ex.FinishedAt.Sub(*ex.StartedAt).Milliseconds()
		s.Duration = &d
	}
	return s
}

// executionDTO renders an execution and its steps; withIO includes step inputs and
// outputs.
func executionDTO(ex *store.Execution, steps []*store.StepExecution, withInput, withOutput bool) ExecutionDTO {
	dto := ExecutionDTO{ExecutionSummary: summarize(ex), WorkflowName: ex.WorkflowName, YAML: ex.YAML,
		Input: ex.Inputs, Output: ex.Output, Metadata: ex.Metadata, CancelRequested: ex.CancelRequested,
		CreatedAt: ex.CreatedAt, StepExecutions: []StepDTO{}, StepExecutionIDs: []string{}}
	if wf, _ := workflow.Parse([]byte(ex.YAML)); wf != nil {
		dto.WorkflowDefinition = wf
	}
	dto.Context = map[string]any{"inputs": nullable(ex.Inputs), "event": nullable(ex.Event)}
	for _, st := range steps {
		dto.StepExecutions = append(dto.StepExecutions, stepDTO(ex, st, withInput, withOutput))
		dto.StepExecutionIDs = append(dto.StepExecutionIDs, st.ID)
	}
	return dto
}

// stepDTO renders one step execution.
func stepDTO(ex *store.Execution, st *store.StepExecution, withInput, withOutput bool) StepDTO {
	d := StepDTO{ID: st.ID, StepID: st.StepName, StepType: st.StepType, Path: st.Path, WorkflowRunID: st.ExecutionID,
		WorkflowID: ex.WorkflowID, Status: st.Status, StartedAt: st.StartedAt, FinishedAt: st.FinishedAt,
		GlobalExecutionIndex: st.Seq, StepExecutionIndex: st.Attempt - 1, Error: nullable(st.Error)}
	if st.FinishedAt != nil {
		ms := st.DurationMs
		d.ExecutionTimeMs = &ms
	}
	if withInput {
		d.Input = st.Input
	}
	if withOutput {
		d.Output, d.State = st.Output, st.State
	}
	return d
}

// nullable is raw JSON, or JSON null when absent.
func nullable(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 {
		return json.RawMessage("null")
	}
	return raw
}
