package queue

import (
	"context"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/store"
	"github.com/errand-dev/errand/internal/store/postgres"
	"github.com/errand-dev/errand/internal/store/postgres/pgtest"
)

// postgresURLEnv names the variable holding the URL of a PostgreSQL database tests may use.
const postgresURLEnv = "ERRAND_TEST_POSTGRES_URL"

// postgresBackend returns the PostgreSQL backend when ERRAND_TEST_POSTGRES_URL is set and nil
// otherwise (the SQLite tests still run; the PostgreSQL ones are skipped with it unset).
func postgresBackend() *backend {
	base := os.Getenv(postgresURLEnv)
	if base == "" {
		return nil
	}
	return &backend{name: "postgres", open: func(t testing.TB) store.Store { return openPostgres(t, base) }}
}

// openPostgres opens a store in a fresh schema (search_path in the DSN) dropped at cleanup.
func openPostgres(t testing.TB, _ string) store.Store {
	st, err := postgres.Open(context.Background(), pgtest.SchemaURL(t, "errand_queue_test"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	return st
}

func TestPostgresConfigured(t *testing.T) {
	if postgresBackend() == nil {
		t.Skip(postgresURLEnv + " is not set; the queue tests ran on SQLite only")
	}
}
