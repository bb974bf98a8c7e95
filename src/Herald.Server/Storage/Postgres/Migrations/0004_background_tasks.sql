-- Background tasks (recover, replay, purge, statistics), leased like deliveries so one node runs each; status is
-- Svix's word ('running', 'finished', 'failed'); input and data are JSON objects kept as text.

CREATE TABLE background_tasks (
    id                text COLLATE "C" CONSTRAINT background_tasks__id PRIMARY KEY,
    app_id            text COLLATE "C" NULL REFERENCES applications (id) ON DELETE CASCADE,
    kind              text NOT NULL,
    status            text NOT NULL,
    input             text NOT NULL,
    data              text NOT NULL,
    lease_owner       text NULL,
    lease_expires_at  timestamptz NULL,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL
);
CREATE INDEX background_tasks_running ON background_tasks (id) WHERE status = 'running';
