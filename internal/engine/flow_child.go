package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/errand-dev/errand/internal/store"
	"github.com/errand-dev/errand/internal/workflow"
)

// decideChild resolves the child workflow of workflow.execute / workflow.executeAsync (by id,
// then by name), refuses self-calls and too deep composition, and fixes the child's
// execution id in the state so a replay never starts a second child.
func (r *run) decideChild(st *workflow.Step) flowDecide {
	return func(ctx context.Context, data map[string]any) (any, map[string]any, error) {
		v, err := r.e.ev.RenderValue(st.With, data)
		if err != nil {
			return st.With, nil, &StepError{Type: "TemplateError", Message: fmt.Sprintf("rendering with of step %s: %s", st.Name, err.Error())}
		}
		with, _ := v.(map[string]any)
		ref := matchString(with["workflow-id"])
		wf, err := r.e.findWorkflow(ctx, ref)
		if err != nil {
			return with, nil, err
		}
		if wf.ID == r.ex.WorkflowID || r.ex.WorkflowID == "" && wf.Name == r.plan.Workflow.Name {
			return with, nil, &StepError{Type: "WorkflowCompositionError", Message: fmt.Sprintf("Workflow %s cannot call itself (step %s).", wf.Name, st.Name), Permanent: true}
		}
		depth, err := r.e.depth(ctx, r.ex)
		if err != nil {
			return with, nil, err
		}
		if depth+1 > maxCompositionDep {
			return with, nil, &StepError{Type: "WorkflowCompositionError", Message: fmt.Sprintf("Step %s exceeds the maximum workflow composition depth of %d.", st.Name, maxCompositionDep), Permanent: true}
		}
		return with, map[string]any{"workflowId": wf.ID, "childExecutionId": newID()}, nil
	}
}

// findWorkflow looks a stored workflow up by id, then by name.
func (e *Engine) findWorkflow(ctx context.Context, ref string) (*store.Workflow, error) {
	wf, err := e.st.WorkflowGet(ctx, ref)
	if errors.Is(err, store.ErrNotFound) {
		wf, err = e.st.WorkflowGetByName(ctx, ref)
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, &StepError{Type: "WorkflowNotFound", Message: fmt.Sprintf("Workflow %s not found", ref), Permanent: true}
	case errors.Is(err, store.ErrAmbiguous):
		return nil, &StepError{Type: "WorkflowNotFound", Message: fmt.Sprintf("More than one workflow is named %s; use its id", ref), Permanent: true}
	case err != nil:
		return nil, fmt.Errorf("looking up workflow %q: %w", ref, err)
	}
	return wf, nil
}

// childParams are the StartParams of the child of a workflow.execute(Async) step.
func (r *run) childParams(ctx context.Context, rec *store.StepExecution, state map[string]any) (StartParams, error) {
	wf, err := r.e.st.WorkflowGet(ctx, stateString(state, "workflowId"))
	if err != nil {
		return StartParams{}, fmt.Errorf("getting child workflow of step %q: %w", rec.StepName, err)
	}
	with, _ := decodeMap(rec.Input)
	inputs, _ := with["inputs"].(map[string]any)
	return StartParams{
		Workflow: wf, Inputs: inputs, TriggeredBy: "workflow", ExecutedBy: r.ex.ExecutedBy,
		IsTestRun: r.ex.IsTestRun, ParentExecutionID: r.ex.ID,
	}, nil
}

// ensureChild gets the child execution, creating it on first use.
func (r *run) ensureChild(ctx context.Context, rec *store.StepExecution, state map[string]any, enqueue bool) (*store.Execution, error) {
	id := stateString(state, "childExecutionId")
	child, err := r.e.st.ExecutionGet(ctx, id)
	if !errors.Is(err, store.ErrNotFound) {
		if err != nil {
			return nil, fmt.Errorf("getting child execution %q: %w", id, err)
		}
		return child, nil
	}
	p, err := r.childParams(ctx, rec, state)
	if err != nil {
		return nil, err
	}
	child, err = r.e.start(ctx, p, id, enqueue)
	var se *StepError
	if err != nil && !errors.As(err, &se) && (errors.Is(err, ErrInvalidInputs) || errors.Is(err, ErrInvalidWorkflow) || errors.Is(err, ErrWorkflowDisabled)) {
		return nil, &stepFailure{step: rec.StepName, err: &StepError{Type: "WorkflowExecuteError", Message: err.Error(), Permanent: true}}
	}
	return child, err
}

