package queue

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver
)

// BenchmarkRiverSQLite measures River alone on SQLite (a worker that does nothing), to
// separate River's own cost from the queue's and the store's. "plain" opens the database
// like the store does; "stmtcache" adds a per-connection cache of prepared statements,
// because modernc.org/sqlite parses every statement on every call and River's SQLite
// completer runs one large UPDATE per finished job.
func BenchmarkRiverSQLite(b *testing.B) {
	for _, cached := range []bool{false, true} {
		name := map[bool]string{false: "plain", true: "stmtcache"}[cached]
		b.Run(name, func(b *testing.B) { benchRiverSQLite(b, openRawSQLite(b, cached)) })
	}
}

func benchRiverSQLite(b *testing.B, db *sql.DB) {
	ctx := context.Background()
	driver := riversqlite.New(db)
	require.NoError(b, migrateRiver(ctx, driver, slog.New(slog.NewTextHandler(io.Discard, nil))))
	var count atomic.Int64
	done := make(chan struct{})
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(context.Context, *river.Job[executionArgs]) error {
		if count.Add(1) == int64(b.N) {
			close(done)
		}
		return nil
	}))
	client, err := river.NewClient(driver, &river.Config{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Workers: workers,
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 100}},
		FetchPollInterval: 50 * time.Millisecond, FetchCooldown: 2 * time.Millisecond,
	})
	require.NoError(b, err)
	params := make([]river.InsertManyParams, b.N)
	for i := range params {
		params[i] = river.InsertManyParams{Args: executionArgs{ExecutionID: fmt.Sprint(i)}}
	}
	for chunk := range slicesChunk(params, 1000) {
		_, err := client.InsertMany(ctx, chunk)
		require.NoError(b, err)
	}
	b.ResetTimer()
	start := time.Now()
	require.NoError(b, client.Start(ctx))
	<-done
	elapsed := time.Since(start)
	b.StopTimer()
	require.NoError(b, client.Stop(ctx))
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "jobs/s")
}

// slicesChunk yields s in chunks of at most n.
func slicesChunk[T any](s []T, n int) func(func([]T) bool) {
	return func(yield func([]T) bool) {
		for i := 0; i < len(s); i += n {
			if !yield(s[i:min(i+n, len(s))]) {
				return
			}
		}
	}
}

// openRawSQLite opens a SQLite file with one connection and the store's pragmas, with or
// without the statement cache.
func openRawSQLite(b *testing.B, cached bool) *sql.DB {
	dsn := filepath.Join(b.TempDir(), "river.db") + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
		"&_pragma=synchronous(NORMAL)&_pragma=temp_store(MEMORY)&_pragma=cache_size(-16000)&_txlock=immediate"
	plain, err := sql.Open("sqlite", dsn)
	require.NoError(b, err)
	db := plain
	if cached {
		db = sql.OpenDB(&cachingConnector{drv: plain.Driver(), dsn: dsn})
		b.Cleanup(func() { _ = plain.Close() })
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	b.Cleanup(func() { _ = db.Close() })
	return db
}

// cachingConnector opens connections that keep every single statement they run prepared.
type cachingConnector struct {
	drv driver.Driver
	dsn string
}

func (c *cachingConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return &cachingConn{Conn: conn, stmts: map[string]*cachedStmt{}}, nil
}

func (c *cachingConnector) Driver() driver.Driver { return c.drv }

// cachingConn runs queries through prepared statements kept per SQL text.
type cachingConn struct {
	driver.Conn
	mu    sync.Mutex
	stmts map[string]*cachedStmt
}

// cachedStmt is a prepared statement and whether open rows still use it.
type cachedStmt struct {
	stmt driver.Stmt
	busy bool
}

// take returns the cached statement of query, preparing it, or nil when it cannot be used
// now (rows of it are still open, or the cache is full).
func (c *cachingConn) take(ctx context.Context, query string) (*cachedStmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.stmts[query]; ok {
		if s.busy {
			return nil, nil
		}
		s.busy = true
		return s, nil
	}
	if len(c.stmts) >= 512 {
		return nil, nil
	}
	st, err := c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	s := &cachedStmt{stmt: st, busy: true}
	c.stmts[query] = s
	return s, nil
}

func (c *cachingConn) free(s *cachedStmt) {
	c.mu.Lock()
	s.busy = false
	c.mu.Unlock()
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	s, err := c.take(ctx, query)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return c.Conn.(driver.ExecerContext).ExecContext(ctx, query, args)
	}
	defer c.free(s)
	return s.stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	s, err := c.take(ctx, query)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return c.Conn.(driver.QueryerContext).QueryContext(ctx, query, args)
	}
	rows, err := s.stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		c.free(s)
		return nil, err
	}
	return &cachedRows{Rows: rows, release: func() { c.free(s) }}, nil
}

func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

func (c *cachingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
}

func (c *cachingConn) ResetSession(ctx context.Context) error {
	return c.Conn.(driver.SessionResetter).ResetSession(ctx)
}

func (c *cachingConn) Close() error {
	c.mu.Lock()
	for _, s := range c.stmts {
		_ = s.stmt.Close()
	}
	c.mu.Unlock()
	return c.Conn.Close()
}

// cachedRows frees its statement when closed.
type cachedRows struct {
	driver.Rows
	once    sync.Once
	release func()
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	r.once.Do(r.release)
	return err
}
