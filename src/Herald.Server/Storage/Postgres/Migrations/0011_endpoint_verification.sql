-- Endpoint ownership verification (docs/DELIVERY.md): the CloudEvents handshake or a signed ping proves the receiver
-- wants the traffic before deliveries start. Columns of endpoints so the delivery path reads them with the endpoint;
-- endpoint PUT/PATCH leave them to SetEndpointVerificationAsync. The callback token is stored as its SHA-256 only.
ALTER TABLE endpoints ADD COLUMN verification_method text NULL;
ALTER TABLE endpoints ADD COLUMN verification_status text NULL;
ALTER TABLE endpoints ADD COLUMN verification_started_at timestamptz NULL;
ALTER TABLE endpoints ADD COLUMN verification_verified_at timestamptz NULL;
ALTER TABLE endpoints ADD COLUMN verification_last_error text NULL;
ALTER TABLE endpoints ADD COLUMN verification_next_check_at timestamptz NULL;
ALTER TABLE endpoints ADD COLUMN verification_token_hash text COLLATE "C" NULL;
ALTER TABLE endpoints ADD COLUMN verification_awaiting_callback boolean NOT NULL DEFAULT FALSE;
ALTER TABLE endpoints ADD COLUMN verification_allowed_rate integer NULL;
CREATE INDEX endpoints_verification_due ON endpoints (verification_next_check_at) WHERE verification_status = 'pending';
CREATE INDEX endpoints_verification_token ON endpoints (verification_token_hash) WHERE verification_token_hash IS NOT NULL;
