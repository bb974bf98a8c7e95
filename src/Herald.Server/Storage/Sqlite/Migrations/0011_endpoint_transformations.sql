-- Endpoint transformations (GET/PATCH /app/{app}/endpoint/{ep}/transformation, Svix's shape): the JavaScript
-- handler(webhook) run before each attempt when enabled. Columns of endpoints so the delivery path reads them with the
-- endpoint, in the read it already makes; endpoint PUT/PATCH leave them alone.
ALTER TABLE endpoints ADD COLUMN transformation TEXT NULL;
ALTER TABLE endpoints ADD COLUMN transformation_enabled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE endpoints ADD COLUMN transformation_updated_at INTEGER NULL;
