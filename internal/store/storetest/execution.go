package storetest

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/store"
)

var executionCases = []testCase{
	{"CreateGetRoundTrip", func(t *testing.T, s store.Store) {
		for _, e := range []*store.Execution{
			newExecution("ex-full", "wf-1", store.StatusRunning, at(0)),
			newBareExecution("ex-bare", "wf-1", store.StatusPending, at(time.Second)),
			{ID: "ex-empty-json", WorkflowID: "wf-1", Status: store.StatusPending, CreatedAt: at(0),
				Inputs: raw(`""`), Output: raw(`0`), Metadata: raw(`[ ]`)},
		} {
			mustCreateExecution(t, s, e)
			got, err := s.ExecutionGet(t.Context(), e.ID)
			require.NoError(t, err)
			require.Equal(t, e, got)
		}
	}},
	{"CreateSetsIDAndTime", func(t *testing.T, s store.Store) {
		before := time.Now().Add(-time.Second)
		e := &store.Execution{WorkflowID: "wf-1", Status: store.StatusPending}
		mustCreateExecution(t, s, e)
		require.NotEmpty(t, e.ID)
		require.True(t, e.CreatedAt.After(before))
		got, err := s.ExecutionGet(t.Context(), e.ID)
		require.NoError(t, err)
		require.WithinDuration(t, e.CreatedAt, got.CreatedAt, time.Microsecond)
	}},
	{"CreateDuplicateConflicts", func(t *testing.T, s store.Store) {
		mustCreateExecution(t, s, newBareExecution("ex-1", "wf-1", store.StatusPending, at(0)))
		err := s.ExecutionCreate(t.Context(), store.ExecutionCreateParams{
			Execution: newBareExecution("ex-1", "wf-2", store.StatusPending, at(0)),
		})
		require.ErrorIs(t, err, store.ErrConflict)
	}},
	{"CreateRunsInTx", testExecutionCreateInTx},
	{"CreateRollsBackWhenInTxFails", func(t *testing.T, s store.Store) {
		hookErr := errors.New("queue is full")
		err := s.ExecutionCreate(t.Context(), store.ExecutionCreateParams{
			Execution: newBareExecution("ex-1", "wf-1", store.StatusPending, at(0)),
			InTx: func(ctx context.Context, tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, `UPDATE executions SET executed_by = 'hook' WHERE id = 'ex-1'`)
				require.NoError(t, err)
				return hookErr
			},
		})
		require.ErrorIs(t, err, hookErr)
		_, err = s.ExecutionGet(t.Context(), "ex-1")
		require.ErrorIs(t, err, store.ErrNotFound)
		// The store stays usable after the rollback.
		mustCreateExecution(t, s, newBareExecution("ex-1", "wf-1", store.StatusPending, at(0)))
	}},
	{"GetMissing", func(t *testing.T, s store.Store) {
		_, err := s.ExecutionGet(t.Context(), "nope")
		require.ErrorIs(t, err, store.ErrNotFound)
	}},
	{"Update", testExecutionUpdate},
	{"UpdateConditional", testExecutionUpdateConditional},
	{"List", testExecutionList},
	{"ListFilters", testExecutionListFilters},
}

func testExecutionCreateInTx(t *testing.T, s store.Store) {
	var seen int
	err := s.ExecutionCreate(t.Context(), store.ExecutionCreateParams{
		Execution: newBareExecution("ex-1", "wf-1", store.StatusPending, at(0)),
		InTx: func(ctx context.Context, tx *sql.Tx) error {
			err := tx.QueryRowContext(ctx, `SELECT count(*) FROM executions WHERE id = 'ex-1'`).Scan(&seen)
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `UPDATE executions SET executed_by = 'hook' WHERE id = 'ex-1'`)
			return err
		},
	})
	require.NoError(t, err)
	require.Equal(t, 1, seen, "the hook sees the new row")
	got, err := s.ExecutionGet(t.Context(), "ex-1")
	require.NoError(t, err)
	require.Equal(t, "hook", got.ExecutedBy, "the hook's writes are committed")
}

