package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/errand-dev/errand/internal/store"
)

const auditColumns = `id, ts, actor, method, path, resource, status, remote_addr, request_id`

// AuditAppend inserts e and sets its ID; a zero Time is set to now (written back into e).
func (s *Store) AuditAppend(ctx context.Context, e *store.AuditEntry) error {
	if e.Time.IsZero() {
		e.Time = now()
	}
	var id int64
	err := s.queryRow(ctx, `INSERT INTO audit_log
		(ts, actor, method, path, resource, status, remote_addr, request_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		timeArg(e.Time), e.Actor, e.Method, e.Path, e.Resource, e.Status, e.RemoteAddr,
		e.RequestID).Scan(&id)
	if err != nil {
		return fmt.Errorf("appending audit entry %s %s by %q: %w", e.Method, e.Path, e.Actor, err)
	}
	e.ID = id
	return nil
}

// AuditList returns one page (limit 0: 100) of the audit log, newest first (ties: the last
// appended first), and the number of entries.
func (s *Store) AuditList(ctx context.Context, limit, offset int) ([]*store.AuditEntry, int, error) {
	var total int
	if err := s.queryRow(ctx, `SELECT count(*) FROM audit_log`).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("counting audit entries: %w", err)
	}
	rows, err := s.query(ctx, `SELECT `+auditColumns+` FROM audit_log
		ORDER BY ts DESC, id DESC LIMIT ? OFFSET ?`, pageLimit(limit), max(offset, 0))
	if err != nil {
		return nil, 0, fmt.Errorf("listing audit entries: %w", err)
	}
	defer rows.Close()
	list := []*store.AuditEntry{}
	for rows.Next() {
		var (
			e  store.AuditEntry
			ts time.Time
		)
		err := rows.Scan(&e.ID, &ts, &e.Actor, &e.Method, &e.Path, &e.Resource, &e.Status,
			&e.RemoteAddr, &e.RequestID)
		if err != nil {
			return nil, 0, fmt.Errorf("listing audit entries: %w", err)
		}
		e.Time = timeOf(ts)
		list = append(list, &e)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("listing audit entries: %w", err)
	}
	return list, total, nil
}
