package postgres

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/store"
	"github.com/errand-dev/errand/internal/store/postgres/pgtest"
	"github.com/errand-dev/errand/internal/store/storetest"
)

// testDSN returns a DSN pointed at a fresh schema dropped when t ends.
func testDSN(t testing.TB) string {
	t.Helper()
	return pgtest.SchemaURL(t, "errand_store")
}

// postgresURL returns the test database's URL, skipping t when none is configured.
func postgresURL(t testing.TB) string {
	t.Helper()
	return pgtest.URL(t)
}

// openTest opens a store in a fresh schema and closes it when t ends.
func openTest(t testing.TB) *Store {
	t.Helper()
	s, err := Open(t.Context(), testDSN(t))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	return s
}

func TestConformance(t *testing.T) {
	postgresURL(t)
	storetest.Exercise(t, func(t *testing.T) store.Store { return openTest(t) })
}

func TestConformanceShared(t *testing.T) {
	postgresURL(t)
	storetest.ExerciseShared(t, func(t *testing.T) (store.Store, store.Store) {
		dsn := testDSN(t)
		return openDSN(t, dsn), openDSN(t, dsn)
	})
}

// openDSN opens a store on dsn and closes it when t ends.
func openDSN(t testing.TB, dsn string) *Store {
	t.Helper()
	s, err := Open(t.Context(), dsn)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	return s
}

func TestReopenKeepsDataAndSkipsAppliedMigrations(t *testing.T) {
	dsn := testDSN(t)
	s, err := Open(t.Context(), dsn)
	require.NoError(t, err)
	require.NoError(t, s.WorkflowCreate(t.Context(), &store.Workflow{ID: "wf-1", Name: "kept"}))
	require.NoError(t, s.Close())

	s, err = Open(t.Context(), dsn)
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

func TestOpenBadDSN(t *testing.T) {
	_, err := Open(t.Context(), "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=1")
	require.Error(t, err)
	require.ErrorContains(t, err, "connecting to postgres store")
}