func testExecutionUpdate(t *testing.T, s store.Store) {
	mustCreateExecution(t, s, newBareExecution("ex-1", "wf-1", store.StatusPending, at(0)))
	tests := []struct {
		name   string
		params store.ExecutionUpdateParams
		apply  func(e *store.Execution)
	}{
		{"nothing", store.ExecutionUpdateParams{}, func(*store.Execution) {}},
		{"status and start", store.ExecutionUpdateParams{Status: ptr(store.StatusRunning), StartedAt: ptr(at(time.Second))},
			func(e *store.Execution) { e.Status, e.StartedAt = store.StatusRunning, ptr(at(time.Second)) }},
		{"resume at", store.ExecutionUpdateParams{Status: ptr(store.StatusWaiting), ResumeAt: ptr(ptr(at(time.Hour)))},
			func(e *store.Execution) { e.Status, e.ResumeAt = store.StatusWaiting, ptr(at(time.Hour)) }},
		{"clear resume at", store.ExecutionUpdateParams{ResumeAt: ptr[*time.Time](nil)},
			func(e *store.Execution) { e.ResumeAt = nil }},
		{"cancel requested", store.ExecutionUpdateParams{CancelRequested: ptr(true)},
			func(e *store.Execution) { e.CancelRequested = true }},
		{"finish", store.ExecutionUpdateParams{
			Status: ptr(store.StatusFailed), FinishedAt: ptr(at(time.Minute)),
			Output: raw(`{"b":2, "a":1}`), Error: raw(`{"type":"Timeout","message":"late"}`),
		}, func(e *store.Execution) {
			e.Status, e.FinishedAt = store.StatusFailed, ptr(at(time.Minute))
			e.Output, e.Error = raw(`{"b":2, "a":1}`), raw(`{"type":"Timeout","message":"late"}`)
		}},
	}
	want := newBareExecution("ex-1", "wf-1", store.StatusPending, at(0))
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.params.ID = "ex-1"
			require.NoError(t, s.ExecutionUpdate(t.Context(), tc.params))
			tc.apply(want)
			got, err := s.ExecutionGet(t.Context(), "ex-1")
			require.NoError(t, err)
			require.Equal(t, want, got)
		})
	}
	err := s.ExecutionUpdate(t.Context(), store.ExecutionUpdateParams{ID: "nope", Status: ptr(store.StatusRunning)})
	require.ErrorIs(t, err, store.ErrNotFound)
}

func testExecutionUpdateConditional(t *testing.T, s store.Store) {
	mustCreateExecution(t, s, newBareExecution("ex-1", "wf-1", store.StatusRunning, at(0)))
	tests := []struct {
		name       string
		id         string
		ifIn       []string
		status     string
		err        error
		wantStatus string
	}{
		{"not in set", "ex-1", []string{store.StatusPending, store.StatusQueued}, store.StatusCancelled, store.ErrConflict, store.StatusRunning},
		{"in set", "ex-1", []string{store.StatusPending, store.StatusRunning}, store.StatusCompleted, nil, store.StatusCompleted},
		{"terminal stays", "ex-1", []string{store.StatusRunning}, store.StatusFailed, store.ErrConflict, store.StatusCompleted},
		{"missing", "nope", []string{store.StatusRunning}, store.StatusFailed, store.ErrNotFound, store.StatusCompleted},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := s.ExecutionUpdate(t.Context(), store.ExecutionUpdateParams{
				ID: tc.id, Status: ptr(tc.status), FinishedAt: ptr(at(time.Hour)), IfStatusIn: tc.ifIn,
			})
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
			} else {
				require.NoError(t, err)
			}
			got, err := s.ExecutionGet(t.Context(), "ex-1")
			require.NoError(t, err)
			require.Equal(t, tc.wantStatus, got.Status)
		})
	}
}

func testExecutionList(t *testing.T, s store.Store) {
	statuses := []string{store.StatusCompleted, store.StatusRunning, store.StatusFailed}
	for i := range 9 {
		e := newExecution(seqID("ex", i), seqID("wf", i%2), statuses[i%3], at(time.Duration(i/2)*time.Second))
		mustCreateExecution(t, s, e)
	}
	// Created at: ex-000,001 → 0s; 002,003 → 1s; 004,005 → 2s; 006,007 → 3s; 008 → 4s.
	tests := []struct {
		name      string
		params    store.ExecutionListParams
		wantIDs   []string
		wantTotal int
	}{
		{"newest first, ties by id", store.ExecutionListParams{},
			[]string{"ex-008", "ex-007", "ex-006", "ex-005", "ex-004", "ex-003", "ex-002", "ex-001", "ex-000"}, 9},
		{"page", store.ExecutionListParams{Limit: 3, Offset: 3}, []string{"ex-005", "ex-004", "ex-003"}, 9},
		{"offset past end", store.ExecutionListParams{Offset: 20}, []string{}, 9},
		{"workflow", store.ExecutionListParams{WorkflowID: "wf-001"}, []string{"ex-007", "ex-005", "ex-003", "ex-001"}, 4},
		{"statuses", store.ExecutionListParams{Statuses: []string{store.StatusRunning, store.StatusFailed}},
			[]string{"ex-008", "ex-007", "ex-005", "ex-004", "ex-002", "ex-001"}, 6},
		{"workflow and status", store.ExecutionListParams{WorkflowID: "wf-000", Statuses: []string{store.StatusCompleted}, Limit: 1},
			[]string{"ex-006"}, 2},
		{"unknown workflow", store.ExecutionListParams{WorkflowID: "nope"}, []string{}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			list, total, err := s.ExecutionList(t.Context(), tc.params)
			require.NoError(t, err)
			require.Equal(t, tc.wantIDs, executionIDs(list))
			require.Equal(t, tc.wantTotal, total)
		})
	}
	list, _, err := s.ExecutionList(t.Context(), store.ExecutionListParams{Limit: 1})
	require.NoError(t, err)
	require.Equal(t, []*store.Execution{newExecution("ex-008", "wf-000", store.StatusFailed, at(4*time.Second))}, list)
}

