package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
	sqlite "modernc.org/sqlite"
)

// countingConnector counts the statements its connections prepare, to observe the cache.
type countingConnector struct {
	driver.Connector
	prepares *atomic.Int64
}

func (c countingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &countingConn{stmtConn: conn.(stmtConn), prepares: c.prepares}, nil
}

type countingConn struct {
	stmtConn
	prepares *atomic.Int64
}

func (c *countingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	c.prepares.Add(1)
	return c.stmtConn.PrepareContext(ctx, query)
}

// openCached opens a pool of conns statement-caching connections keeping size statements each,
// with a table t(k PRIMARY KEY, v).
func openCached(t *testing.T, conns, size int) (*sql.DB, *atomic.Int64) {
	t.Helper()
	base, err := sqlite.NewConnector(filepath.Join(t.TempDir(), "cache.db") +
		"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)")
	require.NoError(t, err)
	prepares := &atomic.Int64{}
	db := sql.OpenDB(newStmtCacheConnector(countingConnector{Connector: base, prepares: prepares}, size))
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	t.Cleanup(func() { require.NoError(t, db.Close()) })
	_, err = db.Exec(`CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)`)
	require.NoError(t, err)
	prepares.Store(0)
	return db, prepares
}

func TestStmtCacheReusesStatements(t *testing.T) {
	db, prepares := openCached(t, 1, 8)
	for i := range 10 {
		_, err := db.Exec(`INSERT INTO t (k, v) VALUES (?, ?)`, i, fmt.Sprint("v", i))
		require.NoError(t, err)
		var v string
		require.NoError(t, db.QueryRow(`SELECT v FROM t WHERE k = ?`, i).Scan(&v))
		require.Equal(t, fmt.Sprint("v", i), v)
	}
	require.Equal(t, int64(2), prepares.Load(), "one preparation per distinct statement")
}

func TestStmtCacheEvictsLeastRecentlyUsed(t *testing.T) {
	db, prepares := openCached(t, 1, 2)
	q := func(n int) {
		var v int
		require.NoError(t, db.QueryRow(fmt.Sprintf(`SELECT %d`, n)).Scan(&v))
		require.Equal(t, n, v)
	}
	q(1)
	q(2)
	q(1) // 1 is now the most recently used
	q(3) // evicts 2
	require.Equal(t, int64(3), prepares.Load())
	q(1)
	q(3)
	require.Equal(t, int64(3), prepares.Load(), "1 and 3 stay cached")
	q(2)
	require.Equal(t, int64(4), prepares.Load(), "2 was evicted and is prepared again")
}

func TestStmtCacheErrors(t *testing.T) {
	db, prepares := openCached(t, 1, 8)
	_, err := db.Exec(`INSERT INTO nowhere VALUES (1)`)
	require.Error(t, err, "a statement that does not prepare fails")
	ins := `INSERT INTO t (k, v) VALUES (?, ?)`
	_, err = db.Exec(ins, 1, "a")
	require.NoError(t, err)
	_, err = db.Exec(ins, 1, "b")
	require.Error(t, err, "a constraint violation is reported")
	_, err = db.Exec(ins, 2, "c")
	require.NoError(t, err, "the statement is usable after a failed run")
	var n int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM t`).Scan(&n))
	require.Equal(t, 2, n)
	require.Equal(t, int64(3), prepares.Load(), "failed preparation is not cached")
}

func TestStmtCacheNestedUseOfBusyStatement(t *testing.T) {
	db, _ := openCached(t, 1, 8)
	for i := range 3 {
		_, err := db.Exec(`INSERT INTO t (k, v) VALUES (?, 'x')`, i)
		require.NoError(t, err)
	}
	tx, err := db.Begin()
	require.NoError(t, err)
	defer func() { _ = tx.Rollback() }()
	sel := `SELECT k FROM t WHERE k >= ? ORDER BY k`
	outer, err := tx.Query(sel, 0)
	require.NoError(t, err)
	var got []int
	for outer.Next() {
		var k int
		require.NoError(t, outer.Scan(&k))
		inner, err := tx.Query(sel, k) // same SQL while the cached statement is busy
		require.NoError(t, err)
		count := 0
		for inner.Next() {
			count++
		}
		require.NoError(t, inner.Close())
		got = append(got, count)
	}
	require.NoError(t, outer.Err())
	require.NoError(t, outer.Close())
	require.Equal(t, []int{3, 2, 1}, got)
}

func TestStmtCacheColumnTypes(t *testing.T) {
	db, _ := openCached(t, 1, 8)
	rows, err := db.Query(`SELECT k, v FROM t`)
	require.NoError(t, err)
	defer rows.Close()
	types, err := rows.ColumnTypes()
	require.NoError(t, err)
	require.Equal(t, "INTEGER", types[0].DatabaseTypeName())
	require.Equal(t, "TEXT", types[1].DatabaseTypeName())
}

func TestStmtCacheConcurrentUse(t *testing.T) {
	db, _ := openCached(t, 4, 4)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			for i := range 100 {
				k := g*1000 + i
				if _, err := db.Exec(`INSERT INTO t (k, v) VALUES (?, ?)`, k, "v"); err != nil {
					errs <- err
					return
				}
				var v string
				// More distinct statements than the cache holds, to evict under load.
				q := fmt.Sprintf(`SELECT v FROM t WHERE k = ? AND %d = %d`, i%6, i%6)
				if err := db.QueryRow(q, k).Scan(&v); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	var n int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM t`).Scan(&n))
	require.Equal(t, 800, n)
}
