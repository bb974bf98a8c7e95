-- Endpoint transformations (GET/PATCH /app/{app}/endpoint/{ep}/transformation, Svix's shape): the JavaScript
-- handler(webhook) run before each attempt when enabled. Columns of endpoints so the delivery path reads them with the
-- endpoint, in the read it already makes; endpoint PUT/PATCH leave them alone.
ALTER TABLE endpoints ADD COLUMN transformation text NULL;
ALTER TABLE endpoints ADD COLUMN transformation_enabled boolean NOT NULL DEFAULT FALSE;
ALTER TABLE endpoints ADD COLUMN transformation_updated_at timestamptz NULL;
