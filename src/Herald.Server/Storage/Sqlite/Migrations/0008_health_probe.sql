-- Herald schema, version 8: the row the health and readiness probes write (GET /api/v1/health), so that a full disk
-- or a read-only file turns them 503 although reads still work. One row, rewritten at most once a second.

CREATE TABLE health_probe (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    probed_at INTEGER NOT NULL
);
