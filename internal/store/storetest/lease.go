package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/store"
)

var leaseCases = []testCase{
	{"Lease", testLease},
	{"Release", testRelease},
	{"RenewLeases", testRenewLeases},
	{"ListOrphaned", testListOrphaned},
	{"DeleteBefore", testDeleteBefore},
}

// leaseOf returns the lease owner and end of execution id.
func leaseOf(t *testing.T, s store.Store, id string) (string, *time.Time) {
	t.Helper()
	e, err := s.ExecutionGet(t.Context(), id)
	require.NoError(t, err)
	return e.LeaseOwner, e.LeaseUntil
}

func testLease(t *testing.T, s store.Store) {
	mustCreateExecution(t, s, newBareExecution("ex-1", "wf-1", store.StatusRunning, at(0)))
	now := time.Now().UTC().Truncate(time.Microsecond)
	past := now.Add(-time.Minute)
	tests := []struct {
		name      string
		id, owner string
		until     time.Time
		err       error
		wantOwner string
		wantUntil time.Time
	}{
		{"free", "ex-1", "node-a", now.Add(time.Minute), nil, "node-a", now.Add(time.Minute)},
		{"renew by owner", "ex-1", "node-a", now.Add(2 * time.Minute), nil, "node-a", now.Add(2 * time.Minute)},
		{"held by another", "ex-1", "node-b", now.Add(time.Hour), store.ErrLeased, "node-a", now.Add(2 * time.Minute)},
		{"owner shortens to the past", "ex-1", "node-a", past, nil, "node-a", past},
		{"expired is taken over", "ex-1", "node-b", now.Add(time.Hour), nil, "node-b", now.Add(time.Hour)},
		{"missing", "nope", "node-a", now.Add(time.Hour), store.ErrNotFound, "node-b", now.Add(time.Hour)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := s.ExecutionLease(t.Context(), tc.id, tc.owner, tc.until)
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
			} else {
				require.NoError(t, err)
			}
			owner, until := leaseOf(t, s, "ex-1")
			require.Equal(t, tc.wantOwner, owner)
			require.Equal(t, &tc.wantUntil, until)
		})
	}
}

func testRelease(t *testing.T, s store.Store) {
	mustCreateExecution(t, s, newBareExecution("ex-1", "wf-1", store.StatusRunning, at(0)))
	until := time.Now().UTC().Add(time.Hour).Truncate(time.Microsecond)
	require.NoError(t, s.ExecutionLease(t.Context(), "ex-1", "node-a", until))

	require.NoError(t, s.ExecutionRelease(t.Context(), "ex-1", "node-b"))
	owner, got := leaseOf(t, s, "ex-1")
	require.Equal(t, "node-a", owner, "another owner's release changes nothing")
	require.Equal(t, &until, got)

	require.NoError(t, s.ExecutionRelease(t.Context(), "ex-1", "node-a"))
	owner, got = leaseOf(t, s, "ex-1")
	require.Empty(t, owner)
	require.Nil(t, got)
	require.NoError(t, s.ExecutionRelease(t.Context(), "ex-1", "node-a"), "releasing twice")
	require.NoError(t, s.ExecutionRelease(t.Context(), "nope", "node-a"), "releasing a missing execution")

	require.NoError(t, s.ExecutionLease(t.Context(), "ex-1", "node-b", until), "a released lease is free")
}

func testRenewLeases(t *testing.T, s store.Store) {
	now := time.Now().UTC().Truncate(time.Microsecond)
	owners := []string{"node-a", "node-b", "node-a", "", "node-a"}
	for i, owner := range owners {
		id := seqID("ex", i)
		mustCreateExecution(t, s, newBareExecution(id, "wf-1", store.StatusRunning, at(0)))
		if owner != "" {
			require.NoError(t, s.ExecutionLease(t.Context(), id, owner, now.Add(time.Minute)))
		}
	}
	later := now.Add(10 * time.Minute)
	n, err := s.ExecutionRenewLeases(t.Context(), "node-a", later)
	require.NoError(t, err)
	require.Equal(t, 3, n)
	for i, owner := range owners {
		gotOwner, until := leaseOf(t, s, seqID("ex", i))
		require.Equal(t, owner, gotOwner)
		switch owner {
		case "node-a":
			require.Equal(t, &later, until)
		case "node-b":
			require.Equal(t, ptr(now.Add(time.Minute)), until)
		default:
			require.Nil(t, until)
		}
	}
	n, err = s.ExecutionRenewLeases(t.Context(), "node-z", later)
	require.NoError(t, err)
	require.Zero(t, n)
	n, err = s.ExecutionRenewLeases(t.Context(), "", later)
	require.NoError(t, err)
	require.Zero(t, n, "the empty owner holds nothing")
}

