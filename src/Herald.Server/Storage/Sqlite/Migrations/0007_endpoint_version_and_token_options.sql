-- Svix 1.x's deprecated endpoint version: stored and returned (at least 1; 1 when a client never sent one).
ALTER TABLE endpoints ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

-- App-portal token options (POST /auth/app-portal-access): a read-only token refuses every write; capabilities,
-- when set, is the JSON list of Svix AppPortalCapability names the token has (NULL: all of them); session_id lets
-- POST /auth/app/{app}/expire-all expire one session's tokens only.
ALTER TABLE api_tokens ADD COLUMN read_only INTEGER NOT NULL DEFAULT 0;
ALTER TABLE api_tokens ADD COLUMN capabilities TEXT NULL;
ALTER TABLE api_tokens ADD COLUMN session_id TEXT NULL;
CREATE INDEX api_tokens_app_session ON api_tokens (app_id, session_id);
