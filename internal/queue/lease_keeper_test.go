package queue

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/store"
)

func TestLeaseKeeperCancelsRunWhoseLeaseWasTaken(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		id := createExecution(t, st, nil, nil)
		quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
		// A TTL this short lets the lease expire before the first renewal, as when a node
		// stalls for longer than its TTL.
		k := newLeaseKeeper(st, "slow-node", time.Millisecond, quiet)
		runCtx, ok, err := k.acquire(ctx, id)
		require.NoError(t, err)
		require.True(t, ok)
		require.Eventually(t, func() bool {
			return st.ExecutionLease(ctx, id, "thief", time.Now().Add(time.Hour)) == nil
		}, waitLimit, time.Millisecond, "the short lease never expired")

		require.NoError(t, k.renew(ctx))
		require.ErrorIs(t, context.Cause(runCtx), errLeaseLost)
		require.Zero(t, k.count())

		k.release(ctx, id) // the cancelled run ends: the thief's lease stays
		e, err := st.ExecutionGet(ctx, id)
		require.NoError(t, err)
		require.Equal(t, "thief", e.LeaseOwner)
	})
}

func TestLeaseKeeperRenewKeepsHeldLeases(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		ids := []string{createExecution(t, st, nil, nil), createExecution(t, st, nil, nil)}
		k := newLeaseKeeper(st, "node-a", time.Hour, slog.New(slog.NewTextHandler(io.Discard, nil)))
		ctxs := make([]context.Context, len(ids))
		for i, id := range ids {
			var ok bool
			var err error
			ctxs[i], ok, err = k.acquire(ctx, id)
			require.NoError(t, err)
			require.True(t, ok)
		}
		_, ok, err := k.acquire(ctx, ids[0])
		require.NoError(t, err)
		require.False(t, ok, "a second run of one execution on this node")

		before, err := st.ExecutionGet(ctx, ids[0])
		require.NoError(t, err)
		require.NoError(t, k.renew(ctx))
		after, err := st.ExecutionGet(ctx, ids[0])
		require.NoError(t, err)
		require.False(t, after.LeaseUntil.Before(*before.LeaseUntil))
		for _, c := range ctxs {
			require.NoError(t, c.Err())
		}
		require.Equal(t, 2, k.count())

		err = st.ExecutionLease(ctx, ids[1], "node-b", time.Now().Add(time.Hour))
		require.True(t, errors.Is(err, store.ErrLeased), "another node cannot take a held lease")
		for _, id := range ids {
			k.release(ctx, id)
		}
		require.NoError(t, st.ExecutionLease(ctx, ids[1], "node-b", time.Now().Add(time.Hour)))
	})
}
