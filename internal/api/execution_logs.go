package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/errand-dev/errand/internal/store"
)

type logsInput struct {
	ExecutionID     string `path:"executionId"`
	Page            int    `query:"page" minimum:"0"`
	Size            int    `query:"size" minimum:"0" maximum:"10000"`
	StepExecutionID string `query:"stepExecutionId"`
}

// LogDTO is one log line (Kibana's execution log entry).
type LogDTO struct {
	ID             string          `json:"id"`
	Timestamp      time.Time       `json:"timestamp"`
	Level          string          `json:"level"`
	Message        string          `json:"message"`
	StepID         string          `json:"stepId"`
	StepName       string          `json:"stepName"`
	StepPath       string          `json:"stepPath"`
	AdditionalData json.RawMessage `json:"additionalData"`
}

type logsOutput struct {
	Body struct {
		Logs  []LogDTO `json:"logs"`
		Total int      `json:"total"`
		Size  int      `json:"size"`
		Page  int      `json:"page"`
	}
}

// getLogs returns a page of an execution's log, optionally of one step execution only.
func (s *server) getLogs(ctx context.Context, in *logsInput) (*logsOutput, error) {
	if _, err := s.execution(ctx, in.ExecutionID); err != nil {
		return nil, err
	}
	size, page := pageOf(in.Size, in.Page, 100)
	var rows []*store.LogEntry
	var total int
	var err error
	if in.StepExecutionID == "" {
		rows, total, err = s.Store.LogList(ctx, in.ExecutionID, size, (page-1)*size)
	} else {
		rows, total, err = s.stepLogs(ctx, in.ExecutionID, in.StepExecutionID, size, page)
	}
	if err != nil {
		return nil, err
	}
	out := &logsOutput{}
	out.Body.Total, out.Body.Size, out.Body.Page, out.Body.Logs = total, size, page, []LogDTO{}
	for _, l := range rows {
		out.Body.Logs = append(out.Body.Logs, logDTO(l))
	}
	return out, nil
}

// stepLogs returns a page of the log lines of one step execution.
func (s *server) stepLogs(ctx context.Context, executionID, stepExecutionID string, size, page int) ([]*store.LogEntry, int, error) {
	st, err := s.Store.StepExecutionGet(ctx, stepExecutionID)
	if errors.Is(err, store.ErrNotFound) || err == nil && st.ExecutionID != executionID {
		return nil, 0, fmt.Errorf("%w: Step execution not found: %s", errNotFound, stepExecutionID)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("getting step execution %q: %w", stepExecutionID, err)
	}
	all, err := s.allLogs(ctx, executionID, 0)
	if err != nil {
		return nil, 0, err
	}
	var mine []*store.LogEntry
	for _, l := range all {
		if l.StepPath == st.Path {
			mine = append(mine, l)
		}
	}
	return window(mine, size, page), len(mine), nil
}

// allLogs reads an execution's log lines from offset on.
func (s *server) allLogs(ctx context.Context, executionID string, offset int) ([]*store.LogEntry, error) {
	var out []*store.LogEntry
	for {
		rows, total, err := s.Store.LogList(ctx, executionID, 1000, offset)
		if err != nil {
			return nil, fmt.Errorf("listing logs of execution %q: %w", executionID, err)
		}
		out = append(out, rows...)
		offset += len(rows)
		if len(rows) == 0 || offset >= total {
			return out, nil
		}
	}
}

// logDTO renders one log line.
func logDTO(l *store.LogEntry) LogDTO {
	return LogDTO{ID: strconv.FormatInt(l.ID, 10), Timestamp: l.Timestamp, Level: l.Level, Message: l.Message,
		StepID: l.StepName, StepName: l.StepName, StepPath: l.StepPath, AdditionalData: nullable(l.Data)}
}

// ChildDTO is one child execution started by a workflow.execute step.
type ChildDTO struct {
	ParentStepExecutionID string    `json:"parentStepExecutionId"`
	WorkflowID            string    `json:"workflowId"`
	WorkflowName          string    `json:"workflowName"`
	ExecutionID           string    `json:"executionId"`
	Status                string    `json:"status"`
	StepExecutions        []StepDTO `json:"stepExecutions"`
}

type childrenOutput struct{ Body []ChildDTO }

// getChildren lists the executions started by the execution's workflow.execute and
// workflow.executeAsync steps.
func (s *server) getChildren(ctx context.Context, in *executionIDInput) (*childrenOutput, error) {
	_, steps, err := s.executionWithSteps(ctx, in.ExecutionID)
	if err != nil {
		return nil, err
	}
	out := &childrenOutput{Body: []ChildDTO{}}
	for _, st := range steps {
		var state struct {
			Child string `json:"childExecutionId"`
		}
		if st.StepType != "workflow.execute" && st.StepType != "workflow.executeAsync" ||
			json.Unmarshal(st.State, &state) != nil || state.Child == "" {
			continue
		}
		child, csteps, err := s.executionWithSteps(ctx, state.Child)
		if errors.Is(err, errNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		c := ChildDTO{ParentStepExecutionID: st.ID, WorkflowID: child.WorkflowID, WorkflowName: child.WorkflowName,
			ExecutionID: child.ID, Status: child.Status, StepExecutions: []StepDTO{}}
		for _, cs := range csteps {
			c.StepExecutions = append(c.StepExecutions, stepDTO(child, cs, false, false))
		}
		out.Body = append(out.Body, c)
	}
	return out, nil
}
