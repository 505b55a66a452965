-- Which instance is exchanging an auth_code right now: the callback on one
-- instance and the `authorized` push on another make one api_query_auth. A
-- claim past `until` (a crashed holder) may be taken over.
CREATE TABLE auth_code_claims (
    code_hash  TEXT    PRIMARY KEY,
    holder     TEXT    NOT NULL,
    until      INTEGER NOT NULL
);
