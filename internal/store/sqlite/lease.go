package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/errand-dev/errand/internal/store"
)

// ExecutionLease gives owner the lease of execution id until the given time. It succeeds when
// nobody holds the lease, when owner holds it (a renewal) or when the holder's lease has
// expired (compared with this process's clock); otherwise it fails with store.ErrLeased. A
// missing execution fails with store.ErrNotFound.
func (s *Store) ExecutionLease(ctx context.Context, id, owner string, until time.Time) error {
	err := s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE executions SET lease_owner = ?, lease_until = ?
			WHERE id = ? AND (lease_owner = '' OR lease_owner = ? OR lease_until IS NULL
				OR lease_until <= ?)`,
			owner, timeArg(until), id, owner, timeArg(now()))
		if err = expectOne(res, err); !errors.Is(err, store.ErrNotFound) {
			return err
		}
		var one int
		err = tx.QueryRowContext(ctx, `SELECT 1 FROM executions WHERE id = ?`, id).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return err
		}
		return store.ErrLeased
	})
	if err != nil {
		return fmt.Errorf("leasing execution %q for %q: %w", id, owner, err)
	}
	return nil
}

// ExecutionRelease drops owner's lease on execution id. It does nothing (and returns nil)
// when owner does not hold it or the execution does not exist.
func (s *Store) ExecutionRelease(ctx context.Context, id, owner string) error {
	err := s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE executions SET lease_owner = '', lease_until = NULL
			WHERE id = ? AND lease_owner = ?`, id, owner)
		return err
	})
	if err != nil {
		return fmt.Errorf("releasing execution %q for %q: %w", id, owner, err)
	}
	return nil
}

// ExecutionRenewLeases moves every lease owner holds to until and returns how many it moved.
func (s *Store) ExecutionRenewLeases(ctx context.Context, owner string, until time.Time) (int, error) {
	if owner == "" {
		return 0, nil
	}
	var n int64
	err := s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx,
			`UPDATE executions SET lease_until = ? WHERE lease_owner = ?`, timeArg(until), owner)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("renewing leases of %q: %w", owner, err)
	}
	return int(n), nil
}

// ExecutionListOrphaned lists up to limit (0: 100) executions in status running whose lease
// ended at or before now, the longest expired first. Executions without a lease are not
// listed: a worker takes the lease before it marks an execution running.
func (s *Store) ExecutionListOrphaned(ctx context.Context, now time.Time, limit int) ([]*store.Execution, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+executionColumns+` FROM executions
		WHERE status = ? AND lease_until <= ? ORDER BY lease_until, id LIMIT ?`,
		store.StatusRunning, timeArg(now), pageLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("listing orphaned executions: %w", err)
	}
	list, err := collectExecutions(rows)
	if err != nil {
		return nil, fmt.Errorf("listing orphaned executions: %w", err)
	}
	return list, nil
}

// ExecutionDeleteBefore deletes up to limit (0: 100) executions that finished before the given
// time, oldest first, with their step executions and logs, and returns how many executions it
// deleted. Callers loop until it returns fewer than limit.
func (s *Store) ExecutionDeleteBefore(ctx context.Context, before time.Time, limit int) (int, error) {
	res, err := s.write.ExecContext(ctx, `DELETE FROM executions WHERE id IN (
		SELECT id FROM executions WHERE finished_at < ? ORDER BY finished_at LIMIT ?)`,
		timeArg(before), pageLimit(limit))
	if err != nil {
		return 0, fmt.Errorf("deleting executions finished before %s: %w", before.Format(time.RFC3339), err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("deleting executions finished before %s: counting rows: %w",
			before.Format(time.RFC3339), err)
	}
	return int(n), nil
}
