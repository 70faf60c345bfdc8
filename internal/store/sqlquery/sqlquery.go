// Package sqlquery holds the SQL the two store drivers build the same way: the dynamic SET
// and WHERE clauses of executions, and the column encodings that do not depend on the
// database. Each driver supplies its Codec (how times and booleans are stored) and keeps
// its own statements; what is identical lives here once.
package sqlquery

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/errand-dev/errand/internal/store"
)

// Codec encodes the values whose column format differs between drivers.
type Codec interface {
	Time(t time.Time) any
	NullTime(t *time.Time) any
	Bool(b bool) any
}

// ExecutionSet builds the SET clause of ExecutionUpdate and its arguments ('?'
// placeholders). With no field to set it assigns id to itself, so the statement still
// reports whether the row matched.
func ExecutionSet(p store.ExecutionUpdateParams, c Codec) (string, []any) {
	var cols []string
	var args []any
	add := func(col string, v any) {
		cols = append(cols, col+" = ?")
		args = append(args, v)
	}
	if p.Status != nil {
		add("status", *p.Status)
	}
	if p.Output != nil {
		add("output", JSONArg(p.Output))
	}
	if p.Error != nil {
		add("error", JSONArg(p.Error))
	}
	if p.StartedAt != nil {
		add("started_at", c.Time(*p.StartedAt))
	}
	if p.FinishedAt != nil {
		add("finished_at", c.Time(*p.FinishedAt))
	}
	if p.ResumeAt != nil {
		add("resume_at", c.NullTime(*p.ResumeAt))
	}
	if p.CancelRequested != nil {
		add("cancel_requested", c.Bool(*p.CancelRequested))
	}
	if len(cols) == 0 {
		return "id = id", nil
	}
	return strings.Join(cols, ", "), args
}

// ExecutionWhere builds the WHERE clause of ExecutionList and its arguments.
func ExecutionWhere(p store.ExecutionListParams, c Codec) (string, []any) {
	where, args := "WHERE 1 = 1", []any{}
	add := func(cond string, v ...any) {
		where += " AND " + cond
		args = append(args, v...)
	}
	if p.WorkflowID != "" {
		add("workflow_id = ?", p.WorkflowID)
	}
	if len(p.Statuses) > 0 {
		statuses := make([]any, 0, len(p.Statuses))
		for _, st := range p.Statuses {
			statuses = append(statuses, st)
		}
		add("status IN ("+Placeholders(len(p.Statuses))+")", statuses...)
	}
	if p.ParentExecutionID != "" {
		// The constant term lets the planner use the partial index on parent_execution_id.
		add("parent_execution_id = ? AND parent_execution_id <> ''", p.ParentExecutionID)
	}
	if p.TestRun != nil {
		add("is_test_run = ?", c.Bool(*p.TestRun))
	}
	if p.ExecutedBy != "" {
		add("executed_by = ?", p.ExecutedBy)
	}
	if p.StartedAfter != nil {
		add("started_at >= ?", c.Time(*p.StartedAfter))
	}
	if p.StartedBefore != nil {
		add("started_at < ?", c.Time(*p.StartedBefore))
	}
	return where, args
}

// Placeholders returns n comma-separated '?'.
func Placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// JSONArg passes raw JSON through as text (nil ⇒ NULL), byte for byte.
func JSONArg(raw json.RawMessage) any {
	if raw == nil {
		return nil
	}
	return string(raw)
}

// JSONOf returns the bytes of a scanned JSON column (nil for NULL).
func JSONOf(b []byte) json.RawMessage {
	if b == nil {
		return nil
	}
	return json.RawMessage(b)
}

// TagsArg encodes tags as a JSON array (no tags ⇒ NULL).
func TagsArg(tags []string) (any, error) {
	if len(tags) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(tags)
	if err != nil {
		return nil, fmt.Errorf("encoding tags: %w", err)
	}
	return string(b), nil
}

// TagsOf decodes a tags column.
func TagsOf(b []byte) ([]string, error) {
	if b == nil {
		return nil, nil
	}
	var tags []string
	if err := json.Unmarshal(b, &tags); err != nil {
		return nil, fmt.Errorf("decoding tags: %w", err)
	}
	return tags, nil
}

// PageLimit applies the default page size (100) to a zero or negative limit.
func PageLimit(limit int) int {
	if limit <= 0 {
		return 100
	}
	return limit
}

// LikePattern builds a LIKE pattern matching q anywhere, escaping LIKE's wildcards with '\'.
func LikePattern(q string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(q) + "%"
}

// NewID returns a new UUID (version 7: time-ordered, so new rows land at the end of the
// primary-key index instead of on a random page).
func NewID() string {
	id, err := uuid.NewV7()
	if err != nil {
		return uuid.NewString()
	}
	return id.String()
}
