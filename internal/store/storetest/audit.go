package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/store"
)

var auditCases = []testCase{
	{"AppendListRoundTrip", func(t *testing.T, s store.Store) {
		e := newAuditEntry(at(0), "DELETE", "/api/workflows/workflow/wf-1")
		require.NoError(t, s.AuditAppend(t.Context(), e))
		require.NotZero(t, e.ID)
		list, total, err := s.AuditList(t.Context(), 0, 0)
		require.NoError(t, err)
		require.Equal(t, 1, total)
		require.Equal(t, []*store.AuditEntry{e}, list)
	}},
	{"AppendSetsIDsAndZeroTime", func(t *testing.T, s store.Store) {
		before := time.Now().Add(-time.Second)
		first := &store.AuditEntry{Actor: "anonymous", Method: "POST", Path: "/api/workflows", Status: 401}
		second := newAuditEntry(at(0), "PUT", "/x")
		require.NoError(t, s.AuditAppend(t.Context(), first))
		require.NoError(t, s.AuditAppend(t.Context(), second))
		require.True(t, first.Time.After(before))
		require.NotZero(t, first.ID)
		require.Greater(t, second.ID, first.ID)
		list, _, err := s.AuditList(t.Context(), 0, 0)
		require.NoError(t, err)
		require.Equal(t, []*store.AuditEntry{first, second}, list)
	}},
	{"ListOrderAndPages", testAuditList},
	{"ListDefaultLimit", func(t *testing.T, s store.Store) {
		for i := range 105 {
			require.NoError(t, s.AuditAppend(t.Context(), newAuditEntry(at(time.Duration(i)*time.Second), "POST", "/p")))
		}
		list, total, err := s.AuditList(t.Context(), 0, 0)
		require.NoError(t, err)
		require.Equal(t, 105, total)
		require.Len(t, list, 100)
		require.Equal(t, at(104*time.Second), list[0].Time)
	}},
}

// newAuditEntry returns an audit entry with every field but ID set.
func newAuditEntry(when time.Time, method, path string) *store.AuditEntry {
	return &store.AuditEntry{
		Time: when, Actor: "k-1 (ci deploys)", Method: method, Path: path, Resource: "wf-1",
		Status: 200, RemoteAddr: "192.0.2.7:51234", RequestID: "req-" + method + path,
	}
}

func testAuditList(t *testing.T, s store.Store) {
	list, total, err := s.AuditList(t.Context(), 0, 0)
	require.NoError(t, err)
	require.Zero(t, total)
	require.Empty(t, list)
	// Appended out of time order; entries 2 and 3 share a time.
	times := []time.Duration{time.Second, 3 * time.Second, 2 * time.Second, 2 * time.Second, 0}
	for i, d := range times {
		require.NoError(t, s.AuditAppend(t.Context(), newAuditEntry(at(d), "POST", fmt.Sprint("/", i))))
	}
	tests := []struct {
		name          string
		limit, offset int
		wantPaths     []string
	}{
		{"all, newest first, ties last appended first", 0, 0, []string{"/1", "/3", "/2", "/0", "/4"}},
		{"first page", 2, 0, []string{"/1", "/3"}},
		{"second page", 2, 2, []string{"/2", "/0"}},
		{"last page", 2, 4, []string{"/4"}},
		{"past the end", 2, 10, []string{}},
		{"negative offset", 1, -3, []string{"/1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			list, total, err := s.AuditList(t.Context(), tc.limit, tc.offset)
			require.NoError(t, err)
			require.Equal(t, len(times), total)
			paths := make([]string, 0, len(list))
			for _, e := range list {
				paths = append(paths, e.Path)
			}
			require.Equal(t, tc.wantPaths, paths)
		})
	}
}
