package sqlite

import (
	"container/list"
	"context"
	"database/sql/driver"
	"errors"
	"reflect"
	"sync"
)

// stmtCacheSize is how many prepared statements each connection keeps. The store and River
// together run a few dozen distinct statements; the bound only matters for generated SQL
// (filters, IN lists), whose rarely used variants are evicted first.
const stmtCacheSize = 256

// stmtCacheConnector opens connections that keep the statements they run prepared, keyed
// by SQL text. modernc.org/sqlite parses a statement on every Exec and Query that does not
// go through a prepared statement, and parsing costs as much as running a small statement;
// River issues all of its SQL through plain Exec and Query calls, so the cache has to sit
// below database/sql to reach it.
type stmtCacheConnector struct {
	driver.Connector
	size int
}

// newStmtCacheConnector wraps base so that each of its connections caches up to size
// prepared statements.
func newStmtCacheConnector(base driver.Connector, size int) *stmtCacheConnector {
	return &stmtCacheConnector{Connector: base, size: size}
}

// Connect opens a connection of the base connector with an empty statement cache.
func (c *stmtCacheConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	inner, ok := conn.(stmtConn)
	if !ok {
		_ = conn.Close()
		return nil, errConnInterfaces
	}
	return &stmtCacheConn{stmtConn: inner, size: c.size, byQuery: map[string]*list.Element{}, lru: list.New()}, nil
}

// stmtConn is the set of optional interfaces every modernc.org/sqlite connection implements
// and a wrapper must forward (see sqlite.NewConnector).
type stmtConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// stmtCacheConn runs Exec and Query through prepared statements kept in a bounded LRU cache.
// A statement whose rows are still open is busy: a second use of the same SQL meanwhile (a
// nested query in a transaction) runs unprepared, and an evicted busy statement is closed
// when its rows close.
type stmtCacheConn struct {
	stmtConn
	size int

	mu      sync.Mutex
	byQuery map[string]*list.Element // values are *cachedStmt
	lru     *list.List               // most recently used first
	closed  bool
}

// cachedStmt is one prepared statement of the cache.
type cachedStmt struct {
	query   string
	stmt    driver.Stmt
	busy    bool
	evicted bool
}

// Unwrap returns the wrapped connection (sqlite.Limit looks through wrappers with it).
func (c *stmtCacheConn) Unwrap() driver.Conn { return c.stmtConn }

// take returns the cached statement of query marked busy, preparing and caching it when it
// is missing, or nil when the cached one is busy.
func (c *stmtCacheConn) take(ctx context.Context, query string) (*cachedStmt, error) {
	c.mu.Lock()
	if el, ok := c.byQuery[query]; ok {
		s := el.Value.(*cachedStmt)
		if s.busy {
			c.mu.Unlock()
			return nil, nil
		}
		s.busy = true
		c.lru.MoveToFront(el)
		c.mu.Unlock()
		return s, nil
	}
	c.mu.Unlock()
	st, err := c.stmtConn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	s := &cachedStmt{query: query, stmt: st, busy: true}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.byQuery[query]; ok || c.closed {
		s.evicted = true // raced with another preparation of the same SQL: use it once
		return s, nil
	}
	c.byQuery[query] = c.lru.PushFront(s)
	c.evictLocked()
	return s, nil
}

// evictLocked drops the least recently used statements beyond the cache size, closing the
// idle ones now and the busy ones when they are freed.
func (c *stmtCacheConn) evictLocked() {
	for c.lru.Len() > c.size {
		el := c.lru.Back()
		s := c.lru.Remove(el).(*cachedStmt)
		delete(c.byQuery, s.query)
		s.evicted = true
		if !s.busy {
			_ = s.stmt.Close()
		}
	}
}

// free marks s idle again, closing it when it was evicted while busy.
func (c *stmtCacheConn) free(s *cachedStmt) {
	c.mu.Lock()
	s.busy = false
	evicted := s.evicted
	c.mu.Unlock()
	if evicted {
		_ = s.stmt.Close()
	}
}

// ExecContext runs query through its cached prepared statement.
func (c *stmtCacheConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	s, err := c.take(ctx, query)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return c.stmtConn.ExecContext(ctx, query, args)
	}
	defer c.free(s)
	return s.stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

// QueryContext runs query through its cached prepared statement, which stays busy until the
// returned rows are closed.
func (c *stmtCacheConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	s, err := c.take(ctx, query)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return c.stmtConn.QueryContext(ctx, query, args)
	}
	rows, err := s.stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		c.free(s)
		return nil, err
	}
	return &cachedRows{Rows: rows, release: func() { c.free(s) }}, nil
}

// Close closes every cached statement, then the connection.
func (c *stmtCacheConn) Close() error {
	c.mu.Lock()
	c.closed = true
	var errs []error
	for el := c.lru.Front(); el != nil; el = el.Next() {
		s := el.Value.(*cachedStmt)
		s.evicted = true
		if !s.busy {
			errs = append(errs, s.stmt.Close())
		}
	}
	c.byQuery, c.lru = map[string]*list.Element{}, list.New()
	c.mu.Unlock()
	return errors.Join(append(errs, c.stmtConn.Close())...)
}

// cachedRows frees its statement once when closed. It forwards the column type interfaces
// of the driver's rows so that sql.Rows.ColumnTypes keeps working.
type cachedRows struct {
	driver.Rows
	once    sync.Once
	release func()
}

// driverRows is what modernc.org/sqlite rows implement besides driver.Rows.
type driverRows interface {
	driver.RowsColumnTypeDatabaseTypeName
	driver.RowsColumnTypeLength
	driver.RowsColumnTypeNullable
	driver.RowsColumnTypePrecisionScale
	driver.RowsColumnTypeScanType
}

// ColumnTypeDatabaseTypeName forwards to the driver's rows.
func (r *cachedRows) ColumnTypeDatabaseTypeName(i int) string {
	if x, ok := r.Rows.(driverRows); ok {
		return x.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

// ColumnTypeLength forwards to the driver's rows.
func (r *cachedRows) ColumnTypeLength(i int) (int64, bool) {
	if x, ok := r.Rows.(driverRows); ok {
		return x.ColumnTypeLength(i)
	}
	return 0, false
}

// ColumnTypeNullable forwards to the driver's rows.
func (r *cachedRows) ColumnTypeNullable(i int) (bool, bool) {
	if x, ok := r.Rows.(driverRows); ok {
		return x.ColumnTypeNullable(i)
	}
	return false, false
}

// ColumnTypePrecisionScale forwards to the driver's rows.
func (r *cachedRows) ColumnTypePrecisionScale(i int) (int64, int64, bool) {
	if x, ok := r.Rows.(driverRows); ok {
		return x.ColumnTypePrecisionScale(i)
	}
	return 0, 0, false
}

// ColumnTypeScanType forwards to the driver's rows.
func (r *cachedRows) ColumnTypeScanType(i int) reflect.Type {
	if x, ok := r.Rows.(driverRows); ok {
		return x.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}

// Close closes the rows and frees their statement for the next use.
func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	r.once.Do(r.release)
	return err
}
