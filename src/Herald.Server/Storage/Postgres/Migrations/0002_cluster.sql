-- What nodes share besides the data: who is alive, and each throttled endpoint's per-second send budget.
CREATE TABLE nodes (
    id        text PRIMARY KEY,
    last_seen timestamptz NOT NULL
);

CREATE TABLE endpoint_send_budgets (
    endpoint_id text   NOT NULL,
    second      bigint NOT NULL, -- Unix time in seconds
    sent        integer NOT NULL,
    PRIMARY KEY (endpoint_id, second)
);
