-- Herald schema for PostgreSQL, version 1: the same tables as the SQLite schema (versions 1 to 3 there).
--
-- Conventions:
-- * Timestamps are timestamptz, written in UTC to the millisecond (as the API returns them).
-- * Ids, uids and names are COLLATE "C": keyset pagination orders them bytewise, exactly as SQLite does,
--   whatever the database's default collation.
-- * Filters (event types, channels, tags, feature flags) are text[]; NULL means "no filter". Maps (metadata,
--   headers) are JSON text, kept as written. Payloads are bytea: delivered byte for byte as published.
-- * Unique constraints are named <table>__<field>: a violation reports <field> as the conflict
--   (StorageConflictException), as SQLite's message does.

CREATE TABLE applications (
    id             text COLLATE "C" CONSTRAINT applications__id PRIMARY KEY,
    uid            text COLLATE "C" NULL CONSTRAINT applications__uid UNIQUE,
    name           text NOT NULL,
    throttle_rate  integer NULL,
    metadata       text NOT NULL DEFAULT '{}',
    -- The application's log: the last sequence number given to one of its messages (see PublishMessageAsync).
    last_sequence  bigint NOT NULL DEFAULT 0,
    -- Operational webhooks are messages of one internal application that the API never lists or reaches.
    internal       boolean NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL
);
INSERT INTO applications (id, uid, name, metadata, created_at, updated_at, internal)
VALUES ('app_herald_operational', NULL, 'Herald operational webhooks', '{}', 'epoch', 'epoch', true);

CREATE TABLE api_tokens (
    id          text COLLATE "C" CONSTRAINT api_tokens__id PRIMARY KEY,
    hash        bytea NOT NULL CONSTRAINT api_tokens__hash UNIQUE,
    app_id      text COLLATE "C" NULL REFERENCES applications (id) ON DELETE CASCADE,
    expires_at  timestamptz NULL,
    created_at  timestamptz NOT NULL
);
CREATE INDEX api_tokens_app ON api_tokens (app_id);

