// Package sqlite is Errand's embedded store driver: one SQLite file in WAL mode, written
// through a single connection (SQLite allows one writer at a time, so queueing writers in
// the Go pool is cheaper than letting them collide and retry on SQLITE_BUSY) and read
// through a separate pool of read-only connections that never block the writer.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/pressly/goose/v3"
	sqlite "modernc.org/sqlite"

	"github.com/errand-dev/errand/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrationsTable is goose's version table, named so it cannot clash with River's tables.
const migrationsTable = "errand_migrations"

// busyTimeoutMs is how long a connection waits on a lock held by another process (the CLI on
// the same file, a backup) before failing with SQLITE_BUSY. Within one process the single
// write connection serialises writers, so it only matters across processes.
const busyTimeoutMs = 10000

// Store is the SQLite implementation of store.Store. Both pools keep the statements they run
// prepared (see stmtCacheConnector): parsing a statement costs about as much as running it.
type Store struct {
	write   *sql.DB // one connection: every write and every write transaction
	read    *sql.DB // query_only connections for reads
	commits *groupCommitter
}

var _ store.Store = (*Store)(nil)

// Open opens (creating it and its directory when missing) the SQLite database at path, applies
// the embedded migrations and returns a Store ready for concurrent use.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" || strings.HasPrefix(path, ":memory:") || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("opening sqlite store %q: %w", path, errBadPath)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("creating directory of sqlite store %q: %w", path, err)
	}
	write, err := openPool(path, 1, "_txlock=immediate")
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, write); err != nil {
		_ = write.Close()
		return nil, fmt.Errorf("migrating sqlite store %q: %w", path, err)
	}
	readers := max(4, runtime.GOMAXPROCS(0))
	read, err := openPool(path, readers, "_pragma=query_only(1)")
	if err != nil {
		_ = write.Close()
		return nil, err
	}
	if err := read.PingContext(ctx); err != nil {
		_ = write.Close()
		_ = read.Close()
		return nil, fmt.Errorf("connecting to sqlite store %q: %w", path, err)
	}
	s := &Store{write: write, read: read, commits: newGroupCommitter(write)}
	s.commits.start()
	return s, nil
}

// openPool opens a database/sql pool of at most size statement-caching connections on path
// with the pragmas every connection needs plus extra DSN parameters.
func openPool(path string, size int, extra string) (*sql.DB, error) {
	dsn := path + "?_pragma=busy_timeout(" + fmt.Sprint(busyTimeoutMs) + ")" +
		"&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)" +
		"&_pragma=temp_store(MEMORY)&_pragma=cache_size(-16000)&" + extra
	base, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, fmt.Errorf("opening sqlite database %q: %w", path, err)
	}
	db := sql.OpenDB(newStmtCacheConnector(base, stmtCacheSize))
	db.SetMaxOpenConns(size)
	db.SetMaxIdleConns(size)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	return db, nil
}

// migrate applies the embedded migrations that are not applied yet.
func migrate(ctx context.Context, db *sql.DB) error {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	provider, err := goose.NewProvider(goose.DialectSQLite3, db, fsys,
		goose.WithTableName(migrationsTable), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return fmt.Errorf("creating migration provider: %w", err)
	}
	if _, err := provider.Up(ctx); err != nil {
		return fmt.Errorf("applying migrations: %w", err)
	}
	return nil
}

// DB returns the write pool (one connection), which the queue shares for its own tables.
// A caller holding a transaction on it must not use DB() again until it ends.
func (s *Store) DB() *sql.DB { return s.write }

// Dialect returns "sqlite".
func (s *Store) Dialect() string { return "sqlite" }

// Close stops the group committer and closes both pools (and with their connections the
// cached statements).
func (s *Store) Close() error {
	s.commits.stop()
	return errors.Join(s.read.Close(), s.write.Close())
}

// inTx runs fn in a write transaction (BEGIN IMMEDIATE), shared with the writes of concurrent
// callers (see groupCommitter), and returns once fn's changes are committed or dropped: fn's
// error drops them alone. fn gets a context that is not cancelled with ctx, and must not end
// the transaction.
func (s *Store) inTx(ctx context.Context, fn txFunc) error {
	return s.commits.submit(ctx, fn)
}
