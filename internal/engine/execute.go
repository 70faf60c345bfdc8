package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/errand-dev/errand/internal/store"
)

// activeStatuses are the non-terminal statuses an execution can be updated from.
var activeStatuses = []string{
	store.StatusPending, store.StatusRunning, store.StatusWaiting, store.StatusWaitingForInput,
	store.StatusWaitingForChild, store.StatusQueued,
}

// Execute runs the execution until it ends (zero time returned) or must wait (the time to
// call Execute again; status waiting, waiting_for_child or queued). Steps finished by an
// earlier call are replayed from their records, not run again. A terminal execution
// returns at once. An error means the run could not proceed (store unavailable, lease held
// elsewhere, caller's ctx cancelled) and the execution is left to be retried.
func (e *Engine) Execute(ctx context.Context, executionID string) (time.Time, error) {
	ex, err := e.st.ExecutionGet(ctx, executionID)
	if err != nil {
		return time.Time{}, fmt.Errorf("getting execution %q: %w", executionID, err)
	}
	if store.IsTerminal(ex.Status) {
		return time.Time{}, nil
	}
	if !e.opts.LeasedByCaller {
		if err := e.st.ExecutionLease(ctx, ex.ID, e.opts.NodeID, e.now().Add(e.opts.LeaseDuration)); err != nil {
			return time.Time{}, fmt.Errorf("leasing execution %q: %w", ex.ID, err)
		}
		defer func() { _ = e.st.ExecutionRelease(context.WithoutCancel(ctx), ex.ID, e.opts.NodeID) }()
	}
	if ex.CancelRequested {
		if err := e.close(ctx, ex, store.StatusCancelled, nil, nil); err != nil {
			return time.Time{}, err
		}
		return time.Time{}, e.cancelChildren(ctx, ex.ID)
	}
	plan, err := e.load(ex.YAML)
	if err != nil {
		return time.Time{}, e.close(ctx, ex, store.StatusFailed, nil, &StepError{Type: "InvalidWorkflow", Message: err.Error()})
	}
	if ex.Status == store.StatusQueued {
		if at, done, err := e.admitQueued(ctx, ex, plan); done || err != nil {
			return at, err
		}
	}
	return e.runExecution(ctx, ex, plan)
}

// runExecution marks ex running and walks its plan under the workflow timeout, watching for
// cancel requests.
func (e *Engine) runExecution(ctx context.Context, ex *store.Execution, plan *Plan) (time.Time, error) {
	now := e.now()
	if ex.StartedAt == nil {
		ex.StartedAt = &now
	}
	timeout := plan.Workflow.Settings.Timeout
	if timeout <= 0 {
		timeout = e.opts.DefaultTimeout
	}
	deadline := ex.StartedAt.Add(timeout)
	if !now.Before(deadline) {
		return time.Time{}, e.close(ctx, ex, store.StatusTimedOut, nil, workflowTimeoutError(timeout))
	}
	if err := e.setStatus(ctx, ex, store.StatusRunning, nil); err != nil {
		return time.Time{}, err
	}
	recs, err := e.st.StepExecutionList(ctx, ex.ID)
	if err != nil {
		return time.Time{}, fmt.Errorf("listing step records of execution %q: %w", ex.ID, err)
	}
	depth, err := e.depth(ctx, ex)
	if err != nil {
		return time.Time{}, err
	}
	r, err := newRun(e, ex, plan, recs, depth)
	if err != nil {
		return time.Time{}, err
	}
	rctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	tctx, tcancel := context.WithTimeoutCause(rctx, deadline.Sub(now), errWorkflowTimedOut)
	defer tcancel()
	e.running.Store(ex.ID, cancel)
	defer e.running.Delete(ex.ID)
	stop := e.watch(tctx, ex.ID, cancel)
	werr := r.runSteps(tctx, &scope{}, plan.Workflow.Steps)
	stop()
	if ferr := r.flushPending(ctx); ferr != nil {
		return time.Time{}, ferr
	}
	return e.settle(ctx, ex, werr, deadline, timeout)
}

