-- The message gateway: pushes at the message URL, the operator's webhook
-- endpoints, and the durable delivery queue between them.

-- Every push at the message URL, once (dedup_key: appid and WeChat's retry key).
-- The payload holds users' messages and openids: sealed, and purged after the
-- retention period.
CREATE TABLE messages (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    authorizer_appid  TEXT    NOT NULL,
    company_id        INTEGER REFERENCES companies(id),
    dedup_key         TEXT    NOT NULL UNIQUE,
    msg_type          TEXT    NOT NULL,
    event             TEXT,
    create_time       INTEGER NOT NULL,
    received_at       INTEGER NOT NULL,
    -- delivered | not_authorized | release_check
    disposition       TEXT    NOT NULL,
    payload_sealed    BLOB    NOT NULL
);
CREATE INDEX messages_received ON messages (received_at);
CREATE INDEX messages_by_account ON messages (authorizer_appid, id);

-- Pushes without $APPID$ in the URL name the account by its original id.
CREATE INDEX authorizers_by_user_name ON authorizers (user_name);

CREATE TABLE webhook_endpoints (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    -- NULL: every company's accounts.
    company_id        INTEGER REFERENCES companies(id),
    url               TEXT    NOT NULL,
    secret_sealed     BLOB    NOT NULL,
    -- Filters, each a JSON array of accepted values; NULL accepts everything.
    appids            TEXT,
    msg_types         TEXT,
    events            TEXT,
    synchronous       INTEGER NOT NULL DEFAULT 0,
    reply_budget_ms   INTEGER NOT NULL DEFAULT 3000,
    max_in_flight     INTEGER NOT NULL DEFAULT 16,
    -- active | disabled
    state             TEXT    NOT NULL DEFAULT 'active',
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);

-- One message to one endpoint. order_key (endpoint, account, user hash) keeps
-- a user's messages in order: a delivery waits while an earlier one of its
-- key is pending.
CREATE TABLE deliveries (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id        INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    endpoint_id       INTEGER NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
    order_key         TEXT    NOT NULL,
    -- pending | delivered | dead
    state             TEXT    NOT NULL DEFAULT 'pending',
    attempts          INTEGER NOT NULL DEFAULT 0,
    next_attempt_at   INTEGER NOT NULL,
    -- Retried until then (24 h after it was queued or replayed), then dead.
    give_up_at        INTEGER NOT NULL,
    lease_holder      TEXT,
    lease_until       INTEGER,
    created_at        INTEGER NOT NULL,
    finished_at       INTEGER,
    last_status       INTEGER,
    last_error        TEXT,
    last_duration_ms  INTEGER
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at, id) WHERE state = 'pending';
CREATE INDEX deliveries_in_order ON deliveries (order_key, id) WHERE state = 'pending';
CREATE INDEX deliveries_by_endpoint ON deliveries (endpoint_id, id);
CREATE INDEX deliveries_by_message ON deliveries (message_id);

-- Every attempt, for the delivery log.
CREATE TABLE delivery_attempts (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id       INTEGER NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
    at                INTEGER NOT NULL,
    status            INTEGER,
    duration_ms       INTEGER NOT NULL,
    error             TEXT
);
CREATE INDEX delivery_attempts_by_delivery ON delivery_attempts (delivery_id, id);

-- WeChat's 全网发布 test accounts: authorized by WeChat during a release
-- check, kept apart from every company, with the tokens of the exchange.
CREATE TABLE release_check_accounts (
    authorizer_appid      TEXT    PRIMARY KEY,
    access_token_sealed   BLOB,
    refresh_token_sealed  BLOB,
    authorized_at         INTEGER NOT NULL,
    unauthorized_at       INTEGER
);

-- Each step of a check as the responder saw it.
CREATE TABLE release_check_steps (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    authorizer_appid  TEXT    NOT NULL,
    at                INTEGER NOT NULL,
    -- authorized | text_reply | api_reply | event_reply | unauthorized
    step              TEXT    NOT NULL,
    ok                INTEGER NOT NULL,
    detail            TEXT
);
CREATE INDEX release_check_steps_newest ON release_check_steps (id);
