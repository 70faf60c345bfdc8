package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/errand-dev/errand/internal/store"
	"github.com/errand-dev/errand/internal/workflow"
)

// runSteps runs a list of steps in order in sc. It stops at the first error: a step failure
// not continued, a signal (park, terminate, loop break/continue) or an abort.
func (r *run) runSteps(ctx context.Context, sc *scope, steps []*workflow.Step) error {
	for _, st := range steps {
		if ctx.Err() != nil {
			return newAbort(ctx)
		}
		if err := r.runStep(ctx, sc, st); err != nil {
			return err
		}
	}
	return nil
}

// runStep runs one step of any type in sc: its `if`, then the step with its on-failure.
func (r *run) runStep(ctx context.Context, sc *scope, st *workflow.Step) error {
	ok, err := r.checkIf(ctx, sc, st)
	if err != nil || !ok {
		return err
	}
	pathOf := func(a int) string { return sc.path(st.Name, a) }
	attempt := func(fn func(context.Context, *scope, *workflow.Step, int) error) attemptFunc {
		return func(ctx context.Context, a int) error { return fn(ctx, sc, st, a) }
	}
	switch st.Type {
	case typeBreak, typeContinue, typeOutput, typeFail:
		return r.signalStep(ctx, sc, st)
	case typeParallel:
		return r.onFailure(ctx, sc, st, nil, pathOf, attempt(r.parallelAttempt))
	case typeIf, typeSwitch, typeForeach, typeWhile, typeWait, typeExecute, typeExecuteAsync, typeWaitForInput:
		return r.onFailure(ctx, sc, st, st.OnFailure, pathOf, attempt(r.flowStep))
	}
	of := st.OnFailure
	if of == nil {
		of = r.plan.Workflow.Settings.OnFailure
	}
	if st.Foreach != nil {
		return r.stepForeach(ctx, sc, st, of)
	}
	return r.onFailure(ctx, sc, st, of, pathOf, attempt(r.atomicAttempt))
}

// flowStep runs one attempt of a flow-control step other than parallel.
func (r *run) flowStep(ctx context.Context, sc *scope, st *workflow.Step, attempt int) error {
	switch st.Type {
	case typeIf:
		return r.flowAttempt(ctx, sc, st, attempt, st.Timeout, r.decideIf(st), r.ifBody(sc, st, attempt))
	case typeSwitch:
		return r.flowAttempt(ctx, sc, st, attempt, st.Timeout, r.decideSwitch(st), r.switchBody(sc, st, attempt))
	case typeForeach:
		return r.flowAttempt(ctx, sc, st, attempt, st.Timeout, r.decideItems(st, st.Foreach), r.foreachBody(sc, st, attempt))
	case typeWhile:
		return r.flowAttempt(ctx, sc, st, attempt, st.Timeout, decideNothing, r.whileBody(sc, st, attempt))
	case typeWait:
		return r.flowAttempt(ctx, sc, st, attempt, st.Timeout, r.decideWait(st), r.waitBody(st))
	case typeExecute:
		return r.flowAttempt(ctx, sc, st, attempt, st.Timeout, r.decideChild(st), r.executeBody(st))
	case typeExecuteAsync:
		return r.flowAttempt(ctx, sc, st, attempt, st.Timeout, r.decideChild(st), r.executeAsyncBody(st))
	case typeWaitForInput:
		return r.flowAttempt(ctx, sc, st, attempt, 0, r.decideInput(st), r.inputBody(st))
	}
	return fmt.Errorf("running step %q: %w", st.Name, errUnknownFlow)
}

// errUnknownFlow is an internal error: a flow-control type with no implementation.
var errUnknownFlow = errors.New("no implementation for this flow-control type")

// checkIf evaluates the step's `if` once: a false condition records the step as skipped,
// and on replay the record (skipped or not) decides without evaluating again.
func (r *run) checkIf(ctx context.Context, sc *scope, st *workflow.Step) (bool, error) {
	if st.If == "" {
		return true, nil
	}
	path := sc.path(st.Name, 1)
	if rec := r.record(path); rec != nil {
		return rec.Status != store.StatusSkipped, nil
	}
	ok, err := r.e.ev.Condition(st.If, r.context(sc))
	if err == nil && ok {
		return true, nil
	}
	rec := r.newRecord(path, st, 1)
	if err != nil {
		serr := &StepError{Type: "ConditionError", Message: fmt.Sprintf("Syntax error in condition %q for step %s: %s", st.If, st.Name, err.Error())}
		if ferr := r.finish(ctx, rec, store.StatusFailed, nil, serr); ferr != nil {
			return false, ferr
		}
		r.remember(st, store.StatusFailed, nil, nil, serr, nil)
		return false, &stepFailure{step: st.Name, err: serr}
	}
	r.logf(st, path, "debug", "Step %s skipped: condition %q is false", st.Name, st.If)
	return false, r.finish(ctx, rec, store.StatusSkipped, nil, nil)
}

// recordedOutcome is the result a terminal record stands for on replay.
func recordedOutcome(st *workflow.Step, rec *store.StepExecution) error {
	switch rec.Status {
	case store.StatusCompleted, store.StatusSkipped:
		return nil
	}
	serr := decodeStepError(rec)
	if serr == nil {
		serr = &StepError{Type: "Error", Message: fmt.Sprintf("step %s ended with status %s", st.Name, rec.Status)}
	}
	return &stepFailure{step: st.Name, err: serr}
}