CREATE TABLE idempotency_keys (
    caller        text NOT NULL,
    key           text NOT NULL,
    fingerprint   bytea NOT NULL,
    completed     boolean NOT NULL DEFAULT false,
    status_code   integer NOT NULL DEFAULT 0,
    content_type  text NULL,
    location      text NULL,
    body          bytea NULL,
    created_at    timestamptz NOT NULL,
    CONSTRAINT idempotency_keys__key PRIMARY KEY (caller, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

CREATE TABLE event_types (
    name           text COLLATE "C" CONSTRAINT event_types__name PRIMARY KEY,
    description    text NOT NULL,
    archived       boolean NOT NULL DEFAULT false,
    deprecated     boolean NOT NULL DEFAULT false,
    schemas        text NULL,
    group_name     text NULL,
    feature_flags  text[] NULL,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL
);

CREATE TABLE endpoints (
    id             text COLLATE "C" CONSTRAINT endpoints__id PRIMARY KEY,
    app_id         text COLLATE "C" NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    uid            text COLLATE "C" NULL,
    url            text NOT NULL,
    description    text NOT NULL,
    event_types    text[] NULL,
    channels       text[] NULL,
    throttle_rate  integer NULL,
    disabled       boolean NOT NULL DEFAULT false,
    metadata       text NOT NULL DEFAULT '{}',
    headers        text NOT NULL DEFAULT '{}',
    timeout_ms     bigint NULL,
    -- Since when every attempt has failed (NULL while healthy); drives auto-disable, shared by every node.
    failing_since  timestamptz NULL,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    CONSTRAINT endpoints__uid UNIQUE (app_id, uid)
);
CREATE INDEX endpoints_app ON endpoints (app_id, id);

-- seq orders keys created at the same millisecond by insertion, as SQLite's rowid does.
CREATE TABLE endpoint_secrets (
    endpoint_id  text COLLATE "C" NOT NULL REFERENCES endpoints (id) ON DELETE CASCADE,
    key          text NOT NULL,
    seq          bigint GENERATED ALWAYS AS IDENTITY,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NULL,
    CONSTRAINT endpoint_secrets__key PRIMARY KEY (endpoint_id, key)
);

CREATE TABLE messages (
    id          text COLLATE "C" CONSTRAINT messages__id PRIMARY KEY,
    app_id      text COLLATE "C" NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    sequence    bigint NOT NULL,
    event_id    text COLLATE "C" NULL,
    event_type  text COLLATE "C" NOT NULL,
    payload     bytea NULL,
    channels    text[] NULL,
    tags        text[] NULL,
    created_at  timestamptz NOT NULL,
    CONSTRAINT messages__sequence UNIQUE (app_id, sequence),
    CONSTRAINT messages__event_id UNIQUE (app_id, event_id)
);
CREATE INDEX messages_app_id ON messages (app_id, id);

-- status: 0 success, 1 pending, 2 fail (exhausted), 3 sending, 4 canceled (Svix's MessageStatus).
-- A pending delivery with next_attempt_at NULL is parked (its endpoint is disabled) until re-enabled.
-- lease_owner/lease_expires_at: the node that claimed it and until when; an expired lease may be claimed by any node.
CREATE TABLE deliveries (
    id                text COLLATE "C" CONSTRAINT deliveries__id PRIMARY KEY,
    app_id            text COLLATE "C" NOT NULL,
    message_id        text COLLATE "C" NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    endpoint_id       text COLLATE "C" NOT NULL REFERENCES endpoints (id) ON DELETE CASCADE,
    manual            boolean NOT NULL DEFAULT false,
    status            integer NOT NULL DEFAULT 1,
    attempts          integer NOT NULL DEFAULT 0,
    next_attempt_at   timestamptz NULL,
    lease_owner       text NULL,
    lease_expires_at  timestamptz NULL,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 1;
CREATE INDEX deliveries_message ON deliveries (message_id, endpoint_id);
CREATE INDEX deliveries_endpoint ON deliveries (endpoint_id, status, created_at);
CREATE INDEX deliveries_lease_owner ON deliveries (lease_owner) WHERE lease_owner IS NOT NULL;

-- status: 0 success, 2 fail. trigger_type: 0 scheduled, 1 manual.
CREATE TABLE attempts (
    id                    text COLLATE "C" CONSTRAINT attempts__id PRIMARY KEY,
    app_id                text COLLATE "C" NOT NULL,
    delivery_id           text COLLATE "C" NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    message_id            text COLLATE "C" NOT NULL,
    endpoint_id           text COLLATE "C" NOT NULL,
    url                   text NOT NULL,
    status                integer NOT NULL,
    trigger_type          integer NOT NULL,
    response_status_code  integer NOT NULL,
    response              text NULL,
    response_duration_ms  bigint NOT NULL,
    error                 text NULL,
    created_at            timestamptz NOT NULL
);
CREATE INDEX attempts_endpoint ON attempts (endpoint_id, id);
CREATE INDEX attempts_message ON attempts (message_id, id);
CREATE INDEX attempts_delivery ON attempts (delivery_id);
CREATE INDEX attempts_app ON attempts (app_id, id);

CREATE TABLE polling_endpoints (
    id           text COLLATE "C" CONSTRAINT polling_endpoints__id PRIMARY KEY,
    app_id       text COLLATE "C" NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    uid          text COLLATE "C" NULL,
    event_types  text[] NULL,
    channels     text[] NULL,
    metadata     text NOT NULL DEFAULT '{}',
    disabled     boolean NOT NULL DEFAULT false,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    CONSTRAINT polling_endpoints__uid UNIQUE (app_id, uid)
);

-- position: the sequence number of the last message the consumer committed (0 before any).
CREATE TABLE poller_consumers (
    sink_id      text COLLATE "C" NOT NULL REFERENCES polling_endpoints (id) ON DELETE CASCADE,
    consumer_id  text NOT NULL,
    position     bigint NOT NULL,
    updated_at   timestamptz NOT NULL,
    CONSTRAINT poller_consumers__consumer_id PRIMARY KEY (sink_id, consumer_id)
);
