-- Which instance is exchanging an auth_code right now (see the SQLite migration).
CREATE TABLE auth_code_claims (
    code_hash  TEXT    PRIMARY KEY,
    holder     TEXT    NOT NULL,
    until      BIGINT  NOT NULL
);
