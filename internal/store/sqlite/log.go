package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/errand-dev/errand/internal/store"
)

const logColumns = `id, execution_id, step_path, step_name, level, message, data, ts`

// logInsert appends one log entry and returns its id.
const logInsert = `INSERT INTO execution_logs
	(execution_id, step_path, step_name, level, message, data, ts)
	VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`

// LogAppend inserts entries in one transaction, setting each entry's ID (and a zero Timestamp
// to now). A missing execution fails with store.ErrNotFound and nothing is written.
func (s *Store) LogAppend(ctx context.Context, entries []*store.LogEntry) error {
	if len(entries) == 0 {
		return nil
	}
	ts := now()
	err := s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		for _, e := range entries {
			if e.Timestamp.IsZero() {
				e.Timestamp = ts
			}
			err := tx.QueryRowContext(ctx, logInsert, e.ExecutionID, e.StepPath, e.StepName, e.Level,
				e.Message, jsonArg(e.Data), timeArg(e.Timestamp)).Scan(&e.ID)
			if err != nil {
				return mapError(err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("appending %d log entries of execution %q: %w",
			len(entries), entries[0].ExecutionID, err)
	}
	return nil
}

// LogList returns one page (limit 0: 100) of an execution's log in the order it was appended,
// and the number of entries the execution has.
func (s *Store) LogList(ctx context.Context, executionID string, limit, offset int) ([]*store.LogEntry, int, error) {
	var total int
	err := s.read.QueryRowContext(ctx,
		`SELECT count(*) FROM execution_logs WHERE execution_id = ?`, executionID).Scan(&total)
	if err != nil {
		return nil, 0, fmt.Errorf("counting log entries of execution %q: %w", executionID, err)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+logColumns+` FROM execution_logs
		WHERE execution_id = ? ORDER BY id LIMIT ? OFFSET ?`,
		executionID, pageLimit(limit), max(offset, 0))
	if err != nil {
		return nil, 0, fmt.Errorf("listing log entries of execution %q: %w", executionID, err)
	}
	defer rows.Close()
	list := []*store.LogEntry{}
	for rows.Next() {
		var (
			e    store.LogEntry
			data []byte
			ts   int64
		)
		err := rows.Scan(&e.ID, &e.ExecutionID, &e.StepPath, &e.StepName, &e.Level, &e.Message, &data, &ts)
		if err != nil {
			return nil, 0, fmt.Errorf("listing log entries of execution %q: %w", executionID, err)
		}
		e.Data, e.Timestamp = jsonOf(data), timeOf(ts)
		list = append(list, &e)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("listing log entries of execution %q: %w", executionID, err)
	}
	return list, total, nil
}
