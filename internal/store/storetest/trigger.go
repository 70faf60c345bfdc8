package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/store"
)

// claimers is how many callers race for one tick or one idempotency key.
const claimers = 20

var triggerCases = []testCase{
	{"TickClaim", testTickClaim},
	{"TickClaimSameInstant", testTickClaimSameInstant},
	{"TickClaimRace", func(t *testing.T, s store.Store) { raceTickClaims(t, []store.Store{s}) }},
	{"TickSetExecution", testTickSetExecution},
	{"TickLast", testTickLast},
	{"TickPrune", testTickPrune},
	{"IdempotencyClaim", testIdempotencyClaim},
	{"IdempotencyClaimRace", func(t *testing.T, s store.Store) { raceIdempotencyClaims(t, []store.Store{s}) }},
	{"IdempotencyRelease", testIdempotencyRelease},
	{"IdempotencyDeleteExpired", testIdempotencyDeleteExpired},
	{"IdempotencyDeleteExpiredInBatches", testIdempotencyDeleteExpiredMany},
}

func testTickClaim(t *testing.T, s store.Store) {
	tests := []struct {
		name        string
		workflow    string
		key         string
		at          time.Time
		wantClaimed bool
	}{
		{"first claim", "wf-1", "schedule-0", at(0), true},
		{"same tick again", "wf-1", "schedule-0", at(0), false},
		{"next tick", "wf-1", "schedule-0", at(time.Minute), true},
		{"other trigger of the workflow", "wf-1", "schedule-1", at(0), true},
		{"other workflow", "wf-2", "schedule-0", at(0), true},
		{"earlier tick", "wf-1", "schedule-0", at(-time.Minute), true},
		{"next tick again", "wf-1", "schedule-0", at(time.Minute), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			claimed, err := s.TickClaim(t.Context(), tc.workflow, tc.key, tc.at)
			require.NoError(t, err)
			require.Equal(t, tc.wantClaimed, claimed)
		})
	}
}

// testTickClaimSameInstant checks that a tick is one instant at microsecond precision,
// whatever the location or the nanoseconds of the time a node computed.
func testTickClaimSameInstant(t *testing.T, s store.Store) {
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	claimed, err := s.TickClaim(t.Context(), "wf-1", "k", at(0))
	require.NoError(t, err)
	require.True(t, claimed)
	for _, same := range []time.Time{at(0).In(ny), at(0).Add(999 * time.Nanosecond), at(0).Local()} {
		claimed, err := s.TickClaim(t.Context(), "wf-1", "k", same)
		require.NoError(t, err)
		require.False(t, claimed, same.String())
	}
	claimed, err = s.TickClaim(t.Context(), "wf-1", "k", at(time.Microsecond))
	require.NoError(t, err)
	require.True(t, claimed)
	last, err := s.TickLast(t.Context(), "wf-1", "k")
	require.NoError(t, err)
	require.Equal(t, at(time.Microsecond), last)
}

// raceTickClaims has claimers goroutines, spread over stores (handles on one database), claim
// the same tick at once, for several ticks: each time exactly one wins.
func raceTickClaims(t *testing.T, stores []store.Store) {
	for round := range 5 {
		tick := at(time.Duration(round) * time.Minute)
		var mu sync.Mutex
		winners := 0
		err := runAll(claimers, func(i int) error {
			claimed, err := stores[i%len(stores)].TickClaim(t.Context(), "wf-1", "schedule-0", tick)
			if claimed {
				mu.Lock()
				winners++
				mu.Unlock()
			}
			return err
		})
		require.NoError(t, err)
		require.Equal(t, 1, winners, "round %d", round)
		for _, s := range stores {
			last, err := s.TickLast(t.Context(), "wf-1", "schedule-0")
			require.NoError(t, err)
			require.Equal(t, tick, last)
		}
	}
}