func testExecutionListFilters(t *testing.T, s store.Store) {
	// ex-000..005, created a second apart; started 10s after creation but ex-005 (pending).
	runs := []struct {
		parent     string
		testRun    bool
		executedBy string
	}{
		{"", false, "alice"}, {"ex-000", true, "bob"}, {"ex-000", false, "alice"},
		{"ex-001", true, "alice"}, {"", true, "bob"}, {"ex-000", false, "bob"},
	}
	for i, r := range runs {
		e := newBareExecution(seqID("ex", i), "wf-1", store.StatusCompleted, at(time.Duration(i)*time.Second))
		e.ParentExecutionID, e.IsTestRun, e.ExecutedBy = r.parent, r.testRun, r.executedBy
		e.StartedAt = ptr(e.CreatedAt.Add(10 * time.Second))
		if i == 5 {
			e.Status, e.StartedAt = store.StatusPending, nil
		}
		mustCreateExecution(t, s, e)
	}
	mustCreateExecution(t, s, newBareExecution("ex-other", "wf-2", store.StatusCompleted, at(time.Hour)))
	tests := []struct {
		name      string
		params    store.ExecutionListParams
		wantIDs   []string
		wantTotal int
	}{
		{"children", store.ExecutionListParams{ParentExecutionID: "ex-000"}, []string{"ex-005", "ex-002", "ex-001"}, 3},
		{"children of a leaf", store.ExecutionListParams{ParentExecutionID: "ex-004"}, []string{}, 0},
		{"test runs", store.ExecutionListParams{WorkflowID: "wf-1", TestRun: ptr(true)}, []string{"ex-004", "ex-003", "ex-001"}, 3},
		{"production runs", store.ExecutionListParams{WorkflowID: "wf-1", TestRun: ptr(false)}, []string{"ex-005", "ex-002", "ex-000"}, 3},
		{"executed by", store.ExecutionListParams{ExecutedBy: "bob"}, []string{"ex-005", "ex-004", "ex-001"}, 3},
		{"started at or after", store.ExecutionListParams{StartedAfter: ptr(at(12 * time.Second))},
			[]string{"ex-004", "ex-003", "ex-002"}, 3},
		{"started before", store.ExecutionListParams{StartedBefore: ptr(at(12 * time.Second))},
			[]string{"ex-001", "ex-000"}, 2},
		{"started in a range, any zone", store.ExecutionListParams{
			StartedAfter:  ptr(at(11 * time.Second).In(time.FixedZone("x", -7*3600))),
			StartedBefore: ptr(at(13 * time.Second))}, []string{"ex-002", "ex-001"}, 2},
		{"all filters", store.ExecutionListParams{WorkflowID: "wf-1", Statuses: []string{store.StatusCompleted},
			ParentExecutionID: "ex-000", TestRun: ptr(false), ExecutedBy: "alice",
			StartedAfter: ptr(at(0)), StartedBefore: ptr(at(time.Hour))}, []string{"ex-002"}, 1},
		{"filters and a page", store.ExecutionListParams{ExecutedBy: "alice", Limit: 1, Offset: 1}, []string{"ex-002"}, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			list, total, err := s.ExecutionList(t.Context(), tc.params)
			require.NoError(t, err)
			require.Equal(t, tc.wantIDs, executionIDs(list))
			require.Equal(t, tc.wantTotal, total)
		})
	}
}
