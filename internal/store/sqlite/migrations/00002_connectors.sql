-- Connectors: config is TEXT holding the caller's JSON bytes; secrets is the ciphertext the
-- connector service produced (the store never sees clear secrets). Names are unique.

-- +goose Up
CREATE TABLE connectors (
    id                 TEXT    NOT NULL PRIMARY KEY,
    name               TEXT    NOT NULL UNIQUE,
    type_id            TEXT    NOT NULL,
    config             TEXT,
    secrets            BLOB,
    is_missing_secrets INTEGER NOT NULL DEFAULT 0,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
) STRICT;

-- +goose Down
DROP TABLE connectors;
