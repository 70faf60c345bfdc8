package engine

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/errand-dev/errand/internal/store"
)

// StartParams describes a new execution: a stored Workflow, or YAML for a test run.
type StartParams struct {
	Workflow          *store.Workflow
	YAML              string
	Inputs            map[string]any
	Event             map[string]any
	Metadata          map[string]any
	TriggeredBy       string // manual (default) | scheduled | alert | webhook | api | workflow
	ExecutedBy        string
	IsTestRun         bool
	ParentExecutionID string
	RunAt             time.Time // zero: now
}

// Start validates the workflow and the inputs (defaults applied), applies the concurrency
// policy and creates the execution row and its queue job in one transaction. An invalid
// workflow or invalid inputs return an error and store nothing. A run dropped by the
// concurrency policy is stored as skipped and returned without error.
func (e *Engine) Start(ctx context.Context, p StartParams) (*store.Execution, error) {
	return e.start(ctx, p, "", true)
}

// start is Start with a chosen execution id ("" for a new one) and without a queue job when
// enqueue is false (a synchronous child run inline by its parent).
func (e *Engine) start(ctx context.Context, p StartParams, id string, enqueue bool) (*store.Execution, error) {
	ex, plan, err := e.prepare(p, id)
	if err != nil {
		return nil, err
	}
	skip, err := e.admit(ctx, plan, ex)
	if err != nil {
		return nil, err
	}
	runAt := p.RunAt
	if runAt.IsZero() {
		runAt = ex.CreatedAt
	}
	cp := store.ExecutionCreateParams{Execution: ex}
	if skip != nil {
		ex.Status, ex.Error, ex.FinishedAt = store.StatusSkipped, skip.encode(), &ex.CreatedAt
	} else if enqueue && e.sched != nil {
		cp.InTx = func(ctx context.Context, tx *sql.Tx) error {
			return e.sched.EnqueueTx(ctx, tx, ex.ID, runAt)
		}
	}
	if err := e.st.ExecutionCreate(ctx, cp); err != nil {
		return nil, fmt.Errorf("creating execution of workflow %q: %w", ex.WorkflowName, err)
	}
	e.emit(Event{Kind: EventExecutionStatus, ExecutionID: ex.ID, Status: ex.Status, Error: skip})
	return ex, nil
}

// prepare parses and validates the workflow and the inputs and builds the execution row.
func (e *Engine) prepare(p StartParams, id string) (*store.Execution, *Plan, error) {
	src := p.YAML
	ex := &store.Execution{}
	if p.Workflow != nil {
		if !p.Workflow.Enabled && !p.IsTestRun {
			return nil, nil, fmt.Errorf("starting workflow %q: %w", p.Workflow.ID, ErrWorkflowDisabled)
		}
		src, ex.WorkflowID, ex.WorkflowName = p.Workflow.YAML, p.Workflow.ID, p.Workflow.Name
	}
	if src == "" {
		return nil, nil, ErrNoWorkflow
	}
	plan, err := e.load(src)
	if err != nil {
		return nil, nil, err
	}
	inputs, err := e.prepareInputs(plan.Workflow, p.Inputs)
	if err != nil {
		return nil, nil, err
	}
	if id == "" {
		id = newID()
	}
	if ex.WorkflowName == "" {
		ex.WorkflowName = plan.Workflow.Name
	}
	triggeredBy := p.TriggeredBy
	if triggeredBy == "" {
		triggeredBy = "manual"
	}
	ex.ID, ex.YAML, ex.Status, ex.CreatedAt = id, src, store.StatusPending, e.now()
	ex.TriggeredBy, ex.ExecutedBy, ex.IsTestRun, ex.ParentExecutionID = triggeredBy, p.ExecutedBy, p.IsTestRun, p.ParentExecutionID
	for dst, v := range map[*json.RawMessage]map[string]any{&ex.Inputs: inputs, &ex.Event: p.Event, &ex.Metadata: p.Metadata} {
		if v == nil {
			continue
		}
		raw, err := encodeJSON(v)
		if err != nil {
			return nil, nil, fmt.Errorf("encoding execution data of workflow %q: %w", ex.WorkflowName, err)
		}
		*dst = raw
	}
	return ex, plan, nil
}

// newID returns a new time-ordered UUID (version 7), as the store drivers do: ids created
// close together sort together, so the rows and index entries that concurrent executions
// write at the same time share B-tree pages instead of touching one random page each.
func newID() string {
	id, err := uuid.NewV7()
	if err != nil {
		return uuid.NewString()
	}
	return id.String()
}
