-- Connectors: config is json (kept byte for byte); secrets is the ciphertext the connector
-- service produced (the store never sees clear secrets). Names are unique.

-- +goose Up
CREATE TABLE connectors (
    id                 text        NOT NULL PRIMARY KEY,
    name               text        NOT NULL UNIQUE,
    type_id            text        NOT NULL,
    config             json,
    secrets            bytea,
    is_missing_secrets boolean     NOT NULL DEFAULT false,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL
);

-- +goose Down
DROP TABLE connectors;
