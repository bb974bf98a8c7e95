-- Scheduled delivery and payload retention.
-- deliver_at: no webhook of the message is attempted before it (its deliveries' next_attempt_at starts there).
-- payload_expires_at: when the retention job expunges the payload. Messages stored before this migration get
-- Svix's default, 90 days after they were created.
ALTER TABLE messages ADD COLUMN deliver_at timestamptz NULL;
ALTER TABLE messages ADD COLUMN payload_expires_at timestamptz NULL;
UPDATE messages SET payload_expires_at = created_at + interval '90 days' WHERE payload IS NOT NULL;

-- The retention job finds expired payloads through this index; only rows that still hold a payload are in it.
CREATE INDEX messages_payload_expiry ON messages (payload_expires_at) WHERE payload IS NOT NULL;
