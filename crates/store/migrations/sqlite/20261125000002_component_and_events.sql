-- The newest component_verify_ticket per component (sealed: see platform::vault).
CREATE TABLE component_tickets (
    component_appid  TEXT    PRIMARY KEY,
    ticket_sealed    BLOB    NOT NULL,
    create_time      INTEGER NOT NULL,  -- WeChat's CreateTime (unix seconds)
    received_at      INTEGER NOT NULL   -- when we stored it (unix seconds)
);

-- The component_access_token and its health, one row per component.
CREATE TABLE component_tokens (
    component_appid  TEXT    PRIMARY KEY,
    token_sealed     BLOB,
    expires_at       INTEGER,           -- unix seconds
    refreshed_at     INTEGER,
    last_error       TEXT,              -- operator-facing, never a secret
    last_error_at    INTEGER,
    lease_holder     TEXT,              -- who is refreshing right now
    lease_until      INTEGER            -- the lease is void after this (crashed holder)
);

-- Every push received at the authorization event URL, kept as history.
CREATE TABLE push_events (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    dedup_key         TEXT    NOT NULL UNIQUE,  -- SHA-256 of the decrypted XML: a retried push is the same row
    info_type         TEXT    NOT NULL,
    authorizer_appid  TEXT,
    create_time       INTEGER,
    received_at       INTEGER NOT NULL,
    payload_sealed    BLOB    NOT NULL,         -- decrypted XML, sealed (it may carry codes)
    processed_at      INTEGER,
    error             TEXT
);
CREATE INDEX push_events_received ON push_events (received_at DESC);
CREATE INDEX push_events_unprocessed ON push_events (processed_at) WHERE processed_at IS NULL;
