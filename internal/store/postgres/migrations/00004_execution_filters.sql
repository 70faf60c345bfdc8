-- Indexes for the service's listings: the children of an execution (most executions have no
-- parent, hence the partial index).

-- +goose Up
CREATE INDEX executions_parent_idx ON executions (parent_execution_id, created_at DESC, id DESC)
    WHERE parent_execution_id <> '';

-- +goose Down
DROP INDEX executions_parent_idx;
