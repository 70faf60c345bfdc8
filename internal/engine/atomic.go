package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"runtime/debug"
	"sync"
	"time"

	"github.com/errand-dev/errand/internal/store"
	"github.com/errand-dev/errand/internal/workflow"
)

// atomicAttempt runs one attempt of an atomic step through its executor, or replays the
// attempt's terminal record without calling the executor.
func (r *run) atomicAttempt(ctx context.Context, sc *scope, st *workflow.Step, attempt int) error {
	path := sc.path(st.Name, attempt)
	if rec := r.record(path); rec != nil && store.IsTerminal(rec.Status) {
		r.rememberRecord(st, rec, nil)
		return recordedOutcome(st, rec)
	}
	rec := r.newRecord(path, st, attempt)
	data := r.context(sc)
	with, extra, rerr := r.renderInput(st, data)
	input := any(with)
	if with == nil {
		input = nil
	}
	var err error
	if rec.Input, err = encodeJSON(input); err != nil {
		rec.Input = nil
	}
	r.e.emit(Event{Kind: EventStepStarted, ExecutionID: r.ex.ID, StepPath: path, StepName: st.Name, StepType: st.Type, Status: store.StatusRunning})
	if rerr != nil {
		return r.failAttempt(ctx, st, rec, input, &StepError{Type: "TemplateError", Message: rerr.Error()})
	}
	in := StepInput{
		Step: st, With: with, Extra: extra, Context: data, Eval: r.e.ev,
		Log: &stepLogger{r: r, st: st, path: path}, MaxOutputBytes: r.stepMax(st), Timeout: st.Timeout,
	}
	ds := r.deferStart(ctx, rec)
	out, xerr := r.invoke(ctx, st, in)
	ds.settle()
	var abort *abortSignal
	if errors.As(xerr, &abort) {
		if isInterruption(abort.cause) {
			return xerr // no finished record: the step runs again when the execution resumes
		}
		serr := &StepError{Type: "AbortError", Message: abort.cause.Error()}
		if ferr := r.finish(ctx, rec, abortStatus(abort.cause), nil, serr); ferr != nil {
			return ferr
		}
		return xerr
	}
	if xerr != nil {
		return r.failAttempt(ctx, st, rec, input, toStepError(xerr))
	}
	raw, serr := r.encodeOutput(st, out)
	if serr != nil {
		return r.failAttempt(ctx, st, rec, input, serr)
	}
	if err := r.finish(ctx, rec, store.StatusCompleted, raw, nil); err != nil {
		return err
	}
	r.remember(st, store.StatusCompleted, input, out, nil, nil)
	return nil
}

// failAttempt records a failed attempt and returns the failure.
func (r *run) failAttempt(ctx context.Context, st *workflow.Step, rec *store.StepExecution, input any, serr *StepError) error {
	r.logf(st, rec.Path, "error", "Step %s failed: %s", st.Name, serr.Message)
	if err := r.finish(ctx, rec, store.StatusFailed, nil, serr); err != nil {
		return err
	}
	r.remember(st, store.StatusFailed, input, nil, serr, nil)
	return &stepFailure{step: st.Name, err: serr}
}

// stepMax is the output cap of st: its max-step-size, the workflow's, or the engine default.
func (r *run) stepMax(st *workflow.Step) int64 {
	if st.MaxStepSize > 0 {
		return st.MaxStepSize
	}
	return r.maxStep
}

// encodeOutput encodes an executor's output and enforces max-step-size.
func (r *run) encodeOutput(st *workflow.Step, out any) (json.RawMessage, *StepError) {
	raw, err := encodeJSON(out)
	if err != nil {
		return nil, &StepError{Type: "OutputError", Message: fmt.Sprintf("Step %s returned an output that cannot be stored: %s", st.Name, err.Error())}
	}
	if limit := r.stepMax(st); int64(len(raw)) > limit {
		return nil, &StepError{Type: "StepSizeLimitExceeded", Message: fmt.Sprintf(
			"Step %s produced an output of %d bytes, exceeding the %s size limit. Configure 'max-step-size' in the workflow settings or on the step to raise it.",
			st.Name, len(raw), formatSize(limit))}
	}
	return raw, nil
}

