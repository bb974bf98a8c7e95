-- Herald schema, version 3: polling endpoints (pull destinations) and their consumers' server-kept cursors.

CREATE TABLE polling_endpoints (
    id           TEXT PRIMARY KEY,
    app_id       TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    uid          TEXT NULL,
    event_types  TEXT NULL,
    channels     TEXT NULL,
    metadata     TEXT NOT NULL DEFAULT '{}',
    disabled     INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (app_id, uid)
);

-- position: the sequence number of the last message the consumer committed (0 before any).
CREATE TABLE poller_consumers (
    sink_id      TEXT NOT NULL REFERENCES polling_endpoints (id) ON DELETE CASCADE,
    consumer_id  TEXT NOT NULL,
    position     INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (sink_id, consumer_id)
);
