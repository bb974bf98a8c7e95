-- FIFO endpoints (docs/DELIVERY.md, "FIFO endpoints"): an endpoint with fifo = 1 gets its messages strictly in the
-- order of their sequence; only the oldest unfinished delivery of the endpoint may be claimed. fifo_stop: on
-- exhaustion the line stops (1) or skips the message and goes on (0). fifo_stopped_at: set when the line stopped,
-- cleared by an operator (resume, resend, recover). Derived from storage alone, so it holds across restarts.
ALTER TABLE endpoints ADD COLUMN fifo INTEGER NOT NULL DEFAULT 0;
ALTER TABLE endpoints ADD COLUMN fifo_stop INTEGER NOT NULL DEFAULT 1;
ALTER TABLE endpoints ADD COLUMN fifo_stopped_at INTEGER NULL;
CREATE INDEX endpoints_fifo ON endpoints (id) WHERE fifo = 1;

-- The head of a line: the unfinished (pending or sending) deliveries of one endpoint, without scanning its history.
CREATE INDEX deliveries_unfinished ON deliveries (endpoint_id) WHERE status IN (1, 3);
