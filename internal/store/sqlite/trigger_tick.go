package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// TickClaim claims the tick at `at` of trigger key of workflow workflowID. The tick's primary
// key decides: the one insert that lands wins, on this store or on any other handle of the
// same file; every other caller gets false and no error.
func (s *Store) TickClaim(ctx context.Context, workflowID, key string, at time.Time) (bool, error) {
	var n int64
	err := s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO trigger_ticks
			(workflow_id, trigger_key, tick_at, execution_id, claimed_at) VALUES (?, ?, ?, '', ?)
			ON CONFLICT (workflow_id, trigger_key, tick_at) DO NOTHING`,
			workflowID, key, timeArg(at), timeArg(now()))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("claiming tick %s of trigger %q of workflow %q: %w",
			at.UTC().Format(time.RFC3339Nano), key, workflowID, err)
	}
	return n == 1, nil
}

// TickSetExecution records the execution that the claimed tick started. A tick that was never
// claimed fails with store.ErrNotFound.
func (s *Store) TickSetExecution(ctx context.Context, workflowID, key string, at time.Time, executionID string) error {
	err := s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE trigger_ticks SET execution_id = ?
			WHERE workflow_id = ? AND trigger_key = ? AND tick_at = ?`,
			executionID, workflowID, key, timeArg(at))
		return expectOne(res, err)
	})
	if err != nil {
		return fmt.Errorf("setting execution %q of tick %s of trigger %q of workflow %q: %w",
			executionID, at.UTC().Format(time.RFC3339Nano), key, workflowID, err)
	}
	return nil
}

// TickLast returns the latest claimed tick of trigger key of workflow workflowID, or the zero
// time when none was claimed.
func (s *Store) TickLast(ctx context.Context, workflowID, key string) (time.Time, error) {
	var last sql.NullInt64
	err := s.read.QueryRowContext(ctx, `SELECT max(tick_at) FROM trigger_ticks
		WHERE workflow_id = ? AND trigger_key = ?`, workflowID, key).Scan(&last)
	if err != nil {
		return time.Time{}, fmt.Errorf("getting last tick of trigger %q of workflow %q: %w", key, workflowID, err)
	}
	if !last.Valid {
		return time.Time{}, nil
	}
	return timeOf(last.Int64), nil
}

// TickPrune deletes the ticks claimed before `before`, except each trigger's latest one.
func (s *Store) TickPrune(ctx context.Context, before time.Time) (int, error) {
	var n int64
	err := s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, tickPrune, timeArg(before))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("pruning ticks before %s: %w", before.Format(time.RFC3339), err)
	}
	return int(n), nil
}

// tickPrune keeps the latest tick of every trigger: the scheduler reads it to know which
// ticks ran.
const tickPrune = `DELETE FROM trigger_ticks WHERE tick_at < ? AND EXISTS (
	SELECT 1 FROM trigger_ticks n WHERE n.workflow_id = trigger_ticks.workflow_id
	AND n.trigger_key = trigger_ticks.trigger_key AND n.tick_at > trigger_ticks.tick_at)`