func testTickSetExecution(t *testing.T, s store.Store) {
	claimed, err := s.TickClaim(t.Context(), "wf-1", "k", at(0))
	require.NoError(t, err)
	require.True(t, claimed)
	require.NoError(t, s.TickSetExecution(t.Context(), "wf-1", "k", at(0), "ex-1"))
	var got string
	require.NoError(t, s.DB().QueryRowContext(t.Context(),
		`SELECT execution_id FROM trigger_ticks WHERE workflow_id = 'wf-1' AND trigger_key = 'k'`).Scan(&got))
	require.Equal(t, "ex-1", got)

	tests := []struct {
		name     string
		workflow string
		key      string
		at       time.Time
	}{
		{"unclaimed tick", "wf-1", "k", at(time.Minute)},
		{"other trigger", "wf-1", "other", at(0)},
		{"other workflow", "wf-2", "k", at(0)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := s.TickSetExecution(t.Context(), tc.workflow, tc.key, tc.at, "ex-2")
			require.ErrorIs(t, err, store.ErrNotFound)
		})
	}
}

func testTickLast(t *testing.T, s store.Store) {
	last, err := s.TickLast(t.Context(), "wf-1", "k")
	require.NoError(t, err)
	require.True(t, last.IsZero())
	for _, d := range []time.Duration{time.Minute, 3 * time.Minute, 2 * time.Minute} {
		_, err := s.TickClaim(t.Context(), "wf-1", "k", at(d))
		require.NoError(t, err)
	}
	_, err = s.TickClaim(t.Context(), "wf-1", "other", at(time.Hour))
	require.NoError(t, err)
	_, err = s.TickClaim(t.Context(), "wf-2", "k", at(time.Hour))
	require.NoError(t, err)
	last, err = s.TickLast(t.Context(), "wf-1", "k")
	require.NoError(t, err)
	require.Equal(t, at(3*time.Minute), last)
	require.Equal(t, time.UTC, last.Location())
	last, err = s.TickLast(t.Context(), "wf-3", "k")
	require.NoError(t, err)
	require.True(t, last.IsZero())
}

func testIdempotencyClaim(t *testing.T, s store.Store) {
	ttl := 24 * time.Hour
	tests := []struct {
		name         string
		scope, key   string
		executionID  string
		now          time.Time
		wantExisting string
		wantClaimed  bool
	}{
		{"first claim", "wf-1", "delivery-1", "ex-1", at(0), "", true},
		{"duplicate", "wf-1", "delivery-1", "ex-2", at(time.Hour), "ex-1", false},
		{"duplicate by the same execution", "wf-1", "delivery-1", "ex-1", at(time.Hour), "ex-1", false},
		{"other key", "wf-1", "delivery-2", "ex-3", at(time.Hour), "", true},
		{"same key in another scope", "wf-2", "delivery-1", "ex-4", at(time.Hour), "", true},
		{"just before expiry", "wf-1", "delivery-1", "ex-5", at(ttl - time.Microsecond), "ex-1", false},
		{"expired claim replaced", "wf-1", "delivery-1", "ex-6", at(ttl), "", true},
		{"duplicate of the new claim", "wf-1", "delivery-1", "ex-7", at(ttl + time.Hour), "ex-6", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			existing, claimed, err := s.IdempotencyClaim(t.Context(), tc.scope, tc.key, tc.executionID, tc.now, tc.now.Add(ttl))
			require.NoError(t, err)
			require.Equal(t, tc.wantClaimed, claimed)
			require.Equal(t, tc.wantExisting, existing)
		})
	}
}

// raceIdempotencyClaims has claimers goroutines, spread over stores, claim one key at once,
// each for its own execution: exactly one wins and every other learns the winner's id.
func raceIdempotencyClaims(t *testing.T, stores []store.Store) {
	for round := range 5 {
		key := fmt.Sprint("delivery-", round)
		existing := make([]string, claimers)
		claimed := make([]bool, claimers)
		err := runAll(claimers, func(i int) error {
			var err error
			existing[i], claimed[i], err = stores[i%len(stores)].IdempotencyClaim(t.Context(),
				"wf-1", key, seqID("ex", i), at(0), at(time.Hour))
			return err
		})
		require.NoError(t, err)
		winner := ""
		for i, ok := range claimed {
			if ok {
				require.Empty(t, winner, "round %d: two winners", round)
				winner = seqID("ex", i)
			}
		}
		require.NotEmpty(t, winner, "round %d: no winner", round)
		for i := range claimers {
			if !claimed[i] {
				require.Equal(t, winner, existing[i], "round %d caller %d", round, i)
			}
		}
	}
}

