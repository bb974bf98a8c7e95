-- Herald schema, version 9: admin API keys are objects (POST/GET/DELETE /api/v1/auth/api-key). A key is an api_tokens
-- row with a name; app-portal tokens have none. Its scope stays in app_id (NULL: every application) and read_only.
-- prefix: the first characters of the secret, shown in lists so a key can be told apart without revealing it.
-- revoked_at: set by DELETE; a revoked key fails on every node at once, whatever the nodes' clocks say.
-- last_used_at: written at most once a minute per key and node. previous_hash / previous_expires_at: the secret a
-- rotation replaced, still accepted until then (the rotation's grace period).
ALTER TABLE api_tokens ADD COLUMN name TEXT NULL;
ALTER TABLE api_tokens ADD COLUMN prefix TEXT NULL;
ALTER TABLE api_tokens ADD COLUMN revoked_at INTEGER NULL;
ALTER TABLE api_tokens ADD COLUMN last_used_at INTEGER NULL;
ALTER TABLE api_tokens ADD COLUMN previous_hash BLOB NULL;
ALTER TABLE api_tokens ADD COLUMN previous_expires_at INTEGER NULL;
CREATE INDEX api_tokens_previous_hash ON api_tokens (previous_hash) WHERE previous_hash IS NOT NULL;

-- The admin tokens stored so far (the first-start token and every Herald__Auth__AdminToken ever preset) become keys,
-- so they can be listed and revoked.
UPDATE api_tokens SET name = 'bootstrap' WHERE app_id IS NULL;

-- App-portal tokens that the idempotency store kept in clear (a token created with an Idempotency-Key) are dropped:
-- answers that carry a token are no longer stored at all.
DELETE FROM idempotency_keys WHERE instr(body, CAST('herald_app_' AS BLOB)) > 0 OR instr(body, CAST('herald_sk_' AS BLOB)) > 0;
