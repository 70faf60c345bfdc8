// Package pgtest gives a test a PostgreSQL schema of its own, so tests, packages and reruns
// sharing the test database never see each other's rows. Every package whose tests use
// PostgreSQL calls it instead of writing the schema set-up again.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver

	"github.com/stretchr/testify/require"
)

// EnvURL names the variable that holds the test database's URL; CI sets it.
const EnvURL = "ERRAND_TEST_POSTGRES_URL"

// URL returns the test database's URL, or skips t saying that the variable is unset.
func URL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		t.Skip(EnvURL + " is not set; skipping the PostgreSQL tests")
	}
	return base
}

// Schema creates a schema with a random name (prefix_<hex>), dropped when t ends, and
// returns a DSN whose search_path points at it, and the schema's name. t is skipped when no
// test database is configured.
func Schema(t testing.TB, prefix string) (dsn, schema string) {
	t.Helper()
	base := URL(t)
	b := make([]byte, 8)
	_, err := rand.Read(b)
	require.NoError(t, err)
	schema = prefix + "_" + hex.EncodeToString(b)
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
	return u.String(), schema
}

// SchemaURL is Schema without the schema's name.
func SchemaURL(t testing.TB, prefix string) string {
	t.Helper()
	dsn, _ := Schema(t, prefix)
	return dsn
}
