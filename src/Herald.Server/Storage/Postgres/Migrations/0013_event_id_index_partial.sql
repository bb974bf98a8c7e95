-- Only messages that carry an eventId are in the eventId index. Most messages have none, and a btree indexes NULLs:
-- every publish wrote one more index entry per message for nothing (docs/BENCHMARKS.md, "Bounds"). The index keeps the
-- constraint's name, so a duplicate eventId is still reported as a conflict on event_id. Building it takes a lock that
-- holds publishing for as long as it reads the messages table, once.
ALTER TABLE messages DROP CONSTRAINT messages__event_id;
CREATE UNIQUE INDEX messages__event_id ON messages (app_id, event_id) WHERE event_id IS NOT NULL;
