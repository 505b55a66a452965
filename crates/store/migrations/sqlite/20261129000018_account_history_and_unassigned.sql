-- An account's history, for its timeline: authorized, updated, revoked,
-- revived, refresh failures (a run of them is one row with a count), and
-- the successful refreshes between two entries, collapsed into one row.
-- Admin actions on an account are in audit_log (object 'authorizer:<appid>').
CREATE TABLE authorizer_history (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    authorizer_appid  TEXT    NOT NULL,
    kind              TEXT    NOT NULL,  -- store::HistoryKind, snake_case
    at                INTEGER NOT NULL,  -- the first occurrence (unix seconds)
    last_at           INTEGER NOT NULL,  -- the last occurrence of a collapsed row
    count             INTEGER NOT NULL DEFAULT 1,
    detail            TEXT
);
CREATE INDEX authorizer_history_by_account ON authorizer_history (authorizer_appid, id);

-- Successful refreshes since the account's last history row: counted in the
-- refresh's own UPDATE (no extra write per refresh), written out as one
-- 'refreshed' row when the next entry comes.
ALTER TABLE authorizers ADD COLUMN refreshes_pending INTEGER NOT NULL DEFAULT 0;
ALTER TABLE authorizers ADD COLUMN refreshes_pending_since INTEGER;

-- Accounts WeChat lists as authorized that no invite brought in (reconcile
-- finds them): kept with their refresh token, sealed, until an admin attaches
-- them to a company. A refresh token WeChat hands out is never dropped.
CREATE TABLE unassigned_authorizers (
    authorizer_appid      TEXT    PRIMARY KEY,
    refresh_token_sealed  BLOB,
    found_at              INTEGER NOT NULL,
    last_seen_at          INTEGER NOT NULL
);
