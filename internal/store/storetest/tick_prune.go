package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/store"
)

// testTickPrune checks that pruning deletes old ticks but keeps each trigger's latest one,
// however old, so that TickLast still answers.
func testTickPrune(t *testing.T, s store.Store) {
	ctx := t.Context()
	claim := func(wf, key string, d time.Duration) {
		ok, err := s.TickClaim(ctx, wf, key, at(d))
		require.NoError(t, err)
		require.True(t, ok)
	}
	for i := range 5 {
		claim("wf-1", "every:1m0s", time.Duration(i)*time.Minute)
	}
	claim("wf-2", "every:720h0m0s", 0) // a rare schedule: its only tick is old
	n, err := s.TickPrune(ctx, at(10*time.Minute))
	require.NoError(t, err)
	require.Equal(t, 4, n, "all but the latest tick of wf-1; none of wf-2")
	last, err := s.TickLast(ctx, "wf-1", "every:1m0s")
	require.NoError(t, err)
	require.True(t, last.Equal(at(4*time.Minute)), "latest kept: %s", last)
	last, err = s.TickLast(ctx, "wf-2", "every:720h0m0s")
	require.NoError(t, err)
	require.True(t, last.Equal(at(0)), "a trigger's only tick is kept")
	ok, err := s.TickClaim(ctx, "wf-1", "every:1m0s", at(4*time.Minute))
	require.NoError(t, err)
	require.False(t, ok, "the kept tick still guards against a second run")
	n, err = s.TickPrune(ctx, at(10*time.Minute))
	require.NoError(t, err)
	require.Zero(t, n)
}
