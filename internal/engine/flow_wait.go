package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/errand-dev/errand/internal/store"
	"github.com/errand-dev/errand/internal/workflow"
)

// decideWait renders a wait step's duration once and fixes its deadline in the state, so a
// replay waits only for what is left.
func (r *run) decideWait(st *workflow.Step) flowDecide {
	return func(_ context.Context, data map[string]any) (any, map[string]any, error) {
		v, err := r.e.ev.RenderValue(st.With["duration"], data)
		if err != nil {
			return st.With, nil, &StepError{Type: "TemplateError", Message: fmt.Sprintf("rendering duration of wait %s: %s", st.Name, err.Error())}
		}
		d, err := workflow.ParseDuration(matchString(v))
		if err != nil {
			return st.With, nil, &StepError{Type: "InvalidDuration", Message: fmt.Sprintf("Wait step %s: %s", st.Name, err.Error())}
		}
		deadline := r.e.now().Add(d)
		input := map[string]any{"duration": matchString(v)}
		return input, map[string]any{"deadline": deadline.Format(time.RFC3339Nano), "durationMs": d.Milliseconds()}, nil
	}
}

// waitBody waits for the deadline in the state: in process when it is near, otherwise by
// parking the execution (status waiting). Its output is {}.
func (r *run) waitBody(st *workflow.Step) flowBody {
	return func(ctx context.Context, _ *store.StepExecution, state map[string]any, replay bool) (any, error) {
		if replay {
			return map[string]any{}, nil
		}
		deadline, err := time.Parse(time.RFC3339Nano, stateString(state, "deadline"))
		if err != nil {
			return nil, &stepFailure{step: st.Name, err: &StepError{Type: "Error", Message: fmt.Sprintf("reading deadline of wait %s: %s", st.Name, err.Error())}}
		}
		if err := r.waitUntil(ctx, deadline, store.StatusWaiting); err != nil {
			return nil, err
		}
		return map[string]any{}, nil
	}
}

// signalStep runs loop.break, loop.continue, workflow.output and workflow.fail: it records
// the step (once; a replay reuses the record) and returns the signal it stands for.
func (r *run) signalStep(ctx context.Context, sc *scope, st *workflow.Step) error {
	path := sc.path(st.Name, 1)
	rec := r.record(path)
	if rec == nil || !store.IsTerminal(rec.Status) {
		rec = r.newRecord(path, st, 1)
		with, _, rerr := r.renderInput(st, r.context(sc))
		rec.Input, _ = encodeJSON(with)
		if err := r.save(ctx, rec); err != nil {
			return err
		}
		if rerr != nil {
			return r.failAttempt(ctx, st, rec, with, &StepError{Type: "TemplateError", Message: rerr.Error()})
		}
		var out any
		if st.Type == typeOutput {
			out = with
		}
		raw, _ := encodeJSON(out)
		if err := r.finish(ctx, rec, store.StatusCompleted, raw, nil); err != nil {
			return err
		}
	}
	r.rememberRecord(st, rec, nil)
	return r.signalOf(st, rec)
}

// signalOf is the signal of a recorded signal step.
func (r *run) signalOf(st *workflow.Step, rec *store.StepExecution) error {
	switch st.Type {
	case typeBreak:
		return &loopSignal{brk: true, step: st.Name}
	case typeContinue:
		return &loopSignal{step: st.Name}
	case typeOutput:
		status := st.Status
		if status == "" {
			status = store.StatusCompleted
		}
		out, _ := decodeAny(rec.Output)
		sig := &terminateSignal{status: status, output: out}
		if status == store.StatusFailed {
			sig.err = &StepError{Type: "WorkflowOutputFailed", Message: fmt.Sprintf("Workflow output step %s set the status to failed.", st.Name)}
		}
		return sig
	}
	with, _ := decodeMap(rec.Input)
	msg, _ := with["message"].(string)
	reason, _ := with["reason"].(string)
	if msg == "" {
		msg = reason
	}
	if msg == "" {
		msg = "Workflow failed at step " + st.Name + "."
	}
	serr := &StepError{Type: "WorkflowFailed", Message: msg}
	if reason != "" {
		serr.Details = map[string]any{"reason": reason}
	}
	return &terminateSignal{status: store.StatusFailed, err: serr}
}
