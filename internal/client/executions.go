package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// Terminal reports whether an execution (or step) status is final.
func Terminal(status string) bool {
	switch status {
	case "completed", "failed", "cancelled", "timed_out", "skipped":
		return true
	}
	return false
}

// ExecutionError is Kibana's SerializedError {type, message, details?}.
type ExecutionError struct {
	Type    string          `json:"type,omitempty"`
	Message string          `json:"message"`
	Details json.RawMessage `json:"details,omitempty"`
}

// UnmarshalJSON accepts the object or a bare message string.
func (e *ExecutionError) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		*e = ExecutionError{Message: s}
		return nil
	}
	type plain ExecutionError
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return fmt.Errorf("decoding execution error: %w", err)
	}
	*e = ExecutionError(p)
	return nil
}

// Execution is Kibana's execution DTO (GET /api/workflows/executions/{id}).
type Execution struct {
	ID             string          `json:"id"`
	SpaceID        string          `json:"spaceId,omitempty"`
	Status         string          `json:"status"`
	IsTestRun      bool            `json:"isTestRun"`
	StartedAt      *time.Time      `json:"startedAt,omitempty"`
	FinishedAt     *time.Time      `json:"finishedAt,omitempty"`
	Duration       *float64        `json:"duration,omitempty"` // milliseconds
	Error          *ExecutionError `json:"error,omitempty"`
	WorkflowID     string          `json:"workflowId,omitempty"`
	WorkflowName   string          `json:"workflowName,omitempty"`
	YAML           string          `json:"yaml,omitempty"`
	TriggeredBy    string          `json:"triggeredBy,omitempty"`
	ExecutedBy     string          `json:"executedBy,omitempty"`
	Input          json.RawMessage `json:"input,omitempty"`
	Output         json.RawMessage `json:"output,omitempty"`
	StepExecutions []StepExecution `json:"stepExecutions,omitempty"`
}

// StepExecution is one step execution of an execution.
type StepExecution struct {
	ID              string          `json:"id"`
	StepID          string          `json:"stepId"`
	StepType        string          `json:"stepType,omitempty"`
	Status          string          `json:"status"`
	StartedAt       *time.Time      `json:"startedAt,omitempty"`
	FinishedAt      *time.Time      `json:"finishedAt,omitempty"`
	ExecutionTimeMs *float64        `json:"executionTimeMs,omitempty"`
	Input           json.RawMessage `json:"input,omitempty"`
	Output          json.RawMessage `json:"output,omitempty"`
	Error           *ExecutionError `json:"error,omitempty"`
}

// ExecutionList is one page of a workflow's executions.
type ExecutionList struct {
	Page    int         `json:"page"`
	Size    int         `json:"size"`
	Total   int         `json:"total"`
	Results []Execution `json:"results"`
}

// RunWorkflow starts a stored workflow with inputs and returns the execution id.
func (c *Client) RunWorkflow(ctx context.Context, workflowID string, inputs map[string]any) (string, error) {
	if inputs == nil {
		inputs = map[string]any{}
	}
	var out struct {
		WorkflowExecutionID string `json:"workflowExecutionId"`
	}
	path := "/api/workflows/workflow/" + url.PathEscape(workflowID) + "/run"
	if err := c.do(ctx, "POST", path, nil, map[string]any{"inputs": inputs}, &out); err != nil {
		return "", fmt.Errorf("running workflow %s: %w", workflowID, err)
	}
	return out.WorkflowExecutionID, nil
}

// TestWorkflow runs unsaved YAML as a test run and returns the execution id.
func (c *Client) TestWorkflow(ctx context.Context, yaml string, inputs map[string]any) (string, error) {
	if inputs == nil {
		inputs = map[string]any{}
	}
	var out struct {
		WorkflowExecutionID string `json:"workflowExecutionId"`
	}
	body := map[string]any{"workflowYaml": yaml, "inputs": inputs}
	if err := c.do(ctx, "POST", "/api/workflows/test", nil, body, &out); err != nil {
		return "", fmt.Errorf("testing workflow: %w", err)
	}
	return out.WorkflowExecutionID, nil
}

