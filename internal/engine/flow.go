package engine

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/errand-dev/errand/internal/store"
	"github.com/errand-dev/errand/internal/workflow"
)

// flowDecide makes the decision of a flow-control step when it is first reached (branch,
// items, deadline, child id). The decision is stored in the record's state before the body
// runs, so a replay takes the same path. It returns the step's input and state.
type flowDecide func(ctx context.Context, data map[string]any) (input any, state map[string]any, err error)

// flowBody runs the body of a flow-control step attempt and returns the step's output. With
// replay set the record is already terminal and the body is walked only to rebuild the
// context from its records.
type flowBody func(ctx context.Context, rec *store.StepExecution, state map[string]any, replay bool) (any, error)

// decideNothing is the decision of a flow-control step that decides nothing up front.
func decideNothing(context.Context, map[string]any) (any, map[string]any, error) {
	return nil, nil, nil
}

// flowAttempt runs one attempt of a flow-control step: record it (running, with its
// decision), run its body under its timeout, then record the outcome. A terminal record is
// replayed: the body is walked for context and the recorded outcome returned.
func (r *run) flowAttempt(ctx context.Context, sc *scope, st *workflow.Step, attempt int, timeout time.Duration, decide flowDecide, body flowBody) error {
	path := sc.path(st.Name, attempt)
	rec := r.record(path)
	replay := rec != nil && store.IsTerminal(rec.Status)
	var state map[string]any
	if rec == nil {
		var err error
		if rec, state, err = r.startFlow(ctx, sc, st, attempt, decide); err != nil || rec == nil {
			return err
		}
	} else {
		state = decodeState(rec)
	}
	bctx, cancel, mine := withScopeTimeout(ctx, timeout)
	defer cancel()
	out, err := body(bctx, rec, state, replay)
	if replay {
		if isSignal(err) {
			return err
		}
		r.rememberRecord(st, rec, nil)
		return recordedOutcome(st, rec)
	}
	if ownTimeout(ctx, err, mine) {
		err = &stepFailure{step: st.Name, err: timeoutError(timeout)}
	}
	return r.endFlow(ctx, st, rec, out, err)
}

// startFlow makes the decision of a flow-control step and saves its running record. A
// failed decision is recorded as the step's failure (the record returned is then nil).
func (r *run) startFlow(ctx context.Context, sc *scope, st *workflow.Step, attempt int, decide flowDecide) (*store.StepExecution, map[string]any, error) {
	rec := r.newRecord(r.pathIn(sc, st, attempt), st, attempt)
	input, state, derr := decide(ctx, r.context(sc))
	rec.Input, _ = encodeJSON(input)
	rec.State, _ = encodeJSON(state)
	if err := r.save(ctx, rec); err != nil {
		return nil, nil, err
	}
	r.e.emit(Event{Kind: EventStepStarted, ExecutionID: r.ex.ID, StepPath: rec.Path, StepName: st.Name, StepType: st.Type, Status: store.StatusRunning})
	if derr != nil {
		return nil, nil, r.failAttempt(ctx, st, rec, input, toStepError(derr))
	}
	return rec, state, nil
}

// pathIn is the record path of attempt of st in sc.
func (r *run) pathIn(sc *scope, st *workflow.Step, attempt int) string {
	return sc.path(st.Name, attempt)
}

// endFlow records the outcome of a flow-control step's body and returns what the caller
// must see: nil, the step's failure, or the signal passing through.
func (r *run) endFlow(ctx context.Context, st *workflow.Step, rec *store.StepExecution, out any, err error) error {
	input, _ := decodeAny(rec.Input)
	var park *parkSignal
	var abort *abortSignal
	switch f := asFailure(err); {
	case errors.As(err, &park):
		return err
	case errors.As(err, &abort) && isInterruption(abort.cause):
		return err // no finished record: the body resumes from its last finished step
	case errors.As(err, &abort):
		serr := &StepError{Type: "AbortError", Message: abort.cause.Error()}
		if ferr := r.finish(ctx, rec, abortStatus(abort.cause), nil, serr); ferr != nil {
			return ferr
		}
		return err
	case f != nil:
		raw, _ := encodeJSON(out)
		if ferr := r.finish(ctx, rec, store.StatusFailed, raw, f.err); ferr != nil {
			return ferr
		}
		r.remember(st, store.StatusFailed, input, out, f.err, nil)
		return &stepFailure{step: st.Name, err: f.err}
	case err != nil && !isSignal(err):
		return err
	}
	raw, serr := r.encodeOutput(st, out)
	if serr != nil {
		return r.failAttempt(ctx, st, rec, input, serr)
	}
	if ferr := r.finish(ctx, rec, store.StatusCompleted, raw, nil); ferr != nil {
		return ferr
	}
	r.remember(st, store.StatusCompleted, input, out, nil, nil)
	return err
}

// isSignal reports whether err is a control signal (park, terminate, loop, abort) rather
// than a failure or an infrastructure error.
func isSignal(err error) bool {
	var p *parkSignal
	var t *terminateSignal
	var l *loopSignal
	var a *abortSignal
	return errors.As(err, &p) || errors.As(err, &t) || errors.As(err, &l) || errors.As(err, &a)
}

// stateString reads a string from a decoded state.
func stateString(state map[string]any, key string) string {
	s, _ := state[key].(string)
	return s
}

// stateInt reads an integer from a decoded state (JSON numbers decode as float64).
func stateInt(state map[string]any, key string, def int) int {
	switch v := state[key].(type) {
	case float64:
		return int(v)
	case int:
		return v
	case json.Number:
		n, err := v.Int64()
		if err == nil {
			return int(n)
		}
	}
	return def
}
