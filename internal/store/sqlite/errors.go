package sqlite

import (
	"errors"

	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/errand-dev/errand/internal/store"
)

// errBadPath is returned by Open for paths that do not name a file (in-memory databases
// cannot be shared between the read and the write pool).
var errBadPath = errors.New("path must name a database file")

// errStoreClosed is returned by writes submitted after Close.
var errStoreClosed = errors.New("sqlite store closed")

// errConnInterfaces is returned when the SQLite driver opens a connection that lacks the
// optional database/sql interfaces the statement cache forwards.
var errConnInterfaces = errors.New("sqlite connection lacks the expected driver interfaces")

// mapError turns constraint violations into the store's sentinels (joined with the driver
// error so both stay inspectable) and returns other errors unchanged.
func mapError(err error) error {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return err
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY, sqlite3.SQLITE_CONSTRAINT_UNIQUE:
		return errors.Join(store.ErrConflict, err)
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return errors.Join(store.ErrNotFound, err)
	}
	return err
}
