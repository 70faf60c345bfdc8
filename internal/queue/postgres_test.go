package queue

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/store"
	"github.com/errand-dev/errand/internal/store/postgres"
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
func openPostgres(t testing.TB, base string) store.Store {
	b := make([]byte, 8)
	_, err := rand.Read(b)
	require.NoError(t, err)
	schema := "errand_queue_test_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	require.NoError(t, err)
	_, err = admin.ExecContext(context.Background(), `CREATE SCHEMA `+schema)
	require.NoError(t, err)
	t.Cleanup(func() {
		_, err := admin.ExecContext(context.Background(), `DROP SCHEMA `+schema+` CASCADE`)
		require.NoError(t, err)
		require.NoError(t, admin.Close())
	})
	u, err := url.Parse(base)
	require.NoError(t, err)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	st, err := postgres.Open(context.Background(), u.String())
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	return st
}

func TestPostgresConfigured(t *testing.T) {
	if postgresBackend() == nil {
		t.Skip(postgresURLEnv + " is not set; the queue tests ran on SQLite only")
	}
}
