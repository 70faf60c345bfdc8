package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/store"
)

// ExerciseShared runs the cases that need two handles on one database, as two nodes (or a
// node and a restarted node) have. open must return two stores opened separately on the same
// new, empty database and close both when t ends.
func ExerciseShared(t *testing.T, open func(t *testing.T) (store.Store, store.Store)) {
	t.Helper()
	for _, tc := range sharedCases {
		t.Run(tc.name, func(t *testing.T) {
			a, b := open(t)
			tc.run(t, a, b)
		})
	}
}

// sharedCase is one subtest of ExerciseShared, run against two handles on a fresh database.
type sharedCase struct {
	name string
	run  func(t *testing.T, a, b store.Store)
}

var sharedCases = []sharedCase{
	{"TickClaimRace", func(t *testing.T, a, b store.Store) { raceTickClaims(t, []store.Store{a, b}) }},
	{"TickClaimedByOtherHandle", func(t *testing.T, a, b store.Store) {
		claimed, err := a.TickClaim(t.Context(), "wf-1", "k", at(0))
		require.NoError(t, err)
		require.True(t, claimed)
		claimed, err = b.TickClaim(t.Context(), "wf-1", "k", at(0))
		require.NoError(t, err)
		require.False(t, claimed)
		require.NoError(t, b.TickSetExecution(t.Context(), "wf-1", "k", at(0), "ex-1"))
		last, err := b.TickLast(t.Context(), "wf-1", "k")
		require.NoError(t, err)
		require.Equal(t, at(0), last)
	}},
	{"IdempotencyClaimRace", func(t *testing.T, a, b store.Store) {
		raceIdempotencyClaims(t, []store.Store{a, b})
	}},
	{"APIKeyRevokedByOtherHandle", func(t *testing.T, a, b store.Store) {
		require.NoError(t, a.APIKeyCreate(t.Context(), newAPIKey("k-1", "a")))
		require.ErrorIs(t, b.APIKeyCreate(t.Context(), newAPIKey("k-1", "b")), store.ErrConflict)
		require.NoError(t, b.APIKeyRevoke(t.Context(), "k-1", at(time.Hour)))
		got, err := a.APIKeyGet(t.Context(), "k-1")
		require.NoError(t, err)
		require.Equal(t, ptr(at(time.Hour)), got.RevokedAt)
	}},
}
