package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/errand-dev/errand/internal/store"
)

// Cancel requests the cancellation of an execution. A run in progress in this process is
// aborted at once (its running step's context is cancelled); one running elsewhere notices
// within PollInterval; one that is not running (pending, queued, waiting) is cancelled now.
// Cancelling a terminal execution does nothing.
func (e *Engine) Cancel(ctx context.Context, executionID string) error {
	return e.cancelWithReason(ctx, executionID, "")
}

// cancelWithReason is Cancel recording reason as the execution's error when it is closed
// here (concurrency cancel-in-progress).
func (e *Engine) cancelWithReason(ctx context.Context, id, reason string) error {
	ex, err := e.st.ExecutionGet(ctx, id)
	if err != nil {
		return fmt.Errorf("getting execution %q to cancel: %w", id, err)
	}
	if store.IsTerminal(ex.Status) {
		return nil
	}
	yes := true
	if err := e.st.ExecutionUpdate(ctx, store.ExecutionUpdateParams{ID: id, CancelRequested: &yes, IfStatusIn: activeStatuses}); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil // it ended meanwhile
		}
		return fmt.Errorf("requesting cancellation of execution %q: %w", id, err)
	}
	if c, ok := e.running.Load(id); ok {
		c.(context.CancelCauseFunc)(errCancelled)
		return nil
	}
	if ex.LeaseOwner != "" && ex.LeaseUntil != nil && ex.LeaseUntil.After(e.now()) {
		return nil // a worker runs it now and polls the request
	}
	status := store.StatusCancelled
	now := e.now()
	var noResume *time.Time
	p := store.ExecutionUpdateParams{ID: id, Status: &status, FinishedAt: &now, ResumeAt: &noResume, IfStatusIn: activeStatuses}
	if reason != "" {
		p.Error = (&StepError{Type: "Cancelled", Message: reason}).encode()
	}
	err = e.st.ExecutionUpdate(ctx, p)
	if errors.Is(err, store.ErrConflict) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("cancelling execution %q: %w", id, err)
	}
	e.emit(Event{Kind: EventExecutionStatus, ExecutionID: id, Status: status, Time: now})
	return e.cancelChildren(ctx, id)
}

// cancelChildren cancels the unfinished synchronous children of a cancelled execution (they
// have no queue job of their own: their parent drives them).
func (e *Engine) cancelChildren(ctx context.Context, id string) error {
	recs, err := e.st.StepExecutionList(ctx, id)
	if err != nil {
		return fmt.Errorf("listing step records of execution %q: %w", id, err)
	}
	for _, rec := range recs {
		if rec.StepType != typeExecute || store.IsTerminal(rec.Status) {
			continue
		}
		child := stateString(decodeState(rec), "childExecutionId")
		if child == "" {
			continue
		}
		if err := e.cancelWithReason(ctx, child, ""); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	return nil
}

// Resume hands input to an execution waiting in a waitForInput step and schedules it to run
// again now. Only the first response is accepted.
func (e *Engine) Resume(ctx context.Context, executionID string, input map[string]any) error {
	ex, err := e.st.ExecutionGet(ctx, executionID)
	if err != nil {
		return fmt.Errorf("getting execution %q to resume: %w", executionID, err)
	}
	if ex.Status != store.StatusWaitingForInput {
		return fmt.Errorf("resuming execution %q in status %s: %w", executionID, ex.Status, ErrNotWaitingForInput)
	}
	recs, err := e.st.StepExecutionList(ctx, executionID)
	if err != nil {
		return fmt.Errorf("listing step records of execution %q: %w", executionID, err)
	}
	var rec *store.StepExecution
	for _, r := range recs {
		if r.StepType == typeWaitForInput && !store.IsTerminal(r.Status) {
			rec = r
		}
	}
	if rec == nil {
		return fmt.Errorf("resuming execution %q: no step waits for input: %w", executionID, ErrNotWaitingForInput)
	}
	state := decodeState(rec)
	if _, done := state["input"]; done {
		return fmt.Errorf("resuming execution %q: input already given: %w", executionID, ErrNotWaitingForInput)
	}
	state = maps.Clone(state)
	state["input"], state["resumedAt"] = input, e.now()
	if rec.State, err = encodeJSON(state); err != nil {
		return fmt.Errorf("encoding input of execution %q: %w", executionID, err)
	}
	if err := e.st.StepExecutionUpsert(ctx, rec); err != nil {
		return fmt.Errorf("saving input of execution %q: %w", executionID, err)
	}
	return e.reschedule(ctx, ex)
}

// reschedule moves a waiting execution back to pending with a queue job due now.
func (e *Engine) reschedule(ctx context.Context, ex *store.Execution) error {
	if err := e.setStatus(ctx, ex, store.StatusPending, nil); err != nil {
		return err
	}
	if e.sched == nil {
		return nil
	}
	tx, err := e.st.DB().BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("beginning the resume of execution %q: %w", ex.ID, err)
	}
	defer func() { _ = tx.Rollback() }()
	if err := e.sched.EnqueueTx(ctx, tx, ex.ID, e.now()); err != nil {
		return fmt.Errorf("enqueuing the resume of execution %q: %w", ex.ID, err)
	}
	if err := tx.Commit(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		return fmt.Errorf("committing the resume of execution %q: %w", ex.ID, err)
	}
	return nil
}
