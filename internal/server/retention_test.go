package server

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/store"
	"github.com/errand-dev/errand/internal/store/sqlite"
)

func TestRetentionDeletesOnlyOldFinishedExecutions(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "errand.db"))
	require.NoError(t, err)
	defer st.Close()
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	add := func(id string, status string, finished *time.Time) {
		ex := &store.Execution{ID: id, WorkflowName: "w", Status: status, CreatedAt: now.Add(-90 * 24 * time.Hour)}
		require.NoError(t, st.ExecutionCreate(ctx, store.ExecutionCreateParams{Execution: ex}))
		if finished != nil {
			require.NoError(t, st.ExecutionUpdate(ctx, store.ExecutionUpdateParams{ID: id, FinishedAt: finished}))
		}
	}
	for i := range 1203 {
		old := now.Add(-40 * 24 * time.Hour)
		add(fmt.Sprintf("old-%04d", i), store.StatusCompleted, &old)
	}
	recent := now.Add(-2 * 24 * time.Hour)
	add("recent", store.StatusFailed, &recent)
	add("still-waiting", store.StatusWaiting, nil)

	r := NewRetention(st, 30*24*time.Hour, time.Hour, quietLogger())
	r.now = func() time.Time { return now }
	require.Equal(t, 1203, r.Sweep(ctx), "three batches of at most 500")
	rows, total, err := st.ExecutionList(ctx, store.ExecutionListParams{Limit: 10})
	require.NoError(t, err)
	require.Equal(t, 2, total)
	ids := []string{rows[0].ID, rows[1].ID}
	require.ElementsMatch(t, []string{"recent", "still-waiting"}, ids)
}

func TestRetentionPrunesTicksButKeepsTheLatest(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "errand.db"))
	require.NoError(t, err)
	defer st.Close()
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	for _, d := range []time.Duration{-40 * 24 * time.Hour, -39 * 24 * time.Hour} {
		ok, err := st.TickClaim(ctx, "wf", "every:24h0m0s", now.Add(d))
		require.NoError(t, err)
		require.True(t, ok)
	}
	r := NewRetention(st, 30*24*time.Hour, time.Hour, quietLogger())
	r.now = func() time.Time { return now }
	r.Sweep(ctx)
	last, err := st.TickLast(ctx, "wf", "every:24h0m0s")
	require.NoError(t, err)
	require.True(t, last.Equal(now.Add(-39*24*time.Hour)), "the latest tick stays: %s", last)
	ok, err := st.TickClaim(ctx, "wf", "every:24h0m0s", now.Add(-40*24*time.Hour))
	require.NoError(t, err)
	require.True(t, ok, "the older tick was pruned")
}
