package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// TickClaim claims the tick at `at` of trigger key of workflow workflowID. The tick's primary
// key decides: the one insert that lands wins, on this node or any other sharing the database;
// every other caller gets false and no error.
func (s *Store) TickClaim(ctx context.Context, workflowID, key string, at time.Time) (bool, error) {
	res, err := s.exec(ctx, `INSERT INTO trigger_ticks
		(workflow_id, trigger_key, tick_at, execution_id, claimed_at) VALUES (?, ?, ?, '', ?)
		ON CONFLICT (workflow_id, trigger_key, tick_at) DO NOTHING`,
		workflowID, key, timeArg(at), now())
	if err != nil {
		return false, fmt.Errorf("claiming tick %s of trigger %q of workflow %q: %w",
			at.UTC().Format(time.RFC3339Nano), key, workflowID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("claiming tick %s of trigger %q of workflow %q: counting rows: %w",
			at.UTC().Format(time.RFC3339Nano), key, workflowID, err)
	}
	return n == 1, nil
}

// TickSetExecution records the execution that the claimed tick started. A tick that was never
// claimed fails with store.ErrNotFound.
func (s *Store) TickSetExecution(ctx context.Context, workflowID, key string, at time.Time, executionID string) error {
	res, err := s.exec(ctx, `UPDATE trigger_ticks SET execution_id = ?
		WHERE workflow_id = ? AND trigger_key = ? AND tick_at = ?`,
		executionID, workflowID, key, timeArg(at))
	if err := expectOne(res, err); err != nil {
		return fmt.Errorf("setting execution %q of tick %s of trigger %q of workflow %q: %w",
			executionID, at.UTC().Format(time.RFC3339Nano), key, workflowID, err)
	}
	return nil
}

// TickLast returns the latest claimed tick of trigger key of workflow workflowID, or the zero
// time when none was claimed.
func (s *Store) TickLast(ctx context.Context, workflowID, key string) (time.Time, error) {
	var last sql.NullTime
	err := s.queryRow(ctx, `SELECT max(tick_at) FROM trigger_ticks
		WHERE workflow_id = ? AND trigger_key = ?`, workflowID, key).Scan(&last)
	if err != nil {
		return time.Time{}, fmt.Errorf("getting last tick of trigger %q of workflow %q: %w", key, workflowID, err)
	}
	if !last.Valid {
		return time.Time{}, nil
	}
	return timeOf(last.Time), nil
}

// TickPrune deletes the ticks claimed before `before`, except each trigger's latest one.
func (s *Store) TickPrune(ctx context.Context, before time.Time) (int, error) {
	res, err := s.exec(ctx, `DELETE FROM trigger_ticks t WHERE t.tick_at < ? AND EXISTS (
		SELECT 1 FROM trigger_ticks n WHERE n.workflow_id = t.workflow_id
		AND n.trigger_key = t.trigger_key AND n.tick_at > t.tick_at)`, timeArg(before))
	if err != nil {
		return 0, fmt.Errorf("pruning ticks before %s: %w", before.Format(time.RFC3339), err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("pruning ticks: %w", err)
	}
	return int(n), nil
}
