package engine_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/engine"
	"github.com/errand-dev/errand/internal/engine/enginetest"
	"github.com/errand-dev/errand/internal/store"
)

// failing fails every call with a retryable error.
func failing() *probe {
	return newProbe(func(_ context.Context, _ engine.StepInput, call int) (any, error) {
		return nil, &engine.StepError{Type: "HttpError", Message: "upstream 503"}
	})
}

func TestRetryThenFallbackThenContinue(t *testing.T) {
	p := failing()
	h := enginetest.New(t, enginetest.WithExecutor("flaky", p))
	ex := h.Start(`
name: retry
triggers: [{type: manual}]
steps:
  - name: call
    type: flaky
    on-failure:
      retry: {max-attempts: 3, delay: 10s}
      fallback:
        - name: notify
          type: console
          with: {message: "failed: {{ error.message }} / {{ steps.call.error.type }}"}
      continue: true
  - name: after
    type: console
    with: {message: "after {{ steps.call.status }}"}
`, engine.StartParams{})
	first := h.Step(ex.ID)
	require.Equal(t, store.StatusWaiting, first.Execution.Status)
	require.Equal(t, first.Steps[0].FinishedAt.Add(10*time.Second), first.ResumeAt)
	res := h.Drive(ex.ID)
	require.Equal(t, store.StatusCompleted, res.Execution.Status, string(res.Execution.Error))
	require.Equal(t, 3, p.count("call"))
	calls := res.Records("call")
	require.Len(t, calls, 3)
	require.Equal(t, []string{"call#1", "call#2", "call#3"}, []string{calls[0].Path, calls[1].Path, calls[2].Path})
	for _, c := range calls {
		require.Equal(t, store.StatusFailed, c.Status)
	}
	require.JSONEq(t, `"failed: upstream 503 / HttpError"`, string(res.Records("notify")[0].Output))
	require.JSONEq(t, `"after failed"`, string(res.Records("after")[0].Output))
}

func TestRetrySucceedsAndConditions(t *testing.T) {
	tests := []struct {
		name, retry string
		failUntil   int
		calls       int
		status      string
	}{
		{name: "second attempt succeeds", retry: "{max-attempts: 3}", failUntil: 1, calls: 2, status: store.StatusCompleted},
		{name: "attempts exhausted", retry: "{max-attempts: 2}", failUntil: 5, calls: 2, status: store.StatusFailed},
		{name: "condition false stops", retry: `{max-attempts: 4, condition: "error.type : Permanent"}`, failUntil: 5, calls: 1, status: store.StatusFailed},
		{name: "condition true retries", retry: `{max-attempts: 3, condition: "error.type : HttpError", delay: 1s, strategy: exponential, jitter: true}`, failUntil: 5, calls: 3, status: store.StatusFailed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newProbe(func(_ context.Context, _ engine.StepInput, call int) (any, error) {
				if call <= tc.failUntil {
					return nil, &engine.StepError{Type: "HttpError", Message: "nope"}
				}
				return "ok", nil
			})
			res := enginetest.Run(t, `
name: retry
triggers: [{type: manual}]
steps:
  - name: call
    type: flaky
    on-failure:
      retry: `+tc.retry+`
`, enginetest.WithExecutor("flaky", p), enginetest.WithOptions(func(o *engine.Options) { o.ShortWait = time.Millisecond }))
			require.Equal(t, tc.status, res.Execution.Status)
			require.Equal(t, tc.calls, p.count("call"))
		})
	}
}

func TestPermanentErrorIsNotRetried(t *testing.T) {
	p := newProbe(func(context.Context, engine.StepInput, int) (any, error) {
		return nil, &engine.StepError{Type: "HttpError", Message: "404", Permanent: true}
	})
	res := enginetest.Run(t, `
name: perm
triggers: [{type: manual}]
steps:
  - name: call
    type: flaky
    on-failure: {retry: {max-attempts: 5}}
`, enginetest.WithExecutor("flaky", p))
	require.Equal(t, store.StatusFailed, res.Execution.Status)
	require.Equal(t, 1, p.count("call"))
	require.JSONEq(t, `{"type":"HttpError","message":"404"}`, string(res.Execution.Error))
}

func TestFallbackWithoutContinueFails(t *testing.T) {
	res := enginetest.Run(t, `
name: fb
triggers: [{type: manual}]
settings:
  on-failure:
    fallback:
      - {name: cleanup, type: console, with: {message: "cleanup {{ error.message }}"}}
steps:
  - name: call
    type: flaky
  - name: after
    type: console
    with: {message: no}
`, enginetest.WithExecutor("flaky", failing()))
	require.Equal(t, store.StatusFailed, res.Execution.Status)
	require.Len(t, res.Records("cleanup"), 1)
	require.Empty(t, res.Records("after"))
}

