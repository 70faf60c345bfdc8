// Package postgres is Errand's PostgreSQL store driver, for several nodes sharing the work.
// It goes through database/sql with pgx's stdlib driver, so the queue (River) can share the
// pool and the transactions. Leases and conditional updates are single UPDATE statements,
// which PostgreSQL serialises per row, so nodes never need a lock of their own.
//
// Every write is its own autocommit statement, so its latency is bounded below by the
// server's WAL flush. Operators who accept losing the last fraction of a second of step
// records on a server crash (the database stays consistent; replayed steps run again) can add
// synchronous_commit=off to the DSN, which pgx sends as a session setting.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/errand-dev/errand/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrationsTable is goose's version table, named so it cannot clash with River's tables.
const migrationsTable = "errand_migrations"

// Pool sizing: enough connections for a node's workers, the API and the queue together,
// well below PostgreSQL's default max_connections (100) so several nodes fit.
const (
	maxOpenConns    = 20
	maxIdleConns    = 10
	connMaxIdleTime = 5 * time.Minute
	connMaxLifetime = 30 * time.Minute
)

// Store is the PostgreSQL implementation of store.Store.
type Store struct {
	db *sql.DB
}

var _ store.Store = (*Store)(nil)

// Open connects to the database at dsn (a postgres:// URL or key=value string; search_path
// may be set in it), applies the embedded migrations under an advisory lock (so nodes
// starting together migrate once) and returns a Store ready for concurrent use.
func Open(ctx context.Context, dsn string) (*Store, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("opening postgres store: %w", err)
	}
	db.SetMaxOpenConns(maxOpenConns)
	db.SetMaxIdleConns(maxIdleConns)
	db.SetConnMaxIdleTime(connMaxIdleTime)
	db.SetConnMaxLifetime(connMaxLifetime)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("connecting to postgres store: %w", err)
	}
	if err := migrate(ctx, db); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("migrating postgres store: %w", err)
	}
	return &Store{db: db}, nil
}

// migrate applies the embedded migrations that are not applied yet.
func migrate(ctx context.Context, db *sql.DB) error {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return fmt.Errorf("creating migration lock: %w", err)
	}
	provider, err := goose.NewProvider(goose.DialectPostgres, db, fsys,
		goose.WithTableName(migrationsTable), goose.WithDisableGlobalRegistry(true),
		goose.WithSessionLocker(locker))
	if err != nil {
		return fmt.Errorf("creating migration provider: %w", err)
	}
	if _, err := provider.Up(ctx); err != nil {
		return fmt.Errorf("applying migrations: %w", err)
	}
	return nil
}

// DB returns the connection pool, which the queue shares for its own tables.
func (s *Store) DB() *sql.DB { return s.db }

// Dialect returns "postgres".
func (s *Store) Dialect() string { return "postgres" }

// Close closes the pool.
func (s *Store) Close() error { return s.db.Close() }

// exec runs a statement written with '?' placeholders.
func (s *Store) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return s.db.ExecContext(ctx, rebind(query), args...)
}

// query runs a query written with '?' placeholders.
func (s *Store) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return s.db.QueryContext(ctx, rebind(query), args...)
}

// queryRow runs a single-row query written with '?' placeholders.
func (s *Store) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return s.db.QueryRowContext(ctx, rebind(query), args...)
}

// inTx runs fn in a transaction and commits it when fn succeeds.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("beginning transaction: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("committing transaction: %w", err)
	}
	return nil
}
