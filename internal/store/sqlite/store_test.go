package sqlite

import (
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/store"
	"github.com/errand-dev/errand/internal/store/storetest"
)

// openTest opens a store in a fresh temporary directory and closes it when t ends.
func openTest(t testing.TB) *Store {
	t.Helper()
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "data", "errand.db"))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Exercise(t, func(t *testing.T) store.Store { return openTest(t) })
}

func TestConformanceShared(t *testing.T) {
	storetest.ExerciseShared(t, func(t *testing.T) (store.Store, store.Store) {
		path := filepath.Join(t.TempDir(), "errand.db")
		return openPath(t, path), openPath(t, path)
	})
}

// openPath opens the store at path and closes it when t ends.
func openPath(t testing.TB, path string) *Store {
	t.Helper()
	s, err := Open(t.Context(), path)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	return s
}

func TestReopenKeepsDataAndSkipsAppliedMigrations(t *testing.T) {
	path := filepath.Join(t.TempDir(), "errand.db")
	s, err := Open(t.Context(), path)
	require.NoError(t, err)
	require.NoError(t, s.WorkflowCreate(t.Context(), &store.Workflow{ID: "wf-1", Name: "kept"}))
	require.NoError(t, s.Close())

	s, err = Open(t.Context(), path)
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Close()) }()
	w, err := s.WorkflowGet(t.Context(), "wf-1")
	require.NoError(t, err)
	require.Equal(t, "kept", w.Name)
	var applied int
	require.NoError(t, s.DB().QueryRowContext(t.Context(),
		`SELECT count(*) FROM `+migrationsTable+` WHERE version_id > 0`).Scan(&applied))
	require.Equal(t, migrationCount(t), applied)
}

func TestOpenSetsPragmas(t *testing.T) {
	s := openTest(t)
	tests := []struct {
		db     *sql.DB
		pragma string
		want   string
	}{
		{s.write, "journal_mode", "wal"},
		{s.write, "synchronous", "1"},
		{s.write, "foreign_keys", "1"},
		{s.write, "busy_timeout", "10000"},
		{s.write, "query_only", "0"},
		{s.read, "journal_mode", "wal"},
		{s.read, "query_only", "1"},
		{s.read, "busy_timeout", "10000"},
	}
	for _, tc := range tests {
		var got string
		require.NoError(t, tc.db.QueryRowContext(t.Context(), "PRAGMA "+tc.pragma).Scan(&got))
		require.Equal(t, tc.want, got, tc.pragma)
	}
}

func TestOpenRejectsNonFilePaths(t *testing.T) {
	for _, path := range []string{"", ":memory:", "file::memory:?cache=shared"} {
		_, err := Open(t.Context(), path)
		require.ErrorIs(t, err, errBadPath, path)
	}
}
