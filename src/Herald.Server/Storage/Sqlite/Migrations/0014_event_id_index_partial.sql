-- herald: rebuilds tables (run with foreign keys off, then checked with PRAGMA foreign_key_check)
-- Only messages that carry an eventId are in the eventId index. Most messages have none, and SQLite indexes NULLs:
-- every publish wrote one more index leaf per application into each commit for nothing (docs/BENCHMARKS.md, "Bounds").
-- A UNIQUE constraint cannot be changed in place, so the table is rebuilt (SQLite's documented procedure); the index
-- is named as PostgreSQL names its constraint, messages__event_id, and a duplicate eventId still fails the insert.
CREATE TABLE messages_rebuilt (
    id                  TEXT PRIMARY KEY,
    app_id              TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    sequence            INTEGER NOT NULL,
    event_id            TEXT NULL,
    event_type          TEXT NOT NULL,
    payload             BLOB NULL,
    channels            TEXT NULL,
    tags                TEXT NULL,
    created_at          INTEGER NOT NULL,
    deliver_at          INTEGER NULL,
    payload_expires_at  INTEGER NULL,
    trace_parent        TEXT NULL,
    UNIQUE (app_id, sequence)
);
INSERT INTO messages_rebuilt (id, app_id, sequence, event_id, event_type, payload, channels, tags, created_at, deliver_at, payload_expires_at, trace_parent)
SELECT id, app_id, sequence, event_id, event_type, payload, channels, tags, created_at, deliver_at, payload_expires_at, trace_parent FROM messages;
DROP TABLE messages;
ALTER TABLE messages_rebuilt RENAME TO messages;
CREATE UNIQUE INDEX messages__event_id ON messages (app_id, event_id) WHERE event_id IS NOT NULL;
CREATE INDEX messages_app_id ON messages (app_id, id);
CREATE INDEX messages_payload_expiry ON messages (payload_expires_at) WHERE payload IS NOT NULL;
