package engine_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/engine"
	"github.com/errand-dev/errand/internal/engine/enginetest"
	"github.com/errand-dev/errand/internal/store"
)

const waitYAML = `
name: waits
triggers: [{type: manual}]
inputs:
  - {name: d, type: string}
steps:
  - {name: before, type: probe}
  - name: nap
    type: wait
    with: {duration: "{{ inputs.d }}"}
  - {name: after, type: probe}
`

func TestShortWaitRunsInProcess(t *testing.T) {
	p := newProbe(nil)
	h := enginetest.New(t, enginetest.WithExecutor("probe", p))
	ex := h.Start(waitYAML, engine.StartParams{Inputs: map[string]any{"d": "20ms"}})
	res := h.Step(ex.ID)
	require.True(t, res.ResumeAt.IsZero())
	require.Equal(t, store.StatusCompleted, res.Execution.Status, string(res.Execution.Error))
	require.Equal(t, 1, p.count("after"))
}

func TestLongWaitParksAndResumes(t *testing.T) {
	p := newProbe(nil)
	h := enginetest.New(t, enginetest.WithExecutor("probe", p))
	ex := h.Start(waitYAML, engine.StartParams{Inputs: map[string]any{"d": "1h30m"}})
	start := h.Clock.Now()
	res := h.Step(ex.ID)
	require.Equal(t, store.StatusWaiting, res.Execution.Status)
	require.Equal(t, start.Add(90*time.Minute), res.ResumeAt)
	require.NotNil(t, res.Execution.ResumeAt)
	require.Equal(t, 0, p.count("after"))

	h.Clock.Advance(30 * time.Minute) // too early: parks again for what is left
	res = h.Step(ex.ID)
	require.Equal(t, store.StatusWaiting, res.Execution.Status)
	require.Equal(t, start.Add(90*time.Minute), res.ResumeAt)

	h.Clock.Set(res.ResumeAt)
	res = h.Step(ex.ID)
	require.Equal(t, store.StatusCompleted, res.Execution.Status, string(res.Execution.Error))
	require.Equal(t, 1, p.count("before"), "a replay must not run finished steps again")
	require.Equal(t, 1, p.count("after"))
	require.Equal(t, store.StatusCompleted, res.Records("nap")[0].Status)
}

const parallelYAML = `
name: par
triggers: [{type: manual}]
steps:
  - name: fan
    type: parallel
    mode: %s
    branches:
      - name: good
        steps: [{name: g, type: probe, with: {v: good}}]
      - name: bad
        steps: [{name: b, type: probe, with: {fail: true}}]
      - name: slow
        steps: [{name: s, type: probe, with: {slow: true}}]
  - name: after
    type: console
    with: {message: "{{ steps.fan.output.succeeded }}/{{ steps.fan.output.total }}"}
`

// parallelProbe serves the branches of parallelYAML; the bad branch fails only once the
// slow one is running, so fail-fast has a running sibling to cancel.
func parallelProbe() *probe {
	slowStarted := make(chan struct{})
	return newProbe(func(ctx context.Context, in engine.StepInput, _ int) (any, error) {
		switch {
		case in.With["fail"] == true:
			<-slowStarted
			return nil, &engine.StepError{Type: "Boom", Message: "bad branch"}
		case in.With["slow"] == true:
			close(slowStarted)
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(200 * time.Millisecond):
				return "slow done", nil
			}
		}
		return in.With["v"], nil
	})
}

func TestParallelSettled(t *testing.T) {
	res := enginetest.Run(t, sprintf(parallelYAML, "settled"), enginetest.WithExecutor("probe", parallelProbe()))
	require.Equal(t, store.StatusCompleted, res.Execution.Status, string(res.Execution.Error))
	out := decode(t, res.Records("fan")[0].Output).(map[string]any)
	require.Equal(t, float64(3), out["total"])
	require.Equal(t, float64(2), out["succeeded"])
	require.Equal(t, float64(1), out["failed"])
	branches := out["branches"].(map[string]any)
	require.Equal(t, "good", branches["good"].(map[string]any)["output"])
	require.Equal(t, "failed", branches["bad"].(map[string]any)["status"])
	require.Equal(t, "slow done", branches["slow"].(map[string]any)["output"])
	require.JSONEq(t, `"2/3"`, string(res.Records("after")[0].Output))
}

func TestParallelFailFastCancelsSiblings(t *testing.T) {
	res := enginetest.Run(t, sprintf(parallelYAML, "fail-fast"), enginetest.WithExecutor("probe", parallelProbe()))
	require.Equal(t, store.StatusFailed, res.Execution.Status)
	require.JSONEq(t, `{"type":"Boom","message":"bad branch"}`, string(res.Execution.Error))
	require.Equal(t, store.StatusCancelled, res.Records("s")[0].Status)
	require.Empty(t, res.Records("after"))
}

func TestParallelForeachConcurrency(t *testing.T) {
	var running, peak atomic.Int32
	p := newProbe(func(ctx context.Context, in engine.StepInput, _ int) (any, error) {
		n := running.Add(1)
		defer running.Add(-1)
		for {
			old := peak.Load()
			if n <= old || peak.CompareAndSwap(old, n) {
				break
			}
		}
		time.Sleep(10 * time.Millisecond)
		return in.With["item"], nil
	})
	res := enginetest.Run(t, `
name: fan
triggers: [{type: manual}]
steps:
  - name: fan
    type: parallel
    foreach: '[1, 2, 3, 4, 5, 6, 7, 8]'
    concurrency: 3
    steps:
      - {name: work, type: probe, with: {item: "${{ foreach.item }}"}}
`, enginetest.WithExecutor("probe", p))
	require.Equal(t, store.StatusCompleted, res.Execution.Status, string(res.Execution.Error))
	require.Equal(t, 8, p.count("work"))
	require.LessOrEqual(t, peak.Load(), int32(3))
	out := decode(t, res.Records("fan")[0].Output).(map[string]any)
	results := out["results"].([]any)
	require.Len(t, results, 8)
	require.Equal(t, float64(5), results[4].(map[string]any)["output"])
	require.Equal(t, "4", results[4].(map[string]any)["key"])
}