func testIdempotencyRelease(t *testing.T, s store.Store) {
	ctx := t.Context()
	_, claimed, err := s.IdempotencyClaim(ctx, "wf-1", "k", "ex-1", at(0), at(time.Hour))
	require.NoError(t, err)
	require.True(t, claimed)
	_, claimed, err = s.IdempotencyClaim(ctx, "wf-2", "k", "ex-2", at(0), at(time.Hour))
	require.NoError(t, err)
	require.True(t, claimed)

	require.NoError(t, s.IdempotencyRelease(ctx, "wf-1", "k"))
	existing, claimed, err := s.IdempotencyClaim(ctx, "wf-1", "k", "ex-3", at(time.Minute), at(time.Hour))
	require.NoError(t, err)
	require.True(t, claimed, "a released key can be claimed again")
	require.Empty(t, existing)
	existing, claimed, err = s.IdempotencyClaim(ctx, "wf-2", "k", "ex-4", at(time.Minute), at(time.Hour))
	require.NoError(t, err)
	require.False(t, claimed, "release touches only its scope")
	require.Equal(t, "ex-2", existing)

	require.NoError(t, s.IdempotencyRelease(ctx, "wf-9", "never-claimed"))
}

func testIdempotencyDeleteExpired(t *testing.T, s store.Store) {
	ctx := t.Context()
	expiries := map[string]time.Duration{"a": time.Minute, "b": time.Hour, "c": 2 * time.Hour, "d": 3 * time.Hour}
	for key, d := range expiries {
		_, claimed, err := s.IdempotencyClaim(ctx, "wf-1", key, "ex-"+key, at(0), at(d))
		require.NoError(t, err)
		require.True(t, claimed)
	}
	tests := []struct {
		name string
		now  time.Time
		want int
	}{
		{"nothing expired", at(0), 0},
		{"expired before now and exactly at now", at(time.Hour), 2},
		{"already deleted", at(time.Hour), 0},
		{"the rest", at(24 * time.Hour), 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n, err := s.IdempotencyDeleteExpired(ctx, tc.now)
			require.NoError(t, err)
			require.Equal(t, tc.want, n)
		})
	}
}

// testIdempotencyDeleteExpiredMany deletes more expired claims than one batch holds, and keeps
// the unexpired ones.
func testIdempotencyDeleteExpiredMany(t *testing.T, s store.Store) {
	const expired, kept = 2345, 7
	err := runAll(10, func(w int) error {
		for i := w; i < expired+kept; i += 10 {
			expiry := at(time.Minute)
			if i >= expired {
				expiry = at(time.Hour)
			}
			if _, _, err := s.IdempotencyClaim(t.Context(), "wf-1", seqID("k", i), seqID("ex", i), at(0), expiry); err != nil {
				return err
			}
		}
		return nil
	})
	require.NoError(t, err)
	n, err := s.IdempotencyDeleteExpired(t.Context(), at(time.Minute))
	require.NoError(t, err)
	require.Equal(t, expired, n)
	existing, claimed, err := s.IdempotencyClaim(t.Context(), "wf-1", seqID("k", expired), "ex-new", at(time.Minute), at(time.Hour))
	require.NoError(t, err)
	require.False(t, claimed)
	require.Equal(t, seqID("ex", expired), existing)
	_, claimed, err = s.IdempotencyClaim(t.Context(), "wf-1", seqID("k", 0), "ex-new", at(time.Minute), at(time.Hour))
	require.NoError(t, err)
	require.True(t, claimed)
}
