-- The service's tables: API keys (only a hash of the secret part), the audit log of mutating
-- API calls, the claimed ticks of scheduled triggers and the idempotency keys of webhooks.

-- +goose Up
CREATE TABLE api_keys (
    id           text        NOT NULL PRIMARY KEY,
    name         text        NOT NULL DEFAULT '',
    role         text        NOT NULL,
    hash         bytea,
    created_at   timestamptz NOT NULL,
    created_by   text        NOT NULL DEFAULT '',
    expires_at   timestamptz,
    revoked_at   timestamptz,
    last_used_at timestamptz
);
CREATE INDEX api_keys_created_idx ON api_keys (created_at, id);

CREATE TABLE audit_log (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ts          timestamptz NOT NULL,
    actor       text        NOT NULL DEFAULT '',
    method      text        NOT NULL DEFAULT '',
    path        text        NOT NULL DEFAULT '',
    resource    text        NOT NULL DEFAULT '',
    status      integer     NOT NULL DEFAULT 0,
    remote_addr text        NOT NULL DEFAULT '',
    request_id  text        NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_ts_idx ON audit_log (ts DESC, id DESC);

-- One row per tick a node started: the primary key is what makes a tick run exactly once
-- across restarts and nodes. execution_id is '' until the tick's execution exists. Ticks are
-- not tied to executions (retention deletes executions, the tick must stay claimed).
CREATE TABLE trigger_ticks (
    workflow_id  text        NOT NULL,
    trigger_key  text        NOT NULL,
    tick_at      timestamptz NOT NULL,
    execution_id text        NOT NULL DEFAULT '',
    claimed_at   timestamptz NOT NULL,
    PRIMARY KEY (workflow_id, trigger_key, tick_at)
);

CREATE TABLE idempotency_keys (
    scope        text        NOT NULL,
    key          text        NOT NULL,
    execution_id text        NOT NULL,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_expires_idx ON idempotency_keys (expires_at);

-- +goose Down
DROP TABLE idempotency_keys;
DROP TABLE trigger_ticks;
DROP TABLE audit_log;
DROP TABLE api_keys;
