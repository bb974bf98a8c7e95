-- Herald schema, version 5: scheduled delivery and payload retention.
-- deliver_at: no webhook of the message is attempted before it (its deliveries' next_attempt_at starts there).
-- payload_expires_at: when the retention job expunges the payload. Messages stored before this version get
-- Svix's default, 90 days after they were created.
ALTER TABLE messages ADD COLUMN deliver_at INTEGER NULL;
ALTER TABLE messages ADD COLUMN payload_expires_at INTEGER NULL;
UPDATE messages SET payload_expires_at = created_at + 7776000000 WHERE payload IS NOT NULL;

-- The retention job finds expired payloads through this index; only rows that still hold a payload are in it.
CREATE INDEX messages_payload_expiry ON messages (payload_expires_at) WHERE payload IS NOT NULL;

-- Deleting a delivery (the retention job removes old messages with their deliveries and attempts) makes the engine
-- look up the delivery's attempts for the foreign key; without this index every deleted delivery scanned all attempts.
CREATE INDEX attempts_delivery ON attempts (delivery_id);
