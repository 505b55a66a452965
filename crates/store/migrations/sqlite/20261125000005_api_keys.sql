-- API keys of the operator's other backends (the token service's consumers).
-- Only the SHA-256 of a key is stored: keys are 32 random bytes, so a plain
-- hash cannot be brute-forced and a lookup by hash is the whole check.
CREATE TABLE api_keys (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    name           TEXT    NOT NULL,
    key_hash       TEXT    NOT NULL UNIQUE,  -- hex SHA-256 of the whole key string
    key_prefix     TEXT    NOT NULL,         -- the first characters, so admins can tell keys apart
    created_at     INTEGER NOT NULL,         -- unix seconds
    revoked_at     INTEGER,
    issued_count   INTEGER NOT NULL DEFAULT 0,  -- tokens handed out with this key
    last_used_at   INTEGER
);

-- A key with rows here may read only these companies' authorizers; a key
-- without rows is unscoped (every company, and the component token).
CREATE TABLE api_key_companies (
    api_key_id  INTEGER NOT NULL REFERENCES api_keys (id),
    company_id  INTEGER NOT NULL REFERENCES companies (id),
    PRIMARY KEY (api_key_id, company_id)
);
