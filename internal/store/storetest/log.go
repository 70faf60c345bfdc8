package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/store"
)

var logCases = []testCase{
	{"AppendAndList", testLogAppendList},
	{"AppendSetsZeroTimestamp", func(t *testing.T, s store.Store) {
		mustCreateExecution(t, s, newBareExecution("ex-1", "wf-1", store.StatusRunning, at(0)))
		before := time.Now().Add(-time.Second)
		e := &store.LogEntry{ExecutionID: "ex-1", Level: "info", Message: "hello"}
		require.NoError(t, s.LogAppend(t.Context(), []*store.LogEntry{e}))
		require.True(t, e.Timestamp.After(before))
		list, _, err := s.LogList(t.Context(), "ex-1", 0, 0)
		require.NoError(t, err)
		require.Len(t, list, 1)
		require.WithinDuration(t, e.Timestamp, list[0].Timestamp, time.Microsecond)
	}},
	{"AppendNothing", func(t *testing.T, s store.Store) {
		require.NoError(t, s.LogAppend(t.Context(), nil))
	}},
	{"AppendIsAtomic", func(t *testing.T, s store.Store) {
		mustCreateExecution(t, s, newBareExecution("ex-1", "wf-1", store.StatusRunning, at(0)))
		err := s.LogAppend(t.Context(), []*store.LogEntry{
			{ExecutionID: "ex-1", Level: "info", Message: "kept?", Timestamp: at(0)},
			{ExecutionID: "nope", Level: "info", Message: "orphan", Timestamp: at(0)},
		})
		require.ErrorIs(t, err, store.ErrNotFound)
		_, total, err := s.LogList(t.Context(), "ex-1", 0, 0)
		require.NoError(t, err)
		require.Zero(t, total)
	}},
	{"ListMissingExecution", func(t *testing.T, s store.Store) {
		list, total, err := s.LogList(t.Context(), "nope", 10, 0)
		require.NoError(t, err)
		require.Empty(t, list)
		require.Zero(t, total)
	}},
}

func testLogAppendList(t *testing.T, s store.Store) {
	mustCreateExecution(t, s, newBareExecution("ex-1", "wf-1", store.StatusRunning, at(0)))
	mustCreateExecution(t, s, newBareExecution("ex-2", "wf-1", store.StatusRunning, at(0)))
	var want []*store.LogEntry
	for batch := range 3 {
		var entries []*store.LogEntry
		for i := range 4 {
			n := batch*4 + i
			entries = append(entries, &store.LogEntry{
				ExecutionID: "ex-1", StepPath: seqID("step", n), StepName: "fetch",
				Level: "info", Message: seqID("line", n), Data: raw(fmt.Sprintf(`{"n": %d}`, n)),
				// Timestamps deliberately go backwards: the log keeps append order.
				Timestamp: at(-time.Duration(n) * time.Millisecond),
			})
		}
		entries[0].Data = nil
		require.NoError(t, s.LogAppend(t.Context(), entries))
		require.NoError(t, s.LogAppend(t.Context(), []*store.LogEntry{
			{ExecutionID: "ex-2", Level: "error", Message: "other", Timestamp: at(0)},
		}))
		want = append(want, entries...)
	}
	for i := 1; i < len(want); i++ {
		require.Greater(t, want[i].ID, want[i-1].ID, "IDs are written back and grow")
	}
	tests := []struct {
		name          string
		limit, offset int
		want          []*store.LogEntry
	}{
		{"all", 0, 0, want},
		{"page", 5, 3, want[3:8]},
		{"last page", 5, 10, want[10:]},
		{"past end", 5, 20, []*store.LogEntry{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			list, total, err := s.LogList(t.Context(), "ex-1", tc.limit, tc.offset)
			require.NoError(t, err)
			require.Equal(t, 12, total)
			require.Equal(t, tc.want, list)
		})
	}
}
