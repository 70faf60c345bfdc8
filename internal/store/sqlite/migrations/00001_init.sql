-- Times are INTEGER microseconds since the Unix epoch, UTC. JSON columns are TEXT holding
-- exactly the bytes the caller gave (NULL when absent).

-- +goose Up
CREATE TABLE workflows (
    id          TEXT    NOT NULL PRIMARY KEY,
    name        TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT '',
    enabled     INTEGER NOT NULL DEFAULT 0,
    valid       INTEGER NOT NULL DEFAULT 0,
    yaml        TEXT    NOT NULL DEFAULT '',
    tags        TEXT,
    created_at  INTEGER NOT NULL,
    created_by  TEXT    NOT NULL DEFAULT '',
    updated_at  INTEGER NOT NULL,
    updated_by  TEXT    NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX workflows_name_idx ON workflows (name, id);

CREATE TABLE executions (
    id                  TEXT    NOT NULL PRIMARY KEY,
    workflow_id         TEXT    NOT NULL,
    workflow_name       TEXT    NOT NULL DEFAULT '',
    yaml                TEXT    NOT NULL DEFAULT '',
    status              TEXT    NOT NULL,
    inputs              TEXT,
    event               TEXT,
    output              TEXT,
    error               TEXT,
    metadata            TEXT,
    triggered_by        TEXT    NOT NULL DEFAULT '',
    executed_by         TEXT    NOT NULL DEFAULT '',
    is_test_run         INTEGER NOT NULL DEFAULT 0,
    concurrency_key     TEXT    NOT NULL DEFAULT '',
    parent_execution_id TEXT    NOT NULL DEFAULT '',
    cancel_requested    INTEGER NOT NULL DEFAULT 0,
    created_at          INTEGER NOT NULL,
    started_at          INTEGER,
    finished_at         INTEGER,
    resume_at           INTEGER,
    lease_owner         TEXT    NOT NULL DEFAULT '',
    lease_until         INTEGER
) STRICT;
CREATE INDEX executions_created_idx ON executions (created_at DESC, id DESC);
CREATE INDEX executions_workflow_created_idx ON executions (workflow_id, created_at DESC, id DESC);
CREATE INDEX executions_status_created_idx ON executions (status, created_at DESC, id DESC);
CREATE INDEX executions_status_lease_idx ON executions (status, lease_until);
CREATE INDEX executions_finished_idx ON executions (finished_at) WHERE finished_at IS NOT NULL;
CREATE INDEX executions_lease_owner_idx ON executions (lease_owner) WHERE lease_owner <> '';

CREATE TABLE step_executions (
    id           TEXT    NOT NULL PRIMARY KEY,
    execution_id TEXT    NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
    path         TEXT    NOT NULL,
    step_name    TEXT    NOT NULL DEFAULT '',
    step_type    TEXT    NOT NULL DEFAULT '',
    attempt      INTEGER NOT NULL DEFAULT 1,
    seq          INTEGER NOT NULL DEFAULT 0,
    status       TEXT    NOT NULL,
    input        TEXT,
    output       TEXT,
    error        TEXT,
    state        TEXT,
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER,
    duration_ms  INTEGER NOT NULL DEFAULT 0,
    UNIQUE (execution_id, path)
) STRICT;
-- StepExecutionList finds an execution's rows through the unique (execution_id, path) index and
-- sorts them by seq; a separate seq index would cost one more page write per upsert.

CREATE TABLE execution_logs (
    id           INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    execution_id TEXT    NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
    step_path    TEXT    NOT NULL DEFAULT '',
    step_name    TEXT    NOT NULL DEFAULT '',
    level        TEXT    NOT NULL,
    message      TEXT    NOT NULL,
    data         TEXT,
    ts           INTEGER NOT NULL
) STRICT;
CREATE INDEX execution_logs_execution_idx ON execution_logs (execution_id, id);

-- +goose Down
DROP TABLE execution_logs;
DROP TABLE step_executions;
DROP TABLE executions;
DROP TABLE workflows;
