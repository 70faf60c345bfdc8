-- The service's tables: API keys (only a hash of the secret part), the audit log of mutating
-- API calls, the claimed ticks of scheduled triggers and the idempotency keys of webhooks.
-- Times are INTEGER microseconds since the Unix epoch, UTC.

-- +goose Up
CREATE TABLE api_keys (
    id           TEXT    NOT NULL PRIMARY KEY,
    name         TEXT    NOT NULL DEFAULT '',
    role         TEXT    NOT NULL,
    hash         BLOB,
    created_at   INTEGER NOT NULL,
    created_by   TEXT    NOT NULL DEFAULT '',
    expires_at   INTEGER,
    revoked_at   INTEGER,
    last_used_at INTEGER
) STRICT;
CREATE INDEX api_keys_created_idx ON api_keys (created_at, id);

CREATE TABLE audit_log (
    id          INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    ts          INTEGER NOT NULL,
    actor       TEXT    NOT NULL DEFAULT '',
    method      TEXT    NOT NULL DEFAULT '',
    path        TEXT    NOT NULL DEFAULT '',
    resource    TEXT    NOT NULL DEFAULT '',
    status      INTEGER NOT NULL DEFAULT 0,
    remote_addr TEXT    NOT NULL DEFAULT '',
    request_id  TEXT    NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX audit_log_ts_idx ON audit_log (ts DESC, id DESC);

-- One row per tick a node started: the primary key is what makes a tick run exactly once
-- across restarts and nodes. execution_id is '' until the tick's execution exists. Ticks are
-- not tied to executions (retention deletes executions, the tick must stay claimed).
CREATE TABLE trigger_ticks (
    workflow_id  TEXT    NOT NULL,
    trigger_key  TEXT    NOT NULL,
    tick_at      INTEGER NOT NULL,
    execution_id TEXT    NOT NULL DEFAULT '',
    claimed_at   INTEGER NOT NULL,
    PRIMARY KEY (workflow_id, trigger_key, tick_at)
) STRICT, WITHOUT ROWID;

CREATE TABLE idempotency_keys (
    scope        TEXT    NOT NULL,
    key          TEXT    NOT NULL,
    execution_id TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
) STRICT;
CREATE INDEX idempotency_keys_expires_idx ON idempotency_keys (expires_at);

-- +goose Down
DROP TABLE idempotency_keys;
DROP TABLE trigger_ticks;
DROP TABLE audit_log;
DROP TABLE api_keys;