// executeBody runs the child synchronously in this worker: the parent shows
// waiting_for_child meanwhile, and parks with that status while the child waits. The
// child's output is the step's output; its failure is the step's error.
func (r *run) executeBody(st *workflow.Step) flowBody {
	return func(ctx context.Context, rec *store.StepExecution, state map[string]any, replay bool) (any, error) {
		if replay {
			return nil, nil
		}
		child, err := r.ensureChild(ctx, rec, state, false)
		if err != nil {
			return nil, err
		}
		if !store.IsTerminal(child.Status) {
			if err := r.e.setStatus(ctx, r.ex, store.StatusWaitingForChild, nil); err != nil {
				return nil, err
			}
			resumeAt, err := r.e.Execute(ctx, child.ID)
			if err != nil {
				return nil, fmt.Errorf("running child execution %q: %w", child.ID, err)
			}
			if ctx.Err() != nil {
				return nil, newAbort(ctx)
			}
			if !resumeAt.IsZero() {
				return nil, &parkSignal{until: resumeAt, status: store.StatusWaitingForChild}
			}
			if err := r.e.setStatus(ctx, r.ex, store.StatusRunning, nil); err != nil {
				return nil, err
			}
			if child, err = r.e.st.ExecutionGet(ctx, child.ID); err != nil {
				return nil, fmt.Errorf("getting child execution %q: %w", child.ID, err)
			}
		}
		return childOutcome(st, child)
	}
}

// childOutcome is the step result of a finished child execution.
func childOutcome(st *workflow.Step, child *store.Execution) (any, error) {
	out, _ := decodeAny(child.Output)
	if child.Status == store.StatusCompleted {
		return out, nil
	}
	serr := &StepError{Type: "WorkflowExecuteError", Message: fmt.Sprintf("Child workflow %s ended with status %s", child.WorkflowName, child.Status)}
	if len(child.Error) > 0 {
		if cerr := decodeStepError(&store.StepExecution{Error: child.Error}); cerr != nil {
			serr = cerr
		}
	}
	serr.Details = map[string]any{"executionId": child.ID, "status": child.Status}
	return out, &stepFailure{step: st.Name, err: serr}
}

// executeAsyncBody starts the child through the queue and returns at once.
func (r *run) executeAsyncBody(st *workflow.Step) flowBody {
	return func(ctx context.Context, rec *store.StepExecution, state map[string]any, replay bool) (any, error) {
		if replay {
			return nil, nil
		}
		child, err := r.ensureChild(ctx, rec, state, true)
		if err != nil {
			return nil, err
		}
		return map[string]any{
			"workflowId": child.WorkflowID, "executionId": child.ID, "awaited": false,
			"status": child.Status, "startedAt": child.CreatedAt.UTC().Format(time.RFC3339Nano),
		}, nil
	}
}

// decideInput fixes the deadline of a waitForInput step (its timeout, default 72h).
func (r *run) decideInput(st *workflow.Step) flowDecide {
	return func(_ context.Context, data map[string]any) (any, map[string]any, error) {
		with, _, err := r.renderInput(st, data)
		if err != nil {
			return st.With, nil, &StepError{Type: "TemplateError", Message: err.Error()}
		}
		d := st.Timeout
		if d <= 0 {
			d = 72 * time.Hour
		}
		return with, map[string]any{"deadline": r.e.now().Add(d).Format(time.RFC3339Nano), "timeoutMs": d.Milliseconds()}, nil
	}
}

// inputBody parks the execution (waiting_for_input) until Resume stores the input in the
// record's state; the input is the step's output. Past the deadline the step times out.
func (r *run) inputBody(st *workflow.Step) flowBody {
	return func(_ context.Context, _ *store.StepExecution, state map[string]any, replay bool) (any, error) {
		if in, ok := state["input"]; ok || replay {
			return in, nil
		}
		deadline, err := time.Parse(time.RFC3339Nano, stateString(state, "deadline"))
		if err != nil {
			return nil, fmt.Errorf("reading deadline of step %q: %w", st.Name, err)
		}
		if !r.e.now().Before(deadline) {
			return nil, &stepFailure{step: st.Name, err: timeoutError(time.Duration(stateInt(state, "timeoutMs", 0)) * time.Millisecond)}
		}
		return nil, &parkSignal{until: deadline, status: store.StatusWaitingForInput}
	}
}
