package auth

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the pgx driver for the schema admin connection
	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/store"
	"github.com/errand-dev/errand/internal/store/postgres"
	"github.com/errand-dev/errand/internal/store/postgres/pgtest"
	"github.com/errand-dev/errand/internal/store/sqlite"
)

// namedStore is a real store under test.
type namedStore struct {
	name string
	st   store.Store
}

// stores opens a fresh SQLite store, and a PostgreSQL one in its own schema when
// ERRAND_TEST_POSTGRES_URL is set.
func stores(t *testing.T) []namedStore {
	lite, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "errand.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = lite.Close() })
	out := []namedStore{{"sqlite", lite}}
	if base := os.Getenv("ERRAND_TEST_POSTGRES_URL"); base != "" {
		out = append(out, namedStore{"postgres", openPostgres(t, base)})
	}
	return out
}

// openPostgres opens a store in a fresh schema, dropped when t ends.
func openPostgres(t *testing.T, _ string) store.Store {
	st, err := postgres.Open(t.Context(), pgtest.SchemaURL(t, "errand_auth_test"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// clock is an injected clock the tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

// newClock starts at a whole second, which every store keeps exactly.
func newClock() *clock {
	return &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// request builds a request from addr carrying the Authorization header (none when empty).
func request(addr, authorization string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/api/workflows", nil)
	r.RemoteAddr = addr + ":51234"
	if authorization != "" {
		r.Header.Set("Authorization", authorization)
	}
	return r
}