// renderInput renders the step's `with` (raw for the data.* steps that render per item) and
// its extra top-level keys.
func (r *run) renderInput(st *workflow.Step, data map[string]any) (map[string]any, map[string]any, error) {
	with := st.With
	if !rawWithTypes[st.Type] && len(st.With) > 0 {
		v, err := r.e.ev.RenderValue(st.With, data)
		if err != nil {
			return maps.Clone(st.With), nil, fmt.Errorf("rendering with of step %q: %w", st.Name, err)
		}
		with, _ = v.(map[string]any)
	}
	if with == nil {
		with = map[string]any{}
	}
	if len(st.Extra) == 0 {
		return with, nil, nil
	}
	v, err := r.e.ev.RenderValue(st.Extra, data)
	if err != nil {
		return with, nil, fmt.Errorf("rendering fields of step %q: %w", st.Name, err)
	}
	extra, _ := v.(map[string]any)
	return with, extra, nil
}

// invoke calls the executor of st with its timeout, turning a panic into an InternalError
// and an exceeded timeout into a TimeoutError. It returns as soon as the context ends even
// if the executor does not, so a misbehaving executor cannot hold the run.
func (r *run) invoke(ctx context.Context, st *workflow.Step, in StepInput) (any, error) {
	ex, ok := r.e.executors[st.Type]
	if !ok {
		return nil, &StepError{Type: "UnknownStepType", Message: fmt.Sprintf("Unknown step type '%s'", st.Type), Permanent: true}
	}
	sctx, cancel, mine := withScopeTimeout(ctx, st.Timeout)
	defer cancel()
	type result struct {
		out any
		err error
	}
	ch := make(chan result, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				r.logf(st, "", "error", "Step %s panicked: %v\n%s", st.Name, p, debug.Stack())
				ch <- result{err: &StepError{Type: "InternalError", Message: fmt.Sprintf("Step %s failed with an internal error: %v", st.Name, p)}}
			}
		}()
		out, err := ex.Run(sctx, in)
		ch <- result{out: out, err: err}
	}()
	var res result
	select {
	case res = <-ch:
	case <-sctx.Done():
	}
	switch {
	case ctx.Err() != nil:
		return nil, newAbort(ctx)
	case mine != nil && sctx.Err() != nil:
		return nil, timeoutError(st.Timeout)
	}
	return res.out, res.err
}

// startWriteDelay is how long an atomic step runs before its "running" record is written.
// Shorter steps are recorded once, when they finish: the finish write is the durable
// checkpoint, and a step that was running when its worker died is run again on replay with
// or without a running record, so skipping the start write of quick steps loses nothing but
// a transient status.
const startWriteDelay = 20 * time.Millisecond

// deferredStart writes an attempt's running record unless the attempt settles first.
type deferredStart struct {
	mu      sync.Mutex
	settled bool
	timer   *time.Timer
}

// deferStart reserves rec's order and schedules its running record.
func (r *run) deferStart(ctx context.Context, rec *store.StepExecution) *deferredStart {
	r.reserve(rec)
	d := &deferredStart{}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.timer = time.AfterFunc(startWriteDelay, func() {
		d.mu.Lock()
		defer d.mu.Unlock()
		if d.settled {
			return
		}
		cp := *rec
		if err := r.e.st.StepExecutionUpsert(context.WithoutCancel(ctx), &cp); err != nil {
			r.logf(nil, rec.Path, "warn", "Could not record the start of step %s: %s", rec.StepName, err.Error())
		}
	})
	return d
}

// settle cancels the running record, waiting for it if it is being written, so the finish
// write that follows is never overwritten.
func (d *deferredStart) settle() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.settled = true
	d.timer.Stop()
}
