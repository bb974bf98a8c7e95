-- Endpoint ownership verification (docs/DELIVERY.md): the CloudEvents handshake or a signed ping proves the receiver
-- wants the traffic before deliveries start. Columns of endpoints so the delivery path reads them with the endpoint;
-- endpoint PUT/PATCH leave them to SetEndpointVerificationAsync. The callback token is stored as its SHA-256 only.
ALTER TABLE endpoints ADD COLUMN verification_method TEXT NULL;
ALTER TABLE endpoints ADD COLUMN verification_status TEXT NULL;
ALTER TABLE endpoints ADD COLUMN verification_started_at INTEGER NULL;
ALTER TABLE endpoints ADD COLUMN verification_verified_at INTEGER NULL;
ALTER TABLE endpoints ADD COLUMN verification_last_error TEXT NULL;
ALTER TABLE endpoints ADD COLUMN verification_next_check_at INTEGER NULL;
ALTER TABLE endpoints ADD COLUMN verification_token_hash TEXT NULL;
ALTER TABLE endpoints ADD COLUMN verification_awaiting_callback INTEGER NOT NULL DEFAULT 0;
ALTER TABLE endpoints ADD COLUMN verification_allowed_rate INTEGER NULL;
CREATE INDEX endpoints_verification_due ON endpoints (verification_next_check_at) WHERE verification_status = 'pending';
CREATE INDEX endpoints_verification_token ON endpoints (verification_token_hash) WHERE verification_token_hash IS NOT NULL;
