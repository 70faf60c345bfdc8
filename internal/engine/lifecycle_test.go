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

func TestCancelAbortsRunningStep(t *testing.T) {
	started := make(chan struct{})
	p := newProbe(func(ctx context.Context, _ engine.StepInput, _ int) (any, error) {
		close(started)
		<-ctx.Done()
		return nil, ctx.Err()
	})
	h := enginetest.New(t, enginetest.WithExecutor("hang", p))
	ex := h.Start(`
name: cancel
triggers: [{type: manual}]
steps:
  - {name: hang, type: hang}
  - {name: after, type: console, with: {message: no}}
`, engine.StartParams{})
	go func() {
		<-started
		require.NoError(t, h.Engine.Cancel(context.Background(), ex.ID))
	}()
	res := h.Drive(ex.ID)
	require.Equal(t, store.StatusCancelled, res.Execution.Status)
	require.Equal(t, store.StatusCancelled, res.Records("hang")[0].Status)
	require.Empty(t, res.Records("after"))
}

func TestCancelFromAnotherProcessIsPolled(t *testing.T) {
	started := make(chan struct{})
	p := newProbe(func(ctx context.Context, _ engine.StepInput, _ int) (any, error) {
		close(started)
		<-ctx.Done()
		return nil, ctx.Err()
	})
	h := enginetest.New(t, enginetest.WithExecutor("hang", p))
	other := enginetest.New(t, enginetest.WithStore(h.Store))
	ex := h.Start("name: c\ntriggers: [{type: manual}]\nsteps:\n  - {name: hang, type: hang}\n", engine.StartParams{})
	go func() {
		<-started
		require.NoError(t, other.Engine.Cancel(context.Background(), ex.ID))
	}()
	res := h.Drive(ex.ID)
	require.Equal(t, store.StatusCancelled, res.Execution.Status)
}

func TestCancelWaitingExecution(t *testing.T) {
	h := enginetest.New(t)
	ex := h.Start("name: c\ntriggers: [{type: manual}]\nsteps:\n  - {name: nap, type: wait, with: {duration: 1d}}\n", engine.StartParams{})
	require.Equal(t, store.StatusWaiting, h.Step(ex.ID).Execution.Status)
	require.NoError(t, h.Engine.Cancel(context.Background(), ex.ID))
	res := h.Drive(ex.ID)
	require.Equal(t, store.StatusCancelled, res.Execution.Status)
	require.NoError(t, h.Engine.Cancel(context.Background(), ex.ID), "cancelling a terminal execution is a no-op")
}

func TestReplayAfterCrashSkipsFinishedSteps(t *testing.T) {
	const yaml = `
name: replay
triggers: [{type: manual}]
steps:
  - {name: s1, type: probe, with: {v: 1}}
  - name: loop
    type: foreach
    foreach: '[1, 2]'
    steps:
      - {name: s2, type: probe, with: {v: "{{ foreach.item }}"}}
  - {name: s3, type: probe, with: {v: "{{ steps.s1.output.v }}-{{ steps.s2.output.v }}"}}
`
	first := newProbe(nil)
	h := enginetest.New(t, enginetest.WithExecutor("probe", first))
	done := h.Drive(h.Start(yaml, engine.StartParams{}).ID)
	require.Equal(t, store.StatusCompleted, done.Execution.Status, string(done.Execution.Error))

	for keep := 0; keep <= len(done.Steps); keep++ {
		// A copy of the execution whose worker died after writing the first `keep` records.
		ctx := context.Background()
		crashed := *done.Execution
		crashed.ID = "crash-" + string(rune('a'+keep))
		crashed.Status, crashed.FinishedAt, crashed.Output = store.StatusRunning, nil, nil
		require.NoError(t, h.Store.ExecutionCreate(ctx, store.ExecutionCreateParams{Execution: &crashed}))
		for _, rec := range done.Steps[:keep] {
			cp := *rec
			cp.ID, cp.ExecutionID = "", crashed.ID
			cp.ID = crashed.ID + rec.Path
			require.NoError(t, h.Store.StepExecutionUpsert(ctx, &cp))
		}
		second := newProbe(nil)
		fresh := enginetest.New(t, enginetest.WithStore(h.Store), enginetest.WithExecutor("probe", second))
		res := fresh.Drive(crashed.ID)
		require.Equal(t, store.StatusCompleted, res.Execution.Status, "keep %d: %s", keep, res.Execution.Error)
		calledBefore := 0
		for _, rec := range done.Steps[:keep] {
			if rec.StepType == "probe" {
				calledBefore++
				require.Equal(t, 0, second.count(rec.StepName)-countLater(done.Steps[keep:], rec.StepName), "keep %d: %s ran again", keep, rec.Path)
			}
		}
		require.Equal(t, first.total()-calledBefore, second.total(), "keep %d", keep)
		require.JSONEq(t, `{"v":"1-2"}`, string(res.Records("s3")[0].Output), "keep %d", keep)
	}
}

// countLater counts the probe records of name among recs.
func countLater(recs []*store.StepExecution, name string) int {
	n := 0
	for _, r := range recs {
		if r.StepName == name && r.StepType == "probe" {
			n++
		}
	}
	return n
}

