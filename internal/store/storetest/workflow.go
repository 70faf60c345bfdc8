package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/store"
)

var workflowCases = []testCase{
	{"CreateGetRoundTrip", func(t *testing.T, s store.Store) {
		for _, w := range []*store.Workflow{
			newWorkflow("wf-1", "Full"),
			{ID: "wf-2", Name: "Bare", CreatedAt: at(0), UpdatedAt: at(0)},
		} {
			require.NoError(t, s.WorkflowCreate(t.Context(), w))
			got, err := s.WorkflowGet(t.Context(), w.ID)
			require.NoError(t, err)
			require.Equal(t, w, got)
		}
	}},
	{"CreateSetsZeroTimes", func(t *testing.T, s store.Store) {
		before := time.Now().Add(-time.Second)
		w := &store.Workflow{ID: "wf-1", Name: "n"}
		require.NoError(t, s.WorkflowCreate(t.Context(), w))
		require.True(t, w.CreatedAt.After(before))
		require.Equal(t, w.CreatedAt, w.UpdatedAt)
		got, err := s.WorkflowGet(t.Context(), "wf-1")
		require.NoError(t, err)
		require.WithinDuration(t, w.CreatedAt, got.CreatedAt, time.Microsecond)
	}},
	{"CreateDuplicateConflicts", func(t *testing.T, s store.Store) {
		require.NoError(t, s.WorkflowCreate(t.Context(), newWorkflow("wf-1", "a")))
		err := s.WorkflowCreate(t.Context(), newWorkflow("wf-1", "b"))
		require.ErrorIs(t, err, store.ErrConflict)
		got, err := s.WorkflowGet(t.Context(), "wf-1")
		require.NoError(t, err)
		require.Equal(t, "a", got.Name)
	}},
	{"GetMissing", func(t *testing.T, s store.Store) {
		_, err := s.WorkflowGet(t.Context(), "nope")
		require.ErrorIs(t, err, store.ErrNotFound)
	}},
	{"GetByName", testWorkflowGetByName},
	{"Update", testWorkflowUpdate},
	{"Delete", func(t *testing.T, s store.Store) {
		require.NoError(t, s.WorkflowCreate(t.Context(), newWorkflow("wf-1", "a")))
		require.NoError(t, s.WorkflowCreate(t.Context(), newWorkflow("wf-2", "b")))
		require.NoError(t, s.WorkflowDelete(t.Context(), "wf-1"))
		_, err := s.WorkflowGet(t.Context(), "wf-1")
		require.ErrorIs(t, err, store.ErrNotFound)
		require.ErrorIs(t, s.WorkflowDelete(t.Context(), "wf-1"), store.ErrNotFound)
		_, err = s.WorkflowGet(t.Context(), "wf-2")
		require.NoError(t, err)
	}},
	{"List", testWorkflowList},
}

func testWorkflowGetByName(t *testing.T, s store.Store) {
	require.NoError(t, s.WorkflowCreate(t.Context(), newWorkflow("wf-1", "unique")))
	require.NoError(t, s.WorkflowCreate(t.Context(), newWorkflow("wf-2", "twice")))
	require.NoError(t, s.WorkflowCreate(t.Context(), newWorkflow("wf-3", "twice")))
	tests := []struct {
		name   string
		wantID string
		err    error
	}{
		{"unique", "wf-1", nil},
		{"Unique", "", store.ErrNotFound},
		{"missing", "", store.ErrNotFound},
		{"twice", "", store.ErrAmbiguous},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.WorkflowGetByName(t.Context(), tc.name)
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
				require.Nil(t, got)
				return
			}
			require.NoError(t, err)
			require.Equal(t, newWorkflow(tc.wantID, tc.name), got)
		})
	}
}

func testWorkflowUpdate(t *testing.T, s store.Store) {
	require.NoError(t, s.WorkflowCreate(t.Context(), newWorkflow("wf-1", "old")))
	w := &store.Workflow{
		ID: "wf-1", Name: "new", Description: "changed", Enabled: false, Valid: false,
		YAML: "name: new\n", Tags: []string{"x"}, UpdatedAt: at(time.Hour), UpdatedBy: "dave",
		CreatedAt: at(24 * time.Hour), CreatedBy: "ignored",
	}
	require.NoError(t, s.WorkflowUpdate(t.Context(), w))
	got, err := s.WorkflowGet(t.Context(), "wf-1")
	require.NoError(t, err)
	want := *w
	want.CreatedAt, want.CreatedBy = at(0), "alice"
	require.Equal(t, &want, got)

	w.Tags = nil
	w.UpdatedAt = time.Time{}
	require.NoError(t, s.WorkflowUpdate(t.Context(), w))
	require.False(t, w.UpdatedAt.IsZero())
	got, err = s.WorkflowGet(t.Context(), "wf-1")
	require.NoError(t, err)
	require.Nil(t, got.Tags)

	err = s.WorkflowUpdate(t.Context(), &store.Workflow{ID: "missing", Name: "x"})
	require.ErrorIs(t, err, store.ErrNotFound)
}

func testWorkflowList(t *testing.T, s store.Store) {
	names := []string{"Deploy", "alpha sync", "beta", "Gamma 50% off", "delta_x", "epsilon", "quota 50 left"}
	for i, n := range names {
		w := newWorkflow(seqID("wf", i), n)
		w.Enabled = i%2 == 0
		if n == "beta" {
			w.Description = "notify on-call via PagerDuty"
		}
		require.NoError(t, s.WorkflowCreate(t.Context(), w))
	}
	tests := []struct {
		name      string
		params    store.WorkflowListParams
		wantNames []string
		wantTotal int
	}{
		{"all ordered by name ignoring case", store.WorkflowListParams{},
			[]string{"alpha sync", "beta", "delta_x", "Deploy", "epsilon", "Gamma 50% off", "quota 50 left"}, 7},
		{"page", store.WorkflowListParams{Limit: 2, Offset: 2}, []string{"delta_x", "Deploy"}, 7},
		{"offset past end", store.WorkflowListParams{Offset: 10}, []string{}, 7},
		{"query ignores case", store.WorkflowListParams{Query: "DELTA"}, []string{"delta_x"}, 1},
		{"query matches description", store.WorkflowListParams{Query: "pagerduty"}, []string{"beta"}, 1},
		{"percent is literal", store.WorkflowListParams{Query: "50%"}, []string{"Gamma 50% off"}, 1},
		{"underscore is literal", store.WorkflowListParams{Query: "a_"}, []string{"delta_x"}, 1},
		{"enabled", store.WorkflowListParams{Enabled: ptr(true)},
			[]string{"beta", "delta_x", "Deploy", "quota 50 left"}, 4},
		{"disabled with query", store.WorkflowListParams{Enabled: ptr(false), Query: "A"},
			[]string{"alpha sync", "Gamma 50% off"}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			list, total, err := s.WorkflowList(t.Context(), tc.params)
			require.NoError(t, err)
			got := []string{}
			for _, w := range list {
				got = append(got, w.Name)
			}
			require.Equal(t, tc.wantNames, got)
			require.Equal(t, tc.wantTotal, total)
		})
	}
	list, _, err := s.WorkflowList(t.Context(), store.WorkflowListParams{Query: "epsilon"})
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, newWorkflow(seqID("wf", 5), "epsilon").Tags, list[0].Tags)
}
