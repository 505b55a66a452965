-- Admin sign-in: accounts, server-side sessions, failed attempts, the audit
-- log, and the installation record that ties this database to one component.

CREATE TABLE admins (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    login                TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    password_hash        TEXT    NOT NULL,   -- argon2id PHC string
    created_at           INTEGER NOT NULL,   -- unix seconds
    password_changed_at  INTEGER NOT NULL,
    disabled_at          INTEGER
);

-- Only the SHA-256 of a session id is stored: the id is 32 random bytes, so a
-- copy of the database hands out no live session.
CREATE TABLE admin_sessions (
    id_hash       TEXT    PRIMARY KEY,      -- hex SHA-256 of the cookie value
    admin_id      INTEGER NOT NULL REFERENCES admins (id),
    created_at    INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL,
    client_addr   TEXT    NOT NULL
);
CREATE INDEX admin_sessions_by_admin ON admin_sessions (admin_id);

-- Failed sign-ins still counting towards a limit; a successful sign-in clears
-- its login's rows (the address keeps its count).
CREATE TABLE sign_in_failures (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    login        TEXT    NOT NULL COLLATE NOCASE,
    client_addr  TEXT    NOT NULL,
    at           INTEGER NOT NULL
);
CREATE INDEX sign_in_failures_by_login ON sign_in_failures (login, at);
CREATE INDEX sign_in_failures_by_addr ON sign_in_failures (client_addr, at);

-- Who did what: append-only, nothing in the product edits or deletes a row.
CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    at           INTEGER NOT NULL,
    admin_id     INTEGER REFERENCES admins (id),
    actor        TEXT    NOT NULL,   -- the admin's login, or the login typed at a failed sign-in
    client_addr  TEXT,
    action       TEXT    NOT NULL,   -- platform::audit::AuditAction
    object       TEXT,               -- e.g. company:3, invite:12, admin:alice
    detail       TEXT
);
CREATE INDEX audit_log_by_time ON audit_log (at);
CREATE INDEX audit_log_by_admin ON audit_log (admin_id, at);

-- One row: the component this database belongs to, so a server started with
-- other credentials (or a sandbox on real data) stops instead of acting on it.
CREATE TABLE installation (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    component_appid  TEXT    NOT NULL,
    sandbox          INTEGER NOT NULL,   -- 0 or 1
    key_check        TEXT    NOT NULL,   -- HMAC of a constant under WEIQIAO_SECRET_KEY
    created_at       INTEGER NOT NULL,
    adopted_at       INTEGER
);
