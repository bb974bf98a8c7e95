-- The row the health and readiness probes write (GET /api/v1/health), so that a database that takes reads but no
-- writes (disk full, a read-only standby) turns them 503. One row for all nodes, rewritten at most once a second each.

CREATE TABLE health_probe (
    id integer PRIMARY KEY CHECK (id = 1),
    probed_at timestamptz NOT NULL
);