func testListOrphaned(t *testing.T, s store.Store) {
	now := at(time.Hour)
	rows := []struct {
		id     string
		status string
		until  *time.Time
	}{
		{"ex-expired-late", store.StatusRunning, ptr(now.Add(-time.Second))},
		{"ex-expired-early", store.StatusRunning, ptr(now.Add(-time.Minute))},
		{"ex-live", store.StatusRunning, ptr(now.Add(time.Second))},
		{"ex-no-lease", store.StatusRunning, nil},
		{"ex-waiting-expired", store.StatusWaiting, ptr(now.Add(-time.Minute))},
		{"ex-done-expired", store.StatusCompleted, ptr(now.Add(-time.Minute))},
	}
	for _, r := range rows {
		e := newBareExecution(r.id, "wf-1", r.status, at(0))
		if r.until != nil {
			e.LeaseOwner, e.LeaseUntil = "dead-node", r.until
		}
		mustCreateExecution(t, s, e)
	}
	list, err := s.ExecutionListOrphaned(t.Context(), now, 0)
	require.NoError(t, err)
	require.Equal(t, []string{"ex-expired-early", "ex-expired-late"}, executionIDs(list))
	require.Equal(t, "dead-node", list[0].LeaseOwner)

	list, err = s.ExecutionListOrphaned(t.Context(), now, 1)
	require.NoError(t, err)
	require.Equal(t, []string{"ex-expired-early"}, executionIDs(list))

	list, err = s.ExecutionListOrphaned(t.Context(), now.Add(-time.Hour), 10)
	require.NoError(t, err)
	require.Empty(t, list)
}

func testDeleteBefore(t *testing.T, s store.Store) {
	cutoff := at(time.Hour)
	finished := map[string]*time.Time{
		"ex-old-1": ptr(cutoff.Add(-3 * time.Minute)),
		"ex-old-2": ptr(cutoff.Add(-2 * time.Minute)),
		"ex-old-3": ptr(cutoff.Add(-time.Minute)),
		"ex-new":   ptr(cutoff.Add(time.Minute)),
		"ex-edge":  ptr(cutoff),
		"ex-open":  nil,
	}
	for id, fin := range finished {
		e := newBareExecution(id, "wf-1", store.StatusCompleted, at(0))
		e.FinishedAt = fin
		mustCreateExecution(t, s, e)
		require.NoError(t, s.StepExecutionUpsert(t.Context(), newStep(id, "a", 1)))
		require.NoError(t, s.LogAppend(t.Context(), []*store.LogEntry{{ExecutionID: id, Level: "info", Message: "m"}}))
	}
	n, err := s.ExecutionDeleteBefore(t.Context(), cutoff, 2)
	require.NoError(t, err)
	require.Equal(t, 2, n, "one batch of at most limit")
	n, err = s.ExecutionDeleteBefore(t.Context(), cutoff, 2)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	n, err = s.ExecutionDeleteBefore(t.Context(), cutoff, 2)
	require.NoError(t, err)
	require.Zero(t, n)

	for id, fin := range finished {
		_, err := s.ExecutionGet(t.Context(), id)
		steps, serr := s.StepExecutionList(t.Context(), id)
		require.NoError(t, serr)
		_, logTotal, lerr := s.LogList(t.Context(), id, 10, 0)
		require.NoError(t, lerr)
		if fin != nil && fin.Before(cutoff) {
			require.ErrorIs(t, err, store.ErrNotFound, id)
			require.Empty(t, steps, id)
			require.Zero(t, logTotal, id)
			continue
		}
		require.NoError(t, err, id)
		require.Len(t, steps, 1, id)
		require.Equal(t, 1, logTotal, id)
	}
}