// settle turns the outcome of the walk into the execution's status.
func (e *Engine) settle(ctx context.Context, ex *store.Execution, werr error, deadline time.Time, timeout time.Duration) (time.Time, error) {
	var (
		park  *parkSignal
		term  *terminateSignal
		abort *abortSignal
		loop  *loopSignal
	)
	f := asFailure(werr)
	switch {
	case werr == nil:
		return time.Time{}, e.close(ctx, ex, store.StatusCompleted, nil, nil)
	case errors.As(werr, &term):
		return time.Time{}, e.close(ctx, ex, term.status, term.output, term.err)
	case f != nil:
		return time.Time{}, e.close(ctx, ex, store.StatusFailed, nil, f.err)
	case errors.As(werr, &park):
		until := park.until
		if until.After(deadline) {
			until = deadline
		}
		return until, e.setStatus(ctx, ex, park.status, &until)
	case errors.As(werr, &abort) && errors.Is(abort.cause, errCancelled):
		return time.Time{}, e.close(ctx, ex, store.StatusCancelled, nil, nil)
	case errors.As(werr, &abort) && errors.Is(abort.cause, errWorkflowTimedOut):
		return time.Time{}, e.close(ctx, ex, store.StatusTimedOut, nil, workflowTimeoutError(timeout))
	case errors.As(werr, &loop):
		return time.Time{}, e.close(ctx, ex, store.StatusFailed, nil, &StepError{Type: "Error", Message: loop.Error()})
	case ctx.Err() != nil:
		return time.Time{}, fmt.Errorf("running execution %q: %w", ex.ID, context.Cause(ctx))
	}
	return time.Time{}, fmt.Errorf("running execution %q: %w", ex.ID, werr)
}

// workflowTimeoutError is the error of an execution exceeding settings.timeout.
func workflowTimeoutError(d time.Duration) *StepError {
	return &StepError{Type: "TimeoutError", Message: "Workflow execution exceeded the configured timeout of " + formatDuration(d) + "."}
}

// setStatus moves a non-terminal execution to a non-terminal status (resumeAt set for
// waits, cleared otherwise).
func (e *Engine) setStatus(ctx context.Context, ex *store.Execution, status string, resumeAt *time.Time) error {
	err := e.st.ExecutionUpdate(context.WithoutCancel(ctx), store.ExecutionUpdateParams{
		ID: ex.ID, Status: &status, StartedAt: ex.StartedAt, ResumeAt: &resumeAt, IfStatusIn: activeStatuses,
	})
	if err != nil {
		return fmt.Errorf("setting status %s of execution %q: %w", status, ex.ID, err)
	}
	ex.Status, ex.ResumeAt = status, resumeAt
	e.emit(Event{Kind: EventExecutionStatus, ExecutionID: ex.ID, Status: status})
	return nil
}

// close ends the execution with a terminal status, its output and error.
func (e *Engine) close(ctx context.Context, ex *store.Execution, status string, output any, serr *StepError) error {
	now := e.now()
	var noResume *time.Time
	p := store.ExecutionUpdateParams{
		ID: ex.ID, Status: &status, FinishedAt: &now, ResumeAt: &noResume, IfStatusIn: activeStatuses,
		StartedAt: ex.StartedAt,
	}
	var err error
	if p.Output, err = encodeJSON(output); err != nil {
		return fmt.Errorf("encoding output of execution %q: %w", ex.ID, err)
	}
	if serr != nil {
		p.Error = serr.encode()
	}
	err = e.st.ExecutionUpdate(context.WithoutCancel(ctx), p)
	if errors.Is(err, store.ErrConflict) {
		return nil // closed meanwhile (cancelled by another node)
	}
	if err != nil {
		return fmt.Errorf("closing execution %q with status %s: %w", ex.ID, status, err)
	}
	ex.Status, ex.FinishedAt, ex.Output, ex.Error = status, &now, p.Output, p.Error
	ev := Event{Kind: EventExecutionStatus, ExecutionID: ex.ID, Status: status, Error: serr, Time: now}
	if ex.StartedAt != nil {
		ev.Duration = now.Sub(*ex.StartedAt)
	}
	e.emit(ev)
	return nil
}

// watch polls the store for a cancel request made elsewhere and renews the lease until the
// returned stop is called.
func (e *Engine) watch(ctx context.Context, id string, cancel context.CancelCauseFunc) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(e.opts.PollInterval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
			}
			bg := context.WithoutCancel(ctx)
			if ex, err := e.st.ExecutionGet(bg, id); err == nil && ex.CancelRequested {
				cancel(errCancelled)
				return
			}
			if !e.opts.LeasedByCaller {
				_ = e.st.ExecutionLease(bg, id, e.opts.NodeID, e.now().Add(e.opts.LeaseDuration))
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

// depth is the composition depth of ex: 0 for a top-level execution, parent's depth + 1.
func (e *Engine) depth(ctx context.Context, ex *store.Execution) (int, error) {
	depth := 0
	for parent := ex.ParentExecutionID; parent != "" && depth <= maxCompositionDep; {
		depth++
		p, err := e.st.ExecutionGet(ctx, parent)
		if errors.Is(err, store.ErrNotFound) {
			break
		}
		if err != nil {
			return 0, fmt.Errorf("getting parent execution %q: %w", parent, err)
		}
		parent = p.ParentExecutionID
	}
	return depth, nil
}
