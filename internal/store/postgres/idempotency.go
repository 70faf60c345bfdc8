package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// deleteBatch bounds how many rows one statement of a bulk delete removes, so that no
// statement holds many row locks for long.
const deleteBatch = 1000

// maxClaimAttempts bounds the retries of IdempotencyClaim when the claim it lost to vanishes
// (released or deleted) before it could be read.
const maxClaimAttempts = 5

// idempotencyUpsert inserts a claim or replaces an expired one (the WHERE of DO UPDATE); it
// returns a row only when the caller's claim was written. PostgreSQL makes a concurrent
// insert of the same key wait for the first one's commit, then apply the WHERE to it.
const idempotencyUpsert = `INSERT INTO idempotency_keys
	(scope, key, execution_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)
	ON CONFLICT (scope, key) DO UPDATE SET execution_id = excluded.execution_id,
		created_at = excluded.created_at, expires_at = excluded.expires_at
	WHERE idempotency_keys.expires_at <= ?
	RETURNING execution_id`

// IdempotencyClaim claims key within scope for executionID until expiresAt. When an unexpired
// claim exists it returns that claim's execution id and false; otherwise it writes the claim
// (replacing an expired one) and returns "" and true. The upsert is atomic, so concurrent
// callers on every node sharing the database see exactly one winner.
func (s *Store) IdempotencyClaim(ctx context.Context, scope, key, executionID string, now, expiresAt time.Time) (string, bool, error) {
	for range maxClaimAttempts {
		var got string
		err := s.queryRow(ctx, idempotencyUpsert, scope, key, executionID, timeArg(now),
			timeArg(expiresAt), timeArg(now)).Scan(&got)
		if err == nil {
			return "", true, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return "", false, fmt.Errorf("claiming idempotency key %q of %q: %w", key, scope, err)
		}
		// An unexpired claim stood in the way; read whose it is (a new statement sees it).
		err = s.queryRow(ctx, `SELECT execution_id FROM idempotency_keys
			WHERE scope = ? AND key = ?`, scope, key).Scan(&got)
		if err == nil {
			return got, false, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return "", false, fmt.Errorf("claiming idempotency key %q of %q: %w", key, scope, err)
		}
	}
	return "", false, fmt.Errorf("claiming idempotency key %q of %q: %w", key, scope, errClaimVanished)
}

// IdempotencyRelease drops the claim of key within scope; a missing claim is not an error.
func (s *Store) IdempotencyRelease(ctx context.Context, scope, key string) error {
	_, err := s.exec(ctx, `DELETE FROM idempotency_keys WHERE scope = ? AND key = ?`, scope, key)
	if err != nil {
		return fmt.Errorf("releasing idempotency key %q of %q: %w", key, scope, err)
	}
	return nil
}

// IdempotencyDeleteExpired deletes the claims that expired at or before now, in batches of
// deleteBatch, and returns how many it deleted.
func (s *Store) IdempotencyDeleteExpired(ctx context.Context, now time.Time) (int, error) {
	total := 0
	for {
		res, err := s.exec(ctx, `DELETE FROM idempotency_keys WHERE (scope, key) IN (
			SELECT scope, key FROM idempotency_keys WHERE expires_at <= ? LIMIT ?)`,
			timeArg(now), deleteBatch)
		if err != nil {
			return total, fmt.Errorf("deleting idempotency keys expired by %s: %w",
				now.UTC().Format(time.RFC3339Nano), err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, fmt.Errorf("deleting idempotency keys expired by %s: counting rows: %w",
				now.UTC().Format(time.RFC3339Nano), err)
		}
		total += int(n)
		if n < deleteBatch {
			return total, nil
		}
	}
}
