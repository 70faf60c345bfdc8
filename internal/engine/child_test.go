package engine_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/engine"
	"github.com/errand-dev/errand/internal/engine/enginetest"
	"github.com/errand-dev/errand/internal/store"
)

const childYAML = `
name: child
triggers: [{type: manual}]
inputs:
  - {name: x, type: number, required: true}
steps:
  - name: fail
    type: workflow.fail
    if: "inputs.x < 0"
    with: {message: "negative"}
  - name: nap
    type: wait
    with: {duration: 1h}
  - name: out
    type: workflow.output
    with: {double: "${{ inputs.x | times: 2 }}"}
`

// storeWorkflow saves a workflow definition for composition tests.
func storeWorkflow(t *testing.T, h *enginetest.Harness, id, yaml string) {
	t.Helper()
	require.NoError(t, h.Store.WorkflowCreate(context.Background(), &store.Workflow{ID: id, Name: id + "-name", Enabled: true, Valid: true, YAML: yaml}))
}

func TestWorkflowExecuteSync(t *testing.T) {
	h := enginetest.New(t)
	storeWorkflow(t, h, "wf-child", childYAML)
	parent := `
name: parent
triggers: [{type: manual}]
inputs:
  - {name: x, type: number}
steps:
  - name: call
    type: workflow.execute
    with:
      workflow-id: wf-child-name
      inputs: {x: "${{ inputs.x }}"}
    on-failure: {continue: true}
  - name: show
    type: console
    with: {message: "{{ steps.call.output.double }}{{ steps.call.error.message }}"}
`
	ex := h.Start(parent, engine.StartParams{Inputs: map[string]any{"x": 21}})
	res := h.Step(ex.ID)
	require.Equal(t, store.StatusWaitingForChild, res.Execution.Status)
	children, _, err := h.Store.ExecutionList(context.Background(), store.ExecutionListParams{WorkflowID: "wf-child"})
	require.NoError(t, err)
	require.Len(t, children, 1)
	require.Equal(t, ex.ID, children[0].ParentExecutionID)
	require.Equal(t, store.StatusWaiting, children[0].Status)

	res = h.Drive(ex.ID)
	require.Equal(t, store.StatusCompleted, res.Execution.Status, string(res.Execution.Error))
	require.JSONEq(t, `"42"`, string(res.Records("show")[0].Output))

	failed := h.Drive(h.Start(parent, engine.StartParams{Inputs: map[string]any{"x": -1}}).ID)
	require.Equal(t, store.StatusCompleted, failed.Execution.Status)
	require.JSONEq(t, `"negative"`, string(failed.Records("show")[0].Output))
}

func TestWorkflowExecuteForbidsSelfCall(t *testing.T) {
	h := enginetest.New(t)
	self := `
name: self
triggers: [{type: manual}]
steps:
  - name: call
    type: workflow.execute
    with: {workflow-id: wf-self}
`
	storeWorkflow(t, h, "wf-self", self)
	wf, err := h.Store.WorkflowGet(context.Background(), "wf-self")
	require.NoError(t, err)
	ex, err := h.Engine.Start(context.Background(), engine.StartParams{Workflow: wf})
	require.NoError(t, err)
	res := h.Drive(ex.ID)
	require.Equal(t, store.StatusFailed, res.Execution.Status)
	require.Contains(t, string(res.Execution.Error), "cannot call itself")
}

func TestWorkflowExecuteAsync(t *testing.T) {
	h := enginetest.New(t)
	storeWorkflow(t, h, "wf-child", childYAML)
	ex := h.Start(`
name: parent
triggers: [{type: manual}]
steps:
  - name: fire
    type: workflow.executeAsync
    with: {workflow-id: wf-child, inputs: {x: 2}}
`, engine.StartParams{})
	res := h.Drive(ex.ID)
	require.Equal(t, store.StatusCompleted, res.Execution.Status, string(res.Execution.Error))
	out := decode(t, res.Records("fire")[0].Output).(map[string]any)
	require.Equal(t, false, out["awaited"])
	require.Equal(t, "wf-child", out["workflowId"])
	childID := out["executionId"].(string)
	require.Len(t, h.Sched.Jobs(), 2, "the child has its own queue job")
	child := h.Drive(childID)
	require.Equal(t, store.StatusCompleted, child.Execution.Status)
	require.JSONEq(t, `{"double": 4}`, string(child.Execution.Output))
	require.Equal(t, ex.ID, child.Execution.ParentExecutionID)
}

