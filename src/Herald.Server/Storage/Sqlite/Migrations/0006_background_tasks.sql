-- Herald schema, version 6: background tasks (recover, replay, purge, statistics), leased like deliveries so one
-- process runs each; status is Svix's word ('running', 'finished', 'failed'); input and data are JSON objects.

CREATE TABLE background_tasks (
    id                TEXT PRIMARY KEY,
    app_id            TEXT NULL REFERENCES applications (id) ON DELETE CASCADE,
    kind              TEXT NOT NULL,
    status            TEXT NOT NULL,
    input             TEXT NOT NULL,
    data              TEXT NOT NULL,
    lease_owner       TEXT NULL,
    lease_expires_at  INTEGER NULL,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);
CREATE INDEX background_tasks_running ON background_tasks (id) WHERE status = 'running';
