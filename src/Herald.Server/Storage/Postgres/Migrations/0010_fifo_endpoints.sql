-- FIFO endpoints (docs/DELIVERY.md, "FIFO endpoints"): an endpoint with fifo gets its messages strictly in the order
-- of their sequence; only the oldest unfinished delivery of the endpoint may be claimed, by any node. fifo_stop: on
-- exhaustion the line stops (TRUE) or skips the message and goes on (FALSE). fifo_stopped_at: set when the line
-- stopped, cleared by an operator (resume, resend, recover). Derived from storage alone, so it holds across restarts
-- and nodes.
ALTER TABLE endpoints ADD COLUMN fifo boolean NOT NULL DEFAULT FALSE;
ALTER TABLE endpoints ADD COLUMN fifo_stop boolean NOT NULL DEFAULT TRUE;
ALTER TABLE endpoints ADD COLUMN fifo_stopped_at timestamptz NULL;
CREATE INDEX endpoints_fifo ON endpoints (id) WHERE fifo;

-- The head of a line: the unfinished (pending or sending) deliveries of one endpoint, without scanning its history.
CREATE INDEX deliveries_unfinished ON deliveries (endpoint_id) WHERE status IN (1, 3);
