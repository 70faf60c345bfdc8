package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/errand-dev/errand/internal/store"
)

const workflowColumns = `id, name, description, enabled, valid, yaml, tags,
	created_at, created_by, updated_at, updated_by`

// scanWorkflow reads one row selected with workflowColumns.
func scanWorkflow(row rowScanner) (*store.Workflow, error) {
	var (
		w                  store.Workflow
		tags               []byte
		created, updated   int64
		enabled, validFlag int
	)
	err := row.Scan(&w.ID, &w.Name, &w.Description, &enabled, &validFlag, &w.YAML, &tags,
		&created, &w.CreatedBy, &updated, &w.UpdatedBy)
	if err != nil {
		return nil, err
	}
	if w.Tags, err = tagsOf(tags); err != nil {
		return nil, err
	}
	w.Enabled, w.Valid = enabled != 0, validFlag != 0
	w.CreatedAt, w.UpdatedAt = timeOf(created), timeOf(updated)
	return &w, nil
}

// WorkflowCreate inserts w. A zero CreatedAt or UpdatedAt is set to now (written back into w);
// a duplicate id fails with store.ErrConflict.
func (s *Store) WorkflowCreate(ctx context.Context, w *store.Workflow) error {
	if w.CreatedAt.IsZero() {
		w.CreatedAt = now()
	}
	if w.UpdatedAt.IsZero() {
		w.UpdatedAt = w.CreatedAt
	}
	tags, err := tagsArg(w.Tags)
	if err != nil {
		return fmt.Errorf("creating workflow %q: %w", w.ID, err)
	}
	_, err = s.write.ExecContext(ctx, `INSERT INTO workflows (`+workflowColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		w.ID, w.Name, w.Description, boolArg(w.Enabled), boolArg(w.Valid), w.YAML, tags,
		timeArg(w.CreatedAt), w.CreatedBy, timeArg(w.UpdatedAt), w.UpdatedBy)
	if err != nil {
		return fmt.Errorf("creating workflow %q: %w", w.ID, mapError(err))
	}
	return nil
}

// WorkflowGet returns the workflow with the given id, or store.ErrNotFound.
func (s *Store) WorkflowGet(ctx context.Context, id string) (*store.Workflow, error) {
	row := s.read.QueryRowContext(ctx, `SELECT `+workflowColumns+` FROM workflows WHERE id = ?`, id)
	w, err := scanWorkflow(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("getting workflow %q: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("getting workflow %q: %w", id, err)
	}
	return w, nil
}

// WorkflowGetByName returns the only workflow named name: store.ErrNotFound when there is
// none, store.ErrAmbiguous when there are several.
func (s *Store) WorkflowGetByName(ctx context.Context, name string) (*store.Workflow, error) {
	rows, err := s.read.QueryContext(ctx,
		`SELECT `+workflowColumns+` FROM workflows WHERE name = ? ORDER BY id LIMIT 2`, name)
	if err != nil {
		return nil, fmt.Errorf("getting workflow by name %q: %w", name, err)
	}
	list, err := collectWorkflows(rows)
	if err != nil {
		return nil, fmt.Errorf("getting workflow by name %q: %w", name, err)
	}
	switch len(list) {
	case 0:
		return nil, fmt.Errorf("getting workflow by name %q: %w", name, store.ErrNotFound)
	case 1:
		return list[0], nil
	}
	return nil, fmt.Errorf("getting workflow by name %q: %w", name, store.ErrAmbiguous)
}

// WorkflowUpdate replaces every field of the workflow w.ID except CreatedAt and CreatedBy. A
// zero UpdatedAt is set to now (written back into w). It fails with store.ErrNotFound when
// the workflow does not exist.
func (s *Store) WorkflowUpdate(ctx context.Context, w *store.Workflow) error {
	if w.UpdatedAt.IsZero() {
		w.UpdatedAt = now()
	}
	tags, err := tagsArg(w.Tags)
	if err != nil {
		return fmt.Errorf("updating workflow %q: %w", w.ID, err)
	}
	res, err := s.write.ExecContext(ctx, `UPDATE workflows SET name = ?, description = ?,
		enabled = ?, valid = ?, yaml = ?, tags = ?, updated_at = ?, updated_by = ? WHERE id = ?`,
		w.Name, w.Description, boolArg(w.Enabled), boolArg(w.Valid), w.YAML, tags,
		timeArg(w.UpdatedAt), w.UpdatedBy, w.ID)
	if err := expectOne(res, err); err != nil {
		return fmt.Errorf("updating workflow %q: %w", w.ID, err)
	}
	return nil
}

// WorkflowDelete deletes the workflow with the given id, or fails with store.ErrNotFound.
// Its executions stay: they carry their own copy of the YAML.
func (s *Store) WorkflowDelete(ctx context.Context, id string) error {
	res, err := s.write.ExecContext(ctx, `DELETE FROM workflows WHERE id = ?`, id)
	if err := expectOne(res, err); err != nil {
		return fmt.Errorf("deleting workflow %q: %w", id, err)
	}
	return nil
}

// WorkflowList returns one page of workflows ordered by name ignoring ASCII case, and the number of
// workflows matching the filter. Query matches a substring of the name or the description,
// ignoring ASCII case.
func (s *Store) WorkflowList(ctx context.Context, p store.WorkflowListParams) ([]*store.Workflow, int, error) {
	where, args := "WHERE 1 = 1", []any{}
	if p.Query != "" {
		where += ` AND (name LIKE ? ESCAPE '\' OR description LIKE ? ESCAPE '\')`
		args = append(args, likePattern(p.Query), likePattern(p.Query))
	}
	if p.Enabled != nil {
		where += " AND enabled = ?"
		args = append(args, boolArg(*p.Enabled))
	}
	var total int
	err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM workflows `+where, args...).Scan(&total)
	if err != nil {
		return nil, 0, fmt.Errorf("counting workflows: %w", err)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+workflowColumns+` FROM workflows `+where+
		` ORDER BY lower(name), name, id LIMIT ? OFFSET ?`, append(args, pageLimit(p.Limit), max(p.Offset, 0))...)
	if err != nil {
		return nil, 0, fmt.Errorf("listing workflows: %w", err)
	}
	list, err := collectWorkflows(rows)
	if err != nil {
		return nil, 0, fmt.Errorf("listing workflows: %w", err)
	}
	return list, total, nil
}

// collectWorkflows scans and closes rows.
func collectWorkflows(rows *sql.Rows) ([]*store.Workflow, error) {
	defer rows.Close()
	list := []*store.Workflow{}
	for rows.Next() {
		w, err := scanWorkflow(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, w)
	}
	return list, rows.Err()
}

// expectOne turns the result of a statement that must touch exactly one row into an error:
// store.ErrNotFound when it touched none.
func expectOne(res sql.Result, err error) error {
	if err != nil {
		return mapError(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("counting affected rows: %w", err)
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}
