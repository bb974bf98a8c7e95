-- The message list pages by the application's log order, (app_id, sequence) (the messages__sequence constraint's
-- index). The (app_id, id) index served only that list, and every publish paid for an entry in it
-- (docs/BENCHMARKS.md, "Bounds").
DROP INDEX IF EXISTS messages_app_id;
