package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/store"
)

// Concurrency sizes: many executions writing step records at once, as a busy node does.
const (
	concurrentWriters = 50
	upsertsPerWriter  = 200
)

var concurrencyCases = []testCase{
	{"StepUpserts", testConcurrentStepUpserts},
	{"LeaseRace", testConcurrentLeaseRace},
	{"MixedWork", testConcurrentMixedWork},
}

// runAll runs fn(i) for i in [0, n) on n goroutines and returns their errors joined.
func runAll(n int, fn func(i int) error) error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = fn(i) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// testConcurrentStepUpserts has 50 goroutines each upsert 200 step records (every path twice:
// first running, then completed) while reading their own steps back; no error may surface.
func testConcurrentStepUpserts(t *testing.T, s store.Store) {
	for w := range concurrentWriters {
		mustCreateExecution(t, s, newBareExecution(seqID("ex", w), "wf-1", store.StatusRunning, at(0)))
	}
	err := runAll(concurrentWriters, func(w int) error {
		exID := seqID("ex", w)
		for i := range upsertsPerWriter {
			st := newStep(exID, seqID("p", i/2), i/2)
			if i%2 == 0 {
				st.Status, st.FinishedAt, st.Output = store.StatusRunning, nil, nil
			}
			if err := s.StepExecutionUpsert(t.Context(), st); err != nil {
				return fmt.Errorf("writer %d upsert %d: %w", w, i, err)
			}
			if i%50 == 49 {
				if _, err := s.StepExecutionList(t.Context(), exID); err != nil {
					return fmt.Errorf("writer %d list: %w", w, err)
				}
			}
		}
		return nil
	})
	require.NoError(t, err)
	for w := range concurrentWriters {
		list, err := s.StepExecutionList(t.Context(), seqID("ex", w))
		require.NoError(t, err)
		require.Len(t, list, upsertsPerWriter/2)
		for i, st := range list {
			require.Equal(t, i, st.Seq)
			require.Equal(t, store.StatusCompleted, st.Status)
		}
	}
}

// testConcurrentLeaseRace has many owners try to lease one free execution at once: exactly
// one wins, every other gets store.ErrLeased.
func testConcurrentLeaseRace(t *testing.T, s store.Store) {
	const owners = 20
	for round := range 5 {
		id := seqID("ex", round)
		mustCreateExecution(t, s, newBareExecution(id, "wf-1", store.StatusRunning, at(0)))
		until := time.Now().Add(time.Hour)
		var mu sync.Mutex
		var winners []string
		err := runAll(owners, func(i int) error {
			owner := seqID("node", i)
			err := s.ExecutionLease(t.Context(), id, owner, until)
			if errors.Is(err, store.ErrLeased) {
				return nil
			}
			if err == nil {
				mu.Lock()
				winners = append(winners, owner)
				mu.Unlock()
			}
			return err
		})
		require.NoError(t, err)
		require.Len(t, winners, 1)
		owner, _ := leaseOf(t, s, id)
		require.Equal(t, winners[0], owner)
	}
}

// testConcurrentMixedWork runs whole executions concurrently: create, lease, conditional
// status updates, steps, logs, listing.
func testConcurrentMixedWork(t *testing.T, s store.Store) {
	const runs = 40
	err := runAll(runs, func(i int) error {
		id := seqID("ex", i)
		ctx := t.Context()
		e := newBareExecution(id, seqID("wf", i%4), store.StatusPending, at(time.Duration(i)*time.Millisecond))
		if err := s.ExecutionCreate(ctx, store.ExecutionCreateParams{Execution: e}); err != nil {
			return err
		}
		if err := s.ExecutionLease(ctx, id, "node", time.Now().Add(time.Minute)); err != nil {
			return err
		}
		if err := s.ExecutionUpdate(ctx, store.ExecutionUpdateParams{ID: id,
			Status: ptr(store.StatusRunning), IfStatusIn: []string{store.StatusPending}}); err != nil {
			return err
		}
		for j := range 10 {
			if err := s.StepExecutionUpsert(ctx, newStep(id, seqID("s", j), j)); err != nil {
				return err
			}
			if err := s.LogAppend(ctx, []*store.LogEntry{{ExecutionID: id, Level: "info", Message: "step"}}); err != nil {
				return err
			}
		}
		if _, _, err := s.ExecutionList(ctx, store.ExecutionListParams{WorkflowID: e.WorkflowID}); err != nil {
			return err
		}
		if err := s.ExecutionUpdate(ctx, store.ExecutionUpdateParams{ID: id, Status: ptr(store.StatusCompleted),
			FinishedAt: ptr(at(time.Hour)), IfStatusIn: []string{store.StatusRunning}}); err != nil {
			return err
		}
		return s.ExecutionRelease(ctx, id, "node")
	})
	require.NoError(t, err)
	list, total, err := s.ExecutionList(t.Context(), store.ExecutionListParams{Statuses: []string{store.StatusCompleted}})
	require.NoError(t, err)
	require.Equal(t, runs, total)
	require.Len(t, list, runs)
	n, err := s.ExecutionRenewLeases(t.Context(), "node", time.Now().Add(time.Hour))
	require.NoError(t, err)
	require.Zero(t, n, "every lease was released")
}
