package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/store"
)

// insertWorkflow returns an operation inserting workflow id, failing afterwards when fail is
// set (so that its insert must be rolled back alone).
func insertWorkflow(id string, fail error) txFunc {
	return func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO workflows (id, name, created_at, updated_at)
			VALUES (?, ?, 0, 0)`, id, id)
		if err != nil {
			return err
		}
		return fail
	}
}

// workflowExists reads through the read pool, which sees only committed data.
func workflowExists(t *testing.T, s *Store, id string) bool {
	t.Helper()
	_, err := s.WorkflowGet(t.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return false
	}
	require.NoError(t, err)
	return true
}

func TestGroupCommitFailingOperationRollsBackAlone(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	// Hold the write connection so that the operations below queue up and share batches.
	conn, err := s.write.Conn(ctx)
	require.NoError(t, err)
	boom := errors.New("boom")
	results := make([]error, 6)
	var wg sync.WaitGroup
	for i := range results {
		var fail error
		if i%3 == 1 {
			fail = boom
		}
		wg.Go(func() { results[i] = s.inTx(ctx, insertWorkflow(fmt.Sprint("wf-", i), fail)) })
	}
	require.NoError(t, conn.Close())
	wg.Wait()
	for i, err := range results {
		if i%3 == 1 {
			require.ErrorIs(t, err, boom)
			require.False(t, workflowExists(t, s, fmt.Sprint("wf-", i)), "failed operation %d rolled back", i)
			continue
		}
		require.NoError(t, err)
		require.True(t, workflowExists(t, s, fmt.Sprint("wf-", i)), "operation %d committed on return", i)
	}
}

func TestGroupCommitConstraintErrorKeepsOthers(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	require.NoError(t, s.inTx(ctx, insertWorkflow("dup", nil)))
	conn, err := s.write.Conn(ctx)
	require.NoError(t, err)
	var wg sync.WaitGroup
	var dupErr, okErr error
	wg.Go(func() { dupErr = s.inTx(ctx, insertWorkflow("dup", nil)) })
	wg.Go(func() { okErr = s.inTx(ctx, insertWorkflow("fresh", nil)) })
	require.NoError(t, conn.Close())
	wg.Wait()
	require.Error(t, dupErr)
	require.NoError(t, okErr)
	require.True(t, workflowExists(t, s, "fresh"))
}

func TestGroupCommitConcurrentWritersAllCommitted(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	var wg sync.WaitGroup
	errs := make(chan error, 400)
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				errs <- s.inTx(ctx, insertWorkflow(fmt.Sprintf("wf-%d-%d", g, i), nil))
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	_, total, err := s.WorkflowList(ctx, store.WorkflowListParams{Limit: 1})
	require.NoError(t, err)
	require.Equal(t, 400, total)
}

func TestGroupCommitCancelledContextWritesNothing(t *testing.T) {
	s := openTest(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := s.inTx(ctx, insertWorkflow("never", nil))
	require.ErrorIs(t, err, context.Canceled)
	require.False(t, workflowExists(t, s, "never"))
}

func TestGroupCommitAfterCloseFails(t *testing.T) {
	s, err := Open(t.Context(), t.TempDir()+"/closed.db")
	require.NoError(t, err)
	require.NoError(t, s.Close())
	err = s.inTx(t.Context(), insertWorkflow("late", nil))
	require.ErrorIs(t, err, errStoreClosed)
}
