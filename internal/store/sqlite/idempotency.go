package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// deleteBatch bounds how many rows one statement of a bulk delete removes, so that the single
// writer is never held for long.
const deleteBatch = 1000

// idempotencyUpsert inserts a claim or replaces an expired one (the WHERE of DO UPDATE); it
// returns a row only when the caller's claim was written.
const idempotencyUpsert = `INSERT INTO idempotency_keys
	(scope, key, execution_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)
	ON CONFLICT (scope, key) DO UPDATE SET execution_id = excluded.execution_id,
		created_at = excluded.created_at, expires_at = excluded.expires_at
	WHERE idempotency_keys.expires_at <= ?
	RETURNING execution_id`

// IdempotencyClaim claims key within scope for executionID until expiresAt. When an unexpired
// claim exists it returns that claim's execution id and false; otherwise it writes the claim
// (replacing an expired one) and returns "" and true. Claim and check run in one write
// transaction, so concurrent callers, on any handle of the file, see exactly one winner.
func (s *Store) IdempotencyClaim(ctx context.Context, scope, key, executionID string, now, expiresAt time.Time) (string, bool, error) {
	var existing string
	claimed := false
	err := s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var got string
		err := tx.QueryRowContext(ctx, idempotencyUpsert, scope, key, executionID, timeArg(now),
			timeArg(expiresAt), timeArg(now)).Scan(&got)
		if err == nil {
			claimed = true
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT execution_id FROM idempotency_keys
			WHERE scope = ? AND key = ?`, scope, key).Scan(&existing)
	})
	if err != nil {
		return "", false, fmt.Errorf("claiming idempotency key %q of %q: %w", key, scope, err)
	}
	return existing, claimed, nil
}

// IdempotencyRelease drops the claim of key within scope; a missing claim is not an error.
func (s *Store) IdempotencyRelease(ctx context.Context, scope, key string) error {
	err := s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE scope = ? AND key = ?`, scope, key)
		return err
	})
	if err != nil {
		return fmt.Errorf("releasing idempotency key %q of %q: %w", key, scope, err)
	}
	return nil
}

// IdempotencyDeleteExpired deletes the claims that expired at or before now, in batches of
// deleteBatch (each its own transaction), and returns how many it deleted.
func (s *Store) IdempotencyDeleteExpired(ctx context.Context, now time.Time) (int, error) {
	total := 0
	for {
		var n int64
		err := s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE rowid IN (
				SELECT rowid FROM idempotency_keys WHERE expires_at <= ? LIMIT ?)`,
				timeArg(now), deleteBatch)
			if err != nil {
				return err
			}
			n, err = res.RowsAffected()
			return err
		})
		if err != nil {
			return total, fmt.Errorf("deleting idempotency keys expired by %s: %w",
				now.UTC().Format(time.RFC3339Nano), err)
		}
		total += int(n)
		if n < deleteBatch {
			return total, nil
		}
	}
}
