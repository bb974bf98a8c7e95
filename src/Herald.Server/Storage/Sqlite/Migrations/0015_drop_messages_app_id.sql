-- The message list pages by the application's log order, (app_id, sequence), which every message is indexed by anyway.
-- The (app_id, id) index served only that list; with one leaf per application dirtied in every group commit, it was
-- about half of the bytes written per published message (docs/BENCHMARKS.md, "Bounds").
DROP INDEX IF EXISTS messages_app_id;
