-- Herald schema, version 2: deliveries (the durable unit of work), attempts (the log), endpoint health.

ALTER TABLE endpoints ADD COLUMN timeout_ms INTEGER NULL;

-- Operational webhooks (webhooks about Herald itself) go through the same machinery, as messages of one
-- internal application that the API never lists or reaches by its routes.
ALTER TABLE applications ADD COLUMN internal INTEGER NOT NULL DEFAULT 0;
INSERT INTO applications (id, uid, name, metadata, created_at, updated_at, internal)
VALUES ('app_herald_operational', NULL, 'Herald operational webhooks', '{}', 0, 0, 1);
ALTER TABLE endpoints ADD COLUMN failing_since INTEGER NULL;

-- status: 0 success, 1 pending, 2 fail (exhausted), 3 sending, 4 canceled (Svix's MessageStatus).
-- A pending delivery with next_attempt_at NULL is parked (its endpoint is disabled) until re-enabled.
CREATE TABLE deliveries (
    id                TEXT PRIMARY KEY,
    app_id            TEXT NOT NULL,
    message_id        TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    endpoint_id       TEXT NOT NULL REFERENCES endpoints (id) ON DELETE CASCADE,
    manual            INTEGER NOT NULL DEFAULT 0,
    status            INTEGER NOT NULL DEFAULT 1,
    attempts          INTEGER NOT NULL DEFAULT 0,
    next_attempt_at   INTEGER NULL,
    lease_owner       TEXT NULL,
    lease_expires_at  INTEGER NULL,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 1;
CREATE INDEX deliveries_message ON deliveries (message_id, endpoint_id);
CREATE INDEX deliveries_endpoint ON deliveries (endpoint_id, status, created_at);

-- status: 0 success, 2 fail. trigger_type: 0 scheduled, 1 manual.
CREATE TABLE attempts (
    id                    TEXT PRIMARY KEY,
    app_id                TEXT NOT NULL,
    delivery_id           TEXT NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    message_id            TEXT NOT NULL,
    endpoint_id           TEXT NOT NULL,
    url                   TEXT NOT NULL,
    status                INTEGER NOT NULL,
    trigger_type          INTEGER NOT NULL,
    response_status_code  INTEGER NOT NULL,
    response              TEXT NULL,
    response_duration_ms  INTEGER NOT NULL,
    error                 TEXT NULL,
    created_at            INTEGER NOT NULL
);
CREATE INDEX attempts_endpoint ON attempts (endpoint_id, id);
CREATE INDEX attempts_message ON attempts (message_id, id);