func TestConcurrencyStrategies(t *testing.T) {
	const yaml = `
name: conc
triggers: [{type: manual}]
inputs:
  - {name: host, type: string}
settings:
  concurrency: {key: "host-{{ inputs.host }}", strategy: %s, max: 1}
steps:
  - {name: nap, type: wait, with: {duration: 1h}}
`
	ctx := context.Background()
	t.Run("drop", func(t *testing.T) {
		h := enginetest.New(t)
		first := h.Start(sprintf(yaml, "drop"), engine.StartParams{Inputs: map[string]any{"host": "a"}})
		require.Equal(t, "host-a", first.ConcurrencyKey)
		h.Step(first.ID)
		second := h.Start(sprintf(yaml, "drop"), engine.StartParams{Inputs: map[string]any{"host": "a"}})
		require.Equal(t, store.StatusSkipped, second.Status)
		other := h.Start(sprintf(yaml, "drop"), engine.StartParams{Inputs: map[string]any{"host": "b"}})
		require.Equal(t, store.StatusPending, other.Status)
	})
	t.Run("cancel-in-progress", func(t *testing.T) {
		h := enginetest.New(t)
		first := h.Start(sprintf(yaml, "cancel-in-progress"), engine.StartParams{Inputs: map[string]any{"host": "a"}})
		h.Step(first.ID)
		second := h.Start(sprintf(yaml, "cancel-in-progress"), engine.StartParams{Inputs: map[string]any{"host": "a"}})
		require.Equal(t, store.StatusPending, second.Status)
		got, err := h.Store.ExecutionGet(ctx, first.ID)
		require.NoError(t, err)
		require.Equal(t, store.StatusCancelled, got.Status)
	})
	t.Run("queue", func(t *testing.T) {
		h := enginetest.New(t)
		first := h.Start(sprintf(yaml, "queue"), engine.StartParams{Inputs: map[string]any{"host": "a"}})
		h.Step(first.ID)
		second := h.Start(sprintf(yaml, "queue"), engine.StartParams{Inputs: map[string]any{"host": "a"}})
		require.Equal(t, store.StatusQueued, second.Status)
		res := h.Step(second.ID)
		require.Equal(t, store.StatusQueued, res.Execution.Status)
		require.False(t, res.ResumeAt.IsZero())
		require.Equal(t, store.StatusCompleted, h.Drive(first.ID).Execution.Status)
		res = h.Step(second.ID)
		require.Equal(t, store.StatusWaiting, res.Execution.Status, "a free slot lets the queued run start")
	})
}

func TestCancelParentWaitingForChildCancelsChild(t *testing.T) {
	h := enginetest.New(t)
	storeWorkflow(t, h, "wf-child", childYAML)
	ex := h.Start(`
name: parent
triggers: [{type: manual}]
steps:
  - name: call
    type: workflow.execute
    with: {workflow-id: wf-child, inputs: {x: 1}}
`, engine.StartParams{})
	require.Equal(t, store.StatusWaitingForChild, h.Step(ex.ID).Execution.Status)
	require.NoError(t, h.Engine.Cancel(context.Background(), ex.ID))
	res := h.Result(ex.ID)
	require.Equal(t, store.StatusCancelled, res.Execution.Status)
	children, _, err := h.Store.ExecutionList(context.Background(), store.ExecutionListParams{WorkflowID: "wf-child"})
	require.NoError(t, err)
	require.Len(t, children, 1)
	require.Equal(t, store.StatusCancelled, children[0].Status)
}
