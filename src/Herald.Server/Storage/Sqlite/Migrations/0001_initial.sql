-- Herald schema, version 1. Timestamps are Unix milliseconds (UTC); JSON columns hold UTF-8 JSON text.

CREATE TABLE api_tokens (
    id          TEXT PRIMARY KEY,
    hash        BLOB NOT NULL UNIQUE,
    app_id      TEXT NULL REFERENCES applications (id) ON DELETE CASCADE,
    expires_at  INTEGER NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE idempotency_keys (
    caller        TEXT NOT NULL,
    key           TEXT NOT NULL,
    fingerprint   BLOB NOT NULL,
    completed     INTEGER NOT NULL DEFAULT 0,
    status_code   INTEGER NOT NULL DEFAULT 0,
    content_type  TEXT NULL,
    location      TEXT NULL,
    body          BLOB NULL,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (caller, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

CREATE TABLE applications (
    id             TEXT PRIMARY KEY,
    uid            TEXT NULL UNIQUE,
    name           TEXT NOT NULL,
    throttle_rate  INTEGER NULL,
    metadata       TEXT NOT NULL DEFAULT '{}',
    last_sequence  INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);

CREATE TABLE event_types (
    name           TEXT PRIMARY KEY,
    description    TEXT NOT NULL,
    archived       INTEGER NOT NULL DEFAULT 0,
    deprecated     INTEGER NOT NULL DEFAULT 0,
    schemas        TEXT NULL,
    group_name     TEXT NULL,
    feature_flags  TEXT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);

CREATE TABLE endpoints (
    id             TEXT PRIMARY KEY,
    app_id         TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    uid            TEXT NULL,
    url            TEXT NOT NULL,
    description    TEXT NOT NULL,
    event_types    TEXT NULL,
    channels       TEXT NULL,
    throttle_rate  INTEGER NULL,
    disabled       INTEGER NOT NULL DEFAULT 0,
    metadata       TEXT NOT NULL DEFAULT '{}',
    headers        TEXT NOT NULL DEFAULT '{}',
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    UNIQUE (app_id, uid)
);
CREATE INDEX endpoints_app ON endpoints (app_id, id);

CREATE TABLE endpoint_secrets (
    endpoint_id  TEXT NOT NULL REFERENCES endpoints (id) ON DELETE CASCADE,
    key          TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NULL,
    PRIMARY KEY (endpoint_id, key)
);

CREATE TABLE messages (
    id          TEXT PRIMARY KEY,
    app_id      TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    sequence    INTEGER NOT NULL,
    event_id    TEXT NULL,
    event_type  TEXT NOT NULL,
    payload     BLOB NULL,
    channels    TEXT NULL,
    tags        TEXT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (app_id, sequence),
    UNIQUE (app_id, event_id)
);
CREATE INDEX messages_app_id ON messages (app_id, id);
