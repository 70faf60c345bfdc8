package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/errand-dev/errand/internal/store"
)

const apiKeyColumns = `id, name, role, hash, created_at, created_by, expires_at, revoked_at, last_used_at`

// scanAPIKey reads one row selected with apiKeyColumns.
func scanAPIKey(row rowScanner) (*store.APIKey, error) {
	var (
		k                         store.APIKey
		created                   int64
		expires, revoked, lastUse sql.NullInt64
	)
	err := row.Scan(&k.ID, &k.Name, &k.Role, &k.Hash, &created, &k.CreatedBy, &expires, &revoked, &lastUse)
	if err != nil {
		return nil, err
	}
	k.CreatedAt = timeOf(created)
	k.ExpiresAt, k.RevokedAt, k.LastUsedAt = nullTimeOf(expires), nullTimeOf(revoked), nullTimeOf(lastUse)
	return &k, nil
}

// APIKeyCreate inserts k. A zero CreatedAt is set to now (written back into k); a duplicate
// id fails with store.ErrConflict.
func (s *Store) APIKeyCreate(ctx context.Context, k *store.APIKey) error {
	if k.CreatedAt.IsZero() {
		k.CreatedAt = now()
	}
	err := s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO api_keys (`+apiKeyColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			k.ID, k.Name, k.Role, blobArg(k.Hash), timeArg(k.CreatedAt), k.CreatedBy,
			nullTimeArg(k.ExpiresAt), nullTimeArg(k.RevokedAt), nullTimeArg(k.LastUsedAt))
		return mapError(err)
	})
	if err != nil {
		return fmt.Errorf("creating api key %q: %w", k.ID, err)
	}
	return nil
}

// APIKeyGet returns the API key with the given id, or store.ErrNotFound.
func (s *Store) APIKeyGet(ctx context.Context, id string) (*store.APIKey, error) {
	row := s.read.QueryRowContext(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE id = ?`, id)
	k, err := scanAPIKey(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("getting api key %q: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("getting api key %q: %w", id, err)
	}
	return k, nil
}

// APIKeyList returns every API key, revoked and expired ones included, oldest first.
func (s *Store) APIKeyList(ctx context.Context) ([]*store.APIKey, error) {
	rows, err := s.read.QueryContext(ctx,
		`SELECT `+apiKeyColumns+` FROM api_keys ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("listing api keys: %w", err)
	}
	defer rows.Close()
	list := []*store.APIKey{}
	for rows.Next() {
		k, err := scanAPIKey(rows)
		if err != nil {
			return nil, fmt.Errorf("listing api keys: %w", err)
		}
		list = append(list, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing api keys: %w", err)
	}
	return list, nil
}

// APIKeyRevoke sets the revocation time of key id to at unless it is already revoked (the
// first revocation stands). A missing key fails with store.ErrNotFound.
func (s *Store) APIKeyRevoke(ctx context.Context, id string, at time.Time) error {
	err := s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx,
			`UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?`, timeArg(at), id)
		return expectOne(res, err)
	})
	if err != nil {
		return fmt.Errorf("revoking api key %q: %w", id, err)
	}
	return nil
}

// APIKeyTouch moves the last use of key id forward to at (an earlier time leaves it as it
// is). A missing key fails with store.ErrNotFound.
func (s *Store) APIKeyTouch(ctx context.Context, id string, at time.Time) error {
	err := s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx,
			`UPDATE api_keys SET last_used_at = max(coalesce(last_used_at, ?1), ?1) WHERE id = ?2`,
			timeArg(at), id)
		return expectOne(res, err)
	})
	if err != nil {
		return fmt.Errorf("touching api key %q: %w", id, err)
	}
	return nil
}