func TestReplayOfRunningStepRunsItAgain(t *testing.T) {
	p := newProbe(nil)
	h := enginetest.New(t, enginetest.WithExecutor("probe", p))
	ex := h.Start("name: r\ntriggers: [{type: manual}]\nsteps:\n  - {name: a, type: probe}\n  - {name: b, type: probe}\n", engine.StartParams{})
	ctx := context.Background()
	now := h.Clock.Now()
	require.NoError(t, h.Store.StepExecutionUpsert(ctx, &store.StepExecution{ID: "a1", ExecutionID: ex.ID, Path: "a#1", StepName: "a", StepType: "probe", Attempt: 1, Seq: 1, Status: store.StatusCompleted, Output: []byte(`{}`), StartedAt: now, FinishedAt: &now}))
	require.NoError(t, h.Store.StepExecutionUpsert(ctx, &store.StepExecution{ID: "b1", ExecutionID: ex.ID, Path: "b#1", StepName: "b", StepType: "probe", Attempt: 1, Seq: 2, Status: store.StatusRunning, StartedAt: now}))
	res := h.Drive(ex.ID)
	require.Equal(t, store.StatusCompleted, res.Execution.Status)
	require.Equal(t, 0, p.count("a"))
	require.Equal(t, 1, p.count("b"))
	require.Len(t, res.Steps, 2)
}

func TestExecuteIsIdempotentOnTerminal(t *testing.T) {
	p := newProbe(nil)
	h := enginetest.New(t, enginetest.WithExecutor("probe", p))
	ex := h.Start("name: r\ntriggers: [{type: manual}]\nsteps:\n  - {name: a, type: probe}\n", engine.StartParams{})
	h.Drive(ex.ID)
	at, err := h.Engine.Execute(context.Background(), ex.ID)
	require.NoError(t, err)
	require.True(t, at.IsZero())
	require.Equal(t, 1, p.count("a"))
}

func TestStartValidation(t *testing.T) {
	h := enginetest.New(t)
	ctx := context.Background()
	_, err := h.Engine.Start(ctx, engine.StartParams{YAML: "name: x\ntriggers: [{type: manual}]\nsteps:\n  - {name: a, type: nope.step}\n"})
	require.ErrorIs(t, err, engine.ErrInvalidWorkflow)
	require.Contains(t, err.Error(), "nope.step")

	const yaml = `
name: inputs
triggers: [{type: manual}]
inputs:
  - {name: id, type: string, required: true}
  - {name: sev, type: choice, options: [low, high], default: low}
  - {name: n, type: number, default: 3}
  - {name: tags, type: array}
steps:
  - {name: a, type: console, with: {message: "{{ inputs.sev }} {{ inputs.n }} {{ inputs.tags | size }}"}}
`
	for _, tc := range []struct {
		name   string
		inputs map[string]any
		want   string
	}{
		{"missing required", map[string]any{}, `input "id" is required`},
		{"wrong type", map[string]any{"id": "x", "n": true}, `input "n" must be of type number`},
		{"not in enum", map[string]any{"id": "x", "sev": "mid"}, `input "sev" must be one of [high, low]`},
	} {
		_, err := h.Engine.Start(ctx, engine.StartParams{YAML: yaml, Inputs: tc.inputs})
		require.ErrorIs(t, err, engine.ErrInvalidInputs, tc.name)
		require.Contains(t, err.Error(), tc.want, tc.name)
	}
	list, total, err := h.Store.ExecutionList(ctx, store.ExecutionListParams{})
	require.NoError(t, err)
	require.Zero(t, total, "invalid starts store nothing: %v", list)

	ex, err := h.Engine.Start(ctx, engine.StartParams{YAML: yaml, Inputs: map[string]any{"id": "x", "n": "5"}})
	require.NoError(t, err)
	require.JSONEq(t, `{"id":"x","sev":"low","n":5,"tags":[]}`, string(ex.Inputs))
	require.Len(t, h.Sched.Jobs(), 1)
	res := h.Drive(ex.ID)
	require.JSONEq(t, `"low 5 0"`, string(res.Records("a")[0].Output))
}

func TestDisabledWorkflow(t *testing.T) {
	h := enginetest.New(t)
	wf := &store.Workflow{ID: "w1", Name: "w", Enabled: false, YAML: "name: w\ntriggers: [{type: manual}]\nsteps:\n  - {name: a, type: console, with: {message: hi}}\n"}
	_, err := h.Engine.Start(context.Background(), engine.StartParams{Workflow: wf})
	require.ErrorIs(t, err, engine.ErrWorkflowDisabled)
	ex, err := h.Engine.Start(context.Background(), engine.StartParams{Workflow: wf, IsTestRun: true})
	require.NoError(t, err)
	require.Equal(t, "w1", ex.WorkflowID)
}

func TestWaitForInputAndResume(t *testing.T) {
	h := enginetest.New(t)
	ex := h.Start(`
name: hitl
triggers: [{type: manual}]
steps:
  - name: review
    type: waitForInput
    with: {message: "Approve?"}
  - name: after
    type: console
    with: {message: "approved={{ steps.review.output.approved }}"}
`, engine.StartParams{})
	res := h.Step(ex.ID)
	require.Equal(t, store.StatusWaitingForInput, res.Execution.Status)
	require.Equal(t, h.Clock.Now().Add(6*time.Hour), res.ResumeAt, "the 72h input timeout is capped by the 6h workflow timeout")
	err := h.Engine.Resume(context.Background(), "missing", nil)
	require.ErrorIs(t, err, store.ErrNotFound)
	require.NoError(t, h.Engine.Resume(context.Background(), ex.ID, map[string]any{"approved": true}))
	require.True(t, errors.Is(h.Engine.Resume(context.Background(), ex.ID, nil), engine.ErrNotWaitingForInput))
	res = h.Drive(ex.ID)
	require.Equal(t, store.StatusCompleted, res.Execution.Status, string(res.Execution.Error))
	require.JSONEq(t, `"approved=true"`, string(res.Records("after")[0].Output))
}
