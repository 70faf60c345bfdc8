package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/errand-dev/errand/internal/store/sqlquery"

	"github.com/errand-dev/errand/internal/store"
)

const executionColumns = `id, workflow_id, workflow_name, yaml, status, inputs, event, output,
	error, metadata, triggered_by, executed_by, is_test_run, concurrency_key,
	parent_execution_id, cancel_requested, created_at, started_at, finished_at, resume_at,
	lease_owner, lease_until`

// scanExecution reads one row selected with executionColumns.
func scanExecution(row rowScanner) (*store.Execution, error) {
	var (
		e                                   store.Execution
		inputs, event, output, errJSON, md  []byte
		testRun, cancel                     int
		created                             int64
		started, finished, resume, leaseEnd sql.NullInt64
	)
	err := row.Scan(&e.ID, &e.WorkflowID, &e.WorkflowName, &e.YAML, &e.Status, &inputs, &event,
		&output, &errJSON, &md, &e.TriggeredBy, &e.ExecutedBy, &testRun, &e.ConcurrencyKey,
		&e.ParentExecutionID, &cancel, &created, &started, &finished, &resume,
		&e.LeaseOwner, &leaseEnd)
	if err != nil {
		return nil, err
	}
	e.Inputs, e.Event, e.Output = jsonOf(inputs), jsonOf(event), jsonOf(output)
	e.Error, e.Metadata = jsonOf(errJSON), jsonOf(md)
	e.IsTestRun, e.CancelRequested = testRun != 0, cancel != 0
	e.CreatedAt = timeOf(created)
	e.StartedAt, e.FinishedAt = nullTimeOf(started), nullTimeOf(finished)
	e.ResumeAt, e.LeaseUntil = nullTimeOf(resume), nullTimeOf(leaseEnd)
	return &e, nil
}

// ExecutionCreate inserts p.Execution and runs p.InTx in the same transaction; nothing is
// written when either fails. An empty ID is set to a new UUID and a zero CreatedAt to now
// (both written back). A duplicate id fails with store.ErrConflict. InTx must use the
// transaction it is given, never DB(): the write pool has a single connection.
func (s *Store) ExecutionCreate(ctx context.Context, p store.ExecutionCreateParams) error {
	e := p.Execution
	if e.ID == "" {
		e.ID = newID()
	}
	if e.CreatedAt.IsZero() {
		e.CreatedAt = now()
	}
	err := s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO executions (`+executionColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.ID, e.WorkflowID, e.WorkflowName, e.YAML, e.Status, jsonArg(e.Inputs),
			jsonArg(e.Event), jsonArg(e.Output), jsonArg(e.Error), jsonArg(e.Metadata),
			e.TriggeredBy, e.ExecutedBy, boolArg(e.IsTestRun), e.ConcurrencyKey,
			e.ParentExecutionID, boolArg(e.CancelRequested), timeArg(e.CreatedAt),
			nullTimeArg(e.StartedAt), nullTimeArg(e.FinishedAt), nullTimeArg(e.ResumeAt),
			e.LeaseOwner, nullTimeArg(e.LeaseUntil))
		if err != nil {
			return mapError(err)
		}
		if p.InTx != nil {
			if err := p.InTx(ctx, tx); err != nil {
				return fmt.Errorf("running the transaction hook: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("creating execution %q: %w", e.ID, err)
	}
	return nil
}

// ExecutionGet returns the execution with the given id, or store.ErrNotFound.
func (s *Store) ExecutionGet(ctx context.Context, id string) (*store.Execution, error) {
	row := s.read.QueryRowContext(ctx, `SELECT `+executionColumns+` FROM executions WHERE id = ?`, id)
	e, err := scanExecution(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("getting execution %q: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("getting execution %q: %w", id, err)
	}
	return e, nil
}

// ExecutionUpdate sets the non-nil fields of p on execution p.ID. It fails with
// store.ErrNotFound when the execution does not exist and with store.ErrConflict when
// p.IfStatusIn is set and the current status is not in it.
func (s *Store) ExecutionUpdate(ctx context.Context, p store.ExecutionUpdateParams) error {
	set, args := sqlquery.ExecutionSet(p, codec{})
	query := `UPDATE executions SET ` + set + ` WHERE id = ?`
	args = append(args, p.ID)
	if len(p.IfStatusIn) > 0 {
		query += ` AND status IN (` + placeholders(len(p.IfStatusIn)) + `)`
		for _, st := range p.IfStatusIn {
			args = append(args, st)
		}
	}
	err := s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, query, args...)
		if err = expectOne(res, err); !errors.Is(err, store.ErrNotFound) {
			return err
		}
		var one int
		err = tx.QueryRowContext(ctx, `SELECT 1 FROM executions WHERE id = ?`, p.ID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return err
		}
		return store.ErrConflict
	})
	if err != nil {
		return fmt.Errorf("updating execution %q: %w", p.ID, err)
	}
	return nil
}

// ExecutionList returns one page of executions, newest first, and the number matching the
// filter.
func (s *Store) ExecutionList(ctx context.Context, p store.ExecutionListParams) ([]*store.Execution, int, error) {
	where, args := sqlquery.ExecutionWhere(p, codec{})
	var total int
	err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM executions `+where, args...).Scan(&total)
	if err != nil {
		return nil, 0, fmt.Errorf("counting executions: %w", err)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+executionColumns+` FROM executions `+where+
		` ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`,
		append(args, pageLimit(p.Limit), max(p.Offset, 0))...)
	if err != nil {
		return nil, 0, fmt.Errorf("listing executions: %w", err)
	}
	list, err := collectExecutions(rows)
	if err != nil {
		return nil, 0, fmt.Errorf("listing executions: %w", err)
	}
	return list, total, nil
}

// collectExecutions scans and closes rows.
func collectExecutions(rows *sql.Rows) ([]*store.Execution, error) {
	defer rows.Close()
	list := []*store.Execution{}
	for rows.Next() {
		e, err := scanExecution(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, e)
	}
	return list, rows.Err()
}
