package api

import (
	"context"
	"fmt"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/errand-dev/errand/internal/engine"
	"github.com/errand-dev/errand/internal/store"
)

// registerRuns adds run, test, step test and the event intake (§8 rows 20, 21, 27).
func (s *server) registerRuns(api huma.API) {
	huma.Register(api, op("runWorkflow", http.MethodPost, "/api/workflows/workflow/{id}/run", "Run a workflow"), s.runWorkflow)
	huma.Register(api, op("testWorkflow", http.MethodPost, "/api/workflows/test", "Test a workflow (unsaved YAML or a stored one)"), s.testWorkflow)
	huma.Register(api, op("testStep", http.MethodPost, "/api/workflows/step/test", "Test one step with a mocked context"), s.testStep)
	huma.Register(api, op("dispatchEvent", http.MethodPost, "/api/workflows/events", "Start the workflows whose event or alert trigger matches"), s.dispatchEvent)
}

type runInput struct {
	ID   string `path:"id"`
	Body struct {
		Inputs   map[string]any `json:"inputs"`
		Metadata map[string]any `json:"metadata,omitempty"`
	}
}

type executionIDOutput struct {
	Body struct {
		WorkflowExecutionID string `json:"workflowExecutionId"`
	}
}

// runWorkflow starts a stored workflow: 404 when missing, 400 with Kibana's messages when
// it is not valid or disabled, 400 when the inputs do not match its inputs schema.
func (s *server) runWorkflow(ctx context.Context, in *runInput) (*executionIDOutput, error) {
	setResource(ctx, in.ID)
	w, err := s.workflow(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	if !w.Valid {
		return nil, fmt.Errorf("running workflow %q: %w", w.ID, engine.ErrInvalidWorkflow)
	}
	if !w.Enabled {
		return nil, fmt.Errorf("running workflow %q: %w", w.ID, engine.ErrWorkflowDisabled)
	}
	return s.start(ctx, engine.StartParams{Workflow: w, Inputs: in.Body.Inputs, Metadata: in.Body.Metadata,
		TriggeredBy: "manual", ExecutedBy: actorOf(ctx)})
}

// start starts an execution and answers its id.
func (s *server) start(ctx context.Context, p engine.StartParams) (*executionIDOutput, error) {
	ex, err := s.Engine.Start(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("starting workflow: %w", err)
	}
	out := &executionIDOutput{}
	out.Body.WorkflowExecutionID = ex.ID
	return out, nil
}

type testInput struct {
	Body struct {
		WorkflowYAML string         `json:"workflowYaml,omitempty"`
		WorkflowID   string         `json:"workflowId,omitempty"`
		Inputs       map[string]any `json:"inputs,omitempty"`
	}
}

// testWorkflow runs unsaved YAML (or a stored workflow, even disabled) as a test run
// (isTestRun true). Invalid YAML is a 400 carrying the diagnostics.
func (s *server) testWorkflow(ctx context.Context, in *testInput) (*executionIDOutput, error) {
	p := engine.StartParams{Inputs: in.Body.Inputs, IsTestRun: true, TriggeredBy: "manual", ExecutedBy: actorOf(ctx)}
	switch {
	case in.Body.WorkflowYAML != "":
		if err := s.mustBeValid(in.Body.WorkflowYAML); err != nil {
			return nil, err
		}
		p.YAML = in.Body.WorkflowYAML
	case in.Body.WorkflowID != "":
		w, err := s.workflow(ctx, in.Body.WorkflowID)
		if err != nil {
			return nil, err
		}
		p.Workflow = w
	default:
		return nil, fmt.Errorf("%w: give workflowYaml or workflowId", errBadRequest)
	}
	return s.start(ctx, p)
}

// mustBeValid refuses YAML with error diagnostics (400 with the diagnostics).
func (s *server) mustBeValid(src string) error {
	if len(src) > maxYAML {
		return fmt.Errorf("%w: yaml is longer than %d characters", errBadRequest, maxYAML)
	}
	if c := s.check(src); !c.valid() {
		return &invalidYAMLError{msg: msgInvalid, diags: c.diags}
	}
	return nil
}

type stepTestInput struct {
	Body struct {
		WorkflowYAML     string         `json:"workflowYaml"`
		StepID           string         `json:"stepId"`
		ContextOverride  map[string]any `json:"contextOverride,omitempty"`
		ExecutionContext map[string]any `json:"executionContext,omitempty"`
		WorkflowID       string         `json:"workflowId,omitempty"`
	}
}

// testStep runs one step of a workflow with contextOverride merged into its context
// (inputs, consts, event, steps.<name>.output of mocked predecessors, foreach). The run is
// a test run of a generated workflow: see stepTestWorkflow.
func (s *server) testStep(ctx context.Context, in *stepTestInput) (*executionIDOutput, error) {
	b := in.Body
	if err := s.mustBeValid(b.WorkflowYAML); err != nil {
		return nil, err
	}
	gen, err := stepTestWorkflow(b.WorkflowYAML, b.StepID, b.ContextOverride)
	if err != nil {
		return nil, err
	}
	if c := s.check(gen.yaml); !c.valid() {
		return nil, &invalidYAMLError{msg: fmt.Sprintf("step %q cannot run alone with this contextOverride", b.StepID), diags: c.diags}
	}
	p := engine.StartParams{YAML: gen.yaml, Inputs: gen.inputs, Event: gen.event, IsTestRun: true,
		TriggeredBy: "manual", ExecutedBy: actorOf(ctx), Metadata: map[string]any{"stepTest": b.StepID}}
	if b.WorkflowID != "" {
		p.Metadata["workflowId"] = b.WorkflowID
	}
	return s.start(ctx, p)
}

type eventInput struct {
	Body map[string]any
}

type eventOutput struct {
	Body struct {
		WorkflowExecutionIDs []string `json:"workflowExecutionIds"`
	}
}

// dispatchEvent hands an event to the event triggers; every started execution is listed.
func (s *server) dispatchEvent(ctx context.Context, in *eventInput) (*eventOutput, error) {
	if s.Events == nil {
		return nil, fmt.Errorf("dispatching an event: %w: event triggers are not enabled on this server", errUnavailable)
	}
	ids, err := s.Events.Dispatch(ctx, in.Body)
	if err != nil {
		return nil, fmt.Errorf("dispatching an event: %w", err)
	}
	out := &eventOutput{}
	out.Body.WorkflowExecutionIDs = append([]string{}, ids...)
	return out, nil
}

// activeStatuses are the statuses of executions that may still change.
var activeStatuses = []string{store.StatusPending, store.StatusWaiting, store.StatusWaitingForInput,
	store.StatusWaitingForChild, store.StatusRunning, store.StatusQueued}
