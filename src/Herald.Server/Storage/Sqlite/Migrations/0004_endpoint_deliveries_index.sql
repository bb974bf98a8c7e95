-- Herald schema, version 4: the per-endpoint index of deliveries no longer holds the status.
-- Every attempt changes a delivery's status; with the status in this index each change also rewrote a page of it
-- (one more WAL frame per endpoint per commit, measured as the single writer's largest cost). The queries that use it
-- select an endpoint's deliveries by creation time and read the status from the row.

DROP INDEX deliveries_endpoint;
CREATE INDEX deliveries_endpoint ON deliveries (endpoint_id, created_at);
