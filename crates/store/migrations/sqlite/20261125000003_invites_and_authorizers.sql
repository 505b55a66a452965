-- An invite: the link a company's admin follows to authorize its accounts.
CREATE TABLE invites (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id    INTEGER NOT NULL REFERENCES companies (id),
    token_hash    TEXT    NOT NULL UNIQUE,  -- SHA-256 of the URL token: lookups without storing it in clear
    token_sealed  BLOB    NOT NULL,         -- the URL token, sealed, so admins can see the link again
    auth_type     INTEGER NOT NULL,         -- 1 official accounts, 2 mini programs, 3 both, 6 all
    biz_appid     TEXT,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    revoked_at    INTEGER
);
CREATE INDEX invites_company ON invites (company_id);

-- An authorizer: an official account or mini program that authorized the platform.
-- Never deleted: a revoked one keeps its history and is revived by re-authorization.
CREATE TABLE authorizers (
    id                        INTEGER PRIMARY KEY AUTOINCREMENT,
    authorizer_appid          TEXT    NOT NULL UNIQUE,
    company_id                INTEGER NOT NULL REFERENCES companies (id),
    status                    TEXT    NOT NULL,  -- active | revoked | needs_reauthorization
    nick_name                 TEXT,
    head_img                  TEXT,
    user_name                 TEXT,
    principal_name            TEXT,
    alias                     TEXT,
    qrcode_url                TEXT,
    service_type              INTEGER,
    verify_type               INTEGER,
    is_mini_program           INTEGER NOT NULL DEFAULT 0,
    func_info                 TEXT    NOT NULL DEFAULT '[]',  -- JSON array of permission-set ids
    refresh_token_sealed      BLOB,
    access_token_sealed       BLOB,
    access_token_expires_at   INTEGER,
    refreshed_at              INTEGER,
    last_error                TEXT,
    authorized_at             INTEGER NOT NULL,
    revoked_at                INTEGER,
    updated_at                INTEGER NOT NULL
);
CREATE INDEX authorizers_company ON authorizers (company_id);

-- Authorization codes already exchanged, so a reloaded or duplicated callback
-- and the `authorized` push do not exchange the same code twice.
CREATE TABLE authorization_codes (
    code_hash         TEXT    PRIMARY KEY,  -- SHA-256 of the auth_code
    authorizer_appid  TEXT    NOT NULL,
    invite_id         INTEGER REFERENCES invites (id),
    used_at           INTEGER NOT NULL
);
