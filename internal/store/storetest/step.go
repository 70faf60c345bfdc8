package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/store"
)

var stepCases = []testCase{
	{"UpsertInsertsAndGets", func(t *testing.T, s store.Store) {
		mustCreateExecution(t, s, newBareExecution("ex-1", "wf-1", store.StatusRunning, at(0)))
		full := newStep("ex-1", "loop[2]/fetch#1", 1)
		bare := &store.StepExecution{ExecutionID: "ex-1", Path: "b", Attempt: 1, Seq: 2,
			Status: store.StatusRunning, StartedAt: at(time.Second)}
		for _, st := range []*store.StepExecution{full, bare} {
			require.NoError(t, s.StepExecutionUpsert(t.Context(), st))
			require.NotEmpty(t, st.ID, "a new ID is written back")
			got, err := s.StepExecutionGet(t.Context(), st.ID)
			require.NoError(t, err)
			require.Equal(t, st, got)
		}
		require.NotEqual(t, full.ID, bare.ID)
	}},
	{"UpsertReplacesKeepingID", func(t *testing.T, s store.Store) {
		mustCreateExecution(t, s, newBareExecution("ex-1", "wf-1", store.StatusRunning, at(0)))
		first := &store.StepExecution{ID: "step-given", ExecutionID: "ex-1", Path: "a",
			Attempt: 1, Seq: 1, Status: store.StatusRunning, StartedAt: at(0)}
		require.NoError(t, s.StepExecutionUpsert(t.Context(), first))
		require.Equal(t, "step-given", first.ID, "a given ID is kept")

		for _, id := range []string{"", "step-other"} {
			second := newStep("ex-1", "a", 1)
			second.ID = id
			require.NoError(t, s.StepExecutionUpsert(t.Context(), second))
			require.Equal(t, "step-given", second.ID, "the existing row's ID is written back")
			list, err := s.StepExecutionList(t.Context(), "ex-1")
			require.NoError(t, err)
			require.Equal(t, []*store.StepExecution{second}, list)
		}
		_, err := s.StepExecutionGet(t.Context(), "step-other")
		require.ErrorIs(t, err, store.ErrNotFound)
	}},
	{"UpsertSamePathInAnotherExecution", func(t *testing.T, s store.Store) {
		mustCreateExecution(t, s, newBareExecution("ex-1", "wf-1", store.StatusRunning, at(0)))
		mustCreateExecution(t, s, newBareExecution("ex-2", "wf-1", store.StatusRunning, at(0)))
		a, b := newStep("ex-1", "same", 1), newStep("ex-2", "same", 1)
		require.NoError(t, s.StepExecutionUpsert(t.Context(), a))
		require.NoError(t, s.StepExecutionUpsert(t.Context(), b))
		require.NotEqual(t, a.ID, b.ID)
	}},
	{"UpsertMissingExecution", func(t *testing.T, s store.Store) {
		err := s.StepExecutionUpsert(t.Context(), newStep("nope", "a", 1))
		require.ErrorIs(t, err, store.ErrNotFound)
	}},
	{"ListOrdersBySeq", func(t *testing.T, s store.Store) {
		mustCreateExecution(t, s, newBareExecution("ex-1", "wf-1", store.StatusRunning, at(0)))
		mustCreateExecution(t, s, newBareExecution("ex-2", "wf-1", store.StatusRunning, at(0)))
		require.NoError(t, s.StepExecutionUpsert(t.Context(), newStep("ex-2", "other", 1)))
		var want []*store.StepExecution
		for _, seq := range []int{5, 1, 3, 2, 4} {
			st := newStep("ex-1", seqID("p", 10-seq), seq)
			require.NoError(t, s.StepExecutionUpsert(t.Context(), st))
			want = append(want, st)
		}
		want = []*store.StepExecution{want[1], want[3], want[2], want[4], want[0]}
		list, err := s.StepExecutionList(t.Context(), "ex-1")
		require.NoError(t, err)
		require.Equal(t, want, list)

		list, err = s.StepExecutionList(t.Context(), "nope")
		require.NoError(t, err)
		require.Empty(t, list)
	}},
	{"GetMissing", func(t *testing.T, s store.Store) {
		_, err := s.StepExecutionGet(t.Context(), "nope")
		require.ErrorIs(t, err, store.ErrNotFound)
	}},
	{"ListByWorkflow", testStepListByWorkflow},
}

func testStepListByWorkflow(t *testing.T, s store.Store) {
	mustCreateExecution(t, s, newBareExecution("ex-1", "wf-1", store.StatusCompleted, at(0)))
	mustCreateExecution(t, s, newBareExecution("ex-2", "wf-1", store.StatusRunning, at(time.Minute)))
	mustCreateExecution(t, s, newBareExecution("ex-3", "wf-2", store.StatusRunning, at(time.Minute)))
	// Steps by (execution, path, seq); newStep starts step seq at base + seq seconds.
	steps := []struct {
		id, execution, path string
		seq                 int
	}{
		{"st-a", "ex-1", "fetch", 1}, {"st-b", "ex-1", "post", 3}, {"st-c", "ex-2", "fetch", 2},
		{"st-d", "ex-2", "post", 4}, {"st-e", "ex-2", "again", 4}, {"st-x", "ex-3", "fetch", 9},
	}
	byID := map[string]*store.StepExecution{}
	for _, st := range steps {
		rec := newStep(st.execution, st.path, st.seq)
		rec.ID = st.id
		require.NoError(t, s.StepExecutionUpsert(t.Context(), rec))
		byID[st.id] = rec
	}
	tests := []struct {
		name          string
		workflow      string
		limit, offset int
		wantIDs       []string
		wantTotal     int
	}{
		{"newest first, ties by id", "wf-1", 0, 0, []string{"st-e", "st-d", "st-b", "st-c", "st-a"}, 5},
		{"page", "wf-1", 2, 2, []string{"st-b", "st-c"}, 5},
		{"past the end", "wf-1", 2, 10, []string{}, 5},
		{"other workflow", "wf-2", 0, 0, []string{"st-x"}, 1},
		{"unknown workflow", "nope", 0, 0, []string{}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			list, total, err := s.StepExecutionListByWorkflow(t.Context(), tc.workflow, tc.limit, tc.offset)
			require.NoError(t, err)
			require.Equal(t, tc.wantTotal, total)
			ids := make([]string, 0, len(list))
			for _, st := range list {
				ids = append(ids, st.ID)
				require.Equal(t, byID[st.ID], st)
			}
			require.Equal(t, tc.wantIDs, ids)
		})
	}
}