// GetExecution returns one execution; withIO asks for its input and output.
func (c *Client) GetExecution(ctx context.Context, id string, withIO bool) (*Execution, error) {
	q := url.Values{}
	if withIO {
		q.Set("includeInput", "true")
		q.Set("includeOutput", "true")
	}
	var out Execution
	if err := c.do(ctx, "GET", "/api/workflows/executions/"+url.PathEscape(id), q, nil, &out); err != nil {
		return nil, fmt.Errorf("getting execution %s: %w", id, err)
	}
	return &out, nil
}

// ListExecutionsParams filters a workflow's executions. Zero fields are not sent.
type ListExecutionsParams struct {
	Statuses       []string
	ExecutionTypes []string // test | production
	Page           int
	Size           int
}

// ListExecutions returns one page of a workflow's executions, newest first.
func (c *Client) ListExecutions(ctx context.Context, workflowID string, p ListExecutionsParams) (*ExecutionList, error) {
	q := url.Values{}
	for _, s := range p.Statuses {
		q.Add("statuses", s)
	}
	for _, s := range p.ExecutionTypes {
		q.Add("executionTypes", s)
	}
	if p.Page > 0 {
		q.Set("page", strconv.Itoa(p.Page))
	}
	if p.Size > 0 {
		q.Set("size", strconv.Itoa(p.Size))
	}
	var out ExecutionList
	path := "/api/workflows/workflow/" + url.PathEscape(workflowID) + "/executions"
	if err := c.do(ctx, "GET", path, q, nil, &out); err != nil {
		return nil, fmt.Errorf("listing executions of workflow %s: %w", workflowID, err)
	}
	return &out, nil
}

// CancelExecution asks the server to cancel a running execution.
func (c *Client) CancelExecution(ctx context.Context, id string) error {
	path := "/api/workflows/executions/" + url.PathEscape(id) + "/cancel"
	if err := c.do(ctx, "POST", path, nil, map[string]any{}, nil); err != nil {
		return fmt.Errorf("cancelling execution %s: %w", id, err)
	}
	return nil
}

// TriggerWebhook posts body to a workflow's webhook trigger
// (POST /api/workflows/workflow/{id}/execute) with extra headers (signatures, an
// Idempotency-Key) and returns the execution id.
func (c *Client) TriggerWebhook(ctx context.Context, workflowID string, body any, header map[string]string) (string, error) {
	path := "/api/workflows/workflow/" + url.PathEscape(workflowID) + "/execute"
	req, err := c.newRequest(ctx, "POST", path, nil, body)
	if err != nil {
		return "", err
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	var out struct {
		WorkflowExecutionID string `json:"workflowExecutionId"`
		ExecutionID         string `json:"executionId"`
	}
	if err := c.send(req, &out); err != nil {
		return "", fmt.Errorf("triggering webhook of workflow %s: %w", workflowID, err)
	}
	return firstNonEmpty(out.WorkflowExecutionID, out.ExecutionID), nil
}

// LogEntry is one line of an execution's log.
type LogEntry struct {
	ID        string     `json:"id,omitempty"`
	Timestamp *time.Time `json:"timestamp,omitempty"`
	Level     string     `json:"level"`
	Message   string     `json:"message"`
	StepID    string     `json:"stepId,omitempty"`
	StepName  string     `json:"stepName,omitempty"`
}

// LogPage is one page of an execution's log.
type LogPage struct {
	Logs  []LogEntry `json:"logs"`
	Total int        `json:"total"`
	Size  int        `json:"size"`
	Page  int        `json:"page"`
}

// ExecutionLogs returns one page of an execution's log (page from 1; size 0: the server's
// default).
func (c *Client) ExecutionLogs(ctx context.Context, id string, page, size int) (*LogPage, error) {
	q := url.Values{}
	if page > 0 {
		q.Set("page", strconv.Itoa(page))
	}
	if size > 0 {
		q.Set("size", strconv.Itoa(size))
	}
	var out LogPage
	if err := c.do(ctx, "GET", "/api/workflows/executions/"+url.PathEscape(id)+"/logs", q, nil, &out); err != nil {
		return nil, fmt.Errorf("reading log of execution %s: %w", id, err)
	}
	return &out, nil
}
