package postgres

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/errand-dev/errand/internal/store"
)

// PostgreSQL error codes the store maps to its sentinels.
const (
	codeUniqueViolation     = "23505"
	codeForeignKeyViolation = "23503"
)

// errClaimVanished is returned when IdempotencyClaim keeps losing to claims that disappear
// before it can read them.
var errClaimVanished = errors.New("the competing claim vanished on every attempt")

// mapError turns constraint violations into the store's sentinels (joined with the driver
// error so both stay inspectable) and returns other errors unchanged.
func mapError(err error) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return err
	}
	switch pe.Code {
	case codeUniqueViolation:
		return errors.Join(store.ErrConflict, err)
	case codeForeignKeyViolation:
		return errors.Join(store.ErrNotFound, err)
	}
	return err
}
