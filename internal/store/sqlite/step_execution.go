package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/errand-dev/errand/internal/store"
)

const stepColumns = `id, execution_id, path, step_name, step_type, attempt, seq, status,
	input, output, error, state, started_at, finished_at, duration_ms`

// stepUpsert inserts a step execution or, when (execution_id, path) exists, replaces every
// column of that row but its id, and returns the id the row has.
const stepUpsert = `INSERT INTO step_executions (` + stepColumns + `)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (execution_id, path) DO UPDATE SET
		step_name = excluded.step_name, step_type = excluded.step_type,
		attempt = excluded.attempt, seq = excluded.seq, status = excluded.status,
		input = excluded.input, output = excluded.output, error = excluded.error,
		state = excluded.state, started_at = excluded.started_at,
		finished_at = excluded.finished_at, duration_ms = excluded.duration_ms
	RETURNING id`

// scanStep reads one row selected with stepColumns.
func scanStep(row rowScanner) (*store.StepExecution, error) {
	var (
		st                          store.StepExecution
		input, output, errJSON, sta []byte
		started                     int64
		finished                    sql.NullInt64
	)
	err := row.Scan(&st.ID, &st.ExecutionID, &st.Path, &st.StepName, &st.StepType, &st.Attempt,
		&st.Seq, &st.Status, &input, &output, &errJSON, &sta, &started, &finished, &st.DurationMs)
	if err != nil {
		return nil, err
	}
	st.Input, st.Output, st.Error, st.State = jsonOf(input), jsonOf(output), jsonOf(errJSON), jsonOf(sta)
	st.StartedAt, st.FinishedAt = timeOf(started), nullTimeOf(finished)
	return &st, nil
}

// StepExecutionUpsert inserts st or replaces the record with the same (ExecutionID, Path),
// keeping that record's ID. An empty ID is set to a new UUID; st.ID ends up holding the
// stored record's ID either way. A missing execution fails with store.ErrNotFound.
func (s *Store) StepExecutionUpsert(ctx context.Context, st *store.StepExecution) error {
	id := st.ID
	if id == "" {
		id = newID()
	}
	err := s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, stepUpsert, id, st.ExecutionID, st.Path, st.StepName,
			st.StepType, st.Attempt, st.Seq, st.Status, jsonArg(st.Input), jsonArg(st.Output),
			jsonArg(st.Error), jsonArg(st.State), timeArg(st.StartedAt), nullTimeArg(st.FinishedAt),
			st.DurationMs).Scan(&id)
	})
	if err != nil {
		return fmt.Errorf("upserting step execution %q of execution %q: %w",
			st.Path, st.ExecutionID, mapError(err))
	}
	st.ID = id
	return nil
}

// StepExecutionList returns the step executions of one execution ordered by Seq, then Path.
func (s *Store) StepExecutionList(ctx context.Context, executionID string) ([]*store.StepExecution, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+stepColumns+` FROM step_executions
		WHERE execution_id = ? ORDER BY seq, path`, executionID)
	if err != nil {
		return nil, fmt.Errorf("listing step executions of execution %q: %w", executionID, err)
	}
	defer rows.Close()
	list := []*store.StepExecution{}
	for rows.Next() {
		st, err := scanStep(rows)
		if err != nil {
			return nil, fmt.Errorf("listing step executions of execution %q: %w", executionID, err)
		}
		list = append(list, st)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing step executions of execution %q: %w", executionID, err)
	}
	return list, nil
}

// StepExecutionGet returns the step execution with the given id, or store.ErrNotFound.
func (s *Store) StepExecutionGet(ctx context.Context, id string) (*store.StepExecution, error) {
	row := s.read.QueryRowContext(ctx, `SELECT `+stepColumns+` FROM step_executions WHERE id = ?`, id)
	st, err := scanStep(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("getting step execution %q: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("getting step execution %q: %w", id, err)
	}
	return st, nil
}

// workflowSteps selects the step executions of every run of a workflow.
const workflowSteps = `FROM step_executions
	WHERE execution_id IN (SELECT id FROM executions WHERE workflow_id = ?)`

// StepExecutionListByWorkflow returns one page (limit 0: 100) of the step executions of every
// run of workflow workflowID, newest StartedAt first (ties by id, descending), and how many
// there are.
func (s *Store) StepExecutionListByWorkflow(ctx context.Context, workflowID string, limit, offset int) ([]*store.StepExecution, int, error) {
	var total int
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) `+workflowSteps, workflowID).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("counting step executions of workflow %q: %w", workflowID, err)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+stepColumns+` `+workflowSteps+`
		ORDER BY started_at DESC, id DESC LIMIT ? OFFSET ?`, workflowID, pageLimit(limit), max(offset, 0))
	if err != nil {
		return nil, 0, fmt.Errorf("listing step executions of workflow %q: %w", workflowID, err)
	}
	defer rows.Close()
	list := []*store.StepExecution{}
	for rows.Next() {
		st, err := scanStep(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("listing step executions of workflow %q: %w", workflowID, err)
		}
		list = append(list, st)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("listing step executions of workflow %q: %w", workflowID, err)
	}
	return list, total, nil
}

// StepExecutionUpsertMany upserts every record in one transaction (one commit).
func (s *Store) StepExecutionUpsertMany(ctx context.Context, recs []*store.StepExecution) error {
	ids := make([]string, len(recs))
	err := s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		for i, st := range recs {
			ids[i] = st.ID
			if ids[i] == "" {
				ids[i] = newID()
			}
			err := tx.QueryRowContext(ctx, stepUpsert, ids[i], st.ExecutionID, st.Path, st.StepName,
				st.StepType, st.Attempt, st.Seq, st.Status, jsonArg(st.Input), jsonArg(st.Output),
				jsonArg(st.Error), jsonArg(st.State), timeArg(st.StartedAt), nullTimeArg(st.FinishedAt),
				st.DurationMs).Scan(&ids[i])
			if err != nil {
				return fmt.Errorf("upserting step execution %q of execution %q: %w", st.Path, st.ExecutionID, mapError(err))
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i, st := range recs {
		st.ID = ids[i]
	}
	return nil
}