func TestPanicBecomesInternalError(t *testing.T) {
	p := newProbe(func(context.Context, engine.StepInput, int) (any, error) { panic("kaboom") })
	res := enginetest.Run(t, `
name: panic
triggers: [{type: manual}]
steps:
  - {name: bad, type: boom}
`, enginetest.WithExecutor("boom", p))
	require.Equal(t, store.StatusFailed, res.Execution.Status)
	require.Contains(t, string(res.Execution.Error), `"type":"InternalError"`)
	require.Contains(t, string(res.Execution.Error), "kaboom")
}

func TestPlainErrorsBecomeStepErrors(t *testing.T) {
	p := newProbe(func(context.Context, engine.StepInput, int) (any, error) { return nil, errors.New("plain") })
	res := enginetest.Run(t, `
name: plain
triggers: [{type: manual}]
steps:
  - {name: bad, type: plain}
`, enginetest.WithExecutor("plain", p))
	require.JSONEq(t, `{"type":"Error","message":"plain"}`, string(res.Execution.Error))
}

func TestMaxStepSize(t *testing.T) {
	p := newProbe(func(context.Context, engine.StepInput, int) (any, error) {
		return string(make([]byte, 2048)), nil
	})
	res := enginetest.Run(t, `
name: size
triggers: [{type: manual}]
settings:
  max-step-size: 1kb
steps:
  - {name: big, type: big}
`, enginetest.WithExecutor("big", p))
	require.Equal(t, store.StatusFailed, res.Execution.Status)
	require.Contains(t, string(res.Execution.Error), "exceeding the 1kb size limit. Configure 'max-step-size'")
}

func TestStepTimeout(t *testing.T) {
	p := newProbe(func(ctx context.Context, _ engine.StepInput, _ int) (any, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	})
	res := enginetest.Run(t, `
name: slow
triggers: [{type: manual}]
steps:
  - name: slow
    type: hang
    timeout: 50ms
    on-failure: {continue: true}
  - name: next
    type: console
    with: {message: "{{ steps.slow.error.message }}"}
`, enginetest.WithExecutor("hang", p))
	require.Equal(t, store.StatusCompleted, res.Execution.Status, string(res.Execution.Error))
	require.JSONEq(t, `"Step execution exceeded the configured timeout of 50ms."`, string(res.Records("next")[0].Output))
	require.Contains(t, string(res.Records("slow")[0].Error), `"type":"TimeoutError"`)
}

func TestLoopIterationTimeoutAndIterationOnFailure(t *testing.T) {
	p := newProbe(func(ctx context.Context, in engine.StepInput, _ int) (any, error) {
		if in.Context["foreach"].(map[string]any)["item"] == "slow" {
			<-ctx.Done()
			return nil, ctx.Err()
		}
		return "ok", nil
	})
	res := enginetest.Run(t, `
name: iter
triggers: [{type: manual}]
steps:
  - name: loop
    type: foreach
    foreach: '["a", "slow", "c"]'
    iteration-timeout: 50ms
    iteration-on-failure:
      fallback:
        - {name: note, type: console, with: {message: "iteration {{ foreach.index }}: {{ error.type }}"}}
      continue: true
    steps:
      - {name: work, type: hang}
`, enginetest.WithExecutor("hang", p))
	require.Equal(t, store.StatusCompleted, res.Execution.Status, string(res.Execution.Error))
	require.Equal(t, 3, p.count("work"))
	note := res.Records("note")
	require.Len(t, note, 1)
	require.JSONEq(t, `"iteration 1: TimeoutError"`, string(note[0].Output))
	require.Equal(t, store.StatusTimedOut, res.Record("loop[1]/work#1").Status)
}

func TestWorkflowTimeoutDuringLongWait(t *testing.T) {
	h := enginetest.New(t)
	ex := h.Start(`
name: tmo
triggers: [{type: manual}]
settings: {timeout: 1m}
steps:
  - name: nap
    type: wait
    with: {duration: 1h}
  - {name: after, type: console, with: {message: no}}
`, engine.StartParams{})
	first := h.Step(ex.ID)
	require.Equal(t, store.StatusWaiting, first.Execution.Status)
	require.Equal(t, first.Execution.StartedAt.Add(time.Minute), first.ResumeAt)
	res := h.Drive(ex.ID)
	require.Equal(t, store.StatusTimedOut, res.Execution.Status)
	require.Contains(t, string(res.Execution.Error), "Workflow execution exceeded the configured timeout of 1m.")
	require.Empty(t, res.Records("after"))
}

func TestWorkflowTimeoutAbortsRunningStep(t *testing.T) {
	p := newProbe(func(ctx context.Context, _ engine.StepInput, _ int) (any, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	})
	res := enginetest.Run(t, `
name: tmo
triggers: [{type: manual}]
settings: {timeout: 100ms}
steps:
  - {name: hang, type: hang}
`, enginetest.WithExecutor("hang", p))
	require.Equal(t, store.StatusTimedOut, res.Execution.Status)
	require.Equal(t, store.StatusTimedOut, res.Records("hang")[0].Status)
}
