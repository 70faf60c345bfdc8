-- JSON columns use the json type: it validates the text but keeps exactly the bytes the
-- caller gave (jsonb would reorder keys, drop whitespace and reject \u0000), so both drivers
-- return the same bytes. Times are timestamptz (microseconds).

-- +goose Up
CREATE TABLE workflows (
    id          text        NOT NULL PRIMARY KEY,
    name        text        NOT NULL,
    description text        NOT NULL DEFAULT '',
    enabled     boolean     NOT NULL DEFAULT false,
    valid       boolean     NOT NULL DEFAULT false,
    yaml        text        NOT NULL DEFAULT '',
    tags        json,
    created_at  timestamptz NOT NULL,
    created_by  text        NOT NULL DEFAULT '',
    updated_at  timestamptz NOT NULL,
    updated_by  text        NOT NULL DEFAULT ''
);
CREATE INDEX workflows_name_idx ON workflows (name, id);

CREATE TABLE executions (
    id                  text        NOT NULL PRIMARY KEY,
    workflow_id         text        NOT NULL,
    workflow_name       text        NOT NULL DEFAULT '',
    yaml                text        NOT NULL DEFAULT '',
    status              text        NOT NULL,
    inputs              json,
    event               json,
    output              json,
    error               json,
    metadata            json,
    triggered_by        text        NOT NULL DEFAULT '',
    executed_by         text        NOT NULL DEFAULT '',
    is_test_run         boolean     NOT NULL DEFAULT false,
    concurrency_key     text        NOT NULL DEFAULT '',
    parent_execution_id text        NOT NULL DEFAULT '',
    cancel_requested    boolean     NOT NULL DEFAULT false,
    created_at          timestamptz NOT NULL,
    started_at          timestamptz,
    finished_at         timestamptz,
    resume_at           timestamptz,
    lease_owner         text        NOT NULL DEFAULT '',
    lease_until         timestamptz
);
CREATE INDEX executions_created_idx ON executions (created_at DESC, id DESC);
CREATE INDEX executions_workflow_created_idx ON executions (workflow_id, created_at DESC, id DESC);
CREATE INDEX executions_status_created_idx ON executions (status, created_at DESC, id DESC);
CREATE INDEX executions_status_lease_idx ON executions (status, lease_until);
CREATE INDEX executions_finished_idx ON executions (finished_at) WHERE finished_at IS NOT NULL;
CREATE INDEX executions_lease_owner_idx ON executions (lease_owner) WHERE lease_owner <> '';

CREATE TABLE step_executions (
    id           text        NOT NULL PRIMARY KEY,
    execution_id text        NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
    path         text        NOT NULL,
    step_name    text        NOT NULL DEFAULT '',
    step_type    text        NOT NULL DEFAULT '',
    attempt      integer     NOT NULL DEFAULT 1,
    seq          integer     NOT NULL DEFAULT 0,
    status       text        NOT NULL,
    input        json,
    output       json,
    error        json,
    state        json,
    started_at   timestamptz NOT NULL,
    finished_at  timestamptz,
    duration_ms  bigint      NOT NULL DEFAULT 0,
    UNIQUE (execution_id, path)
);
-- StepExecutionList finds an execution's rows through the unique (execution_id, path) index
-- and sorts them by seq.

CREATE TABLE execution_logs (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    execution_id text        NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
    step_path    text        NOT NULL DEFAULT '',
    step_name    text        NOT NULL DEFAULT '',
    level        text        NOT NULL,
    message      text        NOT NULL,
    data         json,
    ts           timestamptz NOT NULL
);
CREATE INDEX execution_logs_execution_idx ON execution_logs (execution_id, id);

-- +goose Down
DROP TABLE execution_logs;
DROP TABLE step_executions;
DROP TABLE executions;
DROP TABLE workflows;
