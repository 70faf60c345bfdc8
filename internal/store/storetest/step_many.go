package storetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/store"
)

// testStepExecutionUpsertMany checks that a batch is written whole, gets ids, replaces
// records with the same path, and that a failing batch writes nothing.
func testStepExecutionUpsertMany(t *testing.T, s store.Store) {
	ctx := context.Background()
	ex := newExecution("ex-many", "wf-1", store.StatusRunning, at(0))
	require.NoError(t, s.ExecutionCreate(ctx, store.ExecutionCreateParams{Execution: ex}))
	recs := []*store.StepExecution{
		{ExecutionID: ex.ID, Path: "a#1", StepName: "a", StepType: "console", Attempt: 1, Seq: 1, Status: store.StatusCompleted, StartedAt: at(0)},
		{ExecutionID: ex.ID, Path: "b#1", StepName: "b", StepType: "data.set", Attempt: 1, Seq: 2, Status: store.StatusCompleted, StartedAt: at(1), Output: raw(`{"k":1}`)},
	}
	require.NoError(t, s.StepExecutionUpsertMany(ctx, recs))
	require.NotEmpty(t, recs[0].ID)
	require.NotEmpty(t, recs[1].ID)
	got, err := s.StepExecutionList(ctx, ex.ID)
	require.NoError(t, err)
	require.Len(t, got, 2)
	require.JSONEq(t, `{"k":1}`, string(got[1].Output))

	recs[1].Output = raw(`{"k":2}`)
	bad := &store.StepExecution{ExecutionID: "no-such-execution", Path: "c#1", StepName: "c", StepType: "console",
		Attempt: 1, Seq: 3, Status: store.StatusCompleted, StartedAt: at(2)}
	require.Error(t, s.StepExecutionUpsertMany(ctx, []*store.StepExecution{recs[1], bad}))
	got, err = s.StepExecutionList(ctx, ex.ID)
	require.NoError(t, err)
	require.JSONEq(t, `{"k":1}`, string(got[1].Output), "a failing batch writes nothing")

	require.NoError(t, s.StepExecutionUpsertMany(ctx, []*store.StepExecution{recs[1]}))
	got, err = s.StepExecutionList(ctx, ex.ID)
	require.NoError(t, err)
	require.Len(t, got, 2, "same path replaces")
	require.JSONEq(t, `{"k":2}`, string(got[1].Output))
}
